//! The register: look people up by e-mail, phone, name or order number
//! (`App::find_entries`, a GET form), and the sources held with their last import and the
//! rows it rejected (`App::register_sources`).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::app::{AppError, EntryQuery};

use super::Console;
use super::pages::app_problem;
use super::render::{page, ser, who};
use super::session::signed_in;

/// A field of the form as the search takes it: trimmed, and absent when empty.
fn given(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

/// How many entries a name search shows at most.
const NAME_MATCHES: usize = 20;

#[derive(Deserialize, Serialize, Default)]
pub(super) struct Search {
    email: Option<String>,
    phone: Option<String>,
    name: Option<String>,
    order: Option<String>,
}

#[derive(Serialize)]
struct EntryRow {
    source: String,
    line: u64,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    customer: Option<String>,
    order: Option<String>,
    /// How like the name asked for, in per cent; none for an exact identifier.
    similarity: Option<u32>,
}

#[derive(Serialize)]
struct SourceRow {
    source: String,
    entries: i64,
    imported_at: Option<String>,
    file: Option<String>,
    rejected: Option<i64>,
    withheld: Option<i64>,
}

pub(super) async fn register(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Query(search): Query<Search>,
) -> Response {
    signed_in(console, &headers, move |console, store, _now, session| {
        let query = EntryQuery {
            email: given(&search.email),
            phone: given(&search.phone),
            name: given(&search.name),
            order: given(&search.order),
            customer: None,
            limit: NAME_MATCHES,
        };
        let searched = query.email.is_some()
            || query.phone.is_some()
            || query.name.is_some()
            || query.order.is_some();
        // A value that is no e-mail address or phone number is said on the page, beside
        // the form, not as an error page.
        let (found, not_understood) = if searched {
            match console.app.find_entries(store, &query) {
                Ok(found) => (found, None),
                Err(err @ (AppError::NotAnEmail { .. } | AppError::NotAPhone(_))) => {
                    (Vec::new(), Some(err.to_string()))
                }
                Err(err) => return app_problem(console, session, &err, "/register"),
            }
        } else {
            (Vec::new(), None)
        };
        let entries: Vec<EntryRow> = found
            .into_iter()
            .map(|(entry, similarity)| EntryRow {
                source: entry.source,
                line: entry.line,
                name: entry.name,
                email: entry.email,
                phone: entry.phone,
                customer: entry.customer_id,
                order: entry.order,
                similarity: similarity.map(|s| {
                    // A similarity is within 0..=1; as a whole per cent.
                    let percent = (s.clamp(0.0, 1.0) * 100.0).round();
                    percent as u32
                }),
            })
            .collect();
        let sources = match console.app.register_sources(store) {
            Ok(sources) => sources,
            Err(err) => return app_problem(console, session, &err, "/"),
        };
        let sources: Vec<SourceRow> = sources
            .into_iter()
            .map(|source| SourceRow {
                imported_at: source
                    .imported_at
                    .map(|at| console.instant(Some(session), at)),
                source: source.source,
                entries: source.entries,
                file: source.file,
                rejected: source.rejected,
                withheld: source.withheld,
            })
            .collect();
        page(
            console,
            StatusCode::OK,
            "register.html",
            Some(session),
            context! {
                title => console.word(Some(session), "register_title"),
                staff => who(session),
                search => ser(&search),
                searched => searched,
                not_understood => not_understood,
                entries => ser(&entries),
                sources => ser(&sources),
            },
        )
    })
    .await
}
