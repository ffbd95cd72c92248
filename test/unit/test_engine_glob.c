/*
 * test_engine_glob.c — Cerbos' action/role globs (':' separates segments).
 */
#include "unit.h"
#include "engine/engine_int.h"

int
main(void)
{
	CHECK(engine_glob_match("*", "view:a:b"));
	CHECK(engine_glob_match("view", "view"));
	CHECK(!engine_glob_match("view", "views"));
	CHECK(engine_glob_match("view:*", "view:public"));
	CHECK(!engine_glob_match("view:*", "view:a:b"));
	CHECK(!engine_glob_match("view:*", "edit:public"));
	CHECK(engine_glob_match("view:**", "view:a:b"));
	CHECK(engine_glob_match("*:public", "view:public"));
	CHECK(engine_glob_match("v?ew", "view"));
	CHECK(!engine_glob_match("v?ew", "v:ew"));
	CHECK(engine_glob_match("[a-c]at", "bat"));
	CHECK(!engine_glob_match("[!a-c]at", "bat"));
	CHECK(engine_glob_match("{view,edit}:*", "edit:x"));
	CHECK(!engine_glob_match("{view,edit}:*", "delete:x"));
	CHECK(engine_glob_match("a*b*c", "aXXbYYc"));
	CHECK(!engine_glob_match("a*b*c", "aXXbYY"));
	CHECK(!engine_glob_match(NULL, "x"));
	/* pathological patterns stay bounded */
	CHECK(!engine_glob_match("**********************************************x",
							 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	UNIT_DONE("engine_glob");
}
