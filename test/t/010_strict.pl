# authz.strict_evaluation (Cerbos' engine.strictEvaluation): a PGC_SIGHUP
# setting, so it is changed with ALTER SYSTEM and pg_reload_conf().  A
# condition whose CEL evaluation errors (an absent attribute: a NULL column)
# denies the action instead of counting as false, in authz_check, in plans,
# in row filters under authz_protect, and authz_run_tests runs suites as
# `cerbos compile --strict-evaluation` while it is on.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('strict');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'authz'");
$node->start;

# users see their own documents, except those above level 2; a NULL level
# makes the DENY's condition error
my $policy = <<'YAML';
apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: doc
  version: default
  rules:
    - actions: ["view"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: R.attr.owner == P.id
    - actions: ["view"]
      effect: EFFECT_DENY
      roles: ["user"]
      condition:
        match:
          expr: R.attr.level > 2
YAML

$node->safe_psql('postgres', qq{
CREATE EXTENSION authz;
INSERT INTO authz_policies (id, definition) VALUES ('doc', \$\$$policy\$\$);
CREATE TABLE docs (id int PRIMARY KEY, owner text, level int);
INSERT INTO docs SELECT i, 'u' || (i % 2), CASE WHEN i % 3 = 0 THEN NULL ELSE i % 5 END
	FROM generate_series(1, 60) i;
CREATE ROLE app LOGIN;
CREATE ROLE docowner;
ALTER TABLE docs OWNER TO docowner;
GRANT SELECT ON docs TO app;
GRANT authz_trusted TO app;
SELECT authz_protect('docs', 'doc');
});

my $p = q{'{"id":"u1","roles":["user"]}'::jsonb};
my $check_no_level = qq{SELECT authz_check($p, '{"kind":"doc","id":"d","attr":{"owner":"u1"}}', 'view')};
my $check_low = qq{SELECT authz_check($p, '{"kind":"doc","id":"d","attr":{"owner":"u1","level":1}}', 'view')};
my $plan = qq{SELECT authz_plan_resources('{"requestId":"r","action":"view","principal":{"id":"u1","roles":["user"]},"resource":{"kind":"doc"}}')->'filter'};
my $visible = q{BEGIN; SET ROLE app; SELECT authz_set_principal('{"id":"u1","roles":["user"]}') \gset
SELECT count(*) FROM docs; COMMIT;};
# what a strict and a lenient check keep, in plain SQL
my $want_lenient = $node->safe_psql('postgres',
	q{SELECT count(*) FROM docs WHERE owner = 'u1' AND (level IS NULL OR level <= 2)});
my $want_strict = $node->safe_psql('postgres',
	q{SELECT count(*) FROM docs WHERE owner = 'u1' AND level IS NOT NULL AND level <= 2});
isnt($want_lenient, $want_strict, 'the table tells the modes apart');

is($node->safe_psql('postgres', 'SHOW authz.strict_evaluation'), 'off', 'off by default');
is($node->safe_psql('postgres', $check_no_level), 't', 'lenient: the erroring DENY is false');
is($node->safe_psql('postgres', $check_low), 't', 'lenient: level 1 is allowed');
is($node->safe_psql('postgres', $visible), $want_lenient, 'lenient: the row filter keeps what lenient checks allow');
like($node->safe_psql('postgres', $plan), qr/CONDITIONAL/, 'lenient: a conditional plan');

# SET is refused: it is a reload-time setting
my ($rc, $out, $err) = $node->psql('postgres', 'SET authz.strict_evaluation = on');
like($err, qr/cannot be changed now/, 'SET is refused');

$node->safe_psql('postgres', 'ALTER SYSTEM SET authz.strict_evaluation = on; SELECT pg_reload_conf()');
$node->poll_query_until('postgres', q{SELECT current_setting('authz.strict_evaluation') = 'on'})
  or die 'the setting did not reload';
is($node->safe_psql('postgres', $check_no_level), 'f', 'strict: the erroring DENY denies');
is($node->safe_psql('postgres', $check_low), 't', 'strict: level 1 is still allowed');
is($node->safe_psql('postgres', $visible), $want_strict, 'strict: the row filter keeps what strict checks allow');
like($node->safe_psql('postgres', $plan), qr/authz\.check/, 'strict: the plan is the per-row check');
# authz_plan_sql has no row to check: it refuses rather than guess
my ($prc, $pout, $perr) = $node->psql('postgres',
	q{SELECT authz_plan_sql('{"requestId":"r","action":"view","principal":{"id":"u1","roles":["user"]},"resource":{"kind":"doc"}}')});
like($perr, qr/per-row check \(strict evaluation/, 'strict: authz_plan_sql refuses a plan that needs a per-row check');

# the row filter keeps the lenient formula's SQL and checks only what it keeps
my $explain = $node->safe_psql('postgres', q{BEGIN; SET ROLE app; SELECT authz_set_principal('{"id":"u1","roles":["user"]}') \gset
EXPLAIN (COSTS OFF) SELECT * FROM docs; COMMIT;});
like($explain, qr/owner = 'u1'.*authz_check|authz_check.*owner = 'u1'/s, 'strict: the filter is the formula AND authz_check per row');

# a suite with strictEvaluation in its options, and one without
my $dir = PostgreSQL::Test::Utils::tempdir();
open(my $fh, '>', "$dir/doc.yaml") or die;
print $fh $policy;
close $fh;
open($fh, '>', "$dir/doc_test.yaml") or die;
print $fh <<'YAML';
name: DocSuite
options:
  strictEvaluation: true
principals:
  u1: {id: u1, roles: [user]}
resources:
  nolevel: {kind: doc, id: d1, attr: {owner: u1}}
tests:
  - name: strict
    input: {principals: [u1], resources: [nolevel], actions: [view]}
    expected:
      - {principal: u1, resource: nolevel, actions: {view: EFFECT_DENY}}
  - name: own options
    options: {now: "2024-01-01T00:00:00Z"}
    input: {principals: [u1], resources: [nolevel], actions: [view]}
    expected:
      - {principal: u1, resource: nolevel, actions: {view: EFFECT_ALLOW}}
YAML
close $fh;
my $verdicts = qq{SELECT string_agg(test || '=' || actual || '/' || passed, ',' ORDER BY test) FROM authz_run_tests('$dir')};
is($node->safe_psql('postgres', $verdicts), 'own options=EFFECT_DENY/false,strict=EFFECT_DENY/true',
	'strict setting on: every test runs strict (cerbos compile --strict-evaluation)');

$node->safe_psql('postgres', 'ALTER SYSTEM RESET authz.strict_evaluation; SELECT pg_reload_conf()');
$node->poll_query_until('postgres', q{SELECT current_setting('authz.strict_evaluation') = 'off'})
  or die 'the setting did not reload';
is($node->safe_psql('postgres', $verdicts), 'own options=EFFECT_ALLOW/true,strict=EFFECT_DENY/true',
	'strict setting off: the suite option decides, and a test\'s own options replace it');
is($node->safe_psql('postgres', $check_no_level), 't', 'lenient again after the reload');
is($node->safe_psql('postgres', $visible), $want_lenient, 'lenient row filter again');

done_testing();
