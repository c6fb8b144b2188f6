-- Optional TOTP (RFC 6238) per staff account (issue 16). The shared secret is kept in
-- base32 as the authenticator app was given it; NULL: the account logs in with its
-- password alone. The last time step a code was accepted for is kept so that no code
-- (nor an earlier one) is accepted twice (RFC 6238, section 5.2).
ALTER TABLE staff ADD COLUMN totp_secret TEXT;
ALTER TABLE staff ADD COLUMN totp_last_step INTEGER;
-- Why a login failed: 'password' (wrong name or password, or a disabled account), 'code'
-- (a missing, wrong or used TOTP code), 'throttled'. NULL in rows from before.
ALTER TABLE login_failures ADD COLUMN reason TEXT;
