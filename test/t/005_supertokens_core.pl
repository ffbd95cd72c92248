# The SuperTokens core's own tables as authz's source of keys, sessions,
# roles, permissions and metadata (authz.supertokens_schema).  The tables are
# created here with the DDL of the core's PostgreSQL plugin (4.0 and later:
# app_id/tenant_id columns, a schema and a table-name prefix), filled the way
# the core fills them ("public|private" key strings, kid d-<created_at_time>
# for dynamic keys, s-<uuid> for static ones, session handles with _<tenant>
# for non-public tenants), and then: tokens verify with the core's keys,
# a new key row verifies new tokens without any configuration, a deleted
# key row stops its tokens, a deleted session row is refused, live roles,
# permissions and metadata reach the principal, an application role that
# cannot read the core's tables still gets its principal, and one pooled
# connection serving several users never leaks a principal from one
# transaction to the next.
use strict;
use warnings;
use MIME::Base64 qw(encode_base64);
use File::Temp qw(tempdir);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = tempdir(CLEANUP => 1);

sub b64url
{
	my ($bytes) = @_;
	my $s = encode_base64($bytes, '');
	$s =~ tr{+/}{-_};
	$s =~ s/=+$//;
	return $s;
}

sub run_openssl
{
	my (@args) = @_;
	my ($stdout, $stderr);
	IPC::Run::run([ 'openssl', @args ], '>', \$stdout, '2>', \$stderr)
	  or die "openssl @args failed: $stderr";
	return $stdout;
}

# an RSA-2048 key and its core key string: base64(SPKI DER)|base64(PKCS#8 DER)
sub new_key
{
	my ($name) = @_;
	my $pem = "$dir/$name.pem";
	run_openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', $pem);
	my $spki = run_openssl('pkey', '-in', $pem, '-pubout', '-outform', 'DER');
	my $pkcs8 = run_openssl('pkcs8', '-topk8', '-nocrypt', '-in', $pem, '-outform', 'DER');
	return {
		pem => $pem,
		core => encode_base64($spki, '') . '|' . encode_base64($pkcs8, ''),
		private => encode_base64($pkcs8, '')
	};
}

sub sign
{
	my ($key, $input) = @_;
	my $in = "$dir/input";
	open my $fh, '>', $in or die;
	binmode $fh;
	print $fh $input;
	close $fh;
	my $sig;
	IPC::Run::run([ 'openssl', 'dgst', '-sha256', '-sign', $key->{pem}, $in ], '>', \$sig)
	  or die 'signing failed';
	return b64url($sig);
}

# a v5 access token as the core issues it; roles => undef leaves st-role out
sub token
{
	my (%t) = @_;
	my $now = time();
	my $tenant = $t{tenant} // 'public';
	my $role_claim = defined $t{roles} ? qq(,"st-role":{"v":$t{roles},"t":1700000000000}) : '';
	my $header = qq({"kid":"$t{kid}","typ":"JWT","version":"5","alg":"RS256"});
	my $payload =
	  qq({"iat":@{[$now - 10]},"exp":@{[$now + 3600]},"sub":"$t{sub}","tId":"$tenant","rsub":"$t{sub}",)
	  . qq("sessionHandle":"$t{handle}","refreshTokenHash1":"r1","parentRefreshTokenHash1":null,)
	  . qq("antiCsrfToken":null$role_claim});
	my $input = b64url($header) . '.' . b64url($payload);
	return "$input." . sign($t{key}, $input);
}

my $node = PostgreSQL::Test::Cluster->new('core');
$node->init;
$node->append_conf('postgresql.conf',
	"shared_preload_libraries = 'authz'\nlog_statement = 'none'");
$node->start;

# The plugin's tables, in schema "supertokens" with postgresql_table_names_prefix
# "st" (the plugin adds "_"), owned by the core's own database role.
$node->safe_psql('postgres', <<'SQL');
CREATE EXTENSION authz;
CREATE ROLE supertokens_core LOGIN;
CREATE ROLE app LOGIN;
CREATE SCHEMA supertokens AUTHORIZATION supertokens_core;
SET ROLE supertokens_core;
CREATE TABLE supertokens.st_apps (
  app_id VARCHAR(64) NOT NULL DEFAULT 'public',
  created_at_time BIGINT,
  CONSTRAINT st_apps_pkey PRIMARY KEY (app_id));
CREATE TABLE supertokens.st_tenants (
  app_id VARCHAR(64) NOT NULL DEFAULT 'public',
  tenant_id VARCHAR(64) NOT NULL DEFAULT 'public',
  created_at_time BIGINT,
  CONSTRAINT st_tenants_pkey PRIMARY KEY (app_id, tenant_id),
  CONSTRAINT st_tenants_app_id_fkey FOREIGN KEY (app_id)
    REFERENCES supertokens.st_apps (app_id) ON DELETE CASCADE);
CREATE TABLE supertokens.st_app_id_to_user_id (
  app_id VARCHAR(64) NOT NULL DEFAULT 'public',
  user_id CHAR(36) NOT NULL,
  recipe_id VARCHAR(128) NOT NULL,
  CONSTRAINT st_app_id_to_user_id_pkey PRIMARY KEY (app_id, user_id));
CREATE TABLE supertokens.st_session_access_token_signing_keys (
  app_id VARCHAR(64) DEFAULT 'public',
  created_at_time BIGINT NOT NULL,
  value TEXT,
  CONSTRAINT st_session_access_token_signing_keys_pkey PRIMARY KEY (app_id, created_at_time),
  CONSTRAINT st_session_access_token_signing_keys_app_id_fkey FOREIGN KEY (app_id)
    REFERENCES supertokens.st_apps (app_id) ON DELETE CASCADE);
CREATE TABLE supertokens.st_jwt_signing_keys (
  app_id VARCHAR(64) DEFAULT 'public',
  key_id VARCHAR(255) NOT NULL,
  key_string TEXT NOT NULL,
  algorithm VARCHAR(10) NOT NULL,
  created_at BIGINT,
  CONSTRAINT st_jwt_signing_keys_pkey PRIMARY KEY (app_id, key_id),
  CONSTRAINT st_jwt_signing_keys_app_id_fkey FOREIGN KEY (app_id)
    REFERENCES supertokens.st_apps (app_id) ON DELETE CASCADE);
CREATE TABLE supertokens.st_session_info (
  app_id VARCHAR(64) DEFAULT 'public',
  tenant_id VARCHAR(64) DEFAULT 'public',
  session_handle VARCHAR(255) NOT NULL,
  user_id VARCHAR(128) NOT NULL,
  refresh_token_hash_2 VARCHAR(128) NOT NULL,
  session_data TEXT,
  expires_at BIGINT NOT NULL,
  created_at_time BIGINT NOT NULL,
  jwt_user_payload TEXT,
  use_static_key BOOLEAN NOT NULL,
  CONSTRAINT st_session_info_pkey PRIMARY KEY (app_id, tenant_id, session_handle),
  CONSTRAINT st_session_info_tenant_id_fkey FOREIGN KEY (app_id, tenant_id)
    REFERENCES supertokens.st_tenants (app_id, tenant_id) ON DELETE CASCADE);
CREATE TABLE supertokens.st_roles (
  app_id VARCHAR(64) DEFAULT 'public',
  role VARCHAR(255) NOT NULL,
  CONSTRAINT st_roles_pkey PRIMARY KEY (app_id, role));
CREATE TABLE supertokens.st_role_permissions (
  app_id VARCHAR(64) DEFAULT 'public',
  role VARCHAR(255) NOT NULL,
  permission VARCHAR(255) NOT NULL,
  CONSTRAINT st_role_permissions_pkey PRIMARY KEY (app_id, role, permission),
  CONSTRAINT st_role_permissions_role_fkey FOREIGN KEY (app_id, role)
    REFERENCES supertokens.st_roles (app_id, role) ON DELETE CASCADE);
CREATE TABLE supertokens.st_user_roles (
  app_id VARCHAR(64) DEFAULT 'public',
  tenant_id VARCHAR(64) DEFAULT 'public',
  user_id VARCHAR(128) NOT NULL,
  role VARCHAR(255) NOT NULL,
  CONSTRAINT st_user_roles_pkey PRIMARY KEY (app_id, tenant_id, user_id, role),
  CONSTRAINT st_user_roles_tenant_id_fkey FOREIGN KEY (app_id, tenant_id)
    REFERENCES supertokens.st_tenants (app_id, tenant_id) ON DELETE CASCADE);
CREATE TABLE supertokens.st_user_metadata (
  app_id VARCHAR(64) DEFAULT 'public',
  user_id VARCHAR(128) NOT NULL,
  user_metadata TEXT NOT NULL,
  CONSTRAINT st_user_metadata_pkey PRIMARY KEY (app_id, user_id),
  CONSTRAINT st_user_metadata_app_id_fkey FOREIGN KEY (app_id)
    REFERENCES supertokens.st_apps (app_id) ON DELETE CASCADE);
CREATE TABLE supertokens.st_userid_mapping (
  app_id VARCHAR(64) NOT NULL DEFAULT 'public',
  supertokens_user_id CHAR(36) NOT NULL,
  external_user_id VARCHAR(128) NOT NULL,
  external_user_id_info TEXT,
  CONSTRAINT st_userid_mapping_pkey PRIMARY KEY (app_id, supertokens_user_id, external_user_id),
  CONSTRAINT st_userid_mapping_supertokens_user_id_key UNIQUE (app_id, supertokens_user_id),
  CONSTRAINT st_userid_mapping_external_user_id_key UNIQUE (app_id, external_user_id),
  CONSTRAINT st_userid_mapping_supertokens_user_id_fkey FOREIGN KEY (app_id, supertokens_user_id)
    REFERENCES supertokens.st_app_id_to_user_id (app_id, user_id) ON DELETE CASCADE);
INSERT INTO supertokens.st_apps VALUES ('public', 0);
INSERT INTO supertokens.st_tenants VALUES ('public', 'public', 0), ('public', 'acme', 0);
INSERT INTO supertokens.st_roles (role) VALUES ('editor'), ('admin'), ('viewer');
INSERT INTO supertokens.st_role_permissions (role, permission)
  VALUES ('editor', 'doc:read'), ('editor', 'doc:write'), ('admin', 'doc:delete'), ('viewer', 'doc:read');
-- alice signed up with the core's id aaaa..., the application maps it to ext-alice
INSERT INTO supertokens.st_app_id_to_user_id VALUES ('public', 'aaaaaaaa-0000-4000-8000-000000000001', 'emailpassword');
INSERT INTO supertokens.st_userid_mapping (supertokens_user_id, external_user_id)
  VALUES ('aaaaaaaa-0000-4000-8000-000000000001', 'ext-alice');
-- one role stored under each of alice's ids (the roles API takes either)
INSERT INTO supertokens.st_user_roles (tenant_id, user_id, role)
  VALUES ('public', 'ext-alice', 'editor'),
         ('public', 'aaaaaaaa-0000-4000-8000-000000000001', 'viewer'),
         ('acme', 'bob', 'viewer'), ('public', 'bob', 'admin');
INSERT INTO supertokens.st_user_metadata (user_id, user_metadata)
  VALUES ('ext-alice', '{"plan":"pro","seats":3}');
INSERT INTO supertokens.st_session_info
  (tenant_id, session_handle, user_id, refresh_token_hash_2, session_data, expires_at, created_at_time, jwt_user_payload, use_static_key)
  VALUES ('public', '11111111-aaaa-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000001', 'h', '{}', 4102444800000, 1700000000000, '{}', false),
         ('acme', '22222222-bbbb-4000-8000-000000000002_acme', 'bob', 'h', '{}', 4102444800000, 1700000000000, '{}', true),
         ('public', '33333333-cccc-4000-8000-000000000003', 'carol', 'h', '{}', 4102444800000, 1700000000000, '{}', false);
RESET ROLE;
GRANT USAGE ON SCHEMA supertokens TO app;
SQL

my $dynamic = new_key('dynamic');
my $static = new_key('static');
my $rotated = new_key('rotated');
my $kid_dynamic = 'd-1700000000000';
my $kid_static = 's-5f0c7a3e-1d2b-4c8e-9a6f-000000000001';
my $kid_rotated = 'd-1700604800000';
$node->safe_psql('postgres', <<"SQL");
INSERT INTO supertokens.st_session_access_token_signing_keys (created_at_time, value)
  VALUES (1700000000000, '$dynamic->{core}');
INSERT INTO supertokens.st_jwt_signing_keys (key_id, key_string, algorithm, created_at)
  VALUES ('$kid_static', '$static->{core}', 'RS256', 1690000000000);
SQL

my $alice = token(key => $dynamic, kid => $kid_dynamic, sub => 'ext-alice',
	handle => '11111111-aaaa-4000-8000-000000000001');
my $bob = token(key => $static, kid => $kid_static, sub => 'bob', tenant => 'acme',
	handle => '22222222-bbbb-4000-8000-000000000002_acme');
my $carol = token(key => $dynamic, kid => $kid_dynamic, sub => 'carol', roles => '["auditor"]',
	handle => '33333333-cccc-4000-8000-000000000003');
my $carol_other = token(key => $dynamic, kid => $kid_dynamic, sub => 'carol', roles => '["reader"]',
	handle => '33333333-cccc-4000-8000-000000000003');
my $dave_rotated = token(key => $rotated, kid => $kid_rotated, sub => 'carol',
	handle => '33333333-cccc-4000-8000-000000000003');

# before authz is pointed at the core, its keys are unknown
my ($rc, $out, $err) = $node->psql('postgres', "SELECT authz_set_session('$alice')");
like($err, qr/unknown_kid|unknown key/, 'without authz.supertokens_schema the core keys are not used');

# a wrong prefix names the missing table
$node->append_conf('postgresql.conf',
	"authz.supertokens_schema = 'supertokens'\nauthz.supertokens_table_prefix = 'nope'");
$node->reload;
($rc, $out, $err) = $node->psql('postgres', "SELECT authz_set_session('$alice')");
like($err, qr/SuperTokens core table supertokens\.nope_session_access_token_signing_keys does not exist/,
	'a missing core table is named');

$node->append_conf('postgresql.conf',
	"authz.supertokens_table_prefix = 'st'\nauthz.supertokens_check_revocation = on");
$node->reload;

# verification with the core's dynamic and static keys; live roles,
# permissions and metadata; both of alice's ids are looked up
my $p = $node->safe_psql('postgres',
	"SELECT authz_set_session('$alice') #>> '{}'", extra_params => [ '-U', 'app' ]);
like($p, qr/"id": "ext-alice"/, 'dynamic core key verifies (kid d-<created_at_time>)');
like($p, qr/"roles": \["editor", "viewer"\]/, 'roles from user_roles under the token id and the mapped core id');
like($p, qr/"permissions": \["doc:read", "doc:write"\]/, 'permissions of those roles');
like($p, qr/"metadata": \{"plan": "pro", "seats": 3\}/, 'user metadata as attr.metadata');
$p = $node->safe_psql('postgres', "SELECT authz_set_session('$bob') #>> '{}'",
	extra_params => [ '-U', 'app' ]);
like($p, qr/"id": "bob"/, 'static core key verifies (kid s-<uuid>)');
like($p, qr/"roles": \["viewer"\]/, 'roles of the token tenant only');
$p = $node->safe_psql('postgres', "SELECT authz_set_session('$carol') #>> '{}'");
like($p, qr/"roles": \["auditor"\]/, 'roles in the token win over user_roles');

# a key row in the older "public;private" form
my $legacy = new_key('legacy');
(my $legacy_value = $legacy->{core}) =~ s/\|/;/;
$node->safe_psql('postgres',
	"INSERT INTO supertokens.st_session_access_token_signing_keys (created_at_time, value) VALUES (1690000000000, '$legacy_value')");
like($node->safe_psql('postgres', "SELECT authz_set_session('"
	  . token(key => $legacy, kid => 'd-1690000000000', sub => 'carol', roles => '["auditor"]',
		handle => '33333333-cccc-4000-8000-000000000003') . "')->>'id'"),
	qr/^carol$/, 'a key row in the older "public;private" form verifies');

# the application role cannot read the core's tables itself
($rc, $out, $err) = $node->psql('postgres',
	'SELECT count(*) FROM supertokens.st_session_access_token_signing_keys',
	extra_params => [ '-U', 'app' ]);
like($err, qr/permission denied/, 'the application role cannot read the key table');

# no private key material reaches the principal or the claims
$p = $node->safe_psql('postgres',
	"BEGIN; SELECT authz_set_session('$alice')::text || authz_principal()::text; COMMIT");
ok(index($p, substr($dynamic->{private}, 0, 40)) < 0, 'no private key in what SQL sees');

# one backend: rotation, live roles, revocation and key removal, each seen
# by the next call without any configuration
my $script = <<"SQL";
SELECT 'first', authz_set_session('$alice')->>'id';
INSERT INTO supertokens.st_session_access_token_signing_keys (created_at_time, value)
  VALUES (1700604800000, '$rotated->{core}');
SELECT 'rotated', authz_set_session('$dave_rotated')->>'id';
SELECT 'old-key', authz_set_session('$alice')->>'id';
INSERT INTO supertokens.st_user_roles (tenant_id, user_id, role) VALUES ('public', 'ext-alice', 'admin');
SELECT 'live-roles', authz_set_session('$alice')->'roles';
UPDATE supertokens.st_user_metadata SET user_metadata = '{"plan":"free"}' WHERE user_id = 'ext-alice';
SELECT 'live-metadata', authz_set_session('$alice')->'attr'->'metadata';
DELETE FROM supertokens.st_session_info WHERE session_handle = '11111111-aaaa-4000-8000-000000000001';
SELECT 'revoked', authz_set_session('$alice')->>'id';
SET authz.supertokens_check_revocation = off;
SELECT 'not-checked', authz_set_session('$alice')->>'id';
RESET authz.supertokens_check_revocation;
SELECT 'cached', authz_set_session('$carol')->>'id';
DELETE FROM supertokens.st_session_access_token_signing_keys WHERE created_at_time = 1700000000000;
SELECT 'removed-key', authz_set_session('$carol')->>'id';
SELECT 'removed-key-new', authz_set_session('$carol_other')->>'id';
SELECT 'still', authz_set_session('$dave_rotated')->>'id';
SQL
($rc, $out, $err) = $node->psql('postgres', $script, on_error_stop => 0,
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($out, qr/^first\|ext-alice$/m, 'verified before rotation');
like($out, qr/^rotated\|carol$/m, 'a new key row verifies new tokens at once');
like($out, qr/^old-key\|ext-alice$/m, 'the older key still verifies');
like($out, qr/^live-roles\|\["admin", "editor", "viewer"\]$/m, 'a role granted in the core reaches a cached token');
like($out, qr/^live-metadata\|\{"plan": "free"\}$/m, 'changed metadata reaches a cached token');
unlike($out, qr/^revoked\|/m, 'a revoked session is refused');
like($err, qr/28000.*\n?.*the session has ended or was revoked/,
	'revocation: SQLSTATE 28000 and its own message');
like($err, qr/reason: session_revoked/, 'revocation: its own reason');
like($out, qr/^not-checked\|ext-alice$/m, 'with the check off a revoked session is not looked for');
like($out, qr/^cached\|carol$/m, 'a token verified and cached');
unlike($out, qr/^removed-key\|/m, 'a deleted key row stops its cached tokens');
unlike($out, qr/^removed-key-new\|/m, 'and its new ones');
like($err, qr/unknown_kid(.|\n)*unknown_kid/, 'deleted key: unknown kid, twice');
like($out, qr/^still\|carol$/m, 'the remaining key still verifies');

# a new connection sees the revocation too
($rc, $out, $err) = $node->psql('postgres', "SELECT authz_set_session('$alice')",
	extra_params => [ '-v', 'VERBOSITY=verbose' ]);
like($err, qr/28000/, 'revoked in a new connection');

# a pooled connection: one backend, one transaction per request and user,
# errors and rollbacks in between; no principal survives its transaction
my $bob2 = $bob;
$script = <<"SQL";
BEGIN;
SELECT 'r1', authz_set_session('$dave_rotated')->>'id', authz_principal()->>'id';
COMMIT;
SELECT 'between1', coalesce(authz_principal()->>'id', 'none');
BEGIN;
SELECT 'r2', authz_set_session('$bob2')->>'id';
SELECT 1/0;
ROLLBACK;
SELECT 'between2', coalesce(authz_principal()->>'id', 'none');
BEGIN;
SELECT 'r3', authz_set_session('$dave_rotated')->>'id';
SELECT 'r3-refused', authz_set_session('$alice');
ROLLBACK;
SELECT 'between3', coalesce(authz_principal()->>'id', 'none');
BEGIN;
SELECT 'r4', coalesce(authz_principal()->>'id', 'none');
SELECT 'r4-bob', authz_set_session('$bob2')->'roles', authz_principal()->>'id';
COMMIT;
SELECT 'end', coalesce(authz_principal()->>'id', 'none');
SQL
($rc, $out, $err) = $node->psql('postgres', $script, on_error_stop => 0,
	extra_params => [ '-U', 'app' ]);
like($out, qr/^r1\|carol\|carol$/m, 'pooled: first user');
like($out, qr/^between1\|none$/m, 'pooled: nothing after commit');
like($out, qr/^r2\|bob$/m, 'pooled: second user');
like($out, qr/^between2\|none$/m, 'pooled: nothing after an error and ROLLBACK');
like($out, qr/^r3\|carol$/m, 'pooled: third transaction');
unlike($out, qr/^r3-refused/m, 'pooled: a refused token mid-transaction');
like($out, qr/^between3\|none$/m, 'pooled: nothing after a refused token and ROLLBACK');
like($out, qr/^r4\|none$/m, 'pooled: a new transaction starts without a principal');
like($out, qr/^r4-bob\|\["viewer"\]\|bob$/m, 'pooled: the next user gets only their own roles');
like($out, qr/^end\|none$/m, 'pooled: nothing at the end');

# authz reads with the rights of its extension's owner, which must be
# granted them (here an owner without superuser, set in the catalog)
$node->safe_psql('postgres',
	q{CREATE ROLE authz_owner NOLOGIN; UPDATE pg_extension SET extowner = 'authz_owner'::regrole WHERE extname = 'authz'});
($rc, $out, $err) = $node->psql('postgres', "SELECT authz_set_session('$bob')");
like($err, qr/role "authz_owner", which owns extension authz, may not use schema "supertokens"/,
	'an owner without USAGE on the schema is named');
$node->safe_psql('postgres', 'GRANT USAGE ON SCHEMA supertokens TO authz_owner');
($rc, $out, $err) = $node->psql('postgres', "SELECT authz_set_session('$bob')");
like($err, qr/may not read SuperTokens core table supertokens\.st_session_access_token_signing_keys/,
	'an owner without SELECT is told which table');
like($err, qr/GRANT SELECT ON supertokens\.st_session_access_token_signing_keys TO authz_owner/,
	'and how to grant it');
$node->safe_psql('postgres', 'GRANT SELECT ON ALL TABLES IN SCHEMA supertokens TO authz_owner');
like($node->safe_psql('postgres', "SELECT authz_set_session('$bob')->>'id'", extra_params => [ '-U', 'app' ]),
	qr/^bob$/, 'with those grants the owner reads for the application role');
$node->safe_psql('postgres',
	q{UPDATE pg_extension SET extowner = 'postgres'::regrole WHERE extname = 'authz'});

# a column of a user-defined type is refused (its output function would run
# with the owner's rights)
$node->safe_psql('postgres', <<'SQL');
CREATE DOMAIN supertokens.json_text AS text;
ALTER TABLE supertokens.st_user_metadata ALTER COLUMN user_metadata TYPE supertokens.json_text;
SQL
($rc, $out, $err) = $node->psql('postgres', "SELECT authz_set_session('$bob')");
like($err, qr/column "user_metadata" of SuperTokens core table supertokens\.st_user_metadata has a user-defined type/,
	'a user-defined column type is refused');
$node->safe_psql('postgres',
	'ALTER TABLE supertokens.st_user_metadata ALTER COLUMN user_metadata TYPE text');
like($node->safe_psql('postgres', "SELECT authz_set_session('$bob')->>'id'"), qr/^bob$/,
	'and accepted again once it is text');

# a view in place of a core table is refused (it would run as the owner)
$node->safe_psql('postgres', <<'SQL');
ALTER TABLE supertokens.st_user_metadata RENAME TO st_user_metadata_real;
CREATE VIEW supertokens.st_user_metadata AS SELECT * FROM supertokens.st_user_metadata_real;
SQL
($rc, $out, $err) = $node->psql('postgres', "SELECT authz_set_session('$bob')");
like($err, qr/SuperTokens core table supertokens\.st_user_metadata is not a table/,
	'a view in place of a core table is refused');

$node->stop;
done_testing();
