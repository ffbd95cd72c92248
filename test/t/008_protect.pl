# authz_protect: row-level security decided by the policies for the session
# principal.  Rows seen and written follow the policies; cached plans
# (prepared statements, PL/pgSQL) never filter for a principal or a policy
# set other than the current one.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('protect');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'authz'");
$node->start;

# users see their own documents; admins see everything; users may create
# and update their own documents unless locked
my $policy = <<'YAML';
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
    - actions: ["create", "update", "delete"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          all:
            of:
              - expr: R.attr.owner == P.id
              - expr: R.attr.status != "locked"
YAML

$node->safe_psql('postgres', qq{
CREATE EXTENSION authz;
INSERT INTO authz_policies (id, definition) VALUES ('doc', \$\$$policy\$\$);
CREATE TABLE docs (id int PRIMARY KEY, owner text, status text, title text);
INSERT INTO docs SELECT i, 'u' || (i % 10), CASE WHEN i % 3 = 0 THEN 'locked' ELSE 'open' END, 't' || i
	FROM generate_series(1, 1000) i;
CREATE INDEX docs_owner ON docs (owner);
ANALYZE docs;
CREATE ROLE app LOGIN;
CREATE ROLE docowner;
ALTER TABLE docs OWNER TO docowner;
GRANT SELECT, INSERT, UPDATE, DELETE ON docs TO app;
GRANT authz_trusted TO app;
SELECT authz_protect('docs', 'document');
});

sub as_app
{
	my ($sql) = @_;
	return $node->safe_psql('postgres', "BEGIN;\nSET ROLE app;\n$sql;\nCOMMIT;");
}

# sets a transaction principal without printing anything
sub principal
{
	my ($id, $role) = @_;
	return qq{SELECT authz_set_principal('{"id":"$id","roles":["$role"]}') AS p \\gset
};
}
my $u1 = principal('u1', 'user');
my $u2 = principal('u2', 'user');
my $admin = principal('boss', 'admin');
my $count_ids = q{SELECT count(*) || ':' || coalesce(min(owner), '') || ':' || coalesce(max(owner), '') FROM docs};

is(as_app($count_ids), '0::', 'no principal: no rows');
is(as_app("$u1 $count_ids"), '100:u1:u1', 'u1 sees only its 100 documents');
is(as_app("$admin $count_ids"), '1000:u0:u9', 'admin sees all 1000');

# the filter is ordinary SQL over the columns: an index serves it
my $plan = as_app("$u1 EXPLAIN (COSTS OFF) SELECT title FROM docs");
like($plan, qr/Index Cond: \(owner = 'u1'::text\)/, 'EXPLAIN shows the filter as SQL on the owner index');
like($plan, qr/docs_owner/, 'the owner index is used');
is(as_app("$admin EXPLAIN (COSTS OFF) SELECT title FROM docs"), 'Seq Scan on docs',
	'an admin may see everything: no filter at all');

# the table owner bypasses row-level security unless it is forced
is($node->safe_psql('postgres', "SET ROLE docowner; $count_ids"), '1000:u0:u9', 'owner bypasses without FORCE');
$node->safe_psql('postgres', 'ALTER TABLE docs FORCE ROW LEVEL SECURITY');
is($node->safe_psql('postgres', "SET ROLE docowner; $count_ids"), '0::', 'owner filtered with FORCE and no principal');
$node->safe_psql('postgres', 'ALTER TABLE docs NO FORCE ROW LEVEL SECURITY');

# writes: WITH CHECK follows the create/update actions
my ($ret, $out, $err) = $node->psql('postgres',
	"BEGIN; SET ROLE app; $u1 INSERT INTO docs VALUES (5001, 'u2', 'open', 'x')");
like($err, qr/new row violates row-level security policy/, 'u1 cannot insert a document owned by u2');
as_app("$u1 INSERT INTO docs VALUES (5002, 'u1', 'open', 'x')");
is(as_app("$u1 SELECT count(*) FROM docs WHERE id = 5002"), '1', 'u1 inserts its own document');
($ret, $out, $err) = $node->psql('postgres',
	"BEGIN; SET ROLE app; $u1 UPDATE docs SET owner = 'u2' WHERE id = 5002");
like($err, qr/new row violates row-level security policy/, 'u1 cannot give a document away');
is(as_app("$u1 WITH u AS (UPDATE docs SET title = 'y' RETURNING 1) SELECT count(*) FROM u"),
	'68', 'an unqualified UPDATE touches only rows u1 may update (its 68 unlocked ones)');
is(as_app("$u2 WITH d AS (DELETE FROM docs WHERE id = 1 RETURNING 1) SELECT count(*) FROM d"),
	'0', 'u2 cannot delete u1\'s document');

# prepared statements: one connection switching principals
my $s = $node->background_psql('postgres');
$s->query_safe('SET ROLE app');
$s->query_safe('PREPARE mine AS SELECT count(*) FROM docs');
$s->query_safe('PREPARE one(int) AS SELECT owner FROM docs WHERE id = $1');
$s->query_safe('BEGIN');
$s->query_safe($u1);
# run it more than five times so a generic plan is cached
for my $i (1 .. 6) { $s->query_safe('EXECUTE mine'); $s->query_safe('EXECUTE one(1)'); }
is($s->query_safe('EXECUTE mine'), '101', 'u1 through a prepared statement');
is($s->query_safe('EXECUTE one(1)'), 'u1', 'u1 reads its document 1 by id');
$s->query_safe('COMMIT');
is($s->query_safe('EXECUTE mine'), '0', 'after COMMIT the transaction principal is gone');
$s->query_safe('BEGIN');
$s->query_safe($u2);
is($s->query_safe('EXECUTE mine'), '100', 'the same prepared statement filters for u2');
is($s->query_safe('EXECUTE one(1)'), '', 'u2 cannot read document 1 through the cached plan');
$s->query_safe('COMMIT');

# PL/pgSQL keeps its own plans
$node->safe_psql('postgres', q{
CREATE FUNCTION visible_docs() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN RETURN (SELECT count(*) FROM docs); END $$;
GRANT EXECUTE ON FUNCTION visible_docs() TO app;
});
$s->query_safe("BEGIN; $u1 SELECT visible_docs(); SELECT visible_docs();");
is($s->query_safe('SELECT visible_docs()'), '101', 'PL/pgSQL under u1');
$s->query_safe($admin);
is($s->query_safe('SELECT visible_docs()'), '1001', 'the same PL/pgSQL plan under admin, same transaction');
$s->query_safe('COMMIT');

# a policy change between two EXECUTEs reaches the next one
$s->query_safe("BEGIN; $u2");
is($s->query_safe('EXECUTE mine'), '100', 'u2 before the policy change');
my $all_view = $policy;
$all_view =~ s/expr: R.attr.owner == P.id\n    - actions: \["\*"\]/expr: R.attr.owner == P.id || R.attr.status == "open"\n    - actions: ["*"]/
  or die 'policy edit failed';
$node->safe_psql('postgres', "UPDATE authz_policies SET definition = \$\$$all_view\$\$ WHERE id = 'doc'");
is($s->query_safe('EXECUTE mine'), '701', 'the next EXECUTE uses the new policy (own + open ones)');
is($s->query_safe('SELECT visible_docs()'), '701', 'and so does the PL/pgSQL plan');
$s->query_safe('COMMIT');
$s->quit;

# a policy that reads now() makes a filter for one statement only: a
# cached plan must not keep the instant it was made at
$node->safe_psql('postgres', q{
INSERT INTO authz_policies (id, definition) VALUES ('timed', $$
apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: timed
  version: default
  rules:
    - actions: ["view"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: timestamp(R.attr.expires) > now()
$$);
CREATE TABLE timed (id int PRIMARY KEY, expires timestamptz);
INSERT INTO timed VALUES (1, now() + interval '3 seconds'), (2, now() + interval '1 hour');
GRANT SELECT ON timed TO app;
SELECT authz_protect('timed', 'timed');
});
my $t = $node->background_psql('postgres');
$t->query_safe('SET ROLE app');
$t->query_safe(q{SELECT authz_set_principal('{"id":"u1","roles":["user"]}', true)});
$t->query_safe('PREPARE live AS SELECT count(*) FROM timed');
is($t->query_safe('EXECUTE live'), '2', 'both rows visible before the first expires');
is($t->query_safe('EXECUTE live'), '2', 'and again from the cached statement');
sleep(4);
is($t->query_safe('EXECUTE live'), '1', 'the cached statement sees the row expire (now() is not frozen in the plan)');
$t->quit;
$node->safe_psql('postgres', 'DROP TABLE timed');

# unprotecting gives the table back to ordinary row-level security rules
$node->safe_psql('postgres', "SELECT authz_unprotect('docs')");
is(as_app($count_ids), '1001:u0:u9', 'unprotected: every row, no principal needed');
is($node->safe_psql('postgres', 'SELECT count(*) FROM authz_protected'), '0', 'nothing left in authz_protected');

# only administrators protect tables
($ret, $out, $err) = $node->psql('postgres', "SET ROLE app; SELECT authz_protect('docs', 'document')");
like($err, qr/permission denied/, 'an ordinary role cannot protect a table');

# dropping a protected table forgets it
$node->safe_psql('postgres', "SELECT authz_protect('docs', 'document'); DROP TABLE docs");
is($node->safe_psql('postgres', 'SELECT count(*) FROM authz_protected'), '0', 'a dropped table is forgotten');

# DROP EXTENSION: its objects go, the hooks stop acting, and a table that
# was protected stays closed (row-level security on, no policy) rather than
# opening up
$node->safe_psql('postgres', q{
CREATE TABLE kept (id int PRIMARY KEY, owner text);
INSERT INTO kept VALUES (1, 'u1');
GRANT SELECT ON kept TO app;
SELECT authz_protect('kept', 'document');
DROP EXTENSION authz;
});
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM pg_event_trigger WHERE evtname LIKE 'authz%'} .
	q{ UNION ALL SELECT count(*) FROM pg_class WHERE relname LIKE 'authz%'} .
	q{ UNION ALL SELECT count(*) FROM pg_proc WHERE proname LIKE 'authz%'}),
	"0\n0\n0", 'DROP EXTENSION leaves no authz tables, functions or event triggers');
is($node->safe_psql('postgres', 'SET ROLE app; SELECT count(*) FROM kept'), '0',
	'a formerly protected table stays closed after DROP EXTENSION');
$node->safe_psql('postgres', 'CREATE EXTENSION authz');
is($node->safe_psql('postgres', 'SELECT count(*) FROM authz_protected'), '0',
	'CREATE EXTENSION again starts with nothing protected');

done_testing();
