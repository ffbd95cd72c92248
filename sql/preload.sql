-- authz is preloaded: its parameters exist and its prefix is reserved.
SELECT name, setting, unit, context FROM pg_settings
 WHERE name LIKE 'authz.%' ORDER BY name;
-- placeholders under the reserved prefix are refused
SET authz.no_such_setting = 'x';
-- ordinary users can neither see nor change the policy directory
CREATE ROLE authz_regress_plain;
SET ROLE authz_regress_plain;
SHOW authz.policy_dir;
SET authz.policy_dir = '/tmp';
SET authz.max_image_size = 1;
RESET ROLE;
DROP ROLE authz_regress_plain;
