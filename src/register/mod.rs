//! The register: the controller's own records of people, read from the CSV exports of its
//! systems (webshop, newsletter, shipping, payments).
//!
//! Takes a source's config and its file; hands on [`Entry`] values with every identifier
//! also in its comparable form ([`normalize`]), for the store to keep as that source's
//! snapshot and for `matching` to search. Reading is streaming, a row at a time, so an
//! export of millions of rows never sits in memory. It never decides who anyone is: that
//! is `matching`. It never writes a file: the exports stay as the controller made them.

pub mod guess;
pub mod import;
pub mod normalize;

use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

pub use import::{ImportError, Rejection, Row, SourceReader};

/// One row of one source, as written and as compared.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Entry {
    /// The store's id of the row; 0 before it is stored.
    pub id: i64,
    pub source: String,
    /// The line of the export it came from (1 is the header).
    pub line: u64,
    pub email: Option<String>,
    #[serde(skip)]
    pub email_key: Option<String>,
    pub phone: Option<String>,
    #[serde(skip)]
    pub phone_key: Option<String>,
    pub name: Option<String>,
    #[serde(skip)]
    pub name_key: Option<String>,
    pub address: Option<String>,
    #[serde(skip)]
    pub address_key: Option<String>,
    pub customer_id: Option<String>,
    pub order: Option<String>,
    pub created: Option<String>,
    /// Every other column, in the export's order: the rest of the data an access reply
    /// shows.
    pub other: Vec<(String, String)>,
}

/// The kinds of identifier a tombstone can hold. Never a name alone: namesakes exist.
const TOMBSTONE_KINDS: [&str; 3] = ["email", "phone", "customer_id"];

impl Entry {
    /// The identifiers a tombstone is kept for, kind and key.
    pub fn identifiers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            self.email_key.as_deref(),
            self.phone_key.as_deref(),
            self.customer_id.as_deref(),
        ]
        .into_iter()
        .zip(TOMBSTONE_KINDS)
        .filter_map(|(key, kind)| key.filter(|k| !k.is_empty()).map(|k| (kind, k)))
    }
}

/// The one-way hash a tombstone keeps of an erased person's identifier. The salt is the
/// installation's own, so the hashes cannot be looked up in a table of known addresses.
pub fn tombstone_hash(salt: &[u8], kind: &str, key: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(kind.as_bytes());
    hasher.update(b"\0");
    hasher.update(key.as_bytes());
    hasher.finalize().into()
}

/// The tombstones of erased people, as an import checks rows against them.
#[derive(Debug, Default)]
pub struct Tombstones {
    /// The installation's salt for [`tombstone_hash`].
    pub salt: Vec<u8>,
    /// Each hash, with the case whose erasure left it.
    pub cases: HashMap<[u8; 32], String>,
}

impl Tombstones {
    /// The case whose erasure left a tombstone for one of the entry's identifiers.
    pub fn erased_in(&self, entry: &Entry) -> Option<&str> {
        if self.cases.is_empty() {
            return None;
        }
        entry
            .identifiers()
            .find_map(|(kind, key)| self.cases.get(&tombstone_hash(&self.salt, kind, key)))
            .map(String::as_str)
    }
}
