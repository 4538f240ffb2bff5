-- Scale the demo data for benchmarks: :n citizens with 3 grants each, two past orders each
-- (in earlier grant periods, so today's quota is free) and a login session each. bench/reorder.py
-- then allocates the orders to their grant periods, as the app does for every order it places,
-- and runs VACUUM ANALYZE, as any bulk load should end.
-- Session tokens are 'bench-session-' || lpad(i, 8, '0'); the load scripts use the same.
INSERT INTO citizen (cpr_hash, name, street, postcode, city, municipality_id, language, stoma_since)
SELECT sha256(('bench-citizen-' || i)::bytea), 'Bench Borger ' || i, 'Benchvej ' || i, '8000', 'Aarhus C',
       live.ids[1 + i % array_length(live.ids, 1)], 'da', current_date - 1000
  FROM generate_series(1, :n) i,
       (SELECT array_agg(id) AS ids FROM authority WHERE participates AND go_live <= current_date) live;

CREATE TEMP TABLE bench_citizen AS
SELECT c.id, row_number() OVER (ORDER BY c.id) AS i FROM citizen c WHERE c.name LIKE 'Bench Borger %';

INSERT INTO session (token_hash, citizen_id, expires_at)
SELECT sha256(('bench-session-' || lpad(b.i::text, 8, '0'))::bytea), b.id, now() + interval '1 day'
  FROM bench_citizen b;

INSERT INTO grant_ (citizen_id, product_id, quantity_per_period, period_days, valid_from, payer_id)
SELECT b.id, p.id, p.pack_size * 3, 30, current_date - 100 - (b.i % 20)::int, c.municipality_id
  FROM bench_citizen b
  JOIN citizen c ON c.id = b.id
  CROSS JOIN LATERAL (SELECT id, pack_size FROM product ORDER BY (id * 7919 + b.i) % 57 LIMIT 3) p;

CREATE TEMP TABLE bench_order AS
SELECT b.id AS citizen_id, d.days_ago FROM bench_citizen b CROSS JOIN (VALUES (45), (75)) d(days_ago);

INSERT INTO order_ (citizen_id, status, placed_at, recipient_name, street, postcode, city, expected_delivery)
SELECT o.citizen_id, 'delivered', now() - make_interval(days => o.days_ago), c.name, c.street, c.postcode, c.city,
       current_date - o.days_ago + 3
  FROM bench_order o JOIN citizen c ON c.id = o.citizen_id;

INSERT INTO order_line (order_id, grant_id, product_id, packs, pieces)
SELECT o.id, g.id, g.product_id, 1, p.pack_size
  FROM order_ o
  JOIN bench_citizen b ON b.id = o.citizen_id
  JOIN grant_ g ON g.citizen_id = o.citizen_id
  JOIN product p ON p.id = g.product_id;
