# Query-plan filters as SQL: authz_filter_sql keeps exactly the rows the
# CEL engine allows (every conditional filter of Cerbos' plan tests over
# generated tables, test/plansql/filter_semantic.py), a selective equality
# on an indexed column is an index scan, the per-row fallback evaluates
# what SQL cannot say, and hostile attribute names and values stay quoted.
use strict;
use warnings;
use Cwd ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('filter_sql');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'authz'");
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION authz');

# row-by-row agreement with the CEL engine: Cerbos' plan filters and
# random ones over a fixed schema (a fixed seed, so the run is repeatable)
my $script = Cwd::abs_path('test/plansql/filter_semantic.py');
my ($stdout, $stderr);
my $ok = IPC::Run::run(
	[ 'python3', $script, '--psql', 'psql', '--dbname', 'postgres', '--random', '300', '--seed', '1' ],
	'>', \$stdout, '2>', \$stderr,
	init => sub {
		$ENV{PGHOST} = $node->host;
		$ENV{PGPORT} = $node->port;
	});
my ($summary) = $stdout =~ /^(filter_semantic: .*)$/m;
diag($summary // "no summary: $stdout $stderr");
diag(join("\n", (grep { /ERROR|mismatches CEL/ } split /\n/, $stdout)[0 .. 4])) if ($summary // '') !~ /0 mismatches, 0 errors/;
ok($ok, 'filter_semantic ran cleanly');
like($summary // '', qr/, 0 mismatches, 0 errors,/, 'every plan filter keeps exactly the rows CEL allows');
like($summary // '', qr/^filter_semantic: 443 filters, /, 'the 143 conditional plan filters and 300 random ones checked, typed and jsonb');

# a selective equality on an indexed column uses the index
$node->safe_psql('postgres', q{
	CREATE TABLE docs (id text PRIMARY KEY, owner text, status text, tags text[], meta jsonb);
	INSERT INTO docs SELECT 'd' || i, 'user' || (i % 5000), CASE WHEN i % 3 = 0 THEN 'DRAFT' ELSE 'PUBLISHED' END,
		ARRAY['t' || (i % 7)], jsonb_build_object('level', i % 10)
	FROM generate_series(1, 50000) i;
	CREATE INDEX docs_owner ON docs (owner);
	ANALYZE docs;
});
my $eq_filter = '{"kind":"KIND_CONDITIONAL","condition":{"expression":{"operator":"eq","operands":[{"variable":"request.resource.attr.owner"},{"value":"user42"}]}}}';
my $sql = $node->safe_psql('postgres',
	"SELECT authz_filter_sql('$eq_filter', '{\"owner\": {\"type\": \"text\"}}')");
is($sql, q{"owner" = 'user42'}, 'equality keeps the column bare');
my $explain = $node->safe_psql('postgres', "EXPLAIN SELECT id FROM docs WHERE $sql");
like($explain, qr/Index Scan|Bitmap Index Scan/, 'selective equality uses the owner index');
is($node->safe_psql('postgres', "SELECT count(*) FROM docs WHERE $sql"), '10', 'and keeps the owner\'s rows');

# the table's catalog types the columns; an attribute it lacks is absent
is($node->safe_psql('postgres', "SELECT authz_filter_sql('$eq_filter', NULL, 'docs')"),
	q{"owner" = 'user42'}, 'column types from the table');
is($node->safe_psql('postgres',
	q{SELECT authz_filter_sql('{"expression":{"operator":"ne","operands":[{"variable":"R.attr.nope"},{"value":1}]}}', NULL, 'docs')}),
	q{(NULL::jsonb) <> '1'::jsonb}, 'an attribute with no column is absent');

# in over a list literal is an index-friendly IN
my $in_filter = '{"expression":{"operator":"in","operands":[{"variable":"R.attr.owner"},{"value":["user1","user2"]}]}}';
$sql = $node->safe_psql('postgres',
	"SELECT authz_filter_sql('$in_filter', '{\"owner\": {\"type\": \"text\"}}')");
is($sql, q{"owner" IN ('user1', 'user2')}, 'in over a list literal');
like($node->safe_psql('postgres', "EXPLAIN SELECT id FROM docs WHERE $sql"), qr/Index Scan|Bitmap Index Scan/,
	'in over a list literal uses the index');

# jsonb expressions from the columns argument, and the per-row fallback
my $level = '{"expression":{"operator":"and","operands":['
  . '{"expression":{"operator":"ge","operands":[{"variable":"request.resource.attr.level"},{"value":8}]}},'
  . '{"expression":{"operator":"matches","operands":[{"variable":"request.resource.attr.status"},{"value":"^DR"}]}}]}}';
$sql = $node->safe_psql('postgres',
	"SELECT authz_filter_sql('$level', '{\"level\": {\"sql\": \"meta->''level''\", \"type\": \"jsonb\"}, \"status\": {\"type\": \"text\"}}')");
like($sql, qr/authz_filter_cel\('matches\(request\.resource\.attr\.status, "\^DR"\)'/, 'matches falls back to the CEL engine');
like($sql, qr/\(meta->'level'\)/, 'attribute read through the given expression');
is($node->safe_psql('postgres', "SELECT count(*) FROM docs WHERE $sql"),
	$node->safe_psql('postgres', "SELECT count(*) FROM docs WHERE (meta->>'level')::int >= 8 AND status LIKE 'DR%'"),
	'fallback and SQL together keep the right rows');

# hostile names and values stay quoted
my $evil = q{{"expression":{"operator":"eq","operands":[{"variable":"R.attr.x\"; DROP TABLE docs; --"},{"value":"a'b\\\\c"}]}}};
my $evil_cols = q{{"x\"; DROP TABLE docs; --": {"type": "text"}}};
$sql = $node->safe_psql('postgres', "SELECT authz_filter_sql(\$j\$$evil\$j\$, \$j\$$evil_cols\$j\$)");
is($sql, q{"x""; DROP TABLE docs; --" = E'a''b\\\\c'}, 'identifiers and literals are quoted');
$node->safe_psql('postgres', q{CREATE TABLE evil ("x""; DROP TABLE docs; --" text); INSERT INTO evil VALUES (E'a''b\\\\c'), ('other')});
is($node->safe_psql('postgres', "SELECT count(*) FROM evil WHERE $sql"), '1', 'the quoted filter runs and matches');
is($node->safe_psql('postgres', 'SELECT count(*) FROM docs'), '50000', 'nothing was injected');

# malformed filters are errors with a message, not crashes
my ($rc, $out, $err) = $node->psql('postgres', q{SELECT authz_filter_sql('{"expression":{"operator":"eq","operands":[]}}')});
like($err, qr/cannot translate the filter: a binary operator needs two operands|cannot translate the filter/, 'malformed filter rejected');
($rc, $out, $err) = $node->psql('postgres', q{SELECT authz_filter_sql('{"expression":{"operator":"eq","operands":[{"variable":"P.attr.x"},{"value":1}]}}')});
like($err, qr/unknown variable "P\.attr\.x"/, 'variables other than the resource are rejected');
is($node->safe_psql('postgres', q{SELECT authz_filter_sql('{"filter":{"kind":"KIND_ALWAYS_DENIED"}}')}), 'false',
	'an always-denied plan is false');

$node->stop;
done_testing();
