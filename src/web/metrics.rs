//! `GET /metrics`: the store's figures in Prometheus text format (0.0.4) for a monitoring
//! system, on the console's listener.
//!
//! It needs no login because it shows only counts (`app::Figures`): no names, no
//! addresses, no case numbers. The gauges are counted from the store at each scrape by
//! the definitions the overview uses; the counters are the store's totals, which keep
//! their history across restarts.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::prometheus_text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

use crate::app::Figures;

use super::Console;
use super::session::blocking;

const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub(super) async fn metrics(State(console): State<Arc<Console>>) -> Response {
    let figures = blocking(&console, |console, store, now| {
        console.app.figures(store, now, &console.reconnects)
    })
    .await;
    match figures {
        Ok(Ok(figures)) => match text(&figures) {
            Ok(body) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response(),
            Err(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot encode the figures\n",
            )
                .into_response(),
        },
        Ok(Err(err)) => {
            tracing::error!(error = %err, "metrics: cannot read the store");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the store cannot be read\n",
            )
                .into_response()
        }
        Err(response) => response,
    }
}

fn gauge(registry: &mut Registry, name: &str, help: &str, value: i64) {
    let metric = Gauge::<i64>::default();
    metric.set(value);
    registry.register(name, help, metric);
}

fn counter(registry: &mut Registry, name: &str, help: &str, value: u64) {
    let metric = Counter::<u64>::default();
    metric.inc_by(value);
    registry.register(name, help, metric);
}

fn count(value: impl TryInto<i64>) -> i64 {
    value.try_into().unwrap_or(i64::MAX)
}

/// The figures as Prometheus text (counters get their `_total` suffix from the encoder).
fn text(figures: &Figures) -> Result<String, std::fmt::Error> {
    let mut registry = Registry::with_prefix("rightsbot");
    gauge(
        &mut registry,
        "cases_open",
        "Cases neither answered nor closed",
        figures.cases_open,
    );
    gauge(
        &mut registry,
        "cases_overdue",
        "Open cases past their deadline (a case whose clock waits for information is not)",
        count(figures.cases_overdue),
    );
    gauge(
        &mut registry,
        "cases_due_soon",
        "Open cases not overdue whose deadline is within 3 working days",
        count(figures.cases_due_soon),
    );
    gauge(
        &mut registry,
        "drafts_waiting",
        "Drafts waiting for a staff approval",
        figures.drafts_waiting,
    );
    gauge(
        &mut registry,
        "actions_open",
        "Actions (erase, correct, notify, ...) open or held",
        count(figures.actions_open),
    );
    let store = Gauge::<i64>::default();
    store.set(count(figures.store_bytes));
    registry.register_with_unit(
        "store_size",
        "Size of the SQLite store (its pages)",
        Unit::Bytes,
        store,
    );
    if let Some(seconds) = figures.seconds_since_last_pass {
        let since = Gauge::<f64, AtomicU64>::default();
        since.set(seconds);
        registry.register_with_unit(
            "since_last_pass",
            "Time since the last completed pass over the request mailbox, as the store records it",
            Unit::Seconds,
            since,
        );
    }
    counter(
        &mut registry,
        "messages_stored",
        "Messages stored, counted from the store at scrape time (kept across restarts; falls only when purge deletes mail)",
        figures.messages_stored.try_into().unwrap_or(0),
    );
    counter(
        &mut registry,
        "quarantined",
        "Messages quarantined, counted from the store at scrape time (kept across restarts; falls only when purge deletes mail)",
        figures.quarantined.try_into().unwrap_or(0),
    );
    counter(
        &mut registry,
        "replies_sent",
        "Replies handed to the mail server or the outbox, counted from the store at scrape time (kept across restarts)",
        figures.replies_sent.try_into().unwrap_or(0),
    );
    counter(
        &mut registry,
        "replies_failed",
        "Replies the mail server refused for good, counted from the store at scrape time (kept across restarts)",
        figures.replies_failed.try_into().unwrap_or(0),
    );
    counter(
        &mut registry,
        "imap_reconnects",
        "Times the daemon lost its request mailbox connection and reconnected, since this process started",
        figures.imap_reconnects,
    );
    let mut body = String::new();
    encode(&mut body, &registry)?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::{Figures, text};

    #[test]
    fn the_text_holds_each_figure_and_no_more() {
        let figures = Figures {
            cases_open: 3,
            cases_overdue: 1,
            seconds_since_last_pass: Some(12.5),
            messages_stored: 40,
            ..Figures::default()
        };
        let body = text(&figures).expect("encodes");
        for line in [
            "rightsbot_cases_open 3",
            "rightsbot_cases_overdue 1",
            "rightsbot_since_last_pass_seconds 12.5",
            "rightsbot_messages_stored_total 40",
            "# TYPE rightsbot_replies_failed_total counter",
            "rightsbot_imap_reconnects_total 0",
        ] {
            assert!(body.lines().any(|l| l == line), "{line} in\n{body}");
        }
        let without = text(&Figures::default()).expect("encodes");
        assert!(!without.contains("since_last_pass"), "{without}");
    }
}
