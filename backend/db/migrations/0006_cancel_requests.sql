-- A cancellation is a request until the warehouse confirms it; the hand-off of the pick list has
-- a state of its own so a withdrawal knows whether a pick list may still be on its way; orders
-- that need a person at FSC (a cancel that came too late, an event we refused) are listed.

ALTER TABLE order_
    -- NULL = never asked; 'requested' = waiting for the warehouse; 'confirmed' = withdrawn (or
    -- never handed off), the order is 'cancelled'; 'refused' = too late, the order goes on.
    ADD COLUMN cancel_state        text CHECK (cancel_state IN ('requested', 'confirmed', 'refused')),
    ADD COLUMN cancel_requested_at timestamptz,
    ADD COLUMN cancel_decided_at   timestamptz,
    -- NULL = the pick list was never sent; 'sending' = a send started (it may have arrived);
    -- 'accepted' = the warehouse has it; 'stopped' = not sent because a cancel came first;
    -- 'refused' = the warehouse refused it for good.
    ADD COLUMN handoff_state       text CHECK (handoff_state IN ('sending', 'accepted', 'stopped', 'refused')),
    -- True when the warehouse itself confirmed the withdrawal (it will send no more events).
    ADD COLUMN withdrawal_confirmed boolean NOT NULL DEFAULT false;

UPDATE order_ SET handoff_state = 'accepted' WHERE handed_off_at IS NOT NULL;
UPDATE order_ SET cancel_state = 'confirmed', cancel_decided_at = cancelled_at WHERE status = 'cancelled';

-- Allocations freed by a confirmed cancel, kept so that a cancel the warehouse turns out not to
-- have honoured can take its place in the grant back (and for the record).
CREATE TABLE grant_allocation_released (
    order_id        bigint NOT NULL REFERENCES order_ (id),
    grant_id        bigint NOT NULL REFERENCES grant_ (id),
    period_start    date NOT NULL,
    pieces          integer NOT NULL CHECK (pieces > 0),
    released_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (order_id, grant_id, period_start)
);

-- Orders a person at FSC must look at. One open row per order and kind.
CREATE TABLE order_attention (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id        bigint NOT NULL REFERENCES order_ (id),
    kind            text NOT NULL CHECK (kind IN (
                        'cancel_refused', 'withdrawal_failed', 'pick_list_refused', 'event_refused')),
    detail          text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    handled_at      timestamptz,
    handled_by      bigint REFERENCES staff (id)
);
CREATE UNIQUE INDEX order_attention_open_idx ON order_attention (order_id, kind) WHERE handled_at IS NULL;
CREATE INDEX order_attention_waiting_idx ON order_attention (created_at) WHERE handled_at IS NULL;

-- The partner's reasons come as free text (English, for people at the warehouse) and, from now
-- on, as a code that the app turns into its own translated words.
ALTER TABLE backorder ADD COLUMN reason_code text;
ALTER TABLE parcel ADD COLUMN failure_code text;
