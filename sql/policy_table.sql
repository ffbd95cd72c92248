-- Policies in the authz_policies table: compiled when a change commits,
-- never when it rolls back, and never when they are broken.
\getenv abs_srcdir PG_ABS_SRCDIR
\set v1 :abs_srcdir '/test/fixtures/store/v1'

CREATE TEMP TABLE gen AS SELECT generation FROM authz_status();

INSERT INTO authz_policies (id, definition) VALUES ('photo', $$
apiVersion: api.cerbos.dev/v1
resourcePolicy:
  resource: photo
  version: default
  rules:
    - actions: ["view"]
      effect: EFFECT_ALLOW
      roles: ["user"]
$$);
SELECT fqn, kind, source FROM authz_policies_loaded() ORDER BY fqn;
SELECT s.generation > g.generation AS published, s.source
  FROM authz_status() s, gen g;
UPDATE gen SET generation = (SELECT generation FROM authz_status());

-- several statements in one transaction publish once, at commit
BEGIN;
INSERT INTO authz_policies (id, definition) VALUES ('video', $$
apiVersion: api.cerbos.dev/v1
resourcePolicy: {resource: video, version: default, rules: []}
$$);
UPDATE authz_policies SET definition = replace(definition, 'resource: photo', 'resource: picture')
 WHERE id = 'photo';
-- not yet visible: the change is not committed
SELECT count(*) AS before_commit FROM authz_policies_loaded();
COMMIT;
SELECT fqn, source FROM authz_policies_loaded() ORDER BY fqn;
SELECT s.generation = g.generation + 1 AS one_publication
  FROM authz_status() s, gen g;
UPDATE gen SET generation = (SELECT generation FROM authz_status());

-- a rolled-back change publishes nothing
BEGIN;
DELETE FROM authz_policies;
ROLLBACK;
SELECT s.generation = g.generation AS unchanged, s.policies
  FROM authz_status() s, gen g;

-- a broken policy makes the COMMIT fail and changes nothing
INSERT INTO authz_policies (id, definition) VALUES ('broken', 'resourcePolicy: [unclosed');
SELECT count(*) AS broken_rows FROM authz_policies WHERE id = 'broken';
SELECT s.generation = g.generation AS unchanged, s.policies
  FROM authz_status() s, gen g;

-- the directory of authz_load() and the table combine; a conflict is an error
SELECT authz_load(:'v1');
SELECT fqn, source FROM authz_policies_loaded() ORDER BY fqn;
INSERT INTO authz_policies (id, definition) VALUES ('album', $$
apiVersion: api.cerbos.dev/v1
resourcePolicy: {resource: album, version: default, rules: []}
$$);

SELECT count(*) AS album_rows FROM authz_policies WHERE id = 'album';

-- 2PC cannot carry a policy change
BEGIN;
DELETE FROM authz_policies WHERE id = 'video';
PREPARE TRANSACTION 'authz_regress';
SELECT count(*) AS video_rows FROM authz_policies WHERE id = 'video';

-- an empty table leaves the directory's policies
DELETE FROM authz_policies;
SELECT fqn, source FROM authz_policies_loaded() ORDER BY fqn;

-- ordinary roles cannot touch the table
CREATE ROLE authz_regress_writer;
SET ROLE authz_regress_writer;
INSERT INTO authz_policies (id, definition) VALUES ('x', 'y');
SELECT * FROM authz_policies;
RESET ROLE;
DROP ROLE authz_regress_writer;
