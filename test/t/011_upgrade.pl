# ALTER EXTENSION authz UPDATE gives exactly what a fresh install of the
# new version gives: every member object (pg_depend deptype 'e') with its
# whole definition — functions as pg_get_functiondef prints them plus their
# ACL, volatility, parallel safety, SECURITY DEFINER and SET options; tables
# with columns, constraints, indexes, triggers, grants and comments; event
# triggers; the extension's configuration tables and initial privileges —
# listed by test/upgrade/members.sql in one database updated from each
# released version and in one with a fresh install, compared as text.
# The listing must also see a deliberate drift, or the comparison proves
# nothing.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $srcdir = $ENV{TESTDIR} || '.';
my $listing = slurp_file("$srcdir/test/upgrade/members.sql");

# the versions this tree ships: the default one and every other script
my $control = slurp_file("$srcdir/authz.control");
my ($latest) = $control =~ /^default_version = '([^']+)'/m;
my %versions;
opendir(my $dh, $srcdir) or die "cannot read $srcdir: $!";
for my $f (readdir $dh)
{
	$versions{$1} = 1 if $f =~ /^authz--([0-9.]+)\.sql$/;
}
closedir $dh;
my @older = sort grep { $_ ne $latest } keys %versions;
ok(defined $latest && $versions{$latest}, "the default version $latest has a full script");
ok(@older >= 1, 'there is at least one earlier release: ' . join(', ', @older));

# the lines of one listing missing from the other, for a readable failure
sub line_difference
{
	my ($updated, $fresh) = @_;
	my (%in_updated, %in_fresh);
	$in_updated{$_}++ for split /\n/, $updated;
	$in_fresh{$_}++ for split /\n/, $fresh;
	my @out;
	push @out, "only after the update: $_" for grep { !$in_fresh{$_} } split /\n/, $updated;
	push @out, "only in a fresh install: $_" for grep { !$in_updated{$_} } split /\n/, $fresh;
	return join("\n", @out) || 'the same lines in another order';
}

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'authz'");
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION authz');
my $fresh = $node->safe_psql('fresh', $listing);
like($fresh, qr/^extension authz \Q$latest\E /m, "fresh install is $latest");
my $functions = () = $fresh =~ /^function /mg;
my $tables = () = $fresh =~ /^table /mg;
cmp_ok($functions, '>=', 20, "the listing has the functions ($functions)");
cmp_ok($tables, '>=', 3, "the listing has the tables ($tables)");
like($fresh, qr/CREATE OR REPLACE FUNCTION public\.authz_check\(principal jsonb/,
	'functions are listed with their definitions');
like($fresh, qr/^  column 2 definition text not null/m, 'tables are listed with their columns');
note("fresh $latest: $functions functions, $tables tables, md5 "
	  . $node->safe_psql('fresh', "SELECT md5(\$\$$fresh\$\$)"));

for my $old (@older)
{
	my $db = 'from_' . ($old =~ s/\./_/gr);
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, "CREATE EXTENSION authz VERSION '$old'");
	# data in the old version's table survives the update
	$node->safe_psql($db, q{INSERT INTO authz_policies (id, definition) VALUES ('p', $$
apiVersion: api.cerbos.dev/v1
resourcePolicy: {resource: doc, version: default, rules: [{actions: [view], effect: EFFECT_ALLOW, roles: [user]}]}
$$)});
	$node->safe_psql($db, 'ALTER EXTENSION authz UPDATE');
	my $updated = $node->safe_psql($db, $listing);
	ok($updated eq $fresh, "$old updated to $latest equals a fresh $latest, member by member")
	  or diag(line_difference($updated, $fresh));
	is($node->safe_psql($db, q{SELECT count(*) FROM authz_policies}), '1', "$old: the policy row survives");
	is($node->safe_psql($db,
		q{SELECT authz_check('{"id":"u","roles":["user"]}', '{"kind":"doc","id":"1"}', 'view')}),
		't', "$old: the policy still decides after the update");
}

# the comparison sees drift of each kind it promises to see: each change,
# made in a transaction that rolls back, must change the listing
my @drifts = (
	[ 'volatility',       'ALTER FUNCTION authz_plan_sql(jsonb, jsonb) VOLATILE' ],
	[ 'parallel safety',  'ALTER FUNCTION authz_filter_cel_text(jsonb) PARALLEL UNSAFE' ],
	[ 'SET option',       'ALTER FUNCTION authz_protect(regclass, text, jsonb, jsonb) SET search_path = public' ],
	[ 'SECURITY DEFINER', 'ALTER FUNCTION authz_protected_dropped() SECURITY INVOKER' ],
	[ 'function grant',   'GRANT EXECUTE ON FUNCTION authz_run_tests(text) TO PUBLIC' ],
	[ 'function body',    q{CREATE OR REPLACE FUNCTION authz_unprotect(tbl regclass) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$ BEGIN END $$} ],
	[ 'default argument', q{CREATE OR REPLACE FUNCTION authz_filter_check(filter jsonb, attr jsonb, id text DEFAULT 'x') RETURNS boolean AS 'MODULE_PATHNAME', 'authz_filter_check' LANGUAGE C STABLE PARALLEL SAFE} ],
	[ 'table grant',      'GRANT UPDATE ON authz_protected TO PUBLIC' ],
	[ 'column',           'ALTER TABLE authz_protected ADD COLUMN extra int' ],
	[ 'column default',   q{ALTER TABLE authz_protected ALTER COLUMN columns SET DEFAULT '{}'} ],
	[ 'constraint',       q{ALTER TABLE authz_protected ADD CONSTRAINT c CHECK (relid <> 0)} ],
	[ 'trigger',          'ALTER TABLE authz_policies DISABLE TRIGGER authz_policies_changed' ],
	[ 'comment',          q{COMMENT ON FUNCTION authz_status() IS 'x'} ],
	[ 'event trigger',    'ALTER EVENT TRIGGER authz_protected_dropped DISABLE' ],
	[ 'member dropped',   'ALTER EXTENSION authz DROP FUNCTION authz_filter_cel(text, jsonb, text)' ],
	[ 'config table',     q{UPDATE pg_extension SET extcondition = ARRAY['WHERE false', ''] WHERE extname = 'authz'} ],
);
for my $d (@drifts)
{
	my ($what, $sql) = @$d;
	$sql =~ s/'MODULE_PATHNAME'/'\$libdir\/authz'/;
	my $drifted = $node->safe_psql('fresh', "BEGIN;\n$sql;\n$listing\nROLLBACK;");
	$drifted =~ s/\n?ROLLBACK$//;
	isnt($drifted, $fresh, "the listing sees a changed $what");
}
is($node->safe_psql('fresh', $listing), $fresh, 'and the rolled-back changes left it as it was');

$node->stop;
done_testing();
