-- The register: each source's latest snapshot, the imports that made them, the tombstones
-- of erased people, the identity decided for each case, and purges of expired records.

CREATE TABLE register_entries (
    id          INTEGER PRIMARY KEY,
    source      TEXT    NOT NULL,
    line        INTEGER NOT NULL,   -- the line of the export
    email       TEXT,               -- as written
    email_key   TEXT,               -- normalised, for lookups
    phone       TEXT,
    phone_key   TEXT,               -- E.164
    name        TEXT,
    name_key    TEXT,               -- folded, for lookups only
    address     TEXT,
    address_key TEXT,
    customer_id TEXT,
    order_ref   TEXT,
    created     TEXT,
    other       TEXT    NOT NULL DEFAULT '[]'  -- JSON array of [column, value]
);
-- Plain indexes, not partial ones: a partial index makes SQLite prepare a lookup again
-- for every new value bound to it, which cost more than the lookups themselves.
CREATE INDEX register_source ON register_entries (source);
CREATE INDEX register_email ON register_entries (email_key);
CREATE INDEX register_phone ON register_entries (phone_key);
CREATE INDEX register_customer ON register_entries (customer_id);
CREATE INDEX register_order ON register_entries (order_ref);
CREATE INDEX register_name ON register_entries (name_key);

-- Each word of each name, for name searches.
CREATE TABLE register_name_words (
    word  TEXT    NOT NULL,
    entry INTEGER NOT NULL,
    PRIMARY KEY (word, entry)
) WITHOUT ROWID;

CREATE TABLE register_imports (
    id        INTEGER PRIMARY KEY,
    source    TEXT    NOT NULL,
    file      TEXT    NOT NULL,
    at        TEXT    NOT NULL,
    rows_read INTEGER NOT NULL,
    kept      INTEGER NOT NULL,
    rejected  INTEGER NOT NULL,
    withheld  INTEGER NOT NULL,   -- rows of people erased before
    details   TEXT    NOT NULL    -- JSON: the rejected and withheld lines, with reasons
);

-- One-way hashes of an erased person's identifiers, salted with this installation's own
-- secret, so an old export cannot silently bring them back.
CREATE TABLE tombstones (
    hash    BLOB PRIMARY KEY,
    kind    TEXT NOT NULL,        -- email, phone, customer_id
    case_id TEXT NOT NULL,        -- the DSR case whose erasure made it
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
INSERT INTO settings (key, value) VALUES ('tombstone_salt', randomblob(32));

ALTER TABLE cases ADD COLUMN identity TEXT;  -- the identity outcome; NULL until matched

-- Purges of records past their retention: what went, when, on whose word. Only the case
-- numbers are kept, never the personal data.
CREATE TABLE purges (
    id       INTEGER PRIMARY KEY,
    at       TEXT    NOT NULL,
    actor    TEXT    NOT NULL,
    cases    TEXT    NOT NULL,    -- JSON array of case numbers
    messages INTEGER NOT NULL,
    events   INTEGER NOT NULL
);
-- The cases a purge is removing right now; the event log lets go of these and no others.
CREATE TABLE purging (case_id INTEGER PRIMARY KEY);

DROP TRIGGER events_are_append_only_delete;
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
WHEN OLD.case_id NOT IN (SELECT case_id FROM purging)
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
