-- A description of everything a database holds, one line per fact, built by the server's own catalog functions
-- (pg_identify_object, pg_get_*def, format_type, aclitem output), not by pgark's extraction queries: the oracle of the
-- cross-major tests, where no pg_dump of the newer major is installed (the npm builds ship only the server programs).
-- Objects are named by identity, never by oid, and user objects are those with oid >= 16384 outside pg_toast and not
-- members of an extension, nor the array types and operator family members that belong to an extension's objects (an
-- extension's newer version adds some: btree_gist 1.7 on 17 has no arrays of its key types, 1.8 on 18 more support
-- functions). Every fact is text, so the two servers' rows compare line for line.
WITH objects AS (
  SELECT o.classid, o.objid
  FROM (
    SELECT 'pg_namespace'::regclass AS classid, oid AS objid FROM pg_namespace
    UNION ALL SELECT 'pg_class'::regclass, c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT LIKE 'pg\_toast%'
    UNION ALL SELECT 'pg_proc'::regclass, oid FROM pg_proc
    UNION ALL SELECT 'pg_type'::regclass, t.oid FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname NOT LIKE 'pg\_toast%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_type'::regclass AND e.objid = t.typelem AND e.deptype = 'e')
    UNION ALL SELECT 'pg_constraint'::regclass, oid FROM pg_constraint WHERE contype <> 'n'
    UNION ALL SELECT 'pg_trigger'::regclass, oid FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'pg_rewrite'::regclass, oid FROM pg_rewrite
    UNION ALL SELECT 'pg_policy'::regclass, oid FROM pg_policy
    UNION ALL SELECT 'pg_operator'::regclass, oid FROM pg_operator
    UNION ALL SELECT 'pg_opclass'::regclass, oid FROM pg_opclass
    UNION ALL SELECT 'pg_opfamily'::regclass, oid FROM pg_opfamily
    UNION ALL SELECT 'pg_amop'::regclass, oid FROM pg_amop
      WHERE NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_opfamily'::regclass AND e.objid = amopfamily AND e.deptype = 'e')
    UNION ALL SELECT 'pg_amproc'::regclass, oid FROM pg_amproc
      WHERE NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_opfamily'::regclass AND e.objid = amprocfamily AND e.deptype = 'e')
    UNION ALL SELECT 'pg_cast'::regclass, oid FROM pg_cast
    UNION ALL SELECT 'pg_collation'::regclass, oid FROM pg_collation
    UNION ALL SELECT 'pg_ts_config'::regclass, oid FROM pg_ts_config
    UNION ALL SELECT 'pg_ts_dict'::regclass, oid FROM pg_ts_dict
    UNION ALL SELECT 'pg_foreign_data_wrapper'::regclass, oid FROM pg_foreign_data_wrapper
    UNION ALL SELECT 'pg_foreign_server'::regclass, oid FROM pg_foreign_server
    UNION ALL SELECT 'pg_user_mapping'::regclass, oid FROM pg_user_mapping
    UNION ALL SELECT 'pg_publication'::regclass, oid FROM pg_publication
    UNION ALL SELECT 'pg_publication_rel'::regclass, oid FROM pg_publication_rel
    UNION ALL SELECT 'pg_subscription'::regclass, oid FROM pg_subscription WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
    UNION ALL SELECT 'pg_event_trigger'::regclass, oid FROM pg_event_trigger
    UNION ALL SELECT 'pg_statistic_ext'::regclass, oid FROM pg_statistic_ext
    UNION ALL SELECT 'pg_extension'::regclass, oid FROM pg_extension
    UNION ALL SELECT 'pg_default_acl'::regclass, oid FROM pg_default_acl
    UNION ALL SELECT 'pg_largeobject'::regclass, oid FROM pg_largeobject_metadata
  ) o
  WHERE o.objid >= 16384
    AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = o.classid AND e.objid = o.objid AND e.deptype = 'e')
),
named AS (
  SELECT o.classid, o.objid, i.type || ' ' || i.identity AS name FROM objects o, pg_identify_object(o.classid, o.objid, 0) i
),
facts AS (
  -- Every object, its owner (pg_shdepend) and comment.
  SELECT n.name || ' exists' AS fact FROM named n
  UNION ALL
  SELECT n.name || ' owner ' || pg_get_userbyid(s.refobjid) FROM named n
    JOIN pg_shdepend s ON s.classid = n.classid AND s.objid = n.objid AND s.deptype = 'o'
      AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL
  SELECT n.name || coalesce(' column ' || quote_ident(a.attname), '') || ' comment ' || d.description FROM named n
    JOIN pg_description d ON d.classoid = n.classid AND d.objoid = n.objid
    LEFT JOIN pg_attribute a ON n.classid = 'pg_class'::regclass AND a.attrelid = n.objid AND a.attnum = d.objsubid AND d.objsubid <> 0
  -- Privileges, with their grantors (aclitem text names them).
  UNION ALL
  SELECT n.name || ' acl ' || x.acl::text FROM named n,
    LATERAL (SELECT relacl FROM pg_class WHERE n.classid = 'pg_class'::regclass AND oid = n.objid
      UNION ALL SELECT nspacl FROM pg_namespace WHERE n.classid = 'pg_namespace'::regclass AND oid = n.objid
      UNION ALL SELECT proacl FROM pg_proc WHERE n.classid = 'pg_proc'::regclass AND oid = n.objid
      UNION ALL SELECT typacl FROM pg_type WHERE n.classid = 'pg_type'::regclass AND oid = n.objid
      UNION ALL SELECT lomacl FROM pg_largeobject_metadata WHERE n.classid = 'pg_largeobject'::regclass AND oid = n.objid
      UNION ALL SELECT fdwacl FROM pg_foreign_data_wrapper WHERE n.classid = 'pg_foreign_data_wrapper'::regclass AND oid = n.objid
      UNION ALL SELECT srvacl FROM pg_foreign_server WHERE n.classid = 'pg_foreign_server'::regclass AND oid = n.objid
      UNION ALL SELECT defaclacl FROM pg_default_acl WHERE n.classid = 'pg_default_acl'::regclass AND oid = n.objid) x(acl)
    WHERE x.acl IS NOT NULL
  -- Relations: kind, persistence, options, partition bound, and every column.
  UNION ALL
  SELECT n.name || ' relation ' || c.relkind::text || c.relpersistence::text || ' ' || coalesce(c.reloptions::text, '') || ' ' ||
    coalesce(pg_get_expr(c.relpartbound, c.oid), '') || ' ' || coalesce(pg_get_partkeydef(c.oid), '') || ' rls ' || c.relrowsecurity || c.relforcerowsecurity
  FROM named n JOIN pg_class c ON n.classid = 'pg_class'::regclass AND c.oid = n.objid
  UNION ALL
  SELECT n.name || ' column ' || a.attnum || ' ' || quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) ||
    CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || ' identity ' || a.attidentity::text || ' generated ' || a.attgenerated::text ||
    ' collation ' || coalesce((SELECT collname FROM pg_collation WHERE oid = a.attcollation), '-') ||
    ' default ' || coalesce(pg_get_expr(ad.adbin, ad.adrelid), '-') || ' storage ' || a.attstorage::text ||
    ' acl ' || coalesce(a.attacl::text, '-') || ' options ' || coalesce(a.attoptions::text, '-') || ' fdw ' || coalesce(a.attfdwoptions::text, '-')
  FROM named n JOIN pg_attribute a ON n.classid = 'pg_class'::regclass AND a.attrelid = n.objid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
  UNION ALL
  SELECT n.name || ' inherits ' || i.inhparent::regclass::text || ' ' || i.inhseqno FROM named n
    JOIN pg_inherits i ON n.classid = 'pg_class'::regclass AND i.inhrelid = n.objid
  -- Definitions the server deparses.
  UNION ALL
  SELECT n.name || ' view ' || pg_get_viewdef(n.objid) FROM named n JOIN pg_class c ON n.classid = 'pg_class'::regclass AND c.oid = n.objid
    WHERE c.relkind IN ('v', 'm')
  UNION ALL
  SELECT n.name || ' index ' || pg_get_indexdef(n.objid) FROM named n JOIN pg_class c ON n.classid = 'pg_class'::regclass AND c.oid = n.objid
    WHERE c.relkind IN ('i', 'I')
  UNION ALL
  SELECT n.name || ' sequence ' || format_type(s.seqtypid, NULL) || ' ' || s.seqstart || ' ' || s.seqincrement || ' ' || s.seqmin || ' ' ||
    s.seqmax || ' ' || s.seqcache || ' ' || s.seqcycle FROM named n JOIN pg_sequence s ON n.classid = 'pg_class'::regclass AND s.seqrelid = n.objid
  UNION ALL
  SELECT n.name || ' function ' || pg_get_functiondef(n.objid) FROM named n JOIN pg_proc p ON n.classid = 'pg_proc'::regclass AND p.oid = n.objid
    WHERE p.prokind <> 'a'
  UNION ALL
  SELECT n.name || ' aggregate ' || a.aggtransfn::regprocedure::text || ' ' || format_type(a.aggtranstype, NULL) || ' ' || a.aggfinalfn::text || ' ' ||
    coalesce(a.agginitval, '-') || ' ' || a.aggsortop::regoperator::text || ' ' || a.aggkind::text || ' ' || p.proparallel::text
  FROM named n JOIN pg_aggregate a ON n.classid = 'pg_proc'::regclass AND a.aggfnoid = n.objid JOIN pg_proc p ON p.oid = a.aggfnoid
  UNION ALL
  SELECT n.name || ' constraint ' || pg_get_constraintdef(n.objid) || ' ' || co.condeferrable || co.condeferred || co.convalidated
  FROM named n JOIN pg_constraint co ON n.classid = 'pg_constraint'::regclass AND co.oid = n.objid
  UNION ALL
  SELECT n.name || ' trigger ' || pg_get_triggerdef(n.objid) || ' ' || t.tgenabled::text FROM named n
    JOIN pg_trigger t ON n.classid = 'pg_trigger'::regclass AND t.oid = n.objid
  UNION ALL
  SELECT n.name || ' rule ' || pg_get_ruledef(n.objid) FROM named n JOIN pg_rewrite r ON n.classid = 'pg_rewrite'::regclass AND r.oid = n.objid
    WHERE r.rulename <> '_RETURN'
  UNION ALL
  SELECT n.name || ' policy ' || p.polcmd::text || ' ' || p.polpermissive || ' ' || array_to_string(ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE
      pg_get_userbyid(r) END FROM unnest(p.polroles) r ORDER BY 1), ',') || ' using ' || coalesce(pg_get_expr(p.polqual, p.polrelid), '-') ||
    ' check ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '-')
  FROM named n JOIN pg_policy p ON n.classid = 'pg_policy'::regclass AND p.oid = n.objid
  UNION ALL
  SELECT n.name || ' type ' || t.typtype::text || ' ' || format_type(t.typbasetype, t.typtypmod) || ' ' || t.typnotnull || ' ' ||
    coalesce(t.typdefault, '-') || ' enum ' || coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e
      WHERE e.enumtypid = t.oid), '-') || ' range ' || coalesce((SELECT format_type(r.rngsubtype, NULL) || ' ' || r.rngsubdiff::text FROM pg_range r
      WHERE r.rngtypid = t.oid), '-')
  FROM named n JOIN pg_type t ON n.classid = 'pg_type'::regclass AND t.oid = n.objid
  UNION ALL
  SELECT n.name || ' operator ' || o.oprcode::regprocedure::text || ' ' || o.oprcom::regoperator::text || ' ' || o.oprnegate::regoperator::text || ' ' ||
    o.oprrest::text || ' ' || o.oprjoin::text || ' ' || o.oprcanhash || o.oprcanmerge
  FROM named n JOIN pg_operator o ON n.classid = 'pg_operator'::regclass AND o.oid = n.objid
  UNION ALL
  SELECT n.name || ' opclass default ' || c.opcdefault || ' storage ' || c.opckeytype::regtype::text FROM named n
    JOIN pg_opclass c ON n.classid = 'pg_opclass'::regclass AND c.oid = n.objid
  UNION ALL
  SELECT n.name || ' cast ' || c.castfunc::regprocedure::text || ' ' || c.castcontext::text || c.castmethod::text FROM named n
    JOIN pg_cast c ON n.classid = 'pg_cast'::regclass AND c.oid = n.objid
  UNION ALL
  SELECT n.name || ' collation ' || c.collprovider::text || ' ' || c.collisdeterministic || ' ' || coalesce(c.collcollate, '-') || ' ' || coalesce(c.collctype, '-')
  FROM named n JOIN pg_collation c ON n.classid = 'pg_collation'::regclass AND c.oid = n.objid
  UNION ALL
  SELECT n.name || ' mapping ' || m.maptokentype || ' ' || m.mapseqno || ' ' || m.mapdict::regdictionary::text FROM named n
    JOIN pg_ts_config_map m ON n.classid = 'pg_ts_config'::regclass AND m.mapcfg = n.objid
  UNION ALL
  SELECT n.name || ' dictionary ' || (SELECT tmplname FROM pg_ts_template WHERE oid = d.dicttemplate) || ' ' || coalesce(d.dictinitoption, '-') FROM named n
    JOIN pg_ts_dict d ON n.classid = 'pg_ts_dict'::regclass AND d.oid = n.objid
  UNION ALL
  SELECT n.name || ' options ' || x.opts::text FROM named n,
    LATERAL (SELECT fdwoptions FROM pg_foreign_data_wrapper WHERE n.classid = 'pg_foreign_data_wrapper'::regclass AND oid = n.objid
      UNION ALL SELECT srvoptions || ARRAY[coalesce(srvtype, '-'), coalesce(srvversion, '-')] FROM pg_foreign_server
        WHERE n.classid = 'pg_foreign_server'::regclass AND oid = n.objid
      UNION ALL SELECT umoptions FROM pg_user_mapping WHERE n.classid = 'pg_user_mapping'::regclass AND oid = n.objid
      UNION ALL SELECT ftoptions FROM pg_foreign_table WHERE n.classid = 'pg_class'::regclass AND ftrelid = n.objid) x(opts)
    WHERE x.opts IS NOT NULL
  UNION ALL
  SELECT n.name || ' publication ' || p.puballtables || p.pubinsert || p.pubupdate || p.pubdelete || p.pubtruncate || p.pubviaroot FROM named n
    JOIN pg_publication p ON n.classid = 'pg_publication'::regclass AND p.oid = n.objid
  UNION ALL
  SELECT n.name || ' publication table ' || coalesce(pg_get_expr(r.prqual, r.prrelid), '-') || ' ' || coalesce(r.prattrs::text, '-') FROM named n
    JOIN pg_publication_rel r ON n.classid = 'pg_publication_rel'::regclass AND r.oid = n.objid
  UNION ALL
  SELECT n.name || ' subscription ' || s.subenabled || ' ' || coalesce(s.subslotname::text, '-') || ' ' || s.subsynccommit || ' ' ||
    array_to_string(s.subpublications, ',') FROM named n JOIN pg_subscription s ON n.classid = 'pg_subscription'::regclass AND s.oid = n.objid
  UNION ALL
  SELECT n.name || ' event trigger ' || e.evtevent || ' ' || e.evtfoid::regprocedure::text || ' ' || e.evtenabled::text || ' ' ||
    coalesce(e.evttags::text, '-') FROM named n JOIN pg_event_trigger e ON n.classid = 'pg_event_trigger'::regclass AND e.oid = n.objid
  UNION ALL
  SELECT n.name || ' statistics ' || pg_get_statisticsobjdef(n.objid) FROM named n WHERE n.classid = 'pg_statistic_ext'::regclass
  -- The database itself and its settings.
  UNION ALL
  SELECT 'database owner ' || pg_get_userbyid(d.datdba) || ' acl ' || coalesce(d.datacl::text, '-') || ' connection limit ' || d.datconnlimit ||
    ' template ' || d.datistemplate || ' comment ' || coalesce(shobj_description(d.oid, 'pg_database'), '-')
  FROM pg_database d WHERE d.datname = current_database()
  UNION ALL
  SELECT 'database setting ' || coalesce(pg_get_userbyid(NULLIF(s.setrole, 0)), '-') || ' ' || array_to_string(s.setconfig, ' | ')
  FROM pg_db_role_setting s WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
)
SELECT fact FROM facts ORDER BY fact COLLATE "C";
