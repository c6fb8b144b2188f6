//! Staff accounts and console sessions: add, list, disable, change a password; log in
//! (with throttling), find the session a request carries, log out. Passwords are kept
//! only as argon2id hashes; session ids and CSRF tokens are 256 random bits from the OS.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use jiff::{SignedDuration, Timestamp};

use crate::store::{ActorStanding, StaffAccount, StaffSession, Store};
use crate::vocabulary::Role;

use super::{App, AppError, Staff};

/// Why a login was refused. The console says no more than "wrong name or password" for
/// the first two, so it never tells whether an account exists.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("wrong name or password")]
    Wrong,
    #[error("too many failed logins: try again in {minutes} minutes")]
    Throttled { minutes: u32 },
    #[error(transparent)]
    App(#[from] AppError),
}

/// A staff account to add: who, their address, their role and the language of their pages
/// (`None`: the controller's default).
pub struct NewStaff<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub role: Role,
    pub language: Option<crate::lang::Lang>,
}

/// What a login form gives: the account's name or address, the password, and the TOTP
/// code (empty when none was typed; needed only by an account with TOTP).
pub struct Credentials<'a> {
    pub login: &'a str,
    pub password: &'a str,
    pub code: &'a str,
}

/// A TOTP enrolment, shown once: the `otpauth://` URI for an authenticator app and the
/// base32 secret for typing in by hand. Its `Debug` hides both, so it never reaches a log.
pub struct TotpEnrolment {
    pub uri: String,
    pub secret: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrolment { .. }")
    }
}

/// A session just started: the cookie's value, and the account.
pub struct SignedIn {
    pub session: String,
    pub account: StaffAccount,
}

/// How long sessions last and how many failures a login allows (`[web]`, or its defaults).
struct WebRules {
    idle: SignedDuration,
    absolute: SignedDuration,
    per_account: usize,
    per_address: usize,
    window_minutes: u32,
}

impl App {
    fn web_rules(&self) -> WebRules {
        let (idle, absolute, per_account, per_address, window) = match &self.config.web {
            Some(web) => (
                web.session_idle_minutes,
                web.session_absolute_hours,
                web.login_failures_per_account,
                web.login_failures_per_address,
                web.login_window_minutes,
            ),
            None => (30, 12, 5, 20, 15),
        };
        WebRules {
            idle: SignedDuration::from_mins(i64::from(idle)),
            absolute: SignedDuration::from_hours(i64::from(absolute)),
            per_account: per_account as usize,
            per_address: per_address as usize,
            window_minutes: window,
        }
    }

    /// Adds a staff account with its password (hashed here, never stored as given).
    pub fn add_staff(
        &self,
        store: &Store,
        account: &NewStaff<'_>,
        password: &str,
        now: Timestamp,
    ) -> Result<StaffAccount, AppError> {
        let name = account.name.trim();
        let email = account.email.trim();
        let (role, language) = (account.role, account.language);
        if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AppError::Refused(format!(
                "{name:?} cannot be an account name: it must be one word"
            )));
        }
        if !email.contains('@') || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AppError::Refused(format!(
                "{email:?} is not an e-mail address"
            )));
        }
        let hash = hash_password(password)?;
        store
            .add_staff(name, email, role, &hash, language, now)?
            .ok_or_else(|| {
                AppError::Refused(format!(
                    "an account named {name} or with the address {email} exists already"
                ))
            })
    }

    /// Every staff account, by name.
    pub fn staff_accounts(&self, store: &Store) -> Result<Vec<StaffAccount>, AppError> {
        Ok(store.staff_accounts()?)
    }

    /// Disables an account: it can no longer log in, and its sessions end at once.
    pub fn disable_staff(&self, store: &Store, name: &str, now: Timestamp) -> Result<(), AppError> {
        if !store.disable_staff(name.trim(), now)? {
            return Err(AppError::Refused(format!("no staff account {name}")));
        }
        Ok(())
    }

    /// Sets an account's password; its sessions end.
    pub fn set_staff_password(
        &self,
        store: &Store,
        name: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let hash = hash_password(password)?;
        if !store.set_staff_password(name.trim(), &hash, now)? {
            return Err(AppError::Refused(format!("no staff account {name}")));
        }
        Ok(())
    }

    /// Logs in by account name or e-mail address from a client `address`. Refused without
    /// looking at the password once the account or the address has failed too often
    /// within the window; each failure is recorded (and logged, without the password).
    /// An account with TOTP also needs a code of the current 30-second step or the one
    /// either side (RFC 6238, section 5.2), later than any step it used before; a missing,
    /// wrong or used code is a failure like a wrong password, recorded as one.
    pub fn login(
        &self,
        store: &Store,
        credentials: &Credentials<'_>,
        address: &str,
        now: Timestamp,
    ) -> Result<SignedIn, LoginError> {
        let rules = self.web_rules();
        let login = credentials.login.trim();
        let password = credentials.password;
        let account = store.staff_by_login(login).map_err(AppError::from)?;
        let since = now - SignedDuration::from_mins(i64::from(rules.window_minutes));
        let (by_account, by_address) = store
            .login_failures_since(account.as_ref().map(|a| a.id), address, since)
            .map_err(AppError::from)?;
        if by_account >= rules.per_account || by_address >= rules.per_address {
            tracing::warn!(address, by_account, by_address, "console login throttled");
            store
                .record_login_failure(
                    login,
                    account.as_ref().map(|a| a.id),
                    address,
                    "throttled",
                    now,
                )
                .map_err(AppError::from)?;
            return Err(LoginError::Throttled {
                minutes: rules.window_minutes,
            });
        }
        let verified = match &account {
            Some(account) => verify_password(password, &account.password_hash),
            None => {
                // The same work as for an account, so timing does not tell which exist.
                let _ = verify_password(password, self.dummy_hash());
                false
            }
        };
        let account_id = account.as_ref().map(|a| a.id);
        let Some(account) = account.filter(|a| verified && !a.disabled) else {
            tracing::warn!(address, "console login failed");
            store
                .record_login_failure(login, account_id, address, "password", now)
                .map_err(AppError::from)?;
            return Err(LoginError::Wrong);
        };
        if account.totp && !totp_accepts(store, account.id, credentials.code, now)? {
            tracing::warn!(address, "console login failed: no valid one-time code");
            store
                .record_login_failure(login, Some(account.id), address, "code", now)
                .map_err(AppError::from)?;
            return Err(LoginError::Wrong);
        }
        let session = random_token().map_err(AppError::from)?;
        let csrf = random_token().map_err(AppError::from)?;
        store
            .start_session(&session, account.id, &csrf, now)
            .map_err(AppError::from)?;
        tracing::info!(staff = %account.name, "console login");
        Ok(SignedIn { session, account })
    }

    /// The live session with this id: `None` when there is none, its account is disabled,
    /// or it was idle or open too long (then it is ended). A live session is marked used.
    pub fn session(
        &self,
        store: &Store,
        id: &str,
        now: Timestamp,
    ) -> Result<Option<StaffSession>, AppError> {
        let rules = self.web_rules();
        let Some(session) = store.session(id)? else {
            return Ok(None);
        };
        let expired = session.account.disabled
            || now.duration_since(session.last_seen) > rules.idle
            || now.duration_since(session.created_at) > rules.absolute;
        if expired {
            store.end_session(id)?;
            return Ok(None);
        }
        store.touch_session(id, now)?;
        Ok(Some(session))
    }

    /// Ends a session (logging out).
    pub fn logout(&self, store: &Store, id: &str) -> Result<(), AppError> {
        Ok(store.end_session(id)?)
    }

    /// Checks that who acts may do `deed` (e.g. "approve a draft"): once any staff account
    /// exists, `by` must name an active account (by name or e-mail address) whose role is
    /// at least `needs`. With no accounts at all, anyone named may act, as before accounts.
    /// Returns who acts as the trail records them: the account's name when `by` gave its
    /// address, so four-eyes and the audit trail see one person under one name.
    pub(crate) fn authorize(
        &self,
        store: &Store,
        by: &Staff,
        needs: Role,
        deed: &str,
    ) -> Result<Staff, AppError> {
        authorized(store.actor_standing(by.as_str())?, by, needs, deed)
    }

    /// Enrols an account in TOTP: draws a new secret (160 random bits, RFC 4226 section 4),
    /// stores it and returns it once, with its `otpauth://` URI. An account that has one
    /// already is refused unless `reset` (then the old secret stops working).
    pub fn enrol_totp(
        &self,
        store: &Store,
        name: &str,
        reset: bool,
        now: Timestamp,
    ) -> Result<TotpEnrolment, AppError> {
        let name = name.trim();
        let account = store
            .staff_by_login(name)?
            .filter(|a| a.name == name)
            .ok_or_else(|| AppError::Refused(format!("no staff account {name}")))?;
        if account.totp && !reset {
            return Err(AppError::Refused(format!(
                "{name} has TOTP already: give --reset to replace its secret (the old one stops working), or --off to remove it"
            )));
        }
        let mut bytes = [0u8; 20];
        getrandom::fill(&mut bytes).map_err(|err| {
            AppError::Refused(format!("no random numbers for a TOTP secret: {err}"))
        })?;
        let secret = totp_rs::Secret::from(bytes.to_vec()).to_base32();
        if !store.set_staff_totp(name, Some(&secret), now)? {
            return Err(AppError::Refused(format!("no staff account {name}")));
        }
        tracing::info!(staff = name, "TOTP enrolled");
        let issuer = &self.config.controller.name;
        let uri = format!(
            "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period={TOTP_STEP}",
            percent(issuer),
            percent(name),
            percent(issuer),
        );
        Ok(TotpEnrolment { uri, secret })
    }

    /// Removes an account's TOTP: it logs in with its password alone.
    pub fn remove_totp(&self, store: &Store, name: &str, now: Timestamp) -> Result<(), AppError> {
        if !store.set_staff_totp(name.trim(), None, now)? {
            return Err(AppError::Refused(format!("no staff account {name}")));
        }
        tracing::info!(staff = name.trim(), "TOTP removed");
        Ok(())
    }

    /// The name of the staff account `login` names (by name or e-mail address), disabled
    /// or not: whose cases to list.
    pub fn account_name(&self, store: &Store, login: &str) -> Result<String, AppError> {
        match store.actor_standing(login)? {
            ActorStanding::Active { name, .. } | ActorStanding::Disabled(name) => Ok(name),
            ActorStanding::NoAccounts | ActorStanding::Unknown => Err(AppError::Refused(format!(
                "no staff account has the name or address {}",
                login.trim()
            ))),
        }
    }

    /// A hash to verify against when no account matched.
    fn dummy_hash(&self) -> &str {
        self.dummy_hash
            .get_or_init(|| hash_password("no account has this password").unwrap_or_default())
    }
}

/// Who acts, for the audit trail: the account's name.
pub fn actor(account: &StaffAccount) -> Result<Staff, AppError> {
    Ok(Staff::new(&account.name)?)
}

/// The TOTP time step, in seconds (RFC 6238's default, what authenticator apps use).
const TOTP_STEP: u64 = 30;

/// The TOTP of a base32 secret: SHA-1, 6 digits, 30 s, one step either side.
fn totp_of(secret: &str) -> Option<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret).ok()?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(TOTP_STEP)
        .build()
        .ok()
}

/// Whether `code` is the account's code for a step within one of `now`'s, and later than
/// any step it used before; the step is then taken as used.
fn totp_accepts(
    store: &Store,
    staff_id: i64,
    code: &str,
    now: Timestamp,
) -> Result<bool, AppError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(false);
    }
    let Some(secret) = store.staff_totp_secret(staff_id)? else {
        return Ok(false);
    };
    let Some(totp) = totp_of(&secret) else {
        // A stored secret that does not decode accepts nothing; the account must enrol again.
        tracing::error!(staff_id, "an account's TOTP secret does not decode");
        return Ok(false);
    };
    let Ok(seconds) = u64::try_from(now.as_second()) else {
        return Ok(false);
    };
    let Some(step) = totp.check(&code, seconds) else {
        return Ok(false);
    };
    let Ok(step) = i64::try_from(step) else {
        return Ok(false);
    };
    Ok(store.use_totp_step(staff_id, step)?)
}

/// Percent-encodes a label or parameter of an `otpauth://` URI.
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The verdict on an actor's standing: refused with one line saying why, or allowed.
pub(crate) fn authorized(
    standing: ActorStanding,
    by: &Staff,
    needs: Role,
    deed: &str,
) -> Result<Staff, AppError> {
    match standing {
        ActorStanding::NoAccounts => Ok(by.clone()),
        ActorStanding::Unknown => Err(AppError::Refused(format!(
            "{by} may not {deed}: no staff account has that name or address, and once accounts exist only staff may act"
        ))),
        ActorStanding::Disabled(name) => Err(AppError::Refused(format!(
            "{name} may not {deed}: the staff account is disabled"
        ))),
        ActorStanding::Active { name, role } if role < needs => Err(AppError::Refused(format!(
            "{name} may not {deed}: that needs the {needs} role, and {name} is a {role}"
        ))),
        ActorStanding::Active { name, .. } => Ok(Staff::new(&name)?),
    }
}

fn hash_password(password: &str) -> Result<String, AppError> {
    if password.chars().count() < 10 {
        return Err(AppError::Refused(
            "a password needs at least 10 characters".to_string(),
        ));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| AppError::Refused(format!("the password could not be hashed: {err}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// 256 random bits from the operating system, as 64 hex digits.
pub fn random_token() -> Result<String, crate::store::StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|err| crate::store::StoreError::Corrupt {
        path: std::path::PathBuf::new(),
        what: "the operating system's random numbers",
        detail: err.to_string(),
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 key "12345678901234567890" gives 94287082 at
    /// T = 59 s and 07081804 at 1111111109 s (8 digits); our 6 are the last six.
    #[test]
    fn totp_codes_match_the_rfc_6238_test_vectors() {
        let secret = totp_rs::Secret::from(b"12345678901234567890".to_vec()).to_base32();
        let totp = totp_of(&secret).expect("a valid secret");
        for (time, code) in [
            (59, "287082"),
            (1111111109, "081804"),
            (1111111111, "050471"),
            (1234567890, "005924"),
            (2000000000, "279037"),
        ] {
            assert_eq!(totp.generate(time).to_string(), code, "at {time}");
            assert_eq!(totp.check(code, time), Some(time / TOTP_STEP));
        }
        // One step either side, and no further.
        assert!(totp.check("287082", 59 + 30).is_some());
        assert!(totp.check("287082", 59 + 61).is_none());
    }

    #[test]
    fn an_enrolment_never_shows_its_secret_in_debug_output() {
        let enrolment = TotpEnrolment {
            uri: "otpauth://totp/x:y?secret=ABC".to_string(),
            secret: "ABC".to_string(),
        };
        assert!(!format!("{enrolment:?}").contains("ABC"));
    }
}
