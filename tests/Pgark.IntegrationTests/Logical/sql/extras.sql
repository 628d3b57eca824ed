-- Objects that need plpgsql and contrib (btree_gist): loaded where the server has them.
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := '2024-01-01 00:00:00+00';
  RETURN NEW;
END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.touch();
COMMENT ON TRIGGER orders_touch ON shop.orders IS 'keeps updated_at';

CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
CREATE TABLE shop.booking (
  id int PRIMARY KEY,
  room int NOT NULL,
  during tsrange NOT NULL,
  EXCLUDE USING gist (room WITH =, during WITH &&)
);

INSERT INTO shop.booking SELECT g, g % 10, tsrange('2024-01-01'::timestamp + g * interval '1 day', '2024-01-01'::timestamp + (g + 1) * interval '1 day') FROM generate_series(1, 300) g;
