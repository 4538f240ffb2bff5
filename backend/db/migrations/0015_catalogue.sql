-- The shared catalogue over time (issue 16 §3, §7): products carry their validity in the tender's
-- range and, when they leave it, a named successor; contract prices keep their history; order
-- lines record the contract price at order time (reports sum spend at the price of the order's
-- day, not today's); small product pictures live in the database, served with long cache headers.

ALTER TABLE product
    ADD COLUMN valid_from   date,                 -- in the range from (NULL: since before the import)
    ADD COLUMN valid_to     date,                 -- in the range until, inclusive (NULL: until further notice)
    ADD COLUMN successor_id integer REFERENCES product (id),
    ADD COLUMN picture_etag text,                 -- set when product_picture has a row: the URL's version
    ADD COLUMN updated_at   timestamptz NOT NULL DEFAULT now(),
    ADD CONSTRAINT product_validity_check CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from),
    ADD CONSTRAINT product_successor_check CHECK (successor_id <> id);

-- The small version made at import (at most 15 KB, at most 320 px): served at /products/{id}/picture.
CREATE TABLE product_picture (
    product_id  integer PRIMARY KEY REFERENCES product (id),
    media_type  text NOT NULL CHECK (media_type IN ('image/webp', 'image/jpeg')),
    width       integer NOT NULL CHECK (width BETWEEN 1 AND 320),
    height      integer NOT NULL CHECK (height BETWEEN 1 AND 320),
    data        bytea NOT NULL CHECK (octet_length(data) <= 15360),
    etag        text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Contract price history: one row per product and day its price changed (the import appends).
CREATE TABLE product_price (
    product_id  integer NOT NULL REFERENCES product (id),
    valid_from  date NOT NULL,
    price_oere  bigint NOT NULL CHECK (price_oere >= 0),
    PRIMARY KEY (product_id, valid_from)
);
INSERT INTO product_price (product_id, valid_from, price_oere)
SELECT id, coalesce(valid_from, DATE '2000-01-01'), price_oere FROM product;

-- The contract price per pack when the line was ordered. Earlier lines get today's price (the
-- only one known). The order paths set it explicitly from product.price_oere in the statement
-- that inserts the line; the trigger only fills it in for writers that leave it out (test
-- builders, the demo seed), so no writer can forget it.
ALTER TABLE order_line ADD COLUMN price_oere bigint;
UPDATE order_line l SET price_oere = p.price_oere FROM product p WHERE p.id = l.product_id;
ALTER TABLE order_line ALTER COLUMN price_oere SET NOT NULL,
                       ADD CONSTRAINT order_line_price_check CHECK (price_oere >= 0);

CREATE FUNCTION order_line_price_at_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT price_oere INTO NEW.price_oere FROM product WHERE id = NEW.product_id;
    RETURN NEW;
END $$;
-- WHEN: the function is not even called for lines that carry their price (the order paths).
CREATE TRIGGER order_line_price_default BEFORE INSERT ON order_line
    FOR EACH ROW WHEN (NEW.price_oere IS NULL) EXECUTE FUNCTION order_line_price_at_order();
