-- A shared mailbox ([mailbox] mode = "shared", requests = "copy"): a request is copied to
-- the privacy folder and its original left where customer service reads it. A row here
-- then owes a copy, not a move.
ALTER TABLE imap_pending_moves ADD COLUMN copy INTEGER NOT NULL DEFAULT 0;
