//! Fresh data: whether a case's answer would rest on register exports older than its
//! request. The register is a snapshot of CSV exports; a person who signed up, ordered or
//! changed an address after the last import is missing from it, and an access copy or a
//! "nothing found" made from it would be wrong. Staff are told to import fresh exports
//! first (`show`, `queue`, the digest); the access reply states each source's date.
//!
//! Pure: the case's receipt time, the sources its identity decision matched and the
//! store's import times in; the stale sources out.

use jiff::Timestamp;
use serde::Serialize;

use crate::store::SourceStatus;

/// What staff are told to do about a stale source.
pub const IMPORT_FIRST: &str = "import fresh exports first";

/// A source whose snapshot is older than the request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StaleSource {
    pub source: String,
    /// When its export was last imported; `None`: never.
    pub imported_at: Option<Timestamp>,
}

/// The sources a case's answer rests on that were last imported before the request
/// arrived. `matched` is what the latest identity decision found (`None`: not matched yet,
/// nothing to say); when it found nothing, the answer "we hold nothing" rests on every
/// configured source, so each of them counts. Listed in the config's order.
pub fn stale_sources<'a>(
    received_at: Timestamp,
    matched: Option<&[String]>,
    configured: impl IntoIterator<Item = &'a str>,
    imports: &[SourceStatus],
) -> Vec<StaleSource> {
    let Some(matched) = matched else {
        return Vec::new();
    };
    // In the config's order, which is how staff know the sources; a matched source the
    // config no longer names comes last.
    let configured: Vec<&str> = configured.into_iter().collect();
    let mut names: Vec<&str> = configured
        .iter()
        .copied()
        .filter(|c| matched.is_empty() || matched.iter().any(|m| m == c))
        .collect();
    names.extend(
        matched
            .iter()
            .map(String::as_str)
            .filter(|m| !configured.contains(m)),
    );
    let mut stale: Vec<StaleSource> = Vec::new();
    for name in names {
        if stale.iter().any(|s| s.source == name) {
            continue;
        }
        let imported_at = imports
            .iter()
            .find(|s| s.source == name)
            .and_then(|s| s.imported_at);
        if imported_at.is_none_or(|at| at < received_at) {
            stale.push(StaleSource {
                source: name.to_string(),
                imported_at,
            });
        }
    }
    stale
}

/// The words staff read: "import fresh exports first: orders, shipping".
pub fn warning(stale: &[StaleSource]) -> Option<String> {
    (!stale.is_empty()).then(|| {
        let names: Vec<&str> = stale.iter().map(|s| s.source.as_str()).collect();
        format!("{IMPORT_FIRST}: {}", names.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imported(source: &str, at: Option<&str>) -> SourceStatus {
        SourceStatus {
            source: source.to_string(),
            entries: 1,
            imported_at: at.map(|t| t.parse().expect("timestamp")),
            file: None,
            rejected: None,
            withheld: None,
        }
    }

    fn at(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    #[test]
    fn a_source_imported_before_the_request_is_stale_and_one_after_it_is_not() {
        let imports = [
            imported("orders", Some("2026-11-01T08:00:00Z")),
            imported("newsletter", Some("2026-11-05T08:00:00Z")),
        ];
        let matched = ["orders".to_string(), "newsletter".to_string()];
        let stale = stale_sources(
            at("2026-11-03T10:00:00Z"),
            Some(&matched),
            ["orders", "newsletter", "shipping"],
            &imports,
        );
        assert_eq!(
            stale,
            vec![StaleSource {
                source: "orders".to_string(),
                imported_at: Some(at("2026-11-01T08:00:00Z")),
            }]
        );
        assert_eq!(
            warning(&stale).as_deref(),
            Some("import fresh exports first: orders")
        );
    }

    #[test]
    fn nothing_found_rests_on_every_source_and_nothing_matched_yet_on_none() {
        let imports = [imported("orders", Some("2026-11-05T08:00:00Z"))];
        let received = at("2026-11-03T10:00:00Z");
        let configured = ["orders", "shipping"];
        let stale = stale_sources(received, Some(&[]), configured, &imports);
        // Shipping was never imported at all.
        assert_eq!(
            stale,
            vec![StaleSource {
                source: "shipping".to_string(),
                imported_at: None
            }]
        );
        assert!(stale_sources(received, None, configured, &imports).is_empty());
        assert_eq!(warning(&[]), None);
    }
}
