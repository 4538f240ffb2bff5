-- Web Push: a citizen's devices (push subscriptions), what they want to be told, which
-- notifications each device already got (so a retried job never notifies a device twice),
-- and which reminders were sent (once per grant period).

-- One row per browser/device subscription. The endpoint is the push service URL for that device.
CREATE TABLE push_subscription (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    citizen_id      bigint NOT NULL REFERENCES citizen (id),
    endpoint        text NOT NULL UNIQUE,      -- https:// (checked by the subscribe endpoint)
    p256dh          text NOT NULL,             -- the device's ECDH public key (base64url, 65 bytes)
    auth            text NOT NULL,             -- the device's auth secret (base64url, 16 bytes)
    language        text NOT NULL DEFAULT 'da' CHECK (language IN ('da', 'en')),
    label           text NOT NULL DEFAULT '',  -- e.g. "iPhone · Safari", from the User-Agent, shown in the list
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_success_at timestamptz
);
CREATE INDEX push_subscription_citizen_idx ON push_subscription (citizen_id);

-- Per citizen (not per device): a type absent here is on. Remembered across devices.
CREATE TABLE push_preference (
    citizen_id      bigint NOT NULL REFERENCES citizen (id),
    type            text NOT NULL CHECK (type IN (
                        'order_confirmed', 'handed_to_carrier', 'out_for_delivery', 'delivered',
                        'delivery_failed', 'backorder', 'callback_reminder', 'time_to_reorder',
                        'grant_expiring')),
    enabled         boolean NOT NULL,
    PRIMARY KEY (citizen_id, type)
);

-- A notification (job key, e.g. parcel:12:1:delivered:0) delivered to a device; a retried job
-- skips the devices listed here. Old rows are removed by housekeeping.
CREATE TABLE push_delivery (
    job_key         text NOT NULL,
    subscription_id bigint NOT NULL REFERENCES push_subscription (id) ON DELETE CASCADE,
    sent_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_key, subscription_id)
);
CREATE INDEX push_delivery_sent_idx ON push_delivery (sent_at);

-- Reminders sent: "time to reorder" once per grant period, "grant expiring" once per end date.
CREATE TABLE reminder_sent (
    citizen_id      bigint NOT NULL REFERENCES citizen (id),
    grant_id        bigint NOT NULL REFERENCES grant_ (id),
    kind            text NOT NULL CHECK (kind IN ('time_to_reorder', 'grant_expiring')),
    period_start    date NOT NULL,             -- the grant period (reorder) or the grant's end date (expiring)
    sent_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (citizen_id, grant_id, kind, period_start)
);
