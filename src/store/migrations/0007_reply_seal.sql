-- A secret per approved reply, sent in its X-Rightsbot-Seal header. After a crash between
-- "sending" and "sent", a copy in the Sent folder counts as the reply only when it carries
-- this seal: anyone can mail the Sent-copy address, nobody else knows the seal.
ALTER TABLE drafts ADD COLUMN seal TEXT;

CREATE TRIGGER approval_seal_is_fixed BEFORE UPDATE OF seal ON drafts
WHEN OLD.seal IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'an approved draft keeps its seal');
END;
