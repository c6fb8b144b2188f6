//! Mail that is no request (`App::inbox`), each with a form to open it as a case
//! (`App::open`, a handler or above, the logged-in account acting), and the quarantine
//! with its reasons. A mail is shown as its text, never as its HTML.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::context;
use serde::Serialize;

use crate::classify::RequestKind;
use crate::ids::MessageKey;

use super::Console;
use super::pages::app_problem;
use super::render::{page, problem, ser, who};
use super::session::{Need, act, redirect, signed_in};

/// How much of a mail's text the inbox shows; the rest is cut with a mark.
const TEXT_SHOWN: usize = 4_000;

#[derive(Serialize)]
struct InboxRow {
    message: String,
    received_at: String,
    from_address: Option<String>,
    subject: String,
    text: Option<String>,
    cut: bool,
}

pub(super) async fn inbox(State(console): State<Arc<Console>>, headers: HeaderMap) -> Response {
    signed_in(console, &headers, |console, store, _now, session| {
        let entries = match console.app.inbox(store, false) {
            Ok(entries) => entries,
            Err(err) => return app_problem(console, session, &err, "/"),
        };
        let rows: Vec<InboxRow> = entries
            .into_iter()
            .map(|entry| {
                // The text as the parser gives it (HTML already turned into text); the
                // template escapes it.
                let text = entry
                    .message
                    .parse::<MessageKey>()
                    .ok()
                    .and_then(|key| console.app.message_view(store, key).ok())
                    .and_then(|view| view.mail)
                    .map(|mail| mail.text);
                let end = text
                    .as_deref()
                    .and_then(|t| t.char_indices().nth(TEXT_SHOWN))
                    .map(|(end, _)| end);
                let text = text.map(|t| match end {
                    Some(end) => t[..end].to_string(),
                    None => t,
                });
                InboxRow {
                    received_at: console.instant(Some(session), entry.received_at),
                    message: entry.message,
                    from_address: entry.from_address,
                    subject: entry.subject,
                    text,
                    cut: end.is_some(),
                }
            })
            .collect();
        let kinds: Vec<&str> = RequestKind::ALL.iter().map(|k| k.as_str()).collect();
        page(
            console,
            StatusCode::OK,
            "inbox.html",
            Some(session),
            context! {
                title => console.word(Some(session), "inbox_title"),
                staff => who(session),
                rows => ser(&rows),
                kinds => kinds,
            },
        )
    })
    .await
}

/// `POST /inbox/M12/open`: the mail becomes a case with the rights ticked.
pub(super) async fn open(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Path(message): Path<String>,
    body: Bytes,
) -> Response {
    act(
        console,
        &headers,
        body,
        Need::Handler,
        move |console, store, now, session, fields| {
            let back = "/inbox";
            // Only the form the inbox prints: a typo never names another message.
            if message.parse::<MessageKey>().is_err() {
                return problem(
                    console,
                    StatusCode::NOT_FOUND,
                    Some(session),
                    "There is no such message in the inbox.",
                    Some(back),
                );
            }
            let kinds: Vec<RequestKind> = fields
                .all("kind")
                .into_iter()
                .filter_map(RequestKind::parse)
                .collect();
            if kinds.is_empty() {
                return problem(
                    console,
                    StatusCode::BAD_REQUEST,
                    Some(session),
                    "Tick the rights the mail asks for. Nothing was changed.",
                    Some(back),
                );
            }
            let opened = crate::app::actor(&session.account)
                .and_then(|by| console.app.open(store, &message, &kinds, &by, None, now));
            match opened {
                Ok(opened) => redirect(&format!("/cases/{}", opened.case)),
                Err(err) => app_problem(console, session, &err, back),
            }
        },
    )
    .await
}

#[derive(Serialize)]
struct QuarantineRow {
    at: String,
    origin: String,
    reason: String,
    message: Option<String>,
    size: Option<i64>,
}

pub(super) async fn quarantine(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
) -> Response {
    signed_in(console, &headers, |console, store, _now, session| {
        let entries = match console.app.quarantine(store) {
            Ok(entries) => entries,
            Err(err) => return app_problem(console, session, &err, "/"),
        };
        let rows: Vec<QuarantineRow> = entries
            .into_iter()
            .map(|entry| QuarantineRow {
                at: console.instant(Some(session), entry.at),
                origin: entry.origin,
                reason: entry.reason,
                message: entry.message.map(|key| MessageKey(key).to_string()),
                size: entry.size,
            })
            .collect();
        page(
            console,
            StatusCode::OK,
            "quarantine.html",
            Some(session),
            context! {
                title => console.word(Some(session), "quarantine_title"),
                staff => who(session),
                rows => ser(&rows),
            },
        )
    })
    .await
}
