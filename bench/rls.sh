#!/usr/bin/env bash
# bench/rls.sh — row-level security on a 1,000,000-row table with an index on
# its owner column, `SELECT … LIMIT 50` for one user, three ways:
#   (a) a hand-written CREATE POLICY: owner = current_setting('app.user_id')
#   (b) a CREATE POLICY calling authz_check for every row
#   (c) authz_protect: the policies decide, the filter is planned per statement
# (a) and (c) are measured twice, alternating, and the better run counts.
# Each transaction sets the user (SET LOCAL for (a), authz_set_principal for
# (b) and (c)) and runs the query; pgbench reports transactions per second.
# Prints the rates, the ratios, and the plans of (a) and (c), and fails if
# the three let the user see different rows.  Run as root on Debian 12 after
# ./tools/demo or ./tools/test has built and installed the extension.
source "$(dirname "$0")/../tools/common.sh"
ROWS=${ROWS:-1000000}
SECONDS_EACH=${SECONDS_EACH:-5}

WORK=$(mktemp -d /tmp/authz-bench.XXXXXX)
chown -R postgres:postgres "$WORK"
start_cluster "max_parallel_workers_per_gather = 0"
trap 'stop_cluster; rm -rf "$WORK"' EXIT

run_psql -q -d postgres >/dev/null <<SQL
CREATE EXTENSION authz;
INSERT INTO authz_policies (id, definition) VALUES ('document', \$\$
apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: document
  version: default
  rules:
    - actions: ["view"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: R.attr.owner == P.id
    - actions: ["*"]
      effect: EFFECT_ALLOW
      roles: ["admin"]
\$\$);
CREATE ROLE app LOGIN;
GRANT authz_trusted TO app;
CREATE TABLE docs_a (id int PRIMARY KEY, owner text NOT NULL, title text);
INSERT INTO docs_a SELECT i, 'u' || (i % 1000), 'document ' || i FROM generate_series(1, $ROWS) i;
CREATE TABLE docs_b AS SELECT * FROM docs_a;
CREATE TABLE docs_c AS SELECT * FROM docs_a;
ALTER TABLE docs_b ADD PRIMARY KEY (id);
ALTER TABLE docs_c ADD PRIMARY KEY (id);
CREATE INDEX ON docs_a (owner);
CREATE INDEX ON docs_b (owner);
CREATE INDEX ON docs_c (owner);
GRANT SELECT ON docs_a, docs_b, docs_c TO app;
ALTER TABLE docs_a ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON docs_a USING (owner = current_setting('app.user_id'));
ALTER TABLE docs_b ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON docs_b USING (authz_check(jsonb_build_object('kind', 'document', 'id', id::text,
	'attr', jsonb_build_object('owner', owner)), 'view'));
SELECT authz_protect('docs_c', 'document');
VACUUM ANALYZE docs_a, docs_b, docs_c;
SQL

PRINCIPAL='{"id": "u7", "roles": ["user"]}'
QUERY='SELECT id, title FROM %s LIMIT 50'
# every row the user may see, to check that the three agree
ALL_ROWS='SELECT id FROM %s ORDER BY id'
script() {
	local table=$1 setup
	if [ "$table" = docs_a ]; then setup="SET LOCAL app.user_id = 'u7';"
	else setup="SELECT authz_set_principal('$PRINCIPAL');"; fi
	printf 'BEGIN;\n%s\n%s;\nCOMMIT;\n' "$setup" "$(printf "$QUERY" "$table")" > "$WORK/$table.sql"
	chown postgres "$WORK/$table.sql"
}
rate() {
	script "$1"
	as_postgres env PGPORT="$PGPORT" PGHOST=/tmp "$PG_BIN/pgbench" -n -U app -c 1 -T "$2" \
		-f "$WORK/$1.sql" postgres 2>/dev/null | sed -nE 's/^tps = ([0-9.]+).*/\1/p'
}
rows_of() {
	run_psql -Atq -d postgres -c "SET ROLE app; BEGIN; SET LOCAL app.user_id = 'u7';
		SELECT authz_set_principal('$PRINCIPAL') IS NULL; $(printf "$ALL_ROWS" "$1"); COMMIT;" | md5sum
}
plan_of() {
	run_psql -Atq -d postgres -c "SET ROLE app; BEGIN; SET LOCAL app.user_id = 'u7';
		SELECT authz_set_principal('$PRINCIPAL') IS NULL; EXPLAIN (COSTS OFF) $(printf "$QUERY" "$1"); COMMIT;" | tail -n +2
}

# each measured after a warm-up run (the tables do not all fit in
# shared_buffers), the slow per-row policy last so it evicts nobody
rate docs_a 1 >/dev/null; A=$(rate docs_a "$SECONDS_EACH")
rate docs_c 1 >/dev/null; C=$(rate docs_c "$SECONDS_EACH")
rate docs_a 1 >/dev/null; A2=$(rate docs_a "$SECONDS_EACH")
rate docs_c 1 >/dev/null; C2=$(rate docs_c "$SECONDS_EACH")
A=$(python3 -c "print(max($A, $A2))"); C=$(python3 -c "print(max($C, $C2))")
B=$(rate docs_b "$SECONDS_EACH")
echo "rows: $ROWS; query: $(printf "$QUERY" 't') for one user (1 row in 1,000 is theirs)"
python3 - "$A" "$B" "$C" <<'PY'
import sys
a, b, c = map(float, sys.argv[1:])
print(f"  (a) hand-written CREATE POLICY   {a:10.1f} queries/s  {1e3/a:8.3f} ms each")
print(f"  (b) CREATE POLICY with authz_check per row {b:6.1f} queries/s  {1e3/b:8.3f} ms each")
print(f"  (c) authz_protect                {c:10.1f} queries/s  {1e3/c:8.3f} ms each")
print(f"  authz_protect takes {a/c:.2f}x the time of (a) and is {c/b:.0f}x faster than (b)")
PY
echo "plan (a):"; plan_of docs_a | sed 's/^/    /'
echo "plan (c):"; plan_of docs_c | sed 's/^/    /'
ra=$(rows_of docs_a); rb=$(rows_of docs_b); rc=$(rows_of docs_c)
if [ "$ra" != "$rb" ] || [ "$ra" != "$rc" ]; then
	echo "MISMATCH: the three ways let the user see different rows"; exit 1
fi
echo "the three let the user see the same rows"
