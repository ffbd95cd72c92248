# Reloads under load: 8 clients keep reading the active policy set, and a
# table protected by it (authz_protect), while another session reloads it
# 100 times, good and broken sets alternating.
# Every read must see exactly one generation with a complete set (2 or 4
# policies, never a mix), every decision taken meanwhile must be right (both
# good sets let users view albums), broken loads must fail without effect, and the
# shared memory held by images must stay bounded.
use strict;
use warnings;
use Cwd ();
use IPC::Run ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $fixtures = Cwd::abs_path('test/fixtures/store');
my $node = PostgreSQL::Test::Cluster->new('reload');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'authz'\nmax_connections = 40");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION authz');
$node->safe_psql('postgres', "SELECT authz_load('$fixtures/v1')");
# the clients are an ordinary role, to whom row-level security applies
$node->safe_psql('postgres', q{
CREATE ROLE app LOGIN;
GRANT authz_trusted TO app;
CREATE TABLE albums (id int PRIMARY KEY, owner text);
INSERT INTO albums SELECT i, 'u' || (i % 7) FROM generate_series(1, 100) i;
GRANT SELECT ON albums TO app;
SELECT authz_protect('albums', 'album');
});

my $script = "$PostgreSQL::Test::Utils::tmp_check/reader.sql";
open my $fh, '>', $script or die;
print $fh <<'SQL';
SELECT count(*) AS n, count(DISTINCT generation) AS g FROM authz_policies_loaded() \gset
SELECT authz_check('{"id": "u1", "roles": ["user"]}', '{"kind": "album", "id": "a1"}', 'view')::int AS allowed \gset
\if :allowed != 1
SELECT 'a decision during a reload was a denial'::int;
\endif
\if :g != 1
SELECT ('a read saw ' || :g || ' generations')::int;
\endif
\if :n != 2 and :n != 4
SELECT ('a read saw an incomplete set of ' || :n || ' policies')::int;
\endif
BEGIN;
SELECT authz_set_principal('{"id": "u1", "roles": ["user"]}') IS NULL AS unset \gset
SELECT count(*) AS seen FROM albums \gset
COMMIT;
\if :seen != 100
SELECT ('a user saw ' || :seen || ' of the 100 albums during a reload')::int;
\endif
BEGIN;
SELECT authz_set_principal('{"id": "g1", "roles": ["guest"]}') IS NULL AS unset \gset
SELECT count(*) AS seen FROM albums \gset
COMMIT;
\if :seen != 0
SELECT ('a guest saw ' || :seen || ' albums during a reload')::int;
\endif
SQL
close $fh;

my ($out, $err) = ('', '');
$node->append_conf('postgresql.conf', '');
my $bench = IPC::Run::start(
	[ 'pgbench', '-n', '-c', '8', '-j', '2', '-T', '20', '-f', $script, '-U', 'app',
	  '-h', $node->host, '-p', $node->port, 'postgres' ],
	'>', \$out, '2>', \$err);

# give the clients a moment to connect, then reload 100 times
sleep(2);
my ($good, $broken_refused) = (0, 0);
for my $i (1 .. 100)
{
	my $dir = $i % 2 ? ($i % 4 == 1 ? 'v2' : 'v1') : 'broken';
	my ($rc, $o, $e) = $node->psql('postgres', "SELECT authz_load('$fixtures/$dir')");
	if ($dir eq 'broken')
	{
		$broken_refused++ if $rc != 0 && $e =~ /could not compile/;
	}
	else
	{
		$good++ if $rc == 0;
	}
}
# the clients stop by themselves after 20 s, well after the last reload
$bench->finish;

is($good, 50, '50 good reloads published');
is($broken_refused, 50, '50 broken reloads refused with a compile error');
like($out, qr/number of transactions actually processed: [1-9]/, 'clients kept reading');
like($out, qr/number of failed transactions: 0 /,
	'no read saw a mixed or partial set, and every protected-table read saw the right rows');
unlike($err, qr/aborted/, 'no client aborted');
diag("pgbench: $err") if $err;

my ($images, $bytes) = split /\|/, $node->safe_psql('postgres',
	'SELECT shared_images, shared_image_bytes FROM authz_status()');
ok($images <= 2, "after the clients left, at most 2 images remain (got $images)");
ok($bytes < 64 * 1024, "images hold $bytes bytes of shared memory");

$node->stop;
done_testing();
