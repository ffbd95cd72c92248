# Policies kept in authz_policies: concurrent writers serialise so that the
# published set has every committed row, other sessions see a commit on
# their next call, and the set comes back after a crash.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('table');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'authz'");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION authz');

sub policy
{
	my ($resource) = @_;
	return "apiVersion: api.cerbos.dev/v1\nresourcePolicy: {resource: $resource, version: default, rules: []}\n";
}

my $reader = $node->background_psql('postgres');
my $w1 = $node->background_psql('postgres');
my $w2 = $node->background_psql('postgres', on_error_stop => 0);
my $loaded = q{SELECT string_agg(fqn, ',' ORDER BY fqn) FROM authz_policies_loaded()};

is($reader->query_safe($loaded), '', 'empty at first');

# two writers in overlapping transactions: the second waits for the first
# and its commit compiles both rows
$w1->query_safe('BEGIN');
$w1->query_safe("INSERT INTO authz_policies VALUES ('a', \$\$" . policy('alpha') . "\$\$)");
$w2->query_safe('BEGIN');
$w2->query_until(qr/started/, "\\echo started\nINSERT INTO authz_policies VALUES ('b', \$\$" . policy('beta') . "\$\$);\n");
$node->poll_query_until('postgres',
	q{SELECT count(*) > 0 FROM pg_locks WHERE NOT granted AND relation = 'authz_policies'::regclass})
  or die 'second writer never waited';
$w1->query_safe('COMMIT');
is($reader->query_safe($loaded), 'resource.alpha.vdefault', 'first commit seen by another session');
$w2->query('SELECT 1');
$w2->query_safe('COMMIT');
is($reader->query_safe($loaded), 'resource.alpha.vdefault,resource.beta.vdefault',
	'second commit publishes both writers\' rows');

# a rolled-back change publishes nothing, for anyone
$w1->query_safe('BEGIN');
$w1->query_safe('DELETE FROM authz_policies');
$w1->query_safe('ROLLBACK');
is($reader->query_safe($loaded), 'resource.alpha.vdefault,resource.beta.vdefault',
	'rolled-back delete changed nothing');
$reader->quit;
$w1->quit;
$w2->quit;

# after a crash the committed policies are back on first use
$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres', $loaded),
	'resource.alpha.vdefault,resource.beta.vdefault',
	'policies are back after an immediate shutdown');

$node->stop;
done_testing();
