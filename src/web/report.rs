//! The supervisory authority's figures for a period (`App::report`, the same figures as
//! `rightsbot report`), two charts drawn on the server (`svg`), and the figures as CSV and
//! JSON downloads.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use minijinja::context;
use serde::{Deserialize, Serialize};

use crate::classify::RequestKind;
use crate::store::StaffSession;

use super::Console;
use super::pages::app_problem;
use super::render::{page, problem, ser, who};
use super::session::signed_in;
use super::svg;

/// The most bars the histogram of days to answer draws.
const DAY_BINS: usize = 12;

/// The period as the address carries it: `from` and `to`, each a `YYYY-MM-DD` day or
/// empty (that end open).
#[derive(Deserialize, Clone, Default)]
pub(super) struct Period {
    from: Option<String>,
    to: Option<String>,
}

impl Period {
    /// The two days; `Err` names the value that is not a day.
    fn days(&self) -> Result<(Option<Date>, Option<Date>), String> {
        let day = |value: &Option<String>| -> Result<Option<Date>, String> {
            match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(text) => text.parse::<Date>().map(Some).map_err(|_| text.to_string()),
            }
        };
        Ok((day(&self.from)?, day(&self.to)?))
    }

    /// The same period for a download link (values from our own parse only).
    fn query(from: Option<Date>, to: Option<Date>) -> String {
        let mut parts = Vec::new();
        if let Some(from) = from {
            parts.push(format!("from={from}"));
        }
        if let Some(to) = to {
            parts.push(format!("to={to}"));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

fn bad_period(console: &Console, session: &StaffSession, text: &str) -> Response {
    problem(
        console,
        StatusCode::BAD_REQUEST,
        Some(session),
        &format!("{text:?} is not a day: write it as YYYY-MM-DD, for example 2026-10-01."),
        Some("/report"),
    )
}

#[derive(Serialize)]
struct Figure {
    metric: String,
    value: String,
}

pub(super) async fn report(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Query(period): Query<Period>,
) -> Response {
    signed_in(console, &headers, move |console, store, now, session| {
        let (from, to) = match period.days() {
            Ok(days) => days,
            Err(text) => return bad_period(console, session, &text),
        };
        let figures = console.app.report(store, from, to, now);
        let series = console.app.report_series(store, from, to);
        let (report, series) = match (figures, series) {
            (Ok(report), Ok(series)) => (report, series),
            (Err(err), _) | (_, Err(err)) => return app_problem(console, session, &err, "/report"),
        };
        let language = console.language(Some(session));
        let by_month = svg::bar_chart(&svg::Chart {
            title: console.word(Some(session), "chart_by_month"),
            id: "by-month",
            labels: series.months.iter().map(|m| m.month.clone()).collect(),
            series: RequestKind::ALL
                .iter()
                .map(|kind| svg::Series {
                    name: kind.as_str(),
                    values: series
                        .months
                        .iter()
                        .map(|m| m.by_kind.get(kind.as_str()).copied().unwrap_or(0))
                        .collect(),
                })
                .collect(),
        });
        let (day_labels, day_counts) = svg::histogram(&series.days_to_answer, DAY_BINS);
        let days_chart = svg::bar_chart(&svg::Chart {
            title: console.word(Some(session), "chart_days"),
            id: "days",
            labels: day_labels.clone(),
            series: vec![svg::Series {
                name: console.word(Some(session), "chart_answers"),
                values: day_counts.clone(),
            }],
        });
        let bins: Vec<(String, usize)> = day_labels.into_iter().zip(day_counts).collect();
        let figures: Vec<Figure> = report
            .figures()
            .into_iter()
            .map(|(metric, value)| Figure { metric, value })
            .collect();
        let kinds: Vec<&str> = RequestKind::ALL.iter().map(|k| k.as_str()).collect();
        let link = Period::query(from, to);
        page(
            console,
            StatusCode::OK,
            "report.html",
            Some(session),
            context! {
                title => console.word(Some(session), "report_title"),
                staff => who(session),
                from => from.map(|d| d.to_string()),
                to => to.map(|d| d.to_string()),
                from_text => from.map(|d| super::words::date(language, d)),
                to_text => to.map(|d| super::words::date(language, d)),
                figures => ser(&figures),
                months => ser(&series.months),
                kinds => kinds,
                bins => bins,
                // Built by `svg`, which escapes every label and writes no script.
                chart_by_month => minijinja::Value::from_safe_string(by_month),
                chart_days => minijinja::Value::from_safe_string(days_chart),
                period_query => link,
            },
        )
    })
    .await
}

/// A download: its type, and `attachment` with a name that says the period.
fn download(
    bytes: Vec<u8>,
    content_type: &'static str,
    from: Option<Date>,
    to: Option<Date>,
    extension: &str,
) -> Response {
    let name = format!(
        "rightsbot-report-{}-{}.{extension}",
        from.map_or("start".to_string(), |d| d.to_string()),
        to.map_or("today".to_string(), |d| d.to_string()),
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A download of the report's figures: as `report --csv` or as `report --json` prints them.
#[derive(Clone, Copy)]
enum Export {
    Csv,
    Json,
}

pub(super) async fn csv(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Query(period): Query<Period>,
) -> Response {
    export(console, headers, period, Export::Csv).await
}

pub(super) async fn json(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Query(period): Query<Period>,
) -> Response {
    export(console, headers, period, Export::Json).await
}

async fn export(
    console: Arc<Console>,
    headers: HeaderMap,
    period: Period,
    format: Export,
) -> Response {
    signed_in(console, &headers, move |console, store, now, session| {
        let (from, to) = match period.days() {
            Ok(days) => days,
            Err(text) => return bad_period(console, session, &text),
        };
        let report = match console.app.report(store, from, to, now) {
            Ok(report) => report,
            Err(err) => return app_problem(console, session, &err, "/report"),
        };
        let (written, content_type, extension, what) = match format {
            Export::Csv => (
                report.to_csv().map_err(|err| err.to_string()),
                "text/csv; charset=utf-8",
                "csv",
                "CSV",
            ),
            Export::Json => (
                serde_json::to_vec(&report).map_err(|err| err.to_string()),
                "application/json",
                "json",
                "JSON",
            ),
        };
        match written {
            Ok(bytes) => download(bytes, content_type, from, to, extension),
            Err(err) => {
                tracing::error!(error = %err, format = what, "the report could not be written");
                problem(
                    console,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Some(session),
                    &format!("The {what} could not be written; the log says why."),
                    Some("/report"),
                )
            }
        }
    })
    .await
}
