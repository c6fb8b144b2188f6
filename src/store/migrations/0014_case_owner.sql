-- A case's owner (issue 16): the staff account that answers for it, or NULL while nobody
-- does. Who assigned it, and when, is in the audit trail (an `assigned` event); this
-- column only says who owns the case now, so lists and digests need no replay.
ALTER TABLE cases ADD COLUMN owner INTEGER REFERENCES staff (id);
CREATE INDEX cases_owner ON cases (owner);
