-- Compiled policy sets shared in memory (src/pg/compiled_shmem.c): this
-- session decides with the set the loader compiled and a reload compiles
-- once, in the loader (settings changes: test/t/012_shared_set.pl).
\getenv abs_srcdir PG_ABS_SRCDIR
\set v2 :abs_srcdir '/test/fixtures/store/v2'
SELECT authz_load(:'v2');
CREATE TEMP TABLE before AS SELECT * FROM authz_compiled_status();
SELECT shared, compiled_set_bytes BETWEEN 1 AND 65536 AS small, region_bytes,
       region_used_bytes >= compiled_set_bytes AS counted, backend_private_builds
  FROM authz_compiled_status();
SELECT authz_check('{"id": "bob", "roles": ["admin"]}', '{"kind": "photo", "id": "p1"}', 'view');

-- a reload: compiled once by the loader (this session), taken up, never rebuilt here
SELECT authz_load(:'v2');
SELECT authz_check('{"id": "bob", "roles": ["admin"]}', '{"kind": "photo", "id": "p1"}', 'view');
SELECT s.compiles - b.compiles AS compiles, s.backend_shared_uses - b.backend_shared_uses AS taken_up,
       s.backend_private_builds AS private_builds, s.compiled_sets <= 2 AS bounded
  FROM authz_compiled_status() s, before b;

-- the setting exists, is fixed at start, and defaults to 64MB
SELECT name, setting, unit, context FROM pg_settings WHERE name = 'authz.compiled_policy_memory';
SET authz.compiled_policy_memory = '1MB';
