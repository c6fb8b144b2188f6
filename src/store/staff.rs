//! Staff accounts, their console sessions and failed logins. The store keeps what the
//! application layer decided (a hash, a random session id); it hashes and draws nothing.

use jiff::Timestamp;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::sql::{Instant, column};
use super::{Store, StoreError};
use crate::lang::Lang;
use crate::vocabulary::Role;

/// A staff account as stored.
#[derive(Clone, Debug, Serialize)]
pub struct StaffAccount {
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// The argon2id hash (PHC string); never shown.
    #[serde(skip)]
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: Timestamp,
    /// The language of the account's console pages; `None`: the controller's default.
    pub language: Option<Lang>,
    /// Whether logging in also needs a TOTP code (the secret itself is never read here).
    pub totp: bool,
}

/// A console session, with the account it belongs to.
#[derive(Clone, Debug)]
pub struct StaffSession {
    pub id: String,
    pub account: StaffAccount,
    pub csrf: String,
    pub created_at: Timestamp,
    pub last_seen: Timestamp,
}

const ACCOUNT_COLUMNS: &str = "s.id, s.name, s.email, s.role, s.password_hash, s.disabled, s.created_at, s.language, s.totp_secret IS NOT NULL";
/// How many columns `ACCOUNT_COLUMNS` has: a query's own columns come after them.
const ACCOUNT_WIDTH: usize = 9;

fn account_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StaffAccount> {
    Ok(StaffAccount {
        id: row.get(0)?,
        name: row.get(1)?,
        email: row.get(2)?,
        role: column(row, 3, "staff.role")?,
        password_hash: row.get(4)?,
        disabled: row.get(5)?,
        created_at: column::<Instant>(row, 6, "staff.created_at")?.0,
        language: column(row, 7, "staff.language")?,
        totp: row.get(8)?,
    })
}

impl Store {
    /// Adds an account; `None` when the name or the e-mail address is taken.
    pub fn add_staff(
        &self,
        name: &str,
        email: &str,
        role: Role,
        password_hash: &str,
        language: Option<Lang>,
        now: Timestamp,
    ) -> Result<Option<StaffAccount>, StoreError> {
        let inserted = self.conn.execute(
            "INSERT INTO staff (name, email, role, password_hash, created_at, changed_at, language)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
            params![name, email, role, password_hash, Instant(now), language],
        );
        match inserted {
            Ok(_) => self.staff_by_login(name),
            Err(rusqlite::Error::SqliteFailure(err, _))
                if err.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Ok(None)
            }
            Err(err) => Err(self.error(err)),
        }
    }

    /// Every account, by name.
    pub fn staff_accounts(&self) -> Result<Vec<StaffAccount>, StoreError> {
        let mut statement = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM staff s ORDER BY s.name"
            ))
            .map_err(|e| self.error(e))?;
        statement
            .query_map([], account_row)
            .and_then(|rows| rows.collect())
            .map_err(|e| self.error(e))
    }

    /// The account whose name or e-mail address (any case) is `login`.
    pub fn staff_by_login(&self, login: &str) -> Result<Option<StaffAccount>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM staff s WHERE s.name = ?1 OR s.email = ?1
                 ORDER BY s.name = ?1 DESC LIMIT 1"
            ))
            .and_then(|mut statement| statement.query_row([login], account_row).optional())
            .map_err(|e| self.error(e))
    }

    /// Disables an account and ends its sessions; false when there is no such account.
    pub fn disable_staff(&self, name: &str, now: Timestamp) -> Result<bool, StoreError> {
        let changed = self
            .conn
            .execute(
                "UPDATE staff SET disabled = 1, changed_at = ?2 WHERE name = ?1",
                params![name, Instant(now)],
            )
            .map_err(|e| self.error(e))?;
        self.conn
            .execute(
                "DELETE FROM staff_sessions WHERE staff_id IN (SELECT id FROM staff WHERE name = ?1)",
                [name],
            )
            .map_err(|e| self.error(e))?;
        Ok(changed > 0)
    }

    /// Sets an account's password hash and ends its sessions; false when there is no such
    /// account.
    pub fn set_staff_password(
        &self,
        name: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let changed = self
            .conn
            .execute(
                "UPDATE staff SET password_hash = ?2, changed_at = ?3 WHERE name = ?1",
                params![name, password_hash, Instant(now)],
            )
            .map_err(|e| self.error(e))?;
        self.conn
            .execute(
                "DELETE FROM staff_sessions WHERE staff_id IN (SELECT id FROM staff WHERE name = ?1)",
                [name],
            )
            .map_err(|e| self.error(e))?;
        Ok(changed > 0)
    }

    /// Starts a session for an account.
    pub fn start_session(
        &self,
        id: &str,
        staff_id: i64,
        csrf: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO staff_sessions (id, staff_id, csrf, created_at, last_seen)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
                params![id, staff_id, csrf, Instant(now)],
            )
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// The session with this id, and its account.
    pub fn session(&self, id: &str) -> Result<Option<StaffSession>, StoreError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {ACCOUNT_COLUMNS}, x.id, x.csrf, x.created_at, x.last_seen
                 FROM staff_sessions x JOIN staff s ON s.id = x.staff_id WHERE x.id = ?1"
            ))
            .and_then(|mut statement| {
                statement
                    .query_row([id], |row| {
                        Ok(StaffSession {
                            account: account_row(row)?,
                            id: row.get(ACCOUNT_WIDTH)?,
                            csrf: row.get(ACCOUNT_WIDTH + 1)?,
                            created_at: column::<Instant>(
                                row,
                                ACCOUNT_WIDTH + 2,
                                "staff_sessions.created_at",
                            )?
                            .0,
                            last_seen: column::<Instant>(
                                row,
                                ACCOUNT_WIDTH + 3,
                                "staff_sessions.last_seen",
                            )?
                            .0,
                        })
                    })
                    .optional()
            })
            .map_err(|e| self.error(e))
    }

    /// Notes that a session was used now (for the idle timeout).
    pub fn touch_session(&self, id: &str, now: Timestamp) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE staff_sessions SET last_seen = ?2 WHERE id = ?1",
                params![id, Instant(now)],
            )
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Ends a session.
    pub fn end_session(&self, id: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM staff_sessions WHERE id = ?1", [id])
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Sets an account's TOTP secret (base32), or removes it (`None`); the record of the
    /// last step used starts again. False when there is no such account.
    pub fn set_staff_totp(
        &self,
        name: &str,
        secret: Option<&str>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let changed = self
            .conn
            .execute(
                "UPDATE staff SET totp_secret = ?2, totp_last_step = NULL, changed_at = ?3
                 WHERE name = ?1",
                params![name, secret, Instant(now)],
            )
            .map_err(|e| self.error(e))?;
        Ok(changed > 0)
    }

    /// An account's TOTP secret (base32), if it has one. Read only to check a code.
    pub fn staff_totp_secret(&self, staff_id: i64) -> Result<Option<String>, StoreError> {
        self.conn
            .prepare_cached("SELECT totp_secret FROM staff WHERE id = ?1")
            .and_then(|mut statement| {
                statement
                    .query_row([staff_id], |row| row.get::<_, Option<String>>(0))
                    .optional()
            })
            .map(Option::flatten)
            .map_err(|e| self.error(e))
    }

    /// Takes a TOTP time step as used for the account: true only when it is later than any
    /// step used before, so a code (or an older one) is never accepted twice.
    pub fn use_totp_step(&self, staff_id: i64, step: i64) -> Result<bool, StoreError> {
        let changed = self
            .conn
            .execute(
                "UPDATE staff SET totp_last_step = ?2
                 WHERE id = ?1 AND totp_secret IS NOT NULL
                   AND (totp_last_step IS NULL OR totp_last_step < ?2)",
                params![staff_id, step],
            )
            .map_err(|e| self.error(e))?;
        Ok(changed > 0)
    }

    /// Records a failed login, and why (`password`, `code`, `throttled`).
    pub fn record_login_failure(
        &self,
        login: &str,
        staff_id: Option<i64>,
        address: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO login_failures (login, staff_id, address, at, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![login, staff_id, address, Instant(now), reason],
            )
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Failed logins since `since`: for the account, and from the address.
    pub fn login_failures_since(
        &self,
        staff_id: Option<i64>,
        address: &str,
        since: Timestamp,
    ) -> Result<(usize, usize), StoreError> {
        let count = |sql: &str, key: &dyn rusqlite::ToSql| -> Result<usize, StoreError> {
            let mut statement = self.conn.prepare_cached(sql).map_err(|e| self.error(e))?;
            let times: Vec<Instant> = statement
                .query_map([key], |row| column::<Instant>(row, 0, "login_failures.at"))
                .and_then(|rows| rows.collect())
                .map_err(|e| self.error(e))?;
            Ok(times.iter().filter(|at| at.0 >= since).count())
        };
        let account = match staff_id {
            Some(id) => count(
                "SELECT at FROM login_failures WHERE staff_id = ?1 ORDER BY id DESC LIMIT 1000",
                &id,
            )?,
            None => 0,
        };
        let address = count(
            "SELECT at FROM login_failures WHERE address = ?1 ORDER BY id DESC LIMIT 1000",
            &address,
        )?;
        Ok((account, address))
    }
}

impl super::Batch<'_> {
    /// Every case whose owner is an active account: the case (as staff write it), the
    /// owner's name and e-mail address. A disabled owner owns nothing here: their cases'
    /// reminders go to the team.
    pub fn case_owners(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        let rows: Vec<(i64, i64, String, String)> = self
            .tx
            .prepare_cached(
                "SELECT c.year, c.seq, s.name, s.email FROM cases c JOIN staff s ON s.id = c.owner
                 WHERE s.disabled = 0",
            )
            .and_then(|mut statement| {
                statement
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                    .collect()
            })
            .map_err(|e| self.error(e))?;
        rows.into_iter()
            .map(|(year, seq, name, email)| {
                let case = super::checked_case_id(&self.path, year, seq)?;
                Ok((case.to_string(), name, email))
            })
            .collect()
    }

    /// The account named `name` (exactly), if one exists.
    pub fn staff_by_name(&self, name: &str) -> Result<Option<StaffAccount>, StoreError> {
        self.tx
            .prepare_cached(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM staff s WHERE s.name = ?1"
            ))
            .and_then(|mut statement| statement.query_row([name], account_row).optional())
            .map_err(|e| self.error(e))
    }

    /// The name of the account with this e-mail address (any case), if one exists.
    pub fn staff_name_by_email(&self, email: &str) -> Result<Option<String>, StoreError> {
        self.tx
            .query_row("SELECT name FROM staff WHERE email = ?1", [email], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|e| self.error(e))
    }
}

/// Where an actor's name stands among the staff accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActorStanding {
    /// There are no staff accounts at all: any named actor may act, as before accounts.
    NoAccounts,
    /// No account has this name or e-mail address.
    Unknown,
    /// The account exists but is disabled.
    Disabled(String),
    /// An active account, by its name, with its role.
    Active { name: String, role: Role },
}

fn actor_standing(conn: &rusqlite::Connection, login: &str) -> rusqlite::Result<ActorStanding> {
    let any: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM staff)", [], |row| row.get(0))?;
    if !any {
        return Ok(ActorStanding::NoAccounts);
    }
    let account = conn
        .prepare_cached(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM staff s WHERE s.name = ?1 OR s.email = ?1 COLLATE NOCASE
             ORDER BY s.name = ?1 DESC LIMIT 1"
        ))?
        .query_row([login.trim()], account_row)
        .optional()?;
    Ok(match account {
        None => ActorStanding::Unknown,
        Some(account) if account.disabled => ActorStanding::Disabled(account.name),
        Some(account) => ActorStanding::Active {
            name: account.name,
            role: account.role,
        },
    })
}

impl Store {
    /// Whether `login` (an account name or e-mail address) names an active account.
    pub fn actor_standing(&self, login: &str) -> Result<ActorStanding, StoreError> {
        actor_standing(&self.conn, login).map_err(|e| self.error(e))
    }
}

impl super::Batch<'_> {
    /// Whether `login` (an account name or e-mail address) names an active account.
    pub fn actor_standing(&self, login: &str) -> Result<ActorStanding, StoreError> {
        actor_standing(&self.tx, login).map_err(|e| self.error(e))
    }
}
