-- Caseworkers and product-change requests (issue 16 §4, §5).
-- A caseworker is a staff member of one authority (a municipality or a region): they see only
-- that authority's citizens and the change requests for grants it pays. FSC staff have no authority.
ALTER TABLE staff DROP CONSTRAINT staff_role_check;
ALTER TABLE staff ADD CONSTRAINT staff_role_check CHECK (role IN ('advisor', 'supervisor', 'caseworker'));
ALTER TABLE staff ADD COLUMN authority_id integer REFERENCES authority (id);
ALTER TABLE staff ADD CONSTRAINT staff_caseworker_has_authority CHECK ((role = 'caseworker') = (authority_id IS NOT NULL));

-- Service target for answering a change request, in working days (Danish calendar). Stoma
-- products are urgent for the municipalities, so 2 by default.
ALTER TABLE authority ADD COLUMN change_request_working_days smallint NOT NULL DEFAULT 2
    CHECK (change_request_working_days BETWEEN 1 AND 30);

-- "Jeg har brug for et andet produkt": another product of the same area instead of a granted one.
-- It goes to the grant's payer (payer_id, copied when asked). Approval ends the grant the day before
-- effective_from and creates new_grant_id from that day (same quantity, period, payer, end).
CREATE TABLE change_request (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    citizen_id          bigint NOT NULL REFERENCES citizen (id),
    grant_id            bigint NOT NULL REFERENCES grant_ (id),
    current_product_id  integer NOT NULL REFERENCES product (id),
    wanted_product_id   integer NOT NULL REFERENCES product (id),
    payer_id            integer NOT NULL REFERENCES authority (id),
    reason              text NOT NULL CHECK (reason IN ('leaks', 'skin', 'fit', 'nurse_advice')),
    note                text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    created_by_kind     text NOT NULL CHECK (created_by_kind IN ('citizen', 'relative', 'staff')),
    created_by_id       bigint NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    due_on              date NOT NULL,             -- the payer's service target, counted at creation
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'approved', 'rejected')),
    decided_at          timestamptz,
    decided_by          integer REFERENCES staff (id),
    decision_note       text NOT NULL DEFAULT '' CHECK (length(decision_note) <= 500),
    effective_from      date,
    new_grant_id        bigint REFERENCES grant_ (id),
    CHECK (wanted_product_id <> current_product_id),
    CHECK ((status = 'open') = (decided_at IS NULL) AND (status = 'open') = (decided_by IS NULL)),
    CHECK (status <> 'approved' OR (effective_from IS NOT NULL AND new_grant_id IS NOT NULL)),
    CHECK (status <> 'rejected' OR decision_note <> '')
);
-- One open request per grant; the caseworker queue by payer and due date; the citizen's list.
CREATE UNIQUE INDEX change_request_one_open_key ON change_request (grant_id) WHERE status = 'open';
CREATE INDEX change_request_open_payer_idx ON change_request (payer_id, due_on) WHERE status = 'open';
CREATE INDEX change_request_citizen_idx ON change_request (citizen_id, created_at DESC);
CREATE INDEX change_request_grant_idx ON change_request (grant_id);

-- The caseworker queue's "grants ending soon" per payer.
CREATE INDEX grant_payer_ending_idx ON grant_ (payer_id, valid_to) WHERE valid_to IS NOT NULL;

-- The citizen is told when a change request is answered (push, own switch).
ALTER TABLE push_preference DROP CONSTRAINT push_preference_type_check;
ALTER TABLE push_preference ADD CONSTRAINT push_preference_type_check CHECK (type IN (
    'order_confirmed', 'handed_to_carrier', 'out_for_delivery', 'delivered',
    'delivery_failed', 'backorder', 'callback_reminder', 'time_to_reorder',
    'grant_expiring', 'helper_ordered', 'change_request_decided'));
