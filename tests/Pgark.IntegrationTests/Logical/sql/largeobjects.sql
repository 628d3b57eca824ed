-- Large objects: one over several chunks and lo_get pieces, a small binary one, an empty one; owners, a grant, a comment.
SELECT pg_catalog.lo_from_bytea(424242, (SELECT pg_catalog.decode(pg_catalog.string_agg(md5(g::text), '' ORDER BY g), 'hex')
  FROM generate_series(1, 60000) g));
SELECT pg_catalog.lo_from_bytea(424243, '\x00ff0a5c00'::bytea);
SELECT pg_catalog.lo_create(424244);
ALTER LARGE OBJECT 424242 OWNER TO clerk;
GRANT SELECT ON LARGE OBJECT 424243 TO "Auditor Role";
GRANT UPDATE ON LARGE OBJECT 424243 TO clerk;
COMMENT ON LARGE OBJECT 424242 IS 'a big one';
