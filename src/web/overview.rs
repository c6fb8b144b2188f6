//! The console's first page, what needs a person today (`App::overview`), and the lists
//! each of its counts links to: cases overdue, due soon or in triage, failed sends, and
//! the open actions of one owner.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::app::{CaseList, DUE_SOON_WORKING_DAYS};

use super::Console;
use super::pages::app_problem;
use super::render::{page, ser, who};
use super::session::signed_in;

/// The owner query value meaning "no owner named": an owner is a name or an address, and
/// neither starts with a hyphen.
const NO_OWNER: &str = "-";

#[derive(Serialize)]
struct OwnerRow {
    owner: Option<String>,
    /// The owner as the list's query string carries it.
    owner_query: String,
    open: usize,
}

pub(super) async fn home(State(console): State<Arc<Console>>, headers: HeaderMap) -> Response {
    signed_in(console, &headers, |console, store, now, session| {
        let overview = match console.app.overview(store, now) {
            Ok(overview) => overview,
            Err(err) => return app_problem(console, session, &err, "/queue"),
        };
        let owners: Vec<OwnerRow> = overview
            .actions_by_owner
            .iter()
            .map(|o| OwnerRow {
                owner_query: encode(o.owner.as_deref().unwrap_or(NO_OWNER)),
                owner: o.owner.clone(),
                open: o.open,
            })
            .collect();
        page(
            console,
            StatusCode::OK,
            "overview.html",
            Some(session),
            context! {
                title => console.word(Some(session), "overview_title"),
                staff => who(session),
                overview => ser(&overview),
                due_days => DUE_SOON_WORKING_DAYS,
                last_pass => overview.last_pass.map(|at| console.instant(Some(session), at)),
                owners => ser(&owners),
            },
        )
    })
    .await
}

/// A value as it may stand in a query string.
fn encode(value: &str) -> String {
    serde_urlencoded::to_string([("v", value)])
        .map(|pair| pair["v=".len()..].to_string())
        .unwrap_or_default()
}

#[derive(Deserialize)]
pub(super) struct ListQuery {
    show: Option<String>,
}

#[derive(Serialize)]
struct CaseRow {
    case: String,
    subject: String,
    requester: Option<String>,
    standing: &'static str,
    deadline: String,
    working_days_left: i64,
}

/// `/cases?show=overdue|due_soon|triage`: the cases one count of the overview counts.
pub(super) async fn cases(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    signed_in(console, &headers, move |console, store, now, session| {
        let list = query
            .show
            .as_deref()
            .and_then(CaseList::parse)
            .unwrap_or(CaseList::Overdue);
        let lines = match console.app.case_list(store, list, now) {
            Ok(lines) => lines,
            Err(err) => return app_problem(console, session, &err, "/"),
        };
        let today = console.app.today(now);
        let rows: Vec<CaseRow> = lines
            .into_iter()
            .map(|line| CaseRow {
                working_days_left: console.app.working_days_left(today, line.case.deadline),
                deadline: console.date(Some(session), line.case.deadline),
                case: line.case.id,
                subject: line.case.subject,
                requester: line.case.requester,
                standing: line.standing.as_str(),
            })
            .collect();
        let key = match list {
            CaseList::Overdue => "list_overdue",
            CaseList::DueSoon => "list_due_soon",
            CaseList::Triage => "list_triage",
        };
        page(
            console,
            StatusCode::OK,
            "cases.html",
            Some(session),
            context! {
                title => console.words.fill(
                    console.language(Some(session)),
                    key,
                    &DUE_SOON_WORKING_DAYS.to_string(),
                ),
                staff => who(session),
                rows => ser(&rows),
            },
        )
    })
    .await
}

/// `/failed`: the replies the mail server refused for good.
pub(super) async fn failed(State(console): State<Arc<Console>>, headers: HeaderMap) -> Response {
    signed_in(console, &headers, |console, store, _now, session| {
        let failed = match console.app.failed_sends(store) {
            Ok(failed) => failed,
            Err(err) => return app_problem(console, session, &err, "/"),
        };
        page(
            console,
            StatusCode::OK,
            "failed.html",
            Some(session),
            context! {
                title => console.word(Some(session), "failed_title"),
                staff => who(session),
                rows => ser(&failed),
            },
        )
    })
    .await
}

#[derive(Deserialize)]
pub(super) struct OwnerQuery {
    owner: Option<String>,
}

/// `/actions?owner=NAME`: one owner's open actions (`-`: those with no owner).
pub(super) async fn actions(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Query(query): Query<OwnerQuery>,
) -> Response {
    signed_in(console, &headers, move |console, store, _now, session| {
        let owner = query.owner.filter(|o| o != NO_OWNER);
        let actions = match console.app.open_actions_of(store, owner.as_deref()) {
            Ok(actions) => actions,
            Err(err) => return app_problem(console, session, &err, "/"),
        };
        let owner_text = owner
            .clone()
            .unwrap_or_else(|| console.word(Some(session), "action_no_owner").to_string());
        page(
            console,
            StatusCode::OK,
            "actions.html",
            Some(session),
            context! {
                title => console.words.fill(
                    console.language(Some(session)),
                    "actions_of_title",
                    &owner_text,
                ),
                staff => who(session),
                rows => ser(&actions),
            },
        )
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn an_owner_is_encoded_for_a_query_string() {
        assert_eq!(encode("tuki@example.test"), "tuki%40example.test");
        assert_eq!(encode("a&b c"), "a%26b+c");
    }
}
