-- authz_cel_eval: CEL as Cerbos compiles and evaluates conditions.
SELECT authz_cel_eval('1 + 2');
SELECT authz_cel_eval('"a" + "b"');
SELECT authz_cel_eval('[1, 2, 3].map(x, x * 2)');
SELECT authz_cel_eval('{"k": 1u, "l": b"\x01\x02"}');
SELECT authz_cel_eval('timestamp("2024-01-16T10:18:27.395+13:00") + duration("1h30m")');
SELECT authz_cel_eval('R.attr.owner == P.id && "admin" in P.roles',
	'{"R": {"attr": {"owner": "alice"}}, "P": {"id": "alice", "roles": ["admin"]}}');
-- JSON numbers are doubles, as Cerbos takes attributes
SELECT authz_cel_eval('x', '{"x": 5}');
SELECT authz_cel_eval('x == 5', '{"x": 5}');
-- the typed encoding keeps CEL's value model
SELECT authz_cel_eval('x + 1', '{"x": {"int": "41"}}', typed => true);
SELECT authz_cel_eval('x', '{"x": {"map": [[{"string": "a"}, {"uint": "7"}]]}}', typed => true);
SELECT authz_cel_eval('1.0 / 0.0', typed => true);
SELECT authz_cel_eval('optional.of(1)', typed => true);
-- Cerbos' own functions
SELECT authz_cel_eval('hierarchy("a.b.c").ancestorOf(hierarchy("a.b.c.d"))');
SELECT authz_cel_eval('hierarchy("a.b.c")[1]');
SELECT authz_cel_eval('"10.20.30.40".inIPAddrRange("10.20.0.0/16")');
SELECT authz_cel_eval('["a", "b"].hasIntersection(["b", "c"])');
SELECT authz_cel_eval('"foo@example.com".matches("^[a-z]+@example\\.com$")');
-- runtime errors are values
SELECT authz_cel_eval('1 / 0');
SELECT authz_cel_eval('9223372036854775807 + 1');
SELECT authz_cel_eval('x.missing', '{"x": {}}');
SELECT authz_cel_eval('false && (1 / 0 == 1)');
-- compile errors are SQL errors with line:column
SELECT authz_cel_eval('1 +');
SELECT authz_cel_eval('1 == 1.0');
SELECT authz_cel_eval('''a'' && false');
SELECT authz_cel_eval('undeclared_name');
SELECT authz_cel_eval('"x".matches("(")');
SELECT authz_cel_eval('duration("1 hour")');
SELECT authz_cel_eval(repeat('(', 300) || '1' || repeat(')', 300));
-- bad bindings
SELECT authz_cel_eval('x', '[]');
SELECT authz_cel_eval('x', '{"x": {"int": "abc"}}', typed => true);
