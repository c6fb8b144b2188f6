-- The action list of a case: what each right asks to be done, in which system, by whom.
-- A reply may state as done only an action recorded here as done.
CREATE TABLE actions (
    id         INTEGER PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    number     INTEGER NOT NULL,               -- A1, A2, … within the case
    kind       TEXT    NOT NULL,               -- erase, keep, correct, restrict, stop, stop_marketing, suppress, notify
    source     TEXT    NOT NULL DEFAULT '',    -- the system; '' for the suppression list
    target     TEXT    NOT NULL DEFAULT '',    -- fields, purpose, recipient, address, end date
    until      TEXT,                           -- a kept record's end date (YYYY-MM-DD)
    entries    TEXT    NOT NULL DEFAULT '[]',  -- JSON [register entry id]
    records    TEXT    NOT NULL DEFAULT '[]',  -- JSON ["order 10201", …]
    owner      TEXT,
    why        TEXT    NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'open', -- open, done, not_needed, held
    reason     TEXT,                           -- why not needed, or held
    note       TEXT,                           -- what staff wrote when they ticked it
    decided_by TEXT,
    decided_at TEXT,
    created_at TEXT    NOT NULL,
    notice_draft INTEGER REFERENCES drafts (id), -- the Art. 19 notice drafted for a notify action
    UNIQUE (case_id, number),
    UNIQUE (case_id, kind, source, target)
);
CREATE INDEX actions_state ON actions (state, case_id);

-- What is done stays done: a deed recorded cannot be taken back by a later derivation.
CREATE TRIGGER done_actions_stay_done BEFORE UPDATE OF state ON actions
WHEN OLD.state = 'done' AND NEW.state != 'done'
BEGIN
    SELECT RAISE(ABORT, 'a done action stays done');
END;

-- Addresses that get no direct marketing (Art. 21(3)): added by the bot at once when an
-- opt-out or a consent withdrawal arrives, whoever wrote it.
CREATE TABLE suppression (
    address  TEXT PRIMARY KEY,                 -- normalised
    case_id  INTEGER REFERENCES cases (id),
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL
);

-- The actions a draft's own sections state as done (JSON [number]); NULL for a draft a
-- person wrote, whose claims the bot cannot read.
ALTER TABLE drafts ADD COLUMN claims TEXT;

-- An identity document removed from a stored mail once identity was decided: the only
-- change to a message's bytes besides a purge. The original's hash stays in messages
-- (a copy delivered again is still a duplicate); this row keeps what was removed.
CREATE TABLE redactions (
    id             INTEGER PRIMARY KEY,
    message        INTEGER NOT NULL REFERENCES messages (id),
    case_id        INTEGER REFERENCES cases (id),
    part_name      TEXT,
    content_type   TEXT    NOT NULL,
    removed_sha256 BLOB    NOT NULL,   -- of the removed part as stored (headers and body)
    removed_size   INTEGER NOT NULL,
    size_before    INTEGER NOT NULL,   -- the whole mail's bytes before and after
    size_after     INTEGER NOT NULL,
    at             TEXT    NOT NULL,
    by             TEXT    NOT NULL
);
CREATE INDEX redactions_message ON redactions (message);

-- A stored message is never rewritten, except by a redaction recorded first: its hash and
-- receipt stay, and the new bytes are the size the redaction row says.
DROP TRIGGER raw_messages_are_immutable;
CREATE TRIGGER raw_messages_are_immutable BEFORE UPDATE OF raw, raw_sha256, received_at ON messages
WHEN NEW.raw_sha256 IS NOT OLD.raw_sha256
  OR NEW.received_at IS NOT OLD.received_at
  OR NOT EXISTS (SELECT 1 FROM redactions r
                 WHERE r.message = NEW.id
                   AND r.size_before = length(OLD.raw)
                   AND r.size_after = length(NEW.raw))
BEGIN
    SELECT RAISE(ABORT, 'a stored message is never rewritten');
END;
