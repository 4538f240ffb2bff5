-- pgbench script for bench/floor.py: the least a one-tap reorder can ask of PostgreSQL.
-- The grant rules are Python (backend/grants/rules.py), so an order is at least: BEGIN; one
-- statement that reads and locks everything the rules need (session, citizen, municipality,
-- grants FOR UPDATE, allocations, last order, temporary address); one statement that writes the
-- order, its lines, allocations, parcel, outbox job (pgqueuer) and audit row; COMMIT; then, as the
-- app does since 2026-11-29 (backend/jobs.py), wake the workers in a transaction of its own that
-- does not wait for the disk (pgqueuer's in-transaction NOTIFY trigger is disabled: notifying
-- commits queue one by one behind a database-wide lock). 5 round trips.
-- Variables: citizens (how many bench sessions exist; bench/scale.sql). bench/floor.py also runs
-- it without the lines between the outbox markers.
\set i random(1, :citizens)
BEGIN;
SELECT c.id AS citizen_id, gen_random_uuid() AS key,
       (SELECT array_agg(g.id) FROM (SELECT g.id FROM grant_ g WHERE g.citizen_id = c.id
                                      ORDER BY g.id FOR UPDATE) g) AS gids,
       (SELECT array_agg(p.pack_size ORDER BY g.id) FROM grant_ g JOIN product p ON p.id = g.product_id
         WHERE g.citizen_id = c.id) AS sizes,
       (SELECT array_agg(g.product_id ORDER BY g.id) FROM grant_ g WHERE g.citizen_id = c.id) AS pids,
       (SELECT json_agg(x) FROM (SELECT grant_id, period_start, sum(pieces)::int AS pieces FROM grant_allocation
                                  WHERE grant_id IN (SELECT id FROM grant_ WHERE citizen_id = c.id)
                                    AND period_start >= current_date - 30
                                  GROUP BY grant_id, period_start) x) AS allocations,
       (SELECT json_agg(l) FROM (SELECT l.grant_id, l.packs FROM order_line l
                                  WHERE l.order_id = (SELECT id FROM order_
                                                       WHERE citizen_id = c.id AND status <> 'cancelled'
                                                       ORDER BY placed_at DESC, id DESC LIMIT 1)) l) AS last_order,
       (SELECT row_to_json(t) FROM (SELECT id, street, postcode, city FROM temporary_address
                                     WHERE citizen_id = c.id AND current_date + 3 BETWEEN valid_from AND valid_to
                                     ORDER BY valid_from DESC, id DESC LIMIT 1) t) AS temporary,
       a.participates, a.go_live, a.rules, coalesce(p.method, 'home') AS pref_method
  FROM session s JOIN citizen c ON c.id = s.citizen_id
  JOIN authority a ON a.id = c.municipality_id
  LEFT JOIN delivery_preference p ON p.citizen_id = c.id
 WHERE s.token_hash = sha256(('bench-session-' || lpad(:i::text, 8, '0'))::bytea) AND s.expires_at > now() \gset
WITH o AS (INSERT INTO order_ (citizen_id, status, placed_by_kind, placed_by_id, idempotency_key, request_hash,
                               delivery_method, recipient_name, street, postcode, city, pickup_point_id,
                               leave_at_door, driver_note, expected_delivery)
           VALUES (:citizen_id, 'placed', 'citizen', :citizen_id, :key, sha256(:key::text::bytea), 'home',
                   'Bench Borger', 'Benchvej 1', '8000', 'Aarhus C', NULL, false, '', current_date + 3) RETURNING id),
     l AS (INSERT INTO order_line (order_id, grant_id, product_id, packs, pieces)
           SELECT o.id, x.grant_id, x.product_id, x.packs, x.pieces
             FROM o, unnest(:gids::bigint[], :pids::int[], '{1,1,1}'::int[], :sizes::int[])
                     AS x (grant_id, product_id, packs, pieces)),
     a AS (INSERT INTO grant_allocation (order_id, grant_id, period_start, pieces)
           SELECT o.id, y.grant_id, y.period_start, y.pieces
             FROM o, unnest(:gids::bigint[], ARRAY[current_date, current_date, current_date], :sizes::int[])
                     AS y (grant_id, period_start, pieces)),
     p AS (INSERT INTO parcel (order_id, parcel_no) SELECT id, 1 FROM o),
--<outbox>
     j AS (INSERT INTO pgqueuer (priority, entrypoint, payload, execute_after, dedupe_key, headers, status)
           SELECT 0, 'order_placed', convert_to('{"order_id":' || o.id || '}', 'utf8'), now(),
                  'order_placed:' || o.id, 'null'::jsonb, 'queued' FROM o RETURNING id, entrypoint, priority),
     jl AS (INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority)
            SELECT id, 'queued', entrypoint, priority FROM j),
--</outbox>
     al AS (INSERT INTO audit_log (actor_kind, actor_id, citizen_id, action, detail)
            SELECT 'citizen', :citizen_id, :citizen_id, 'order_placed',
                   jsonb_build_object('one_tap', true, 'order_id', o.id) FROM o)
SELECT id AS order_id FROM o;
COMMIT;
--<outbox>
BEGIN;
SET LOCAL synchronous_commit = off;
SELECT pg_notify('ch_pgqueuer', json_build_object('channel', 'ch_pgqueuer', 'operation', 'insert',
       'sent_at', now(), 'table', 'pgqueuer', 'type', 'table_changed_event')::text);
COMMIT;
--</outbox>
