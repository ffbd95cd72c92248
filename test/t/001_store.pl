# The shared policy store: publication is seen by other sessions, a failed
# publication changes nothing, old images are freed once no backend uses
# them, the server loads authz.policy_dir at start, and authz refuses to
# work when it is not preloaded.
use strict;
use warnings;
use Cwd ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# prove runs from the source tree
my $fixtures = Cwd::abs_path('test/fixtures/store');

my $node = PostgreSQL::Test::Cluster->new('store');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'authz'");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION authz');

my $a = $node->background_psql('postgres', on_error_stop => 0);
my $b = $node->background_psql('postgres');
my $status = 'SELECT generation, policies FROM authz_status()';

# B attaches to the empty store first
is($b->query_safe($status), '0|0', 'nothing published yet');

# A publishes v1; B's next call sees it
$a->query_safe("SELECT authz_load('$fixtures/v1')");
is($b->query_safe($status), '1|2', 'publication by one session is seen by the next call of another');
is($b->query_safe('SELECT string_agg(fqn, \',\' ORDER BY fqn) FROM authz_policies_loaded()'),
	'derived_roles.album_roles,resource.album.vdefault',
	'other session reads the published policies');

# A failed publication leaves the old image in place for everyone
my ($out, $err) = $a->query("SELECT authz_load('$fixtures/broken')");
ok($err, 'loading a broken directory fails');
like($a->{stderr}, qr/bad_yaml\.yaml:\d+:\d+: invalid YAML/, 'error names the file and position');
like($a->{stderr}, qr/not_a_policy\.yaml:2:1: unknown field "somethingElse"/, 'every problem is reported');
$a->{stderr} = '';
is($b->query_safe($status), '1|2', 'failed publish: generation and policies unchanged');
is($a->query_safe($status), '1|2', 'failed publish: the publishing session also keeps the old set');

# Old images are freed once no backend uses them: A now holds v1 too, so
# publish v2 from a third session, check that v1 is still alive while A
# and B pin it, then let them move on.
$node->safe_psql('postgres', "SELECT authz_load('$fixtures/v2')");
is($node->safe_psql('postgres', 'SELECT shared_images FROM authz_status()'),
	'2', 'the retired image lives while sessions still use it');
is($b->query_safe($status), '2|4', 'B moves to the new generation');
is($node->safe_psql('postgres', 'SELECT shared_images FROM authz_status()'),
	'2', 'still pinned by A');
is($a->query_safe($status), '2|4', 'A moves to the new generation');
is($node->safe_psql('postgres', 'SELECT shared_images FROM authz_status()'),
	'1', 'the old image is freed once no backend uses it');

# Many reloads do not grow shared memory
for my $i (1 .. 20)
{
	$a->query_safe("SELECT authz_load('$fixtures/" . ($i % 2 ? 'v1' : 'v2') . "')");
	$b->query_safe($status);
}
my ($images, $bytes) = split /\|/, $node->safe_psql('postgres',
	'SELECT shared_images, shared_image_bytes FROM authz_status()');
ok($images <= 3, "20 reloads leave at most 3 images alive (got $images)");
ok($bytes < 64 * 1024, "and the images use little memory ($bytes bytes)");
$a->quit;
$b->quit;

# authz.policy_dir is loaded at server start
$node->append_conf('postgresql.conf', "authz.policy_dir = '$fixtures/v2'");
$node->restart;
$node->poll_query_until('postgres', 'SELECT generation > 0 FROM authz_status()')
  or die 'start-up load never published';
is($node->safe_psql('postgres', 'SELECT policies, source FROM authz_status()'),
	"4|directory:$fixtures/v2", 'policies from authz.policy_dir are loaded at start');
is($node->safe_psql('postgres', 'SELECT authz_reload()'), '4', 'authz_reload() recompiles the directory');

# a broken directory at start-up: errors logged, an empty set served
$node->append_conf('postgresql.conf', "authz.policy_dir = '$fixtures/broken'");
my $log_offset = -s $node->logfile;
$node->restart;
$node->poll_query_until('postgres', 'SELECT generation > 0 FROM authz_status()')
  or die 'start-up load never published';
is($node->safe_psql('postgres', 'SELECT policies, source FROM authz_status()'),
	"0|directory:$fixtures/broken (failed to load)", 'a broken directory at start serves an empty set');
ok($node->log_contains(qr/not_a_policy\.yaml:2:1: unknown field "somethingElse"/, $log_offset),
	'start-up errors are logged with positions');
$node->stop;

# without shared_preload_libraries authz refuses to load, with a hint
my $plain = PostgreSQL::Test::Cluster->new('plain');
$plain->init;
$plain->start;
my ($rc, $stdout, $stderr) = $plain->psql('postgres', 'CREATE EXTENSION authz');
isnt($rc, 0, 'CREATE EXTENSION fails when authz is not preloaded');
like($stderr, qr/authz must be loaded via shared_preload_libraries/, 'with a clear error');
like($stderr, qr/HINT:\s+Add authz to shared_preload_libraries/, 'and a hint');
$plain->stop;

done_testing();
