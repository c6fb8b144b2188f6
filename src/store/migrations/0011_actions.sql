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
