-- Orders: idempotency, delivery details, cancellation, the parcel lifecycle statuses,
-- per-period allocation of ordered pieces to grants, delivery preferences and pickup points.

-- The parcel lifecycle (shared with the warehouse events) replaces the v1 status list.
ALTER TABLE order_ DROP CONSTRAINT order__status_check;
UPDATE order_ SET status = 'handed_to_carrier' WHERE status = 'shipped';
ALTER TABLE order_ ADD CONSTRAINT order_status_check CHECK (status IN (
    'placed', 'received', 'picking', 'packed', 'handed_to_carrier', 'out_for_delivery',
    'delivered', 'delivery_failed', 'returned', 'cancelled'));

CREATE TABLE pickup_point (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL,
    street          text NOT NULL,
    postcode        text NOT NULL,
    city            text NOT NULL,
    active          boolean NOT NULL DEFAULT true
);

-- The citizen's standing choices; absent row = home delivery, no leave-at-door permission.
CREATE TABLE delivery_preference (
    citizen_id            bigint PRIMARY KEY REFERENCES citizen (id),
    method                text NOT NULL DEFAULT 'home' CHECK (method IN ('home', 'pickup_point')),
    pickup_point_id       integer REFERENCES pickup_point (id),
    leave_at_door_allowed boolean NOT NULL DEFAULT false,
    driver_note           text NOT NULL DEFAULT '' CHECK (length(driver_note) <= 200),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (method <> 'pickup_point' OR pickup_point_id IS NOT NULL)
);

-- A temporary address for a date range (e.g. a summer house); used for deliveries in the range.
CREATE TABLE temporary_address (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    citizen_id      bigint NOT NULL REFERENCES citizen (id),
    street          text NOT NULL,
    postcode        text NOT NULL CHECK (postcode ~ '^[0-9]{4}$'),
    city            text NOT NULL,
    valid_from      date NOT NULL,
    valid_to        date NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_to >= valid_from)
);
CREATE INDEX temporary_address_citizen_idx ON temporary_address (citizen_id, valid_to);

ALTER TABLE order_
    ADD COLUMN idempotency_key   uuid UNIQUE,          -- from the client; a retry returns this order
    ADD COLUMN request_hash      bytea,                -- what the key was used for (basket + delivery)
    ADD COLUMN delivery_method   text NOT NULL DEFAULT 'home'
                                 CHECK (delivery_method IN ('home', 'temporary', 'pickup_point')),
    ADD COLUMN recipient_name    text,
    ADD COLUMN street            text,
    ADD COLUMN postcode          text,
    ADD COLUMN city              text,
    ADD COLUMN pickup_point_id   integer REFERENCES pickup_point (id),
    ADD COLUMN leave_at_door     boolean NOT NULL DEFAULT false,
    ADD COLUMN driver_note       text NOT NULL DEFAULT '',
    ADD COLUMN expected_delivery date,
    ADD COLUMN cancelled_at      timestamptz,
    ADD COLUMN updated_at        timestamptz NOT NULL DEFAULT now();

-- Earlier orders were delivered to the citizen's home address.
UPDATE order_ o SET recipient_name = c.name, street = c.street, postcode = c.postcode, city = c.city
  FROM citizen c WHERE c.id = o.citizen_id;
ALTER TABLE order_ ALTER COLUMN recipient_name SET NOT NULL,
                   ALTER COLUMN street SET NOT NULL,
                   ALTER COLUMN postcode SET NOT NULL,
                   ALTER COLUMN city SET NOT NULL;

-- Which grant periods an order line draws on (an order may pre-order the next periods' quota
-- within the supply horizon). Cancelling an order deletes its allocations.
CREATE TABLE grant_allocation (
    order_id        bigint NOT NULL REFERENCES order_ (id),
    grant_id        bigint NOT NULL REFERENCES grant_ (id),
    period_start    date NOT NULL,
    pieces          integer NOT NULL CHECK (pieces > 0),
    PRIMARY KEY (order_id, grant_id, period_start)
);
CREATE INDEX grant_allocation_grant_period_idx ON grant_allocation (grant_id, period_start) INCLUDE (pieces);

-- Earlier (not cancelled) order lines count in the period of their order date.
INSERT INTO grant_allocation (order_id, grant_id, period_start, pieces)
SELECT l.order_id, l.grant_id,
       g.valid_from + (((o.placed_at AT TIME ZONE 'Europe/Copenhagen')::date - g.valid_from) / g.period_days)
                      * g.period_days,
       l.pieces
  FROM order_line l JOIN order_ o ON o.id = l.order_id JOIN grant_ g ON g.id = l.grant_id
 WHERE o.status <> 'cancelled' AND (o.placed_at AT TIME ZONE 'Europe/Copenhagen')::date >= g.valid_from;
