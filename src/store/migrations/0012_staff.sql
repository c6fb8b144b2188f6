-- Staff accounts for the console (and, later, the CLI and mail approval): who may log in,
-- with which role. A password is kept only as its argon2id hash (PHC string).
CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,          -- the login name, recorded as the actor
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    role          TEXT    NOT NULL,                 -- handler, approver, admin
    password_hash TEXT    NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL,
    changed_at    TEXT    NOT NULL
);

-- Console sessions, server-side: the cookie holds only the random id (256 bits, hex).
CREATE TABLE staff_sessions (
    id         TEXT    PRIMARY KEY,
    staff_id   INTEGER NOT NULL REFERENCES staff (id),
    csrf       TEXT    NOT NULL,                    -- the token every form posts back
    created_at TEXT    NOT NULL,
    last_seen  TEXT    NOT NULL
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);

-- Failed logins, for throttling per account and per client address.
CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    login    TEXT    NOT NULL,                      -- what was typed as the name
    staff_id INTEGER REFERENCES staff (id),         -- the account it named, if any
    address  TEXT    NOT NULL,
    at       TEXT    NOT NULL
);
CREATE INDEX login_failures_staff ON login_failures (staff_id, at);
CREATE INDEX login_failures_address ON login_failures (address, at);
