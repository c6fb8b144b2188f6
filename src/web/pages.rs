//! The pages: the queue, a case, a draft, and the forms on them. Each handler resolves
//! the session, calls one `App` use-case with the account as who acts, and renders or
//! redirects.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::app::{ActionChange, AppError, ApprovalChecks, DraftRef, ExtendRequest, QueueFilter};
use crate::approve::{ApproveError, EditOptions};
use crate::classify::RequestKind;
use crate::ids::{CaseId, DraftId};
use crate::store::{StaffSession, Store};
use crate::vocabulary::{ActionNumber, ExtensionGround, Purpose};

use super::Console;
use super::render::{page, problem, ser, who};
use super::session::{Fields, Need, act, blocking, redirect, signed_in};

/// What a redirect after a form says was done: a fixed word, never text from the request.
#[derive(Deserialize)]
pub(super) struct Done {
    done: Option<String>,
}

fn done_message<'a>(
    console: &'a Console,
    session: &StaffSession,
    done: Option<&str>,
) -> Option<&'a str> {
    let key = match done? {
        "approved" => "done_approved",
        "rejected" => "done_rejected",
        "edited" => "done_edited",
        "extended" => "done_extended",
        "reclassified" => "done_reclassified",
        "closed" => "done_closed",
        "action" => "done_action",
        "verified" => "done_verified",
        "assigned" => "done_assigned",
        _ => return None,
    };
    Some(console.word(Some(session), key))
}

/// An application error as a page: 404 for what does not exist, 403 for the four-eyes
/// rule, 409 for what cannot be done now; the text says why.
/// After a use-case: back to the page with `?done=WHAT`, or the problem shown there.
fn settled<T>(
    console: &Console,
    session: &StaffSession,
    result: Result<T, AppError>,
    back: &str,
    done: &str,
) -> Response {
    match result {
        Ok(_) => redirect(&format!("{back}?done={done}")),
        Err(err) => app_problem(console, session, &err, back),
    }
}

pub(super) fn app_problem(
    console: &Console,
    session: &StaffSession,
    err: &AppError,
    back: &str,
) -> Response {
    let (status, text) = match err {
        AppError::NoSuchCase { case, .. } => {
            (StatusCode::NOT_FOUND, format!("There is no case {case}."))
        }
        AppError::NoSuchDraft(draft) | AppError::NoSuchDraftIn { draft, .. } => {
            (StatusCode::NOT_FOUND, format!("There is no draft {draft}."))
        }
        AppError::Approve(ApproveError::FourEyes { .. }) => {
            (StatusCode::FORBIDDEN, err.to_string())
        }
        AppError::Store(_) => {
            tracing::error!(error = %err, "console use-case failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The store cannot be used just now. Nothing was changed.".to_string(),
            )
        }
        _ => (StatusCode::CONFLICT, err.to_string()),
    };
    problem(console, status, Some(session), &text, Some(back))
}

fn not_found_page(console: &Console, session: &StaffSession, what: &str) -> Response {
    problem(
        console,
        StatusCode::NOT_FOUND,
        Some(session),
        &format!("There is no {what}."),
        Some("/queue"),
    )
}

pub(super) async fn health(State(console): State<Arc<Console>>) -> Response {
    // No personal data and no login: whether the store opens, and the last intake pass.
    let status = blocking(&console, |console, store, now| {
        console
            .app
            .status(store, now)
            .map(|status| status.last_pass)
    })
    .await;
    match status {
        Ok(Ok(last_pass)) => axum::Json(serde_json::json!({
            "store": "ok",
            "last_pass": last_pass.map(|t| t.to_string()),
        }))
        .into_response(),
        Ok(Err(err)) => {
            tracing::error!(error = %err, "health check: the store does not open");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({"store": "unavailable"})),
            )
                .into_response()
        }
        Err(response) => response,
    }
}

pub(super) async fn not_found(State(console): State<Arc<Console>>, headers: HeaderMap) -> Response {
    signed_in(console, &headers, |console, _, _, session| {
        not_found_page(console, session, "such page")
    })
    .await
}

/// Urgency in words, so it never rests on colour alone: its class, and the key of its word.
fn urgency(working_days_left: i64) -> (&'static str, &'static str) {
    match working_days_left {
        i64::MIN..=-1 => ("overdue", "urgency_overdue"),
        0 => ("today", "urgency_today"),
        1..=3 => ("urgent", "urgency_urgent"),
        4..=7 => ("soon", "urgency_soon"),
        _ => ("calm", "urgency_calm"),
    }
}

#[derive(Serialize)]
struct QueueRow {
    draft: String,
    case: String,
    purpose: String,
    language: String,
    recipient: Option<String>,
    subject: String,
    deadline: String,
    working_days_left: i64,
    urgency: &'static str,
    urgency_text: String,
    data_warning: Option<String>,
    owner: Option<String>,
}

/// How many drafts a page of the queue shows.
const QUEUE_PAGE: usize = 50;

/// The queue's filters and page, as the address carries them. Unknown values are ignored
/// (the filter is off), never an error.
#[derive(Deserialize)]
pub(super) struct QueueQuery {
    done: Option<String>,
    purpose: Option<String>,
    language: Option<String>,
    page: Option<String>,
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    selected: bool,
}

pub(super) async fn queue(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Query(query): Query<QueueQuery>,
) -> Response {
    signed_in(console, &headers, move |console, store, now, session| {
        let filter = QueueFilter {
            purpose: query.purpose.as_deref().and_then(Purpose::parse),
            language: query
                .language
                .as_deref()
                .and_then(|l| l.parse::<crate::lang::Lang>().ok()),
        };
        let wanted = query
            .page
            .as_deref()
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1);
        let queue = match console
            .app
            .queue_page(store, now, filter, wanted, QUEUE_PAGE)
        {
            Ok(queue) => queue,
            Err(err) => return app_problem(console, session, &err, "/queue"),
        };
        let lines = queue.lines;
        // The filters as the page's links repeat them (values from our own lists only).
        let mut kept = Vec::new();
        if let Some(purpose) = filter.purpose {
            kept.push(format!("purpose={}", purpose.as_str()));
        }
        if let Some(language) = filter.language {
            kept.push(format!("language={}", language.code()));
        }
        let link = |page: usize| {
            let mut parts = kept.clone();
            parts.push(format!("page={page}"));
            format!("/queue?{}", parts.join("&"))
        };
        let purposes: Vec<Choice> = Purpose::ALL
            .iter()
            .map(|p| Choice {
                value: p.as_str(),
                selected: filter.purpose == Some(*p),
            })
            .collect();
        let languages: Vec<Choice> = crate::lang::Lang::ALL
            .iter()
            .map(|l| Choice {
                value: l.code(),
                selected: filter.language == Some(*l),
            })
            .collect();
        let today = console.app.today(now);
        let rows: Vec<QueueRow> = lines
            .into_iter()
            .map(|line| {
                let left = console.app.working_days_left(today, line.entry.deadline);
                let (urgency, urgency_text) = urgency(left);
                QueueRow {
                    draft: line.entry.draft.to_string(),
                    case: line.entry.case,
                    purpose: line.entry.purpose.to_string(),
                    language: line.entry.language.to_string(),
                    recipient: line.entry.recipient,
                    subject: line.entry.subject,
                    deadline: console.date(Some(session), line.entry.deadline),
                    working_days_left: left,
                    urgency,
                    urgency_text: console.word(Some(session), urgency_text).to_string(),
                    data_warning: line.data_warning,
                    owner: line.entry.owner,
                }
            })
            .collect();
        page(
            console,
            StatusCode::OK,
            "queue.html",
            Some(session),
            context! {
                title => console.word(Some(session), "queue_title"),
                staff => who(session),
                rows => ser(&rows),
                total => queue.total,
                page => queue.page,
                pages => queue.pages,
                previous => (queue.page > 1).then(|| link(queue.page - 1)),
                next => (queue.page < queue.pages).then(|| link(queue.page + 1)),
                purposes => ser(&purposes),
                languages => ser(&languages),
                filtered => filter.purpose.is_some() || filter.language.is_some(),
                message => done_message(console, session, query.done.as_deref()),
            },
        )
    })
    .await
}

#[derive(Serialize)]
struct MessageRow {
    key: i64,
    /// The key as staff write it (`M4`), for links.
    name: String,
    attachments: Vec<AttachmentRow>,
    received_at: String,
    from_address: Option<String>,
    subject: String,
    text: Option<String>,
    /// The text cut at the classifier's evidence, which the page marks.
    pieces: Vec<Piece>,
}

/// An attachment listed under its mail, with where to download it.
#[derive(Serialize)]
struct AttachmentRow {
    index: usize,
    name: String,
    content_type: String,
    size: usize,
}

/// One line of the difference between two texts: `+` added, `-` removed, ` ` kept.
#[derive(Debug, PartialEq, Serialize)]
struct LineChange {
    sign: &'static str,
    line: String,
}

/// The lines `new` adds to and removes from `old`, with the lines kept around them; a
/// text the same as before gives no lines.
fn line_changes(old: &str, new: &str) -> Vec<LineChange> {
    if old == new {
        return Vec::new();
    }
    similar::TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|change| LineChange {
            sign: match change.tag() {
                similar::ChangeTag::Insert => "+",
                similar::ChangeTag::Delete => "-",
                similar::ChangeTag::Equal => " ",
            },
            line: change.value().trim_end_matches('\n').to_string(),
        })
        .collect()
}

/// A stretch of a mail's text: the words a right was read from (`kind`), or the rest.
#[derive(Debug, PartialEq, Serialize)]
struct Piece {
    text: String,
    kind: Option<&'static str>,
}

/// Cuts `text` where the evidence phrases are (any run of white space in a phrase matches
/// any other, as mail wraps lines), so staff see which words each right was read from.
/// Overlapping finds keep the one that starts first.
fn highlight(text: &str, evidence: &[(&str, RequestKind)]) -> Vec<Piece> {
    let mut found: Vec<(usize, usize, RequestKind)> = Vec::new();
    for (phrase, kind) in evidence {
        let words: Vec<String> = phrase.split_whitespace().map(regex::escape).collect();
        if words.is_empty() {
            continue;
        }
        let Ok(pattern) = regex::Regex::new(&words.join(r"\s+")) else {
            continue;
        };
        found.extend(pattern.find_iter(text).map(|m| (m.start(), m.end(), *kind)));
    }
    found.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
    let mut pieces = Vec::new();
    let mut at = 0;
    for (start, end, kind) in found {
        if start < at {
            continue;
        }
        if start > at {
            pieces.push(Piece {
                text: text[at..start].to_string(),
                kind: None,
            });
        }
        pieces.push(Piece {
            text: text[start..end].to_string(),
            kind: Some(kind.as_str()),
        });
        at = end;
    }
    if at < text.len() || pieces.is_empty() {
        pieces.push(Piece {
            text: text[at..].to_string(),
            kind: None,
        });
    }
    pieces
}

#[derive(Serialize)]
struct KindBox {
    name: &'static str,
    checked: bool,
}

pub(super) async fn case(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Path(case): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    signed_in(console, &headers, move |console, store, now, session| {
        let Ok(id) = case.parse::<CaseId>() else {
            return not_found_page(console, session, "such case");
        };
        let view = match console.app.case_view(store, id, now) {
            Ok(view) => view,
            Err(err) => return app_problem(console, session, &err, "/queue"),
        };
        // Who may own a case: the active accounts, by name.
        let accounts: Vec<String> = match console.app.staff_accounts(store) {
            Ok(accounts) => accounts
                .into_iter()
                .filter(|a| !a.disabled)
                .map(|a| a.name)
                .collect(),
            Err(err) => return app_problem(console, session, &err, "/queue"),
        };
        let today = console.app.today(now);
        let left = console
            .app
            .working_days_left(today, view.case.summary.deadline);
        let (urgency, urgency_text) = urgency(left);
        // What the classifier read each right from, per message.
        let evidence: Vec<(String, &str, RequestKind)> = view
            .case
            .events
            .iter()
            .filter_map(|event| match &event.event {
                crate::vocabulary::Event::Classified(classified) => Some(classified),
                _ => None,
            })
            .flat_map(|classified| {
                classified
                    .found
                    .evidence
                    .iter()
                    .map(move |e| (classified.message.clone(), e.phrase.as_str(), e.kind))
            })
            .collect();
        let messages: Vec<MessageRow> = view
            .case
            .messages
            .iter()
            .zip(view.new_texts.iter())
            .zip(view.attachments.iter())
            .map(|((message, text), attachments)| {
                let name = crate::ids::MessageKey(message.key).to_string();
                let phrases: Vec<(&str, RequestKind)> = evidence
                    .iter()
                    .filter(|(of, _, _)| *of == name)
                    .map(|(_, phrase, kind)| (*phrase, *kind))
                    .collect();
                MessageRow {
                    key: message.key,
                    name: name.clone(),
                    attachments: attachments
                        .iter()
                        .enumerate()
                        .map(|(index, a)| AttachmentRow {
                            index,
                            name: a.name.clone().unwrap_or_else(|| format!("#{}", index + 1)),
                            content_type: a.content_type.clone(),
                            size: a.size,
                        })
                        .collect(),
                    received_at: console.instant(Some(session), message.received_at),
                    from_address: message.from_address.clone(),
                    subject: message.subject.clone(),
                    pieces: text
                        .as_deref()
                        .map(|text| highlight(text, &phrases))
                        .unwrap_or_default(),
                    text: text.clone(),
                }
            })
            .collect();
        let kinds: Vec<KindBox> = RequestKind::ALL
            .iter()
            .map(|kind| KindBox {
                name: kind.as_str(),
                checked: view.case.summary.kinds.contains(kind),
            })
            .collect();
        let events: Vec<minijinja::Value> = view
            .case
            .events
            .iter()
            .map(|event| {
                ser(serde_json::json!({
                    "at": console.instant(Some(session), event.at),
                    "actor": event.actor,
                    "kind": event.event.kind(),
                }))
            })
            .collect();
        page(
            console,
            StatusCode::OK,
            "case.html",
            Some(session),
            context! {
                title => console.words.fill(
                    console.language(Some(session)),
                    "case_title",
                    &view.case.summary.id.to_string(),
                ),
                staff => who(session),
                deadline => console.date(Some(session), view.case.summary.deadline),
                received_at => console.instant(Some(session), view.case.summary.received_at),
                case => ser(&view.case.summary),
                requester_name => &view.case.summary.requester_name,
                owner => &view.case.summary.owner,
                accounts => accounts,
                identity => ser(&view.identity),
                messages => ser(&messages),
                drafts => ser(&view.drafts),
                actions => ser(&view.actions),
                events => events,
                kinds => ser(&kinds),
                working_days_left => left,
                urgency => urgency,
                urgency_text => console.word(Some(session), urgency_text),
                unattributed => ser(&view.unattributed),
                second_reader => ser(&view.second_reader),
                read_together => ser(&view.read_together),
                message => done_message(console, session, done.done.as_deref()),
            },
        )
    })
    .await
}

pub(super) async fn draft(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Path(draft): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    signed_in(console, &headers, move |console, store, _now, session| {
        let Ok(id) = draft.parse::<DraftId>() else {
            return not_found_page(console, session, "such draft");
        };
        let view = match console.app.draft_view(store, id) {
            Ok(view) => view,
            Err(err) => return app_problem(console, session, &err, "/queue"),
        };
        let pending = view.record.state == crate::vocabulary::DraftState::Pending;
        // What changed from the draft this one replaces, line by line.
        let changes = match view.record.replaces {
            Some(older) => match console.app.draft_view(store, older) {
                Ok(older) => Some(line_changes(&older.record.body, &view.record.body)),
                Err(err) => return app_problem(console, session, &err, "/queue"),
            },
            None => None,
        };
        page(
            console,
            StatusCode::OK,
            "draft.html",
            Some(session),
            context! {
                title => console.words.fill(
                    console.language(Some(session)),
                    "draft_title",
                    &view.record.draft.to_string(),
                ),
                staff => who(session),
                created_at => console.instant(Some(session), view.record.created_at),
                decided_at => view.record.decided_at.map(|at| console.instant(Some(session), at)),
                draft => ser(&view.record),
                state => view.record.state.as_str(),
                pending => pending,
                changes => changes.map(|c| ser(&c)),
                data_warning => view.data_warning,
                four_eyes => console.app.config().approval.four_eyes,
                message => done_message(console, session, done.done.as_deref()),
            },
        )
    })
    .await
}

/// Runs a form's use-case on a draft named in the path.
async fn on_draft<F>(
    console: Arc<Console>,
    headers: HeaderMap,
    draft: String,
    body: Bytes,
    need: Need,
    work: F,
) -> Response
where
    F: FnOnce(&Console, &mut Store, jiff::Timestamp, &StaffSession, &Fields, DraftId) -> Response
        + Send
        + 'static,
{
    act(
        console,
        &headers,
        body,
        need,
        move |console, store, now, session, fields| match draft.parse::<DraftId>() {
            Ok(id) => work(console, store, now, session, fields, id),
            Err(_) => not_found_page(console, session, "such draft"),
        },
    )
    .await
}

/// Runs a form's use-case on a case named in the path.
async fn on_case<F>(
    console: Arc<Console>,
    headers: HeaderMap,
    case: String,
    body: Bytes,
    need: Need,
    work: F,
) -> Response
where
    F: FnOnce(&Console, &mut Store, jiff::Timestamp, &StaffSession, &Fields, CaseId) -> Response
        + Send
        + 'static,
{
    act(
        console,
        &headers,
        body,
        need,
        move |console, store, now, session, fields| match case.parse::<CaseId>() {
            Ok(id) => work(console, store, now, session, fields, id),
            Err(_) => not_found_page(console, session, "such case"),
        },
    )
    .await
}

/// Who acts: the logged-in account.
fn actor(session: &StaffSession) -> Result<crate::app::Staff, AppError> {
    crate::app::actor(&session.account)
}

pub(super) async fn approve(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Path(draft): Path<String>,
    body: Bytes,
) -> Response {
    on_draft(
        console,
        headers,
        draft,
        body,
        Need::Decider,
        |console, store, now, session, fields, id| {
            let back = format!("/drafts/{id}");
            let checks = ApprovalChecks {
                read_flagged: fields.checked("read_flagged"),
                open_actions_confirmed: fields.checked("open_actions_confirmed"),
            };
            let approved = actor(session).and_then(|by| {
                console
                    .app
                    .approve(store, DraftRef::Draft(id), &by, checks, now)
            });
            settled(console, session, approved, &back, "approved")
        },
    )
    .await
}

pub(super) async fn reject(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Path(draft): Path<String>,
    body: Bytes,
) -> Response {
    on_draft(
        console,
        headers,
        draft,
        body,
        Need::Decider,
        |console, store, now, session, fields, id| {
            let back = format!("/drafts/{id}");
            let reason = fields.get("reason").unwrap_or("");
            let rejected = actor(session).and_then(|by| {
                console
                    .app
                    .reject(store, DraftRef::Draft(id), &by, reason, now)
            });
            settled(console, session, rejected, &back, "rejected")
        },
    )
    .await
}

pub(super) async fn edit(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Path(draft): Path<String>,
    body: Bytes,
) -> Response {
    on_draft(
        console,
        headers,
        draft,
        body,
        Need::Handler,
        |console, store, now, session, fields, id| {
            let back = format!("/drafts/{id}");
            // Browsers post text areas with CRLF line ends; drafts are kept with LF.
            let text = fields.get("body").unwrap_or("").replace("\r\n", "\n");
            let edited = actor(session).and_then(|by| {
                console
                    .app
                    .edit(store, id, &text, &by, EditOptions::default(), now)
            });
            match edited {
                Ok(edited) => redirect(&format!("/drafts/{}?done=edited", edited.draft)),
                Err(err) => app_problem(console, session, &err, &back),
            }
        },
    )
    .await
}

pub(super) async fn extend(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Path(case): Path<String>,
    body: Bytes,
) -> Response {
    on_case(
        console,
        headers,
        case,
        body,
        Need::Decider,
        |console, store, now, session, fields, id| {
            let back = format!("/cases/{id}");
            let months = match fields.get("months") {
                Some("2") => 2,
                _ => 1,
            };
            let ground = fields.get("ground").and_then(ExtensionGround::parse);
            let reason = fields.get("reason").unwrap_or("");
            let extension = ExtendRequest {
                months,
                ground,
                reason,
            };
            let extended =
                actor(session).and_then(|by| console.app.extend(store, id, &extension, &by, now));
            settled(console, session, extended, &back, "extended")
        },
    )
    .await
}

pub(super) async fn reclassify(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Path(case): Path<String>,
    body: Bytes,
) -> Response {
    on_case(
        console,
        headers,
        case,
        body,
        Need::Handler,
        |console, store, now, session, fields, id| {
            let back = format!("/cases/{id}");
            let kinds: Vec<RequestKind> = fields
                .all("kind")
                .into_iter()
                .filter_map(RequestKind::parse)
                .collect();
            let changed =
                actor(session).and_then(|by| console.app.reclassify(store, id, &kinds, &by, now));
            settled(console, session, changed, &back, "reclassified")
        },
    )
    .await
}

pub(super) async fn close(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Path(case): Path<String>,
    body: Bytes,
) -> Response {
    on_case(
        console,
        headers,
        case,
        body,
        Need::Decider,
        |console, store, now, session, fields, id| {
            let back = format!("/cases/{id}");
            let outcome = fields.get("outcome").unwrap_or("");
            let closed =
                actor(session).and_then(|by| console.app.close(store, id, &by, outcome, now));
            settled(console, session, closed, &back, "closed")
        },
    )
    .await
}

/// An attachment of a stored mail, as a download: never shown in the browser, whatever
/// type the mail claims, so a hostile file cannot run as a page of the console.
pub(super) async fn attachment(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Path((message, index)): Path<(String, usize)>,
) -> Response {
    signed_in(console, &headers, move |console, store, _now, session| {
        let Ok(key) = message.parse::<crate::ids::MessageKey>() else {
            return not_found_page(console, session, "such message");
        };
        let file = match console.app.attachment(store, key, index) {
            Ok(file) => file,
            Err(AppError::NoSuchMessage { .. } | AppError::NoSuchAttachment { .. }) => {
                return not_found_page(console, session, "such attachment");
            }
            Err(err) => return app_problem(console, session, &err, "/"),
        };
        let name = file
            .name
            .as_deref()
            .unwrap_or("attachment")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>();
        let disposition = format!("attachment; filename=\"{name}\"");
        (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "application/octet-stream".to_string(),
                ),
                (axum::http::header::CONTENT_DISPOSITION, disposition),
            ],
            file.content,
        )
            .into_response()
    })
    .await
}

/// Staff record that they verified who asks (a note says how); the reply is drafted again.
pub(super) async fn verify(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Path(case): Path<String>,
    body: Bytes,
) -> Response {
    on_case(
        console,
        headers,
        case,
        body,
        Need::Handler,
        |console, store, now, session, fields, id| {
            let back = format!("/cases/{id}");
            let note = fields.get("note").unwrap_or("").trim();
            if note.is_empty() {
                return problem(
                    console,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(session),
                    console.word(Some(session), "verify_note_needed"),
                    Some(&back),
                );
            }
            let verified =
                actor(session).and_then(|by| console.app.verify(store, id, &by, note, now));
            settled(console, session, verified, &back, "verified")
        },
    )
    .await
}

pub(super) async fn action(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Path((case, number)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    on_case(
        console,
        headers,
        case,
        body,
        Need::Handler,
        move |console, store, now, session, fields, id| {
            let back = format!("/cases/{id}");
            let Some(number) = ActionNumber::parse(&number) else {
                return not_found_page(console, session, "such action");
            };
            let text = |name: &str| fields.get(name).unwrap_or("").trim().to_string();
            let change = match fields.get("change") {
                Some("done") => ActionChange::Done {
                    note: Some(text("note")).filter(|n| !n.is_empty()),
                },
                Some("not_needed") => ActionChange::NotNeeded {
                    reason: text("reason"),
                },
                Some("hold") => ActionChange::Hold {
                    reason: text("reason"),
                },
                Some("release") => ActionChange::Release,
                _ => {
                    return problem(
                        console,
                        StatusCode::BAD_REQUEST,
                        Some(session),
                        "Say what to record of the action. Nothing was changed.",
                        Some(&back),
                    );
                }
            };
            let recorded = actor(session).and_then(|by| {
                console
                    .app
                    .record_action(store, id, number, change, &by, now)
            });
            match recorded {
                Ok(_) => redirect(&format!("{back}?done=action#actions")),
                Err(err) => app_problem(console, session, &err, &back),
            }
        },
    )
    .await
}

pub(super) async fn assign(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Path(case): Path<String>,
    body: Bytes,
) -> Response {
    on_case(
        console,
        headers,
        case,
        body,
        Need::Handler,
        |console, store, now, session, fields, id| {
            let back = format!("/cases/{id}");
            // The form's empty choice is "no owner".
            let owner = fields.get("owner").map(str::trim).filter(|o| !o.is_empty());
            let assigned =
                actor(session).and_then(|by| console.app.assign(store, id, owner, &by, now));
            settled(console, session, assigned, &back, "assigned")
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_shows_the_lines_it_added_and_removed() {
        let changes = line_changes(
            "Hei,\nvanha rivi\nTerveisin\n",
            "Hei,\nuusi rivi\nTerveisin\n",
        );
        let signs: Vec<(&str, &str)> = changes.iter().map(|c| (c.sign, c.line.as_str())).collect();
        assert_eq!(
            signs,
            vec![
                (" ", "Hei,"),
                ("-", "vanha rivi"),
                ("+", "uusi rivi"),
                (" ", "Terveisin")
            ]
        );
        assert!(line_changes("same\n", "same\n").is_empty());
    }

    #[test]
    fn evidence_is_marked_across_wrapped_lines_and_overlaps_keep_the_first() {
        let text = "Hei,\npoistakaa tietoni ja\nasiakastilini. Kiitos";
        let pieces = highlight(
            text,
            &[
                ("poistakaa tietoni ja asiakastilini", RequestKind::Erasure),
                ("tietoni", RequestKind::Access),
                ("ei löydy", RequestKind::Objection),
            ],
        );
        assert_eq!(
            pieces,
            vec![
                Piece {
                    text: "Hei,\n".to_string(),
                    kind: None
                },
                Piece {
                    text: "poistakaa tietoni ja\nasiakastilini".to_string(),
                    kind: Some("erasure")
                },
                Piece {
                    text: ". Kiitos".to_string(),
                    kind: None
                },
            ]
        );
        let joined: String = pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(joined, text, "nothing of the text is lost");
        assert_eq!(
            highlight("", &[]),
            vec![Piece {
                text: String::new(),
                kind: None
            }]
        );
    }
}
