-- The core of a database exercising the object kinds pgark's logical backup supports (see spec/logical-format.md §4);
-- extras.sql adds what needs server extras beyond the bare binaries (plpgsql, contrib).
CREATE SCHEMA shop;
CREATE SCHEMA "Mixed Case";
COMMENT ON SCHEMA shop IS 'the shop''s objects';

CREATE TYPE shop.status AS ENUM ('new', 'paid', 'shipped');
CREATE DOMAIN shop.positive_money AS numeric(12,2) DEFAULT 0 NOT NULL CONSTRAINT money_positive CHECK (VALUE >= 0);
CREATE TYPE shop.address AS (street text, city text COLLATE "C", zip shop.positive_money);
CREATE TYPE shop.floatrange AS RANGE (subtype = float8, subtype_diff = float8mi);
COMMENT ON TYPE shop.status IS 'order status';

CREATE FUNCTION shop.price_with_tax(amount numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT amount * 1.2 $$;
CREATE PROCEDURE shop.noop(x integer) LANGUAGE sql AS $$ SELECT x $$;
COMMENT ON FUNCTION shop.price_with_tax(numeric) IS 'adds 20%';

CREATE SEQUENCE shop.invoice_no AS integer START WITH 1000 INCREMENT BY 5 CACHE 1;

CREATE TABLE shop.customer (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL COLLATE "C",
  email text UNIQUE,
  address shop.address,
  created date DEFAULT '2024-01-01'
);
COMMENT ON TABLE shop.customer IS 'people who buy';
COMMENT ON COLUMN shop.customer.email IS 'unique when given';

CREATE TABLE shop.orders (
  id bigserial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES shop.customer (id) DEFERRABLE INITIALLY DEFERRED,
  status shop.status NOT NULL DEFAULT 'new',
  amount shop.positive_money,
  amount_with_tax numeric GENERATED ALWAYS AS (shop.price_with_tax(amount)) STORED,
  note text,
  updated_at timestamptz,
  invoice integer DEFAULT nextval('shop.invoice_no'),
  CONSTRAINT amount_sane CHECK (amount < 1000000)
);
CREATE INDEX orders_customer ON shop.orders (customer_id, status);
CREATE INDEX orders_note_lower ON shop.orders (lower(note)) WHERE note IS NOT NULL;
COMMENT ON INDEX shop.orders_customer IS 'lookups by customer';
ALTER SEQUENCE shop.invoice_no OWNED BY shop.orders.invoice;

CREATE TABLE shop.measure (
  city_id int NOT NULL,
  logdate date NOT NULL,
  peaktemp int,
  UNIQUE (city_id, logdate)
) PARTITION BY RANGE (logdate);
CREATE TABLE shop.measure_2023 PARTITION OF shop.measure FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE shop.measure_2024 PARTITION OF shop.measure FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX measure_peak ON shop.measure (peaktemp);

CREATE TABLE shop.base_item (id int, label text);
CREATE TABLE shop.special_item (extra jsonb) INHERITS (shop.base_item);
CREATE UNLOGGED TABLE shop.cache (k text PRIMARY KEY, v bytea) WITH (fillfactor = 70);
CREATE TABLE "Mixed Case"."Odd ""Name""" ("Col 1" int, "select" text);

CREATE TABLE shop.secret (id int, owner_name text);
ALTER TABLE shop.secret ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON shop.secret FOR SELECT TO PUBLIC USING (owner_name = current_user);
CREATE RULE secret_no_delete AS ON DELETE TO shop.secret DO INSTEAD NOTHING;

CREATE VIEW shop.paid_orders AS SELECT o.id, o.amount, c.name FROM shop.orders o JOIN shop.customer c ON c.id = o.customer_id WHERE o.status = 'paid';
CREATE VIEW shop.big_paid AS SELECT * FROM shop.paid_orders WHERE amount > 100;
CREATE MATERIALIZED VIEW shop.totals AS SELECT customer_id, sum(amount) AS total FROM shop.orders GROUP BY customer_id;
CREATE UNIQUE INDEX totals_customer ON shop.totals (customer_id);
COMMENT ON VIEW shop.paid_orders IS 'paid only';
-- GROUP BY the primary key: name is functionally dependent, so the view needs the constraint (and so does the one over it).
CREATE VIEW shop.customer_orders AS SELECT c.id, c.name, count(o.id) AS orders FROM shop.customer c LEFT JOIN shop.orders o ON o.customer_id = c.id GROUP BY c.id;
CREATE VIEW shop.busy_customers AS SELECT name FROM shop.customer_orders WHERE orders > 30;
COMMENT ON VIEW shop.customer_orders IS 'created after customer_pkey';

-- Data
INSERT INTO shop.customer (name, email, address)
SELECT 'customer ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'c' || g || '@example.com' END,
       ROW('street ' || g, E'city\twith tab', g)::shop.address
FROM generate_series(1, 500) g;
INSERT INTO shop.orders (customer_id, status, amount, note)
SELECT 1 + g % 500, (ARRAY['new', 'paid', 'shipped'])[1 + g % 3]::shop.status, (g % 997) * 1.5,
       CASE WHEN g % 5 = 0 THEN NULL ELSE E'note\nline ' || g || ' \\ żółw' END
FROM generate_series(1, 20000) g;
INSERT INTO shop.measure SELECT g % 20, '2023-01-01'::date + g, g % 40 FROM generate_series(0, 700) g;
INSERT INTO shop.base_item VALUES (1, 'base');
INSERT INTO shop.special_item VALUES (2, 'special', '{"a": [1, 2]}');
INSERT INTO shop.cache SELECT 'k' || g, decode(md5(g::text), 'hex') FROM generate_series(1, 100) g;
INSERT INTO "Mixed Case"."Odd ""Name""" VALUES (1, 'from'), (NULL, NULL);
INSERT INTO shop.secret VALUES (1, 'postgres');
SELECT nextval('shop.invoice_no');
REFRESH MATERIALIZED VIEW shop.totals;
