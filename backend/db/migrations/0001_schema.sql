-- Schema v1: authorities, the shared catalogue, citizens, grants, orders (for balances),
-- server-side sessions and the append-only audit log.
-- Money is stored in øre (integer); quantities of a grant are in pieces (stk.), orders in packs.

CREATE TABLE authority (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('region', 'municipality')),
    code            integer NOT NULL UNIQUE,
    name            text NOT NULL,
    region_id       integer REFERENCES authority (id),
    participates    boolean NOT NULL DEFAULT false,
    go_live         date,
    -- per-authority overrides of the grant rules (see backend/grants/rules.py RuleConfig)
    rules           jsonb NOT NULL DEFAULT '{}'::jsonb,
    CHECK ((kind = 'region') = (region_id IS NULL))
);

CREATE TABLE product_area (
    code            text PRIMARY KEY,          -- stomi, urologi, saar, diabetes, ernaering
    sort_order      integer NOT NULL,
    active          boolean NOT NULL DEFAULT false
);

CREATE TABLE manufacturer (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE
);

CREATE TABLE product (
    id              integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_code       text NOT NULL REFERENCES product_area (code),
    manufacturer_id integer NOT NULL REFERENCES manufacturer (id),
    item_no         text NOT NULL,
    hmi_no          text,
    name            text NOT NULL,
    category        text NOT NULL,             -- key, translated in the UI (e.g. one_piece_bag)
    pack_size       integer NOT NULL CHECK (pack_size > 0),
    unit            text NOT NULL,             -- key, translated in the UI (e.g. piece)
    price_oere      bigint NOT NULL CHECK (price_oere >= 0),   -- contract price per pack
    active          boolean NOT NULL DEFAULT true,
    UNIQUE (manufacturer_id, item_no)
);
CREATE UNIQUE INDEX product_hmi_no_key ON product (hmi_no) WHERE hmi_no IS NOT NULL;

CREATE TABLE citizen (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cpr_hash        bytea NOT NULL UNIQUE,     -- HMAC-SHA256(FSC_CPR_KEY, cpr); CPR never stored in clear
    name            text NOT NULL,
    street          text NOT NULL,
    postcode        text NOT NULL,
    city            text NOT NULL,
    municipality_id integer NOT NULL REFERENCES authority (id),
    phone           text,
    language        text NOT NULL DEFAULT 'da' CHECK (language IN ('da', 'en')),
    stoma_since     date,                      -- start of the "new stoma" rule window
    is_demo         boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX citizen_municipality_idx ON citizen (municipality_id);

CREATE TABLE grant_ (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    citizen_id          bigint NOT NULL REFERENCES citizen (id),
    product_id          integer NOT NULL REFERENCES product (id),
    quantity_per_period integer NOT NULL CHECK (quantity_per_period > 0),  -- pieces
    period_days         integer NOT NULL CHECK (period_days BETWEEN 1 AND 366),
    valid_from          date NOT NULL,
    valid_to            date,                  -- inclusive; NULL = until further notice
    payer_id            integer NOT NULL REFERENCES authority (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX grant_citizen_idx ON grant_ (citizen_id);

CREATE TABLE order_ (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    citizen_id      bigint NOT NULL REFERENCES citizen (id),
    status          text NOT NULL DEFAULT 'placed'
                    CHECK (status IN ('placed', 'picking', 'packed', 'shipped', 'delivered', 'cancelled')),
    placed_at       timestamptz NOT NULL DEFAULT now(),
    placed_by_kind  text NOT NULL DEFAULT 'citizen' CHECK (placed_by_kind IN ('citizen', 'relative', 'staff', 'system')),
    placed_by_id    bigint
);
CREATE INDEX order_citizen_placed_idx ON order_ (citizen_id, placed_at DESC);

CREATE TABLE order_line (
    order_id        bigint NOT NULL REFERENCES order_ (id),
    grant_id        bigint NOT NULL REFERENCES grant_ (id),
    product_id      integer NOT NULL REFERENCES product (id),
    packs           integer NOT NULL CHECK (packs > 0),
    pieces          integer NOT NULL CHECK (pieces > 0),   -- packs * pack_size at order time
    PRIMARY KEY (order_id, grant_id)
);
CREATE INDEX order_line_grant_idx ON order_line (grant_id);

CREATE TABLE session (
    token_hash      bytea PRIMARY KEY,         -- SHA-256 of the cookie value; the value itself is never stored
    citizen_id      bigint NOT NULL REFERENCES citizen (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX session_expires_idx ON session (expires_at);

-- Append-only: the app role may INSERT and SELECT, never UPDATE or DELETE (enforced by trigger).
CREATE TABLE audit_log (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor_kind      text NOT NULL,             -- citizen, relative, staff, system
    actor_id        bigint,
    citizen_id      bigint,
    action          text NOT NULL,
    detail          jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_citizen_idx ON audit_log (citizen_id, at DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

INSERT INTO product_area (code, sort_order, active) VALUES
    ('stomi', 1, true), ('urologi', 2, false), ('saar', 3, false), ('diabetes', 4, false), ('ernaering', 5, false);
