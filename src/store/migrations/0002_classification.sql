-- What the classifier made of each message, and the rights each case is about.

ALTER TABLE messages ADD COLUMN disposition TEXT;      -- case, joined, automated, quarantined, not_a_request
ALTER TABLE messages ADD COLUMN classification TEXT;   -- JSON: kinds, language, triage, evidence

UPDATE messages SET disposition = CASE
    WHEN case_id IS NOT NULL THEN 'case'
    WHEN automated IS NOT NULL THEN 'automated'
    WHEN id IN (SELECT message FROM quarantine WHERE message IS NOT NULL) THEN 'quarantined'
    ELSE 'not_a_request'
END;

ALTER TABLE cases ADD COLUMN kinds TEXT NOT NULL DEFAULT '[]';  -- JSON array of request kinds
ALTER TABLE cases ADD COLUMN language TEXT;                     -- fi, sv, en; NULL when unknown

CREATE INDEX messages_disposition ON messages (disposition);
