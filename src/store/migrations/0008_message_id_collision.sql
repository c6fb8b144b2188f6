-- A mail whose Message-ID another stored mail already has, with other bytes, is kept (it
-- may be a different request): its own Message-ID column stays NULL so threading keeps
-- pointing at the first, and the Message-ID it claimed is kept here for staff.
ALTER TABLE messages ADD COLUMN colliding_message_id TEXT;
