# Inlined authz_check calls (src/pg/inline_check.c) in cached plans: a
# prepared statement, a PL/pgSQL query and a PL/pgSQL simple expression
# planned in one session follow a policy change committed by another,
# between transactions and inside one; and the rewrite shows in EXPLAIN.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('inline');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'authz'");
$node->append_conf('postgresql.conf', "plan_cache_mode = force_generic_plan");
$node->start;

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
YAML

$node->safe_psql('postgres', qq{
CREATE EXTENSION authz;
INSERT INTO authz_policies (id, definition) VALUES ('doc', \$\$$policy\$\$);
CREATE TABLE docs (id int PRIMARY KEY, owner text NOT NULL, status text NOT NULL);
INSERT INTO docs SELECT i, 'u' || (i % 10), CASE WHEN i % 4 = 0 THEN 'open' ELSE 'closed' END
	FROM generate_series(1, 1000) i;
CREATE INDEX docs_owner ON docs (owner);
ANALYZE docs;
CREATE FUNCTION visible() RETURNS bigint LANGUAGE plpgsql AS \$\$
BEGIN
	RETURN (SELECT count(*) FROM docs d WHERE authz_check('{"id": "u1", "roles": ["user"]}',
		jsonb_build_object('kind', 'document', 'id', d.id::text,
			'attr', jsonb_build_object('owner', d.owner, 'status', d.status)), 'view'));
END \$\$;
CREATE FUNCTION may_view(o text, s text) RETURNS boolean LANGUAGE plpgsql AS \$\$
BEGIN
	RETURN authz_check('{"id": "u1", "roles": ["user"]}',
		jsonb_build_object('kind', 'document', 'id', 'x', 'attr', jsonb_build_object('owner', o, 'status', s)), 'view');
END \$\$;
});

my $query = q{SELECT count(*) FROM docs d WHERE authz_check('{"id": "u1", "roles": ["user"]}',
	jsonb_build_object('kind', 'document', 'id', d.id::text,
		'attr', jsonb_build_object('owner', d.owner, 'status', d.status)), 'view')};

# NOT NULL columns and no joins: no guard, the owner index serves the filter
my $explain = $node->safe_psql('postgres', "SET enable_seqscan = off; EXPLAIN (COSTS OFF) $query");
like($explain, qr/Index Cond: \(owner = 'u1'::text\)/, 'the call became an index condition');
unlike($explain, qr/authz_check/, 'no call is left');

my $s = $node->background_psql('postgres');
$s->query_safe("PREPARE mine AS $query");
is($s->query_safe('EXECUTE mine'), '100', 'u1 sees its own documents');
is($s->query_safe('SELECT visible()'), '100', 'through PL/pgSQL too');
is($s->query_safe(q{SELECT may_view('u2', 'open')}), 'f', 'a simple expression: not u2\'s open document');
like($s->query_safe('EXPLAIN (COSTS OFF) EXECUTE mine'), qr/owner = 'u1'::text/,
	'the prepared statement holds the inlined filter');

# another session widens the policy: open documents too
my $wider = $policy;
$wider =~ s/expr: R.attr.owner == P.id/expr: R.attr.owner == P.id || R.attr.status == "open"/
  or die 'policy edit failed';
$node->safe_psql('postgres', "UPDATE authz_policies SET definition = \$\$$wider\$\$ WHERE id = 'doc'");
is($s->query_safe('EXECUTE mine'), '350', 'the prepared statement follows the new policy (own + open)');
is($s->query_safe('SELECT visible()'), '350', 'so does the PL/pgSQL query');
is($s->query_safe(q{SELECT may_view('u2', 'open')}), 't', 'and the PL/pgSQL simple expression');

# inside a transaction that started before the change
$s->query_safe('BEGIN');
is($s->query_safe('EXECUTE mine'), '350', 'in a transaction, before the change');
is($s->query_safe(q{SELECT may_view('u2', 'open')}), 't', 'simple expression, before the change');
$node->safe_psql('postgres', "UPDATE authz_policies SET definition = \$\$$policy\$\$ WHERE id = 'doc'");
is($s->query_safe('EXECUTE mine'), '100', 'the next statement of the same transaction sees it');
is($s->query_safe('SELECT visible()'), '100', 'PL/pgSQL in the same transaction');
is($s->query_safe(q{SELECT may_view('u2', 'open')}), 'f', 'simple expression in the same transaction');
$s->query_safe('COMMIT');

# inlining off in the session: the same answers from the call itself
$s->query_safe('SET authz.inline_checks = off');
unlike($s->query_safe('EXPLAIN (COSTS OFF) EXECUTE mine'), qr/owner = 'u1'::text/,
	'off: the cached plan is made again without the rewrite');
is($s->query_safe('EXECUTE mine'), '100', 'off: the same rows');
$s->quit;

done_testing();
