-- Parcels and warehouse/carrier events. One order is one parcel; after a backorder the citizen
-- may choose to ship the rest now (parcel 1) and the missing item later (parcel 2).

ALTER TABLE order_
    ADD COLUMN handed_off_at    timestamptz,   -- the warehouse accepted the pick list
    ADD COLUMN warehouse_ref    text,
    ADD COLUMN warehouse_error  text;          -- a permanent refusal, for FSC staff to look at

CREATE TABLE parcel (
    order_id        bigint NOT NULL REFERENCES order_ (id),
    parcel_no       integer NOT NULL CHECK (parcel_no >= 1),
    status          text NOT NULL DEFAULT 'placed' CHECK (status IN (
                        'placed', 'received', 'picking', 'packed', 'handed_to_carrier', 'out_for_delivery',
                        'delivery_failed', 'delivered', 'returned')),
    attempt         integer NOT NULL DEFAULT 0,     -- delivery attempt of out_for_delivery/delivery_failed
    carrier         text,
    tracking_no     text,
    tracking_url    text,
    failure_reason  text,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, parcel_no)
);

-- Every event applied, once (the partner's event id is the key); the raw body is kept.
CREATE TABLE warehouse_event (
    event_id        text PRIMARY KEY,
    order_id        bigint NOT NULL REFERENCES order_ (id),
    parcel_no       integer NOT NULL,
    type            text NOT NULL,
    occurred_at     timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    body            jsonb NOT NULL
);
CREATE INDEX warehouse_event_order_idx ON warehouse_event (order_id, occurred_at);

-- Signatures seen within the replay window: an exact replay of a signed request is refused.
CREATE TABLE webhook_signature (
    signature       text PRIMARY KEY,
    seen_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_signature_seen_idx ON webhook_signature (seen_at);

CREATE TABLE backorder (
    order_id        bigint NOT NULL REFERENCES order_ (id),
    item_no         text NOT NULL,
    expected_date   date,
    reason          text,
    decision        text CHECK (decision IN ('wait', 'split')),
    decided_at      timestamptz,
    decided_by_kind text,
    decided_by_id   bigint,
    PRIMARY KEY (order_id, item_no)
);

-- Existing orders get their one parcel, in the order's status (cancelled orders have none).
INSERT INTO parcel (order_id, parcel_no, status)
SELECT id, 1, status FROM order_ WHERE status <> 'cancelled';
