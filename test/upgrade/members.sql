-- members.sql — the authz extension of the current database as canonical
-- text: one paragraph per member object (pg_depend deptype 'e') with all
-- of its definition that a script decides, sorted, free of OIDs.
--
-- Run in a database updated from an older version and in one with a fresh
-- install of the same version, the two outputs must be equal byte for byte
-- (test/t/011_upgrade.pl); any drift between authz--X.sql and the upgrade
-- path shows as a differing line.  Roles are cluster-wide, so role names in
-- ACLs compare across databases of one cluster.
WITH ext AS (
	SELECT e.oid, e.extname, e.extversion, e.extrelocatable,
		e.extnamespace::regnamespace::text AS schema, e.extconfig, e.extcondition
	FROM pg_extension e WHERE e.extname = 'authz'
), members AS (
	SELECT d.classid, d.objid, d.objsubid
	FROM pg_depend d, ext
	WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), paragraphs AS (
	SELECT 'extension ' || extname || ' ' || extversion || ' schema ' || schema
		|| ' relocatable ' || extrelocatable
		|| E'\n  config: ' || coalesce((SELECT string_agg(c::regclass::text || ' where ' || quote_literal(w), ', ' ORDER BY c::regclass::text)
			FROM unnest(extconfig, extcondition) AS u(c, w)), '') AS para
	FROM ext
	UNION ALL
	SELECT pg_describe_object(m.classid, m.objid, m.objsubid)
		|| coalesce(E'\n  init privileges: ' || (SELECT string_agg(a::text, ' ' ORDER BY a::text)
			FROM pg_init_privs ip, unnest(ip.initprivs) a
			WHERE ip.classoid = m.classid AND ip.objoid = m.objid AND ip.objsubid = m.objsubid), '')
		|| coalesce(E'\n  comment: ' || pg_catalog.obj_description(m.objid, m.classid::regclass::name), '')
		|| CASE m.classid
		WHEN 'pg_proc'::regclass THEN (
			SELECT E'\n  owner ' || p.proowner::regrole::text
				|| E'\n  acl ' || coalesce((SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(p.proacl) a), 'default')
				|| E'\n  volatile ' || p.provolatile::text || ' parallel ' || p.proparallel::text
				|| ' secdef ' || p.prosecdef || ' strict ' || p.proisstrict || ' leakproof ' || p.proleakproof
				|| ' config ' || coalesce(array_to_string(p.proconfig, ','), '-')
				|| E'\n' || CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) ELSE p.prokind::text END
			FROM pg_proc p WHERE p.oid = m.objid)
		WHEN 'pg_class'::regclass THEN (
			SELECT E'\n  kind ' || c.relkind::text || ' persistence ' || c.relpersistence::text
				|| ' rls ' || c.relrowsecurity || ' force ' || c.relforcerowsecurity
				|| ' replident ' || c.relreplident::text || ' options ' || coalesce(array_to_string(c.reloptions, ','), '-')
				|| E'\n  owner ' || c.relowner::regrole::text
				|| E'\n  acl ' || coalesce((SELECT string_agg(a::text, ' ' ORDER BY a::text) FROM unnest(c.relacl) a), 'default')
				|| coalesce((SELECT string_agg(E'\n  column ' || a.attnum || ' ' || quote_ident(a.attname) || ' '
						|| format_type(a.atttypid, a.atttypmod)
						|| CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
						|| coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
						|| CASE WHEN a.attcollation <> 0 THEN ' collate ' || a.attcollation::regcollation::text ELSE '' END
						|| coalesce(' acl ' || a.attacl::text, '')
						|| coalesce(' comment ' || col_description(c.oid, a.attnum), ''),
						'' ORDER BY a.attnum)
					FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
					WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
				|| coalesce((SELECT string_agg(E'\n  constraint ' || quote_ident(co.conname) || ' ' || pg_get_constraintdef(co.oid), '' ORDER BY co.conname)
					FROM pg_constraint co WHERE co.conrelid = c.oid), '')
				|| coalesce((SELECT string_agg(E'\n  index ' || pg_get_indexdef(i.indexrelid), '' ORDER BY 1)
					FROM pg_index i WHERE i.indrelid = c.oid), '')
				|| coalesce((SELECT string_agg(E'\n  trigger ' || pg_get_triggerdef(t.oid) || ' enabled ' || t.tgenabled::text, '' ORDER BY t.tgname)
					FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal), '')
				|| coalesce((SELECT string_agg(E'\n  policy ' || quote_ident(po.polname) || ' ' || po.polcmd::text || ' ' || po.polpermissive
						|| ' ' || coalesce(pg_get_expr(po.polqual, po.polrelid), '-') || ' ' || coalesce(pg_get_expr(po.polwithcheck, po.polrelid), '-'),
						'' ORDER BY po.polname)
					FROM pg_policy po WHERE po.polrelid = c.oid), '')
			FROM pg_class c WHERE c.oid = m.objid)
		WHEN 'pg_event_trigger'::regclass THEN (
			SELECT E'\n  on ' || e.evtevent || ' execute ' || e.evtfoid::regprocedure::text
				|| ' enabled ' || e.evtenabled::text || ' tags ' || coalesce(array_to_string(e.evttags, ','), '-')
				|| ' owner ' || e.evtowner::regrole::text
			FROM pg_event_trigger e WHERE e.oid = m.objid)
		WHEN 'pg_type'::regclass THEN (
			SELECT E'\n  type ' || format_type(t.oid, NULL) || ' ' || t.typtype::text || ' owner ' || t.typowner::regrole::text
			FROM pg_type t WHERE t.oid = m.objid)
		ELSE ''
		END AS para
	FROM members m
)
SELECT string_agg(para, E'\n' ORDER BY para) FROM paragraphs;
