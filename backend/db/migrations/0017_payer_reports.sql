-- Reports for payers (issue 16 §8): figures per payer (the authority paying the grant) and day,
-- kept up to date by the worker (backend/reports/aggregate.py), rolled up per month for the page,
-- so a report never scans order_. Rows exist only for days with something to count.

CREATE TABLE report_payer_day (
    payer_id            integer NOT NULL REFERENCES authority (id),
    day                 date NOT NULL,             -- Copenhagen date the order was placed / callback slot
    orders              integer NOT NULL DEFAULT 0, -- orders (not cancelled) with a line this payer pays
    packs               bigint NOT NULL DEFAULT 0,
    pieces              bigint NOT NULL DEFAULT 0,  -- units (stk.)
    spend_oere          bigint NOT NULL DEFAULT 0,  -- packs x contract price per pack
    delivered           integer NOT NULL DEFAULT 0, -- orders placed this day that are delivered
    -- Lead time placed -> delivered of those orders as a sparse histogram: bucket numbers
    -- (backend/reports/buckets.py) and how many orders fell in each; summed per month for p50/p90.
    lead_buckets        smallint[] NOT NULL DEFAULT '{}',
    lead_counts         integer[] NOT NULL DEFAULT '{}',
    backorders          integer NOT NULL DEFAULT 0, -- backordered items of orders placed this day
    -- Callbacks are not paid by anyone: counted for the citizen's municipality, by slot day.
    callbacks_handled   integer NOT NULL DEFAULT 0,
    callbacks_waiting   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (payer_id, day),
    CHECK (cardinality(lead_buckets) = cardinality(lead_counts))
);
-- The monthly roll-up and the recompute read a day range across payers.
CREATE INDEX report_payer_day_day_idx ON report_payer_day (day);

-- The same per month, what the page reads (a payer's year is 12 rows, not 365): each month is the
-- sum of its days, lead-time histograms added bucket by bucket, recomputed with them. Citizens
-- served are counted here only: one citizen orders on several days, so days cannot be added up.
CREATE TABLE report_payer_month (
    payer_id            integer NOT NULL REFERENCES authority (id),
    month               date NOT NULL CHECK (extract(day FROM month) = 1),
    citizens            integer NOT NULL DEFAULT 0,
    orders              integer NOT NULL DEFAULT 0,
    packs               bigint NOT NULL DEFAULT 0,
    pieces              bigint NOT NULL DEFAULT 0,
    spend_oere          bigint NOT NULL DEFAULT 0,
    delivered           integer NOT NULL DEFAULT 0,
    lead_buckets        smallint[] NOT NULL DEFAULT '{}',
    lead_counts         integer[] NOT NULL DEFAULT '{}',
    backorders          integer NOT NULL DEFAULT 0,
    callbacks_handled   integer NOT NULL DEFAULT 0,
    callbacks_waiting   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (payer_id, month),
    CHECK (cardinality(lead_buckets) = cardinality(lead_counts))
);
CREATE INDEX report_payer_month_month_idx ON report_payer_month (month);

-- When the figures were last recomputed (shown on the page).
CREATE TABLE report_refresh (
    id                  boolean PRIMARY KEY DEFAULT true CHECK (id),
    refreshed_at        timestamptz NOT NULL,
    window_from         date NOT NULL
);

-- The aggregation reads the recent days of order_ by time.
CREATE INDEX order_placed_idx ON order_ (placed_at);
