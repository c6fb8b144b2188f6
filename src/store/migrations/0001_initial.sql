-- Every message as received, the cases they belong to, and each case's event log.

CREATE TABLE cases (
    id            INTEGER PRIMARY KEY,
    year          INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    state         TEXT    NOT NULL,
    received_at   TEXT    NOT NULL,  -- RFC 3339, UTC: the receipt that starts the clock
    requester     TEXT,              -- the From address, lowercased
    requester_name TEXT,
    subject       TEXT    NOT NULL,
    deadline      TEXT    NOT NULL,  -- YYYY-MM-DD, the last day to answer
    opened_at     TEXT    NOT NULL,
    UNIQUE (year, seq)
);

CREATE TABLE messages (
    id             INTEGER PRIMARY KEY,
    raw_sha256     BLOB    NOT NULL UNIQUE,
    message_id     TEXT    UNIQUE,   -- without angle brackets; NULL when the mail had none
    raw            BLOB    NOT NULL, -- byte-exact, never rewritten
    size           INTEGER NOT NULL,
    origin         TEXT    NOT NULL, -- a file path, or the IMAP mailbox, UIDVALIDITY and UID
    received_at    TEXT    NOT NULL,
    received_from  TEXT    NOT NULL, -- which clue gave received_at
    stored_at      TEXT    NOT NULL,
    from_address   TEXT,
    from_name      TEXT,
    reply_to       TEXT,
    subject        TEXT    NOT NULL DEFAULT '',
    in_reply_to    TEXT    NOT NULL DEFAULT '[]',  -- JSON array of Message-IDs
    references_ids TEXT    NOT NULL DEFAULT '[]',
    automated      TEXT,             -- why it was judged machine-sent; NULL for people
    case_id        INTEGER REFERENCES cases (id)
);
CREATE INDEX messages_case ON messages (case_id);

CREATE TABLE quarantine (
    id         INTEGER PRIMARY KEY,
    at         TEXT    NOT NULL,
    origin     TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    message    INTEGER REFERENCES messages (id),  -- the kept bytes, when they could be read
    UNIQUE (origin, reason, message)
);

CREATE TABLE events (
    id       INTEGER PRIMARY KEY,
    case_id  INTEGER NOT NULL REFERENCES cases (id),
    at       TEXT    NOT NULL,
    actor    TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    details  TEXT    NOT NULL  -- JSON object
);
CREATE INDEX events_case ON events (case_id);

-- The audit trail a regulator may inspect: once written, an event stays as written.
CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the event log is append-only');
END;

-- A received message is evidence: its bytes are never rewritten.
CREATE TRIGGER raw_messages_are_immutable BEFORE UPDATE OF raw, raw_sha256, received_at ON messages
BEGIN
    SELECT RAISE(ABORT, 'a stored message is never rewritten');
END;
