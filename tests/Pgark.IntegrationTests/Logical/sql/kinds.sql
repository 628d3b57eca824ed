-- Collations, aggregates, casts, extended statistics, publications, a subscription and an event trigger (needs plpgsql
-- and the roles of security.sql).
CREATE COLLATION shop.posix_c (provider = libc, locale = 'C');
CREATE TABLE shop.labels (id int PRIMARY KEY, label text COLLATE shop.posix_c);
INSERT INTO shop.labels VALUES (1, 'B'), (2, 'a');
COMMENT ON COLLATION shop.posix_c IS 'byte order';
ALTER COLLATION shop.posix_c OWNER TO shop_owner;

CREATE FUNCTION shop.add_int(state int, x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT state + x';
CREATE AGGREGATE shop.total(int) (SFUNC = shop.add_int, STYPE = int, INITCOND = '0', PARALLEL = SAFE);
CREATE AGGREGATE shop.biggest(int) (SFUNC = int4larger, STYPE = int, SORTOP = >);
CREATE AGGREGATE shop.ordered_sum(int ORDER BY int) (SFUNC = shop.add_int, STYPE = int, INITCOND = '0');
COMMENT ON AGGREGATE shop.total(int) IS 'sums';
ALTER AGGREGATE shop.total(int) OWNER TO clerk;
REVOKE EXECUTE ON FUNCTION shop.biggest(int) FROM PUBLIC;
CREATE VIEW shop.label_total AS SELECT shop.total(id) AS total FROM shop.labels;

CREATE TYPE shop.rgb AS (r int, g int, b int);
CREATE FUNCTION shop.rgb_text(shop.rgb) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT format('#%s%s%s', ($1).r, ($1).g, ($1).b) $$;
CREATE CAST (shop.rgb AS text) WITH FUNCTION shop.rgb_text(shop.rgb) AS ASSIGNMENT;
CREATE CAST (shop.status AS text) WITH INOUT;
COMMENT ON CAST (shop.rgb AS text) IS 'hex';

CREATE STATISTICS shop.orders_stats (dependencies, ndistinct) ON customer_id, status FROM shop.orders;
ALTER STATISTICS shop.orders_stats SET STATISTICS 500;
COMMENT ON STATISTICS shop.orders_stats IS 'correlated';

CREATE PUBLICATION shop_pub FOR TABLE shop.orders, shop.labels (id, label) WHERE (id > 10) WITH (publish = 'insert, update');
CREATE PUBLICATION schema_pub FOR TABLES IN SCHEMA "Mixed Case" WITH (publish_via_partition_root = true);
COMMENT ON PUBLICATION shop_pub IS 'to the warehouse';
ALTER PUBLICATION schema_pub OWNER TO shop_owner;
CREATE SUBSCRIPTION warehouse_sub CONNECTION 'host=/nonexistent dbname=none' PUBLICATION shop_pub WITH (connect = false, slot_name = NONE);

CREATE FUNCTION shop.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'ddl %', tg_tag; END $$;
CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION shop.log_ddl();
ALTER EVENT TRIGGER log_ddl DISABLE;
COMMENT ON EVENT TRIGGER log_ddl IS 'noisy';

-- Operators, text search, foreign data.
CREATE FUNCTION shop.rgb_eq(shop.rgb, shop.rgb) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
CREATE OPERATOR shop.=== (FUNCTION = shop.rgb_eq, LEFTARG = shop.rgb, RIGHTARG = shop.rgb, COMMUTATOR = OPERATOR(shop.===),
  RESTRICT = eqsel, JOIN = eqjoinsel);
CREATE FUNCTION shop.negate(numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT -$1';
CREATE OPERATOR shop.~- (FUNCTION = shop.negate, RIGHTARG = numeric);
COMMENT ON OPERATOR shop.=== (shop.rgb, shop.rgb) IS 'same colour';
ALTER OPERATOR shop.~- (NONE, numeric) OWNER TO clerk;

CREATE TEXT SEARCH DICTIONARY shop.english_stem (TEMPLATE = snowball, language = 'english', stopwords = 'english');
CREATE TEXT SEARCH DICTIONARY shop.simple_dict (TEMPLATE = pg_catalog.simple, stopwords = 'english');
CREATE TEXT SEARCH CONFIGURATION shop.shop_search (PARSER = pg_catalog.default);
ALTER TEXT SEARCH CONFIGURATION shop.shop_search ADD MAPPING FOR asciiword, word WITH shop.english_stem, shop.simple_dict;
ALTER TEXT SEARCH CONFIGURATION shop.shop_search ADD MAPPING FOR int WITH simple;
COMMENT ON TEXT SEARCH CONFIGURATION shop.shop_search IS 'for notes';
ALTER TEXT SEARCH DICTIONARY shop.simple_dict OWNER TO clerk;

CREATE FOREIGN DATA WRAPPER dummy_fdw OPTIONS (debug 'true');
CREATE SERVER warehouse TYPE 'archive' VERSION '1.0' FOREIGN DATA WRAPPER dummy_fdw OPTIONS (host 'warehouse.example', port '5432');
CREATE USER MAPPING FOR clerk SERVER warehouse OPTIONS (user 'clerk', password 'secret');
CREATE USER MAPPING FOR PUBLIC SERVER warehouse;
CREATE FOREIGN TABLE shop.remote_stock (sku text OPTIONS (column_name 'item_sku') NOT NULL, qty int DEFAULT 0)
  SERVER warehouse OPTIONS (table_name 'stock');
COMMENT ON SERVER warehouse IS 'elsewhere';
COMMENT ON FOREIGN TABLE shop.remote_stock IS 'counted elsewhere';
GRANT USAGE ON FOREIGN SERVER warehouse TO clerk;
ALTER SERVER warehouse OWNER TO shop_owner;
GRANT SELECT ON shop.remote_stock TO clerk;

-- Operator classes and families: a default hash class for shop.rgb (and the family it makes implicitly), an expression
-- index using it, and a family with loose members only.
CREATE FUNCTION shop.rgb_hash(shop.rgb) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT hashint4(($1).r * 65536 + ($1).g * 256 + ($1).b)';
CREATE OPERATOR CLASS shop.rgb_hash_ops DEFAULT FOR TYPE shop.rgb USING hash AS
  OPERATOR 1 shop.=== (shop.rgb, shop.rgb), FUNCTION 1 shop.rgb_hash(shop.rgb);
CREATE INDEX labels_colour ON shop.labels USING hash ((ROW(id, id, id)::shop.rgb) shop.rgb_hash_ops);
CREATE OPERATOR FAMILY shop.loose_int_ops USING btree;
ALTER OPERATOR FAMILY shop.loose_int_ops USING btree ADD
  OPERATOR 1 < (int4, int4), OPERATOR 3 = (int4, int4), FUNCTION 1 (int4, int4) btint4cmp(int4, int4);
ALTER OPERATOR FAMILY shop.loose_int_ops USING btree OWNER TO clerk;

-- Database settings and a per-database role setting (named through current_database(): the test names the database).
-- search_path keeps public, so unqualified test queries still work in sessions of the restored database.
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET search_path = "$user", public, "Mixed Case"', current_database());
  EXECUTE format('ALTER DATABASE %I SET work_mem = ''8MB''', current_database());
  EXECUTE format('ALTER ROLE clerk IN DATABASE %I SET statement_timeout = ''5s''', current_database());
  EXECUTE format('ALTER ROLE clerk IN DATABASE %I SET lock_timeout = 2000', current_database());
END $$;
-- The database's own properties (pg_dump prints them, and the restore applies them, only when creating the database):
-- owner, comment, connection limit, template flag, and an ACL with a grant made through WITH GRANT OPTION.
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I OWNER TO shop_owner', current_database());
  EXECUTE format('COMMENT ON DATABASE %I IS %L', current_database(), 'the shop''s database');
  EXECUTE format('ALTER DATABASE %I CONNECTION LIMIT 50', current_database());
  EXECUTE format('ALTER DATABASE %I IS_TEMPLATE true', current_database());
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CREATE ON DATABASE %I TO "Auditor Role" WITH GRANT OPTION', current_database());
END $$;
SET ROLE "Auditor Role";
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO clerk', current_database()); END $$;
RESET ROLE;
-- A comment on an operator class and on an operator family.
COMMENT ON OPERATOR CLASS shop.rgb_hash_ops USING hash IS 'hashes colours';
COMMENT ON OPERATOR FAMILY shop.loose_int_ops USING btree IS 'loose members only';
