-- Reply drafts and their approval. A draft is never rewritten: an edit is a new draft that
-- replaces the old one, and the old one stays, superseded, in the record.

CREATE TABLE drafts (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    replaces       INTEGER REFERENCES drafts (id),   -- the draft this one is an edit of
    purpose        TEXT    NOT NULL,                 -- reply, identity_needed, not_found, extension, …
    language       TEXT    NOT NULL,
    recipient      TEXT,                             -- NULL: no address the rule allows
    recipient_note TEXT    NOT NULL,                 -- why this recipient (or none)
    subject        TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    attachments    TEXT    NOT NULL DEFAULT '[]',    -- JSON [{name, content_type, content}]
    personal_data  INTEGER NOT NULL,
    refusal        INTEGER NOT NULL DEFAULT 0,      -- refuses part of what was asked
    in_reply_to    TEXT,                             -- the request's Message-ID
    references_ids TEXT    NOT NULL DEFAULT '[]',
    state          TEXT    NOT NULL,                 -- pending, approved, rejected, superseded, sending, sent, failed
    created_at     TEXT    NOT NULL,
    created_by     TEXT    NOT NULL,
    decided_at     TEXT,
    decided_by     TEXT,
    decision_note  TEXT,                             -- the reason of a rejection
    message_id     TEXT    UNIQUE,                   -- fixed when approved
    sent_at        TEXT,
    outbox_file    TEXT,
    attempts       INTEGER NOT NULL DEFAULT 0,       -- SMTP attempts that failed for now (4xx)
    next_attempt_at TEXT,                            -- not before this
    failure        TEXT                              -- the server's words, last time
);
CREATE INDEX drafts_case ON drafts (case_id);
CREATE INDEX drafts_state ON drafts (state);

CREATE TRIGGER drafts_are_never_rewritten
BEFORE UPDATE OF case_id, replaces, purpose, language, recipient, recipient_note, subject, body,
                 attachments, personal_data, refusal, in_reply_to, references_ids, created_at, created_by
ON drafts
BEGIN
    SELECT RAISE(ABORT, 'a draft is never rewritten: an edit is a new draft');
END;

-- What staff signed stays signed: a decided draft never returns to waiting, and an
-- approval's Message-ID never changes.
CREATE TRIGGER decided_drafts_stay_decided BEFORE UPDATE OF state ON drafts
WHEN OLD.state != 'pending' AND NEW.state = 'pending'
BEGIN
    SELECT RAISE(ABORT, 'a decided draft never returns to pending');
END;
CREATE TRIGGER approval_message_id_is_fixed BEFORE UPDATE OF message_id ON drafts
WHEN OLD.message_id IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'an approved draft keeps its Message-ID');
END;

-- One-time tokens of approval by mail: only a hash is kept, so the database alone cannot
-- approve anything.
CREATE TABLE draft_tokens (
    token_hash BLOB PRIMARY KEY,
    draft      INTEGER NOT NULL REFERENCES drafts (id),
    created_at TEXT    NOT NULL,
    used_at    TEXT
) WITHOUT ROWID;
