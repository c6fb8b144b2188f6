-- IMAP intake: where each mailbox stands, and the moves still owed to the server.

CREATE TABLE imap_checkpoints (
    mailbox      TEXT    NOT NULL,
    uidvalidity  INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,   -- the highest UID committed to the store
    last_pass_at TEXT,               -- the end of the last pass that finished
    PRIMARY KEY (mailbox, uidvalidity)
);

-- A message is committed first, then moved out of the inbox. A row here says the move is
-- owed; it goes when the server has done it, so a crash in between repeats only the move.
CREATE TABLE imap_pending_moves (
    mailbox      TEXT    NOT NULL,
    uidvalidity  INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    destination  TEXT    NOT NULL,
    PRIMARY KEY (mailbox, uidvalidity, uid)
);
