-- A dataset of realistic entropy for the physical benchmarks (about 2-3x compressible, unlike pgbench's
-- filler, which compresses ~22x): random words, numbers, timestamps, hex identifiers and JSON documents.
-- psql -v rows=N -f realistic-dataset.sql   (about 400 bytes per row on disk, with its indexes)
\set ON_ERROR_STOP on
CREATE TABLE words (n int PRIMARY KEY, w text NOT NULL);
INSERT INTO words
SELECT g, string_agg(chr(97 + (random() * 25)::int), '')
  FROM generate_series(1, 4096) g, LATERAL generate_series(1, 3 + (g % 9)) l
 GROUP BY g;

CREATE TABLE events (
    id bigint PRIMARY KEY,
    at timestamptz NOT NULL,
    account int NOT NULL,
    amount numeric(12, 2) NOT NULL,
    status text NOT NULL,
    ref text NOT NULL,
    note text NOT NULL,
    doc jsonb NOT NULL
);

INSERT INTO events
SELECT g,
       '2024-01-01'::timestamptz + (random() * 86400 * 700) * interval '1 second',
       (random() * 1000000)::int,
       round((random() * 100000)::numeric, 2),
       (ARRAY['new', 'paid', 'shipped', 'returned', 'cancelled'])[1 + (random() * 4)::int],
       substr(md5(random()::text), 1, 16),
       concat_ws(' ', wa[1 + (random() * 4095)::int], wa[1 + (random() * 4095)::int], wa[1 + (random() * 4095)::int],
                      wa[1 + (random() * 4095)::int], wa[1 + (random() * 4095)::int], wa[1 + (random() * 4095)::int]),
       jsonb_build_object(
           'sku', substr(md5(g::text || random()), 1, 10),
           'qty', (random() * 20)::int,
           'price', round((random() * 500)::numeric, 2),
           'tags', jsonb_build_array(wa[1 + (random() * 4095)::int], (random() * 1000)::int),
           'geo', jsonb_build_object('lat', round((random() * 180 - 90)::numeric, 5), 'lon', round((random() * 360 - 180)::numeric, 5)))
  FROM generate_series(1, :rows) g, (SELECT array_agg(w ORDER BY n) AS wa FROM words) dictionary;

CREATE INDEX events_account ON events (account);
CREATE INDEX events_at ON events (at);
VACUUM ANALYZE events;
CHECKPOINT;
