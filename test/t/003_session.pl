# SuperTokens access tokens end to end: tokens minted here with OpenSSL in
# the exact SuperTokens v5 layout are verified by authz_set_session(); every
# kind of bad token is refused with SQLSTATE 28000 and never logged; key
# rotation works through authz_set_jwks(); ordinary roles cannot forge a
# principal; the principal follows transaction or session scope.
use strict;
use warnings;
use MIME::Base64 qw(encode_base64 decode_base64);
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

# an RSA-2048 key, its JWK (n, e) and a signer
sub new_key
{
	my ($name) = @_;
	my $pem = "$dir/$name.pem";
	run_openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', $pem);
	my $text = run_openssl('rsa', '-in', $pem, '-noout', '-modulus');
	my ($hex) = $text =~ /Modulus=([0-9A-F]+)/;
	my $n = b64url(pack('H*', $hex));
	return { pem => $pem, n => $n, e => 'AQAB' };
}

sub jwk
{
	my ($key, $kid) = @_;
	return qq({"kty":"RSA","kid":"$kid","n":"$key->{n}","e":"$key->{e}","alg":"RS256","use":"sig"});
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

sub token
{
	my (%t) = @_;
	my $header = $t{header} // qq({"kid":"$t{kid}","typ":"JWT","version":"5","alg":"RS256"});
	my $now = time();
	my $exp = $t{exp} // $now + 3600;
	my $iat = $t{iat} // $now - 10;
	my $sub = $t{sub} // 'user-1';
	my $tenant = $t{tenant} // 'public';
	my $roles = $t{roles} // '["user"]';
	my $payload = $t{payload}
	  // qq({"iat":$iat,"exp":$exp,"sub":"$sub","tId":"$tenant","rsub":"$sub","sessionHandle":"0a1b2c3d-aaaa-bbbb-cccc-000000000001","refreshTokenHash1":"r1","parentRefreshTokenHash1":null,"antiCsrfToken":null,"iss":"https://api.example.com/auth","st-role":{"v":$roles,"t":1700000000000},"st-perm":{"v":["read:doc"],"t":1700000000000},"st-ev":{"v":true,"t":1700000000000},"plan":"pro"});
	my $input = b64url($header) . '.' . b64url($payload);
	my $sig = $t{signature} // sign($t{key}, $input);
	return "$input.$sig";
}

my $k1 = new_key('k1');
my $k2 = new_key('k2');
my $kid1 = 'd-1700000000000';
my $kid2 = 's-3f2b1c9e-0000-4000-8000-000000000002';

my $node = PostgreSQL::Test::Cluster->new('session');
$node->init;
# the test framework logs every statement; a deployment that calls
# authz_set_session must not (see the README), and then refusals must not
# log the statement either
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'authz'\nlog_statement = 'none'");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION authz');
is($node->safe_psql('postgres', "SELECT authz_set_jwks('{\"keys\":[" . jwk($k1, $kid1) . "]}')"),
	'1', 'JWKS stored');

my $good = token(key => $k1, kid => $kid1, sub => 'alice', tenant => 'acme');
my $principal = $node->safe_psql('postgres', "SELECT authz_set_session('$good')");
like($principal, qr/"id": "alice"/, 'principal id from sub');
like($principal, qr/"roles": \["user"\]/, 'roles from st-role');
like($principal, qr/"tenantId": "acme"/, 'tenant as an attribute');
like($principal, qr/"plan": "pro"/, 'custom claims as attributes');
like($principal, qr/"permissions": \["read:doc"\]/, 'permissions from st-perm');

# transaction scope: gone after the statement's transaction
is($node->safe_psql('postgres', "SELECT authz_set_session('$good') IS NOT NULL; SELECT authz_principal() IS NULL"),
	"t\nt", 'transaction-scoped principal ends with its transaction');
is($node->safe_psql('postgres',
	"SELECT authz_set_session('$good', for_session => true) IS NOT NULL; SELECT authz_principal()->>'id'"),
	"t\nalice", 'session-scoped principal lasts');

# every refusal: SQLSTATE 28000, its own reason, never the token in the log
my %bad = (
	'expired' => token(key => $k1, kid => $kid1, exp => time() - 60, iat => time() - 4000),
	'not_yet_valid' => token(key => $k1, kid => $kid1, iat => time() + 600),
	'bad_signature' => token(key => $k2, kid => $kid1),
	'unknown_kid' => token(key => $k2, kid => $kid2),
	'wrong_algorithm' => token(key => $k1, kid => $kid1,
		header => qq({"kid":"$kid1","typ":"JWT","version":"5","alg":"none"}), signature => 'c2ln'),
	'malformed' => 'abc.def',
	'bad_base64' => token(key => $k1, kid => $kid1) . '==',
	'unsupported_version' => token(key => $k1, kid => $kid1,
		header => qq({"kid":"$kid1","typ":"JWT","version":"2","alg":"RS256"})),
);
$bad{'tampered'} = do
{
	my ($h, $p, $s) = split /\./, $good;
	my $payload = decode_base64(($p =~ tr/-_/+\//r) . '=' x ((4 - length($p) % 4) % 4));
	$payload =~ s/"sub":"alice"/"sub":"admin"/;
	$h . '.' . b64url($payload) . '.' . $s;
};
for my $reason (sort keys %bad)
{
	my $log_offset = -s $node->logfile;
	my ($rc, $out, $err) = $node->psql('postgres',
		"\\set VERBOSITY verbose\nSELECT authz_set_session('$bad{$reason}')");
	isnt($rc, 0, "$reason token refused");
	like($err, qr/28000/, "$reason: SQLSTATE 28000");
	my $expect = $reason eq 'tampered' ? 'bad_signature' : $reason;
	like($err, qr/reason: $expect/, "$reason: says why");
	my $log = slurp_file($node->logfile, $log_offset);
	my ($sig) = $bad{$reason} =~ /([^.]{20,})$/;
	ok(!defined($sig) || index($log, $sig) < 0, "$reason: token not in the server log");
}

# the verified claims reach conditions as request.auxData.jwt, in parallel
# workers too; an explicitly set principal has no token claims
mkdir "$dir/policies";
open my $pf, '>', "$dir/policies/report.yaml" or die;
print $pf <<'YAML';
apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: report
  version: default
  rules:
    - actions: ["view"]
      effect: EFFECT_ALLOW
      roles: ["user"]
      condition:
        match:
          expr: request.auxData.jwt.plan == "pro" && request.auxData.jwt.tId == P.attr.tenantId
YAML
close $pf;
chmod 0755, $dir, "$dir/policies";
chmod 0644, "$dir/policies/report.yaml";
$node->safe_psql('postgres', "SELECT authz_load('$dir/policies')");
my $view = q{authz_check('{"kind": "report", "id": "r1"}', 'view')};
is($node->safe_psql('postgres', "BEGIN; SELECT authz_set_session('$good') IS NOT NULL; SELECT $view; COMMIT"),
	"t\nt", 'a condition on request.auxData.jwt sees the token claims');
is($node->safe_psql('postgres',
	"SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET force_parallel_mode = on;\n"
	  . "BEGIN; SELECT authz_set_session('$good') IS NOT NULL; SELECT $view; COMMIT"),
	"t\nt", 'and so does a parallel worker');
is($node->safe_psql('postgres',
	q{BEGIN; SELECT authz_set_principal('{"id": "alice", "roles": ["user"], "attr": {"tenantId": "acme"}}') IS NOT NULL; SELECT }
	  . $view . q{, authz_principal()->>'id'; COMMIT}),
	"t\nf|alice", 'a principal set directly carries no token claims');

# key rotation: a second key is added, then the first removed
my $t2 = token(key => $k2, kid => $kid2, sub => 'bob');
$node->safe_psql('postgres',
	"SELECT authz_set_jwks('{\"keys\":[" . jwk($k1, $kid1) . ',' . jwk($k2, $kid2) . "]}')");
like($node->safe_psql('postgres', "SELECT authz_set_session('$t2')->>'id'"), qr/bob/, 'new key accepted after rotation');
like($node->safe_psql('postgres', "SELECT authz_set_session('$good')->>'id'"), qr/alice/, 'old key still valid');
$node->safe_psql('postgres', "SELECT authz_set_jwks('{\"keys\":[" . jwk($k2, $kid2) . "]}')");
my ($rc, $out, $err) = $node->psql('postgres', "SELECT authz_set_session('$good')");
like($err, qr/unknown key id|unknown_kid|kid/, 'removed key rejected');

# forgery by an ordinary role
$node->safe_psql('postgres', 'CREATE ROLE mallory LOGIN');
for my $attempt (
	q{SELECT authz_set_principal('{"id":"admin","roles":["admin"]}')},
	q{SET authz.principal = 'admin'},
	q{SELECT set_config('authz.principal', 'admin', false)},
	q{SELECT authz_set_jwks('{"keys":[]}')},
	q{INSERT INTO authz_jwks VALUES (true, '{"keys":[]}')})
{
	my ($rc2, $o2, $e2) = $node->psql('postgres', $attempt, extra_params => [ '-U', 'mallory' ]);
	isnt($rc2, 0, "ordinary role cannot: $attempt");
}
is($node->safe_psql('postgres', 'SELECT authz_principal() IS NULL', extra_params => [ '-U', 'mallory' ]),
	't', 'ordinary role has no principal');

$node->stop;
done_testing();
