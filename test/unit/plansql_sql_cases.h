/*
 * plansql_sql_cases.h — filter -> expected SQL, one SQL_CASE per operator and
 * column type (included by test_sql_text in test_plansql.c).
 */
	SQL_CASE(E("eq", V("s") "," VAL("\"harry\"")),
			 "\"s\" = 'harry'");
	SQL_CASE(E("eq", VAL("\"harry\"") "," V("s")),
			 "\"s\" = 'harry'");
	SQL_CASE(E("ne", V("s") "," VAL("\"harry\"")),
			 "\"s\" <> 'harry'");
	SQL_CASE(E("eq", V("s") "," VAL("1")),
			 "CASE WHEN \"s\" IS NULL THEN NULL ELSE false END");
	SQL_CASE(E("ne", V("s") "," VAL("null")),
			 "CASE WHEN \"s\" IS NULL THEN NULL ELSE true END");
	SQL_CASE(E("eq", V("n") "," VAL("42")),
			 "\"n\" = 42");
	SQL_CASE(E("eq", V("n") "," VAL("4.7")),
			 "\"n\" = 4.7");
	SQL_CASE(E("eq", V("b") "," VAL("true")),
			 "\"b\" = true");
	SQL_CASE(E("eq", V("j") "," VAL("{\"a\":[1,null]}")),
			 "\"j\" = '{\"a\":[1,null]}'::jsonb");
	SQL_CASE(E("eq", V("l") "," VAL("[\"a\",\"b\"]")),
			 "\"l\" = ARRAY['a', 'b']::text[]");
	SQL_CASE(E("eq", V("l") "," VAL("[]")),
			 "cardinality(\"l\") = 0");
	SQL_CASE(E("eq", V("nl") "," VAL("[1,2]")),
			 "\"nl\"::numeric[] = ARRAY[1, 2]::numeric[]");
	SQL_CASE(E("eq", V("l") "," VAL("[1]")),
			 "CASE WHEN \"l\" IS NULL THEN NULL ELSE false END");
	SQL_CASE(E("eq", V("s") "," V("owner")),
			 "to_jsonb(\"s\") = to_jsonb(\"owner_id\")");
	SQL_CASE(E("eq", V("s") "," V("n")),
			 "CASE WHEN \"s\" IS NULL OR \"n\" IS NULL THEN NULL ELSE false END");
	SQL_CASE(E("eq", V("s") "," V("j")),
			 "to_jsonb(\"s\") = \"j\"");
	SQL_CASE(E("eq", "{\"variable\":\"request.resource.id\"}," VAL("\"z0\"")),
			 "\"rid\" = 'z0'");
	SQL_CASE(E("eq", "{\"variable\":\"R.attr.undeclared\"}," VAL("\"x\"")),
			 "to_jsonb(\"undeclared\") = '\"x\"'::jsonb");
	SQL_CASE(E("lt", V("s") "," VAL("\"m\"")),
			 "\"s\" COLLATE \"C\" < 'm'");
	SQL_CASE(E("ge", VAL("\"m\"") "," V("s")),
			 "\"s\" COLLATE \"C\" <= 'm'");
	SQL_CASE(E("le", V("n") "," VAL("-1.5")),
			 "\"n\" <= (-1.5)");
	SQL_CASE(E("gt", V("n") "," VAL("\"x\"")),
			 "NULL::boolean");
	SQL_CASE(E("lt", V("j") "," VAL("3")),
			 "CASE WHEN jsonb_typeof(\"j\") = 'number' THEN (\"j\")::numeric < 3 END");
	SQL_CASE(E("gt", V("j") "," VAL("\"a\"")),
			 "CASE WHEN jsonb_typeof(\"j\") = 'string' THEN (\"j\" #>> '{}') COLLATE \"C\" > 'a' END");
	SQL_CASE(E("lt", V("s") "," V("owner")),
			 "authz_filter_cel('request.resource.attr.s < request.resource.attr.owner', (CASE WHEN \"s\" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('s', \"s\") END || CASE WHEN \"owner_id\" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('owner', \"owner_id\") END))");
	SQL_CASE(E("in", V("s") "," VAL("[\"a\",\"b\",1]")),
			 "\"s\" IN ('a', 'b')");
	SQL_CASE(E("in", V("n") "," VAL("[1,2.5]")),
			 "\"n\" IN (1, 2.5)");
	SQL_CASE(E("in", V("s") "," VAL("[1]")),
			 "CASE WHEN \"s\" IS NULL THEN NULL ELSE false END");
	SQL_CASE(E("in", V("j") "," VAL("[\"a\",1]")),
			 "\"j\" IN ('\"a\"'::jsonb, '1'::jsonb)");
	SQL_CASE(E("in", VAL("\"x\"") "," V("l")),
			 "\"l\" @> ARRAY['x']::text[]");
	SQL_CASE(E("in", VAL("2") "," V("nl")),
			 "\"nl\"::numeric[] @> ARRAY[2]::numeric[]");
	SQL_CASE(E("in", VAL("null") "," V("l")),
			 "CASE WHEN \"l\" IS NULL THEN NULL ELSE array_position(\"l\", NULL) IS NOT NULL END");
	SQL_CASE(E("in", VAL("1") "," V("l")),
			 "CASE WHEN \"l\" IS NULL THEN NULL ELSE false END");
	SQL_CASE(E("in", VAL("\"x\"") "," V("j")),
			 "CASE jsonb_typeof(\"j\") WHEN 'array' THEN \"j\" @> '[\"x\"]'::jsonb WHEN 'object' THEN jsonb_exists(\"j\", 'x') END");
	SQL_CASE(E("in", VAL("1") "," V("j")),
			 "CASE jsonb_typeof(\"j\") WHEN 'array' THEN \"j\" @> '[1]'::jsonb WHEN 'object' THEN authz_filter_cel('1 in request.resource.attr.j', CASE WHEN \"j\" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('j', \"j\") END) END");
	SQL_CASE(E("in", V("s") "," V("l")),
			 "CASE WHEN \"s\" IS NULL OR \"l\" IS NULL THEN NULL ELSE \"l\" @> ARRAY[\"s\"]::text[] END");
	SQL_CASE(E("in", V("s") "," V("n")),
			 "NULL::boolean");
	SQL_CASE(E("and", E("not", V("b")) "," E("or", V("j") "," V("s"))),
			 "((NOT (\"b\")) AND (((CASE WHEN jsonb_typeof(\"j\") = 'boolean' THEN (\"j\")::boolean END) OR (NULL::boolean))))");
	/* at the top (only AND/OR above) NULL and false keep the same rows */
	SQL_CASE(E("authz.condition", E("eq", V("s") "," VAL("\"a\""))),
			 "(\"s\" = 'a')");
	SQL_CASE(E("or", E("authz.condition", E("eq", V("s") "," VAL("\"a\""))) "," V("b")),
			 "(((\"s\" = 'a')) OR (\"b\"))");
	SQL_CASE(E("not", E("authz.condition", E("eq", V("s") "," VAL("\"a\"")))),
			 "NOT (COALESCE((\"s\" = 'a'), false))");
	SQL_CASE(E("if", V("b") "," E("eq", V("s") "," VAL("\"a\"")) "," VAL("false")),
			 "CASE WHEN \"b\" THEN \"s\" = 'a' WHEN NOT (\"b\") THEN false END");
	SQL_CASE(E("and", VAL("true") "," VAL("1")),
			 "((true) AND (NULL::boolean))");
	SQL_CASE(E("startsWith", V("s") "," VAL("\"50%_\\\\\"")),
			 "(\"s\") LIKE E'50\\\\%\\\\_\\\\\\\\%'");
	SQL_CASE(E("endsWith", V("j") "," VAL("\"z\"")),
			 "(CASE WHEN jsonb_typeof(\"j\") = 'string' THEN \"j\" #>> '{}' END) LIKE '%z'");
	SQL_CASE(E("contains", V("s") "," VAL("\"it's\"")),
			 "(\"s\") LIKE '%it''s%'");
	SQL_CASE(E("startsWith", VAL("\"team1\"") "," V("s")),
			 "starts_with('team1', \"s\")");
	SQL_CASE(E("endsWith", VAL("\"team1\"") "," V("s")),
			 "right('team1', char_length(\"s\")) = \"s\"");
	SQL_CASE(E("contains", V("s") "," V("owner")),
			 "strpos(\"s\", CASE WHEN jsonb_typeof(to_jsonb(\"owner_id\")) = 'string' THEN to_jsonb(\"owner_id\") #>> '{}' END) > 0");
	SQL_CASE(E("startsWith", V("n") "," VAL("\"a\"")),
			 "(NULL::text) LIKE 'a%'");
	SQL_CASE(E("hasIntersection", V("l") "," VAL("[\"a\",\"b\"]")),
			 "\"l\" && ARRAY['a', 'b']::text[]");
	SQL_CASE(E("hasIntersection", VAL("[1]") "," V("l")),
			 "CASE WHEN \"l\" IS NULL THEN NULL ELSE false END");
	SQL_CASE(E("isSubset", V("l") "," VAL("[\"a\"]")),
			 "\"l\" <@ ARRAY['a']::text[]");
	SQL_CASE(E("isSubset", VAL("[\"a\"]") "," V("l")),
			 "\"l\" @> ARRAY['a']::text[]");
	SQL_CASE(E("isSubset", VAL("[\"a\", 1]") "," V("l")),
			 "CASE WHEN \"l\" IS NULL THEN NULL ELSE false END");
	SQL_CASE(E("hasIntersection", V("j") "," VAL("[\"a\"]")),
			 "CASE WHEN jsonb_typeof(\"j\") = 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(\"j\") AS _e(v) WHERE _e.v IN ('\"a\"'::jsonb)) END");
	SQL_CASE(E("isSubset", V("j") "," VAL("[\"a\"]")),
			 "CASE WHEN jsonb_typeof(\"j\") = 'array' THEN NOT EXISTS (SELECT 1 FROM jsonb_array_elements(\"j\") AS _e(v) WHERE _e.v NOT IN ('\"a\"'::jsonb)) END");
	SQL_CASE(E("isSubset", VAL("[\"a\"]") "," V("j")),
			 "CASE WHEN jsonb_typeof(\"j\") = 'array' THEN \"j\" @> '[\"a\"]'::jsonb END");
	SQL_CASE(E("eq", E("size", V("s")) "," VAL("3")),
			 "char_length(\"s\") = 3");
	SQL_CASE(E("gt", E("size", V("l")) "," VAL("0")),
			 "cardinality(\"l\") > 0");
	SQL_CASE(E("eq", E("size", V("j")) "," VAL("0")),
			 "CASE jsonb_typeof(\"j\") WHEN 'array' THEN jsonb_array_length(\"j\") WHEN 'string' THEN char_length(\"j\" #>> '{}') WHEN 'object' THEN (SELECT count(*) FROM jsonb_object_keys(\"j\")) END = 0");
	SQL_CASE(E("eq", E("upperAscii", V("s")) "," VAL("\"AB\"")),
			 "translate(\"s\", 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') = 'AB'");
	SQL_CASE(E("lt", E("timestamp", V("t")) "," E("timestamp", V("t"))),
			 "(CASE WHEN (to_jsonb(\"t\") #>> '{}') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?[+-][0-9]{2}:[0-9]{2}$' THEN \"t\" END) < (CASE WHEN (to_jsonb(\"t\") #>> '{}') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?[+-][0-9]{2}:[0-9]{2}$' THEN \"t\" END)");
	SQL_CASE(E("eq", V("t") "," VAL("\"2024-01-01T00:00:00+00:00\"")),
			 "(to_jsonb(\"t\") #>> '{}') = '2024-01-01T00:00:00+00:00'");
	SQL_CASE(E("eq", "{\"variable\":\"request.resource.attr.j.a.b\"}," VAL("1")),
			 "((\"j\" -> 'a') -> 'b') = '1'::jsonb");
	SQL_CASE(E("eq", "{\"variable\":\"request.resource.attr.s.a\"}," VAL("1")),
			 "(NULL::jsonb -> 'a') = '1'::jsonb");
	SQL_CASE(E("eq", E("index", V("j") "," VAL("0")) "," VAL("\"a\"")),
			 "(CASE WHEN jsonb_typeof(\"j\") = 'array' THEN \"j\" -> 0 END) = '\"a\"'::jsonb");
	SQL_CASE(E("eq", E("get-field", E("index", V("m") "," VAL("\"k\"")) ",{\"variable\":\"f\"}") "," VAL("true")),
			 "(((meta->'m') -> 'k') -> 'f') = 'true'::jsonb");
	SQL_CASE(E("exists", V("l") "," LAMBDA(E("eq", "{\"variable\":\"x\"}," VAL("\"a\"")), "x")),
			 "CASE WHEN \"l\" IS NOT NULL THEN (SELECT CASE WHEN bool_or(p) THEN true WHEN bool_or(p IS NULL) THEN NULL ELSE false END FROM (SELECT _c1.a1 = '\"a\"'::jsonb AS p FROM jsonb_array_elements(to_jsonb(\"l\")) AS _c1(a1)) AS _c1_p) END");
	SQL_CASE(E("all", V("j") "," LAMBDA(E("startsWith", "{\"variable\":\"x\"}," VAL("\"a\"")), "x")),
			 "CASE WHEN jsonb_typeof(\"j\") IN ('array', 'object') THEN (SELECT CASE WHEN bool_or(NOT p) THEN false WHEN bool_or(p IS NULL) THEN NULL ELSE true END FROM (SELECT (CASE WHEN jsonb_typeof(_c1.a1) = 'string' THEN _c1.a1 #>> '{}' END) LIKE 'a%' AS p FROM (SELECT _a.v FROM jsonb_array_elements(CASE WHEN jsonb_typeof(\"j\") = 'array' THEN \"j\" END) AS _a(v) UNION ALL SELECT to_jsonb(_o.k) FROM jsonb_object_keys(CASE WHEN jsonb_typeof(\"j\") = 'object' THEN \"j\" END) AS _o(k)) AS _c1(a1)) AS _c1_p) END");
	SQL_CASE(E("exists_one", V("l") "," LAMBDA(E("in", VAL("\"US\"") ",{\"variable\":\"x.countries\"}"), "x")),
			 "CASE WHEN \"l\" IS NOT NULL THEN (SELECT CASE WHEN bool_or(p IS NULL) THEN NULL ELSE count(*) FILTER (WHERE p) = 1 END FROM (SELECT CASE jsonb_typeof((_c1.a1 -> 'countries')) WHEN 'array' THEN (_c1.a1 -> 'countries') @> '[\"US\"]'::jsonb WHEN 'object' THEN jsonb_exists((_c1.a1 -> 'countries'), 'US') END AS p FROM jsonb_array_elements(to_jsonb(\"l\")) AS _c1(a1)) AS _c1_p) END");
	SQL_CASE(E("all", V("j") "," E("lambda", E("ne", "{\"variable\":\"k\"},{\"variable\":\"v\"}") ",{\"variable\":\"k\"},{\"variable\":\"v\"}")),
			 "CASE WHEN jsonb_typeof(\"j\") IN ('array', 'object') THEN (SELECT CASE WHEN bool_or(NOT p) THEN false WHEN bool_or(p IS NULL) THEN NULL ELSE true END FROM (SELECT _c1.a1 <> _c1.a2 AS p FROM (SELECT to_jsonb(_a.i - 1), _a.v FROM jsonb_array_elements(CASE WHEN jsonb_typeof(\"j\") = 'array' THEN \"j\" END) WITH ORDINALITY AS _a(v, i) UNION ALL SELECT to_jsonb(_o.k), _o.v FROM jsonb_each(CASE WHEN jsonb_typeof(\"j\") = 'object' THEN \"j\" END) AS _o(k, v)) AS _c1(a1, a2)) AS _c1_p) END");
	SQL_CASE(E("exists", V("s") "," LAMBDA(VAL("true"), "x")),
			 "NULL::boolean");
	SQL_CASE(E("in", VAL("\"US\"") "," E("map", V("j") "," LAMBDA(E("upperAscii", "{\"variable\":\"t\"}"), "t"))),
			 "CASE WHEN jsonb_typeof(\"j\") IN ('array', 'object') THEN (SELECT CASE WHEN bool_or(e) THEN NULL ELSE COALESCE(bool_or(h), false) END FROM (SELECT (translate(CASE WHEN jsonb_typeof(_c1.a1) = 'string' THEN _c1.a1 #>> '{}' END, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')) IS NULL AS e, translate(CASE WHEN jsonb_typeof(_c1.a1) = 'string' THEN _c1.a1 #>> '{}' END, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') = 'US' AS h FROM (SELECT _a.v FROM jsonb_array_elements(CASE WHEN jsonb_typeof(\"j\") = 'array' THEN \"j\" END) AS _a(v) UNION ALL SELECT to_jsonb(_o.k) FROM jsonb_object_keys(CASE WHEN jsonb_typeof(\"j\") = 'object' THEN \"j\" END) AS _o(k)) AS _c1(a1)) AS _c1_p) END");
	SQL_CASE(E("in", VAL("\"US\"") "," E("filter", V("l") "," LAMBDA(E("startsWith", "{\"variable\":\"t\"}," VAL("\"U\"")), "t"))),
			 "CASE WHEN \"l\" IS NOT NULL THEN (SELECT CASE WHEN bool_or(e) THEN NULL ELSE COALESCE(bool_or(h), false) END FROM (SELECT ((CASE WHEN jsonb_typeof(_c1.a1) = 'string' THEN _c1.a1 #>> '{}' END) LIKE 'U%') IS NULL AS e, ((CASE WHEN jsonb_typeof(_c1.a1) = 'string' THEN _c1.a1 #>> '{}' END) LIKE 'U%') AND (_c1.a1 = '\"US\"'::jsonb) AS h FROM jsonb_array_elements(to_jsonb(\"l\")) AS _c1(a1)) AS _c1_p) END");
	SQL_CASE(E("all", V("l") "," LAMBDA(E("exists", VAL("[\"US\",\"UK\"]") "," LAMBDA(E("startsWith", "{\"variable\":\"t\"},{\"variable\":\"x\"}"), "x")), "t")),
			 "CASE WHEN \"l\" IS NOT NULL THEN (SELECT CASE WHEN bool_or(NOT p) THEN false WHEN bool_or(p IS NULL) THEN NULL ELSE true END FROM (SELECT CASE WHEN jsonb_typeof('[\"US\",\"UK\"]'::jsonb) IN ('array', 'object') THEN (SELECT CASE WHEN bool_or(p) THEN true WHEN bool_or(p IS NULL) THEN NULL ELSE false END FROM (SELECT starts_with(CASE WHEN jsonb_typeof(_c1.a1) = 'string' THEN _c1.a1 #>> '{}' END, CASE WHEN jsonb_typeof(_c2.a1) = 'string' THEN _c2.a1 #>> '{}' END) AS p FROM (SELECT _a.v FROM jsonb_array_elements(CASE WHEN jsonb_typeof('[\"US\",\"UK\"]'::jsonb) = 'array' THEN '[\"US\",\"UK\"]'::jsonb END) AS _a(v) UNION ALL SELECT to_jsonb(_o.k) FROM jsonb_object_keys(CASE WHEN jsonb_typeof('[\"US\",\"UK\"]'::jsonb) = 'object' THEN '[\"US\",\"UK\"]'::jsonb END) AS _o(k)) AS _c2(a1)) AS _c2_p) END AS p FROM jsonb_array_elements(to_jsonb(\"l\")) AS _c1(a1)) AS _c1_p) END");
	SQL_CASE(E("matches", V("s") "," VAL("\"^a\"")),
			 "authz_filter_cel('matches(request.resource.attr.s, \"^a\")', CASE WHEN \"s\" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('s', \"s\") END)");
	SQL_CASE(E("and", E("eq", V("s") "," VAL("\"a\"")) "," E("matches", V("j") "," VAL("\"^a\""))),
			 "((\"s\" = 'a') AND (authz_filter_cel('matches(request.resource.attr.j, \"^a\")', CASE WHEN \"j\" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('j', \"j\") END)))");
	SQL_CASE(E("eq", "{\"variable\":\"request.resource.id\"}," E("add", V("s") "," VAL("\"x\""))),
			 "authz_filter_cel('request.resource.id == (request.resource.attr.s + \"x\")', CASE WHEN \"s\" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('s', \"s\") END, \"rid\")");
	SQL_CASE(E("all", V("l") "," LAMBDA(E("matches", "{\"variable\":\"x\"}," V("s")), "x")),
			 "authz_filter_cel('request.resource.attr.l.all(x, matches(x, request.resource.attr.s))', (CASE WHEN \"l\" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('l', \"l\") END || CASE WHEN \"s\" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('s', \"s\") END))");
	SQL_CASE(E("lt", E("timestamp", V("t")) "," E("timestamp", VAL("\"2020-01-01T00:00:00Z\""))),
			 "(CASE WHEN (to_jsonb(\"t\") #>> '{}') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]+)?[+-][0-9]{2}:[0-9]{2}$' THEN \"t\" END) < '2020-01-01T00:00:00Z'::timestamptz");
	SQL_CASE(E("lt", E("timestamp", V("t")) "," E("timestamp", VAL("\"2020-01-01T00:00:00.123456789Z\""))),
			 "authz_filter_cel('timestamp(request.resource.attr.t) < timestamp(\"2020-01-01T00:00:00.123456789Z\")', CASE WHEN \"t\" IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('t', \"t\") END)");
	SQL_CASE(E("eq", V("j") "," VAL("4.7")),
			 "\"j\" = '4.7'::jsonb");
	SQL_CASE(E("eq", V("j") "," VAL("[\"a\\\"b\\\\c\\n\", 0.1, {\"k\": null}]")),
			 "\"j\" = E'[\"a\\\\\"b\\\\\\\\c\\\\n\",0.1,{\"k\":null}]'::jsonb");
