-- The mail the bot writes to staff (review mails, digests, notes to approvers), queued in
-- the same transaction as the decision that causes it and delivered after commit by the
-- one sender, exactly once: 'queued' -> 'sending' (committed before the SMTP transaction)
-- -> 'sent'; a row left in 'sending' by a crash is looked up in Sent by its Message-ID
-- and seal. Replies and acknowledgements are drafts and go the drafts' own way.
CREATE TABLE outgoing_mail (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,           -- review, digest, note
    case_id         INTEGER REFERENCES cases (id),
    recipient       TEXT    NOT NULL,
    message_id      TEXT    NOT NULL UNIQUE,    -- fixed when queued
    seal            TEXT    NOT NULL,
    bytes           BLOB    NOT NULL,           -- the message as it goes out, every attempt
    state           TEXT    NOT NULL,           -- queued, sending, sent, failed, written
    created_at      TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    failure         TEXT,
    sent_at         TEXT,
    outbox_file     TEXT                        -- without SMTP: the .eml written instead
);
CREATE INDEX outgoing_mail_state ON outgoing_mail (state);

CREATE TRIGGER outgoing_mail_is_never_rewritten
BEFORE UPDATE OF kind, case_id, recipient, message_id, seal, bytes, created_at ON outgoing_mail
BEGIN
    SELECT RAISE(ABORT, 'queued mail is never rewritten');
END;
