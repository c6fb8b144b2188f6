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
    pub fn login(
        &self,
        store: &Store,
        login: &str,
        password: &str,
        address: &str,
        now: Timestamp,
    ) -> Result<SignedIn, LoginError> {
        let rules = self.web_rules();
        let login = login.trim();
        let account = store.staff_by_login(login).map_err(AppError::from)?;
        let since = now - SignedDuration::from_mins(i64::from(rules.window_minutes));
        let (by_account, by_address) = store
            .login_failures_since(account.as_ref().map(|a| a.id), address, since)
            .map_err(AppError::from)?;
        if by_account >= rules.per_account || by_address >= rules.per_address {
            tracing::warn!(address, by_account, by_address, "console login throttled");
            store
                .record_login_failure(login, account.as_ref().map(|a| a.id), address, now)
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
                .record_login_failure(login, account_id, address, now)
                .map_err(AppError::from)?;
            return Err(LoginError::Wrong);
        };
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
