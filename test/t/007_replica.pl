# A streaming hot standby follows the policies committed to authz_policies
# on the primary: its authz_check answers with the new policies once the
# change is replayed, in sessions that were already open and in new ones,
# and again after the standby restarts; row-level security on the standby
# filters with them too.  Directory-loaded policies are per server and are
# not part of this.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "shared_preload_libraries = 'authz'");
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION authz');

# document:view allowed for the role the policy names
sub policy
{
	my ($role) = @_;
	return "apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: document\n  version: default\n"
	  . "  rules:\n    - actions: [view]\n      effect: EFFECT_ALLOW\n      roles: [$role]\n";
}

sub set_policy
{
	my ($role) = @_;
	$primary->safe_psql('postgres',
		"INSERT INTO authz_policies VALUES ('doc', \$\$" . policy($role) . "\$\$)"
		  . " ON CONFLICT (id) DO UPDATE SET definition = EXCLUDED.definition");
}

my $check = q{SELECT authz_check('{"id": "u", "roles": ["editor"]}', '{"kind": "document", "id": "d"}', 'view')};

set_policy('viewer');
is($primary->safe_psql('postgres', $check), 'f', 'primary: editor may not view');

$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->start;
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', $check), 'f', 'standby: the policy of the backup');
my $session = $standby->background_psql('postgres');
is($session->query_safe($check), 'f', 'standby session open before the change');

# the change, on the primary only
set_policy('editor');
is($primary->safe_psql('postgres', $check), 't', 'primary: editor may view');
ok($standby->poll_query_until('postgres', $check, 't'), 'standby follows the change');
is($session->query_safe($check), 't', 'and so does the session that was open');

# a policy that does not compile never reaches the standby: the primary's
# COMMIT fails, so nothing is replayed
my ($rc) = $primary->psql('postgres',
	"UPDATE authz_policies SET definition = 'resourcePolicy: [' WHERE id = 'doc'");
isnt($rc, 0, 'a broken policy is refused on the primary');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', $check), 't', 'standby keeps the committed policy');

# a deletion replays too: nothing allows the action
$primary->safe_psql('postgres', "DELETE FROM authz_policies");
$primary->wait_for_catchup($standby);
ok($standby->poll_query_until('postgres', $check, 'f'), 'standby follows a deletion');
is($session->query_safe($check), 'f', 'in the open session too');
$session->quit;

# back to an allowing policy, then restart the standby: still answered
# from the committed table
set_policy('editor');
$primary->wait_for_catchup($standby);
ok($standby->poll_query_until('postgres', $check, 't'), 'standby follows the new row');
$standby->restart;
is($standby->safe_psql('postgres', $check), 't', 'after a standby restart');
$standby->stop('immediate');
$standby->start;
is($standby->safe_psql('postgres', $check), 't', 'after an immediate stop of the standby');

# the first decision after a restart rebuilds the set from the table, also
# for a role that has no privileges on it (as the table's owner)
$primary->safe_psql('postgres', 'CREATE ROLE reader LOGIN');
$primary->wait_for_catchup($standby);
$primary->restart;
$standby->restart;
is($primary->safe_psql('postgres', "SET ROLE reader; $check"), 't',
	'primary: first decision after a restart, by an unprivileged role');
is($standby->safe_psql('postgres', "SET ROLE reader; $check"), 't',
	'standby: decisions by an unprivileged role');

# row-level security on the standby: a protected table is filtered by the
# replicated policies for the standby session's principal, and follows a
# policy change made on the primary, also in a prepared statement of a
# session that was already open
sub note_policy
{
	my ($cond) = @_;
	return "apiVersion: api.cerbos.dev/v1\nresourcePolicy:\n  resource: note\n  version: default\n"
	  . "  rules:\n    - actions: [view]\n      effect: EFFECT_ALLOW\n      roles: [user]\n"
	  . "      condition:\n        match:\n          expr: $cond\n";
}
$primary->safe_psql('postgres', qq{
CREATE TABLE notes (id int PRIMARY KEY, owner text, public boolean);
INSERT INTO notes SELECT i, 'u' || (i % 5), i % 4 = 0 FROM generate_series(1, 100) i;
CREATE INDEX notes_owner ON notes (owner);
CREATE ROLE app LOGIN;
GRANT SELECT ON notes TO app;
GRANT authz_trusted TO app;
SELECT authz_protect('notes', 'note');
INSERT INTO authz_policies VALUES ('note', \$\$} . note_policy('R.attr.owner == P.id') . q{$$);
});
$primary->wait_for_catchup($standby);
my $as_u1 = q{SELECT authz_set_principal('{"id":"u1","roles":["user"]}') AS p \gset
};
my $notes = "BEGIN; SET ROLE app; $as_u1 SELECT count(*) FROM notes; COMMIT;";
is($standby->safe_psql('postgres', $notes), '20', 'standby RLS: u1 sees its 20 notes');
like($standby->safe_psql('postgres', "BEGIN; SET ROLE app; $as_u1 EXPLAIN (COSTS OFF) SELECT * FROM notes; COMMIT;"),
	qr/owner = 'u1'::text/, 'standby RLS: the filter is the planned one');
is($standby->safe_psql('postgres', "BEGIN; SET ROLE app; SELECT count(*) FROM notes; COMMIT;"), '0',
	'standby RLS: no principal, no rows');
my $open = $standby->background_psql('postgres');
$open->query_safe('SET ROLE app');
$open->query_safe('PREPARE n AS SELECT count(*) FROM notes');
is($open->query_safe("BEGIN; $as_u1 EXECUTE n; COMMIT;"), '20', 'standby session: prepared statement');

$primary->safe_psql('postgres', "UPDATE authz_policies SET definition = \$\$"
	  . note_policy('R.attr.owner == P.id || R.attr.public == true') . "\$\$ WHERE id = 'note'");
$primary->wait_for_catchup($standby);
# (poll_query_until cannot run the \gset in $notes)
my $seen = '';
for (1 .. 100)
{
	$seen = $standby->safe_psql('postgres', $notes);
	last if $seen eq '40';
	usleep(100_000);
}
is($seen, '40', 'standby RLS follows the policy change');
is($open->query_safe("BEGIN; $as_u1 EXECUTE n; COMMIT;"), '40',
	'and so does the prepared statement of the open session');
$open->quit;

$standby->stop;
$primary->stop;
done_testing();
