//! How the domain's values are kept in SQLite columns, written once: the vocabulary's
//! enums as their names (`names!`), the language as its code, timestamps and days as
//! RFC 3339 and ISO 8601 text, lists as JSON. A row reader asks for a typed value with
//! [`column`] and the column it came from; a stored value that does not decode is
//! `StoreError::Corrupt` naming that column and showing what it held, never a panic or a
//! silent default.

use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use crate::lang::Lang;
use crate::vocabulary::{CaseState, DraftState, IdentityOutcome, Purpose, RequestKind, Role};

/// A stored value that does not decode: the column, and what it held.
#[derive(Debug, thiserror::Error)]
#[error("{what} is corrupt: {detail}")]
pub(super) struct CorruptValue {
    pub what: &'static str,
    pub detail: String,
}

/// What a column held that its type cannot read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Unreadable(String);

pub(super) fn unreadable(text: &str) -> FromSqlError {
    FromSqlError::Other(Box::new(Unreadable(text.to_string())))
}

/// Column `index` of a row as a `T`, or the error that names the column (`what`, as
/// `table.column`) and what it held.
pub(super) fn column<T: FromSql>(
    row: &rusqlite::Row<'_>,
    index: usize,
    what: &'static str,
) -> rusqlite::Result<T> {
    use rusqlite::Error;
    let corrupt = |index, kind, detail| {
        Error::FromSqlConversionFailure(index, kind, Box::new(CorruptValue { what, detail }))
    };
    row.get(index).map_err(|err| match err {
        Error::FromSqlConversionFailure(index, kind, source) => {
            let detail = match source.downcast::<Unreadable>() {
                Ok(text) => text.0,
                Err(other) => other.to_string(),
            };
            corrupt(index, kind, detail)
        }
        Error::IntegralValueOutOfRange(index, value) => {
            corrupt(index, rusqlite::types::Type::Integer, value.to_string())
        }
        Error::InvalidColumnType(index, _, kind) => {
            corrupt(index, kind, format!("a value of type {kind}"))
        }
        other => other,
    })
}

/// The names of the vocabulary's enums, as `names!` gives them.
macro_rules! sql_names {
    ($($type:ty),+ $(,)?) => {$(
        impl ToSql for $type {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }

        impl FromSql for $type {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                let text = value.as_str()?;
                <$type>::parse(text).ok_or_else(|| unreadable(text))
            }
        }
    )+};
}

sql_names!(
    CaseState,
    DraftState,
    Purpose,
    IdentityOutcome,
    RequestKind,
    Role
);

impl ToSql for Lang {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.code()))
    }
}

impl FromSql for Lang {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        parsed(value)
    }
}

fn parsed<T: FromStr>(value: ValueRef<'_>) -> FromSqlResult<T> {
    let text = value.as_str()?;
    text.parse().map_err(|_| unreadable(text))
}

/// An instant as stored (RFC 3339, `Timestamp`'s own text). jiff's types are not ours, so
/// the store reads and writes them through this wrapper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Instant(pub Timestamp);

impl FromSql for Instant {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        parsed(value).map(Instant)
    }
}

impl ToSql for Instant {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.to_string()))
    }
}

/// A calendar day as stored (`YYYY-MM-DD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Day(pub Date);

impl FromSql for Day {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        parsed(value).map(Day)
    }
}

impl ToSql for Day {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.to_string()))
    }
}

/// A value kept as JSON text (a case's kinds, a draft's attachments).
pub(super) struct Json<T>(pub T);

impl<T: serde::de::DeserializeOwned> FromSql for Json<T> {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        serde_json::from_str(text)
            .map(Json)
            .map_err(|_| unreadable(text))
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    fn read<T: FromSql>(stored: &str) -> rusqlite::Result<T> {
        let conn = Connection::open_in_memory().expect("memory");
        conn.query_row("SELECT ?1 AS state", [stored], |r| {
            column(r, 0, "cases.state")
        })
    }

    #[test]
    fn a_stored_name_reads_back_as_its_value_and_is_written_as_it() {
        for state in CaseState::ALL {
            let conn = Connection::open_in_memory().expect("memory");
            let back: CaseState = conn
                .query_row("SELECT ?1", [state], |r| column(r, 0, "cases.state"))
                .expect("reads");
            assert_eq!(back, state);
        }
        assert_eq!(read::<Lang>("sv").expect("reads"), Lang::Sv);
        assert_eq!(
            read::<Day>("2026-03-02").expect("reads").0,
            jiff::civil::date(2026, 3, 2)
        );
    }

    #[test]
    fn a_corrupt_value_names_its_column_and_what_it_held() {
        let err = read::<CaseState>("opne").expect_err("not a state");
        let store = super::super::classify_error(std::path::Path::new("x.db"), err);
        assert_eq!(
            store.to_string(),
            "database x.db: cases.state is corrupt: \"opne\""
        );
        let err = read::<Instant>("yesterday").expect_err("not an instant");
        assert!(
            err.to_string()
                .contains("cases.state is corrupt: yesterday"),
            "{err}"
        );
    }
}
