-- The language a staff member's console pages are in (issue 16): fi, sv or en. NULL
-- means the controller's default language from the config, read when a page is drawn.
ALTER TABLE staff ADD COLUMN language TEXT CHECK (language IN ('fi', 'sv', 'en'));
