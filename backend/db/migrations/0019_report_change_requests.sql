-- Reports for payers (issue 16 §8): product-change requests and their handling time per payer and
-- day/month, next to the order figures of 0017. A request counts on the Copenhagen day it was made,
-- for the payer it went to (change_request.payer_id); its handling time (made -> decided) is kept
-- as a sparse histogram with the same buckets as the delivery lead time (backend/reports/buckets.py).
ALTER TABLE report_payer_day
    ADD COLUMN change_requests integer NOT NULL DEFAULT 0,   -- requests made this day
    ADD COLUMN change_decided  integer NOT NULL DEFAULT 0,   -- of those, approved or rejected by now
    ADD COLUMN change_buckets  smallint[] NOT NULL DEFAULT '{}',
    ADD COLUMN change_counts   integer[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT report_payer_day_change_histogram_check CHECK (cardinality(change_buckets) = cardinality(change_counts));

ALTER TABLE report_payer_month
    ADD COLUMN change_requests integer NOT NULL DEFAULT 0,
    ADD COLUMN change_decided  integer NOT NULL DEFAULT 0,
    ADD COLUMN change_buckets  smallint[] NOT NULL DEFAULT '{}',
    ADD COLUMN change_counts   integer[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT report_payer_month_change_histogram_check CHECK (cardinality(change_buckets) = cardinality(change_counts));

-- The aggregation reads the recent days of change_request by time.
CREATE INDEX change_request_created_idx ON change_request (created_at);
