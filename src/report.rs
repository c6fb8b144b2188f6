//! The figures a controller shows its supervisory authority: requests by right and by
//! language, how long answers took, how many came late, extensions, refusals, what is
//! still open. Pure: case rows in, figures out.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::case::Standing;
use crate::classify::RequestKind;

pub use crate::store::ReportRow as CaseRow;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub requests: usize,
    pub by_kind: BTreeMap<&'static str, usize>,
    pub by_language: BTreeMap<&'static str, usize>,
    pub answered: usize,
    /// Calendar days from receipt to answer.
    pub days_to_answer_median: Option<f64>,
    pub days_to_answer_p95: Option<i32>,
    pub answered_after_deadline: usize,
    pub extended: usize,
    /// Answers that refused part of the request (Art. 12(4)); one name in JSON, text and CSV.
    pub refused_in_part: usize,
    /// Open as `case::Standing` says: not closed and not answered.
    pub open: usize,
    /// Open and past the deadline on the day of the report.
    pub open_overdue: usize,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReportError {
    #[error("the period starts on {from}, after it ends on {to}: no day is in it")]
    EmptyPeriod { from: Date, to: Date },
}

/// Checks a report's period: the first day may not come after the last.
pub fn check_period(from: Option<Date>, to: Option<Date>) -> Result<(), ReportError> {
    match (from, to) {
        (Some(from), Some(to)) if from > to => Err(ReportError::EmptyPeriod { from, to }),
        _ => Ok(()),
    }
}

/// The figures for cases received from `from` to `to` (inclusive; either may be open).
pub fn summarize(rows: &[CaseRow], from: Option<Date>, to: Option<Date>, today: Date) -> Report {
    let rows: Vec<&CaseRow> = rows
        .iter()
        .filter(|r| from.is_none_or(|f| r.received >= f) && to.is_none_or(|t| r.received <= t))
        .collect();
    let mut report = Report {
        from,
        to,
        requests: rows.len(),
        ..Report::default()
    };
    for kind in RequestKind::ALL {
        report.by_kind.insert(kind.as_str(), 0);
    }
    let mut days = Vec::new();
    for row in &rows {
        for kind in &row.kinds {
            *report.by_kind.entry(kind.as_str()).or_default() += 1;
        }
        let language = row.language.map_or("unknown", |l| l.code());
        *report.by_language.entry(language).or_default() += 1;
        if let Some(replied) = row.replied {
            report.answered += 1;
            days.push((replied - row.received).get_days());
            if replied > row.deadline {
                report.answered_after_deadline += 1;
            }
        }
        let standing = Standing::of(row.state, row.replied.is_some());
        report.open += usize::from(standing.is_open());
        // A case whose clock stands still (information awaited) is not late, as `cases
        // --overdue` and the overview say.
        report.open_overdue +=
            usize::from(!row.waiting && standing.is_overdue(row.deadline, today));
        report.extended += usize::from(row.extended);
        report.refused_in_part += usize::from(row.refused);
    }
    days.sort_unstable();
    report.days_to_answer_median = median(&days);
    // Nearest rank: the smallest value at or above 95 % of the answers.
    report.days_to_answer_p95 = (!days.is_empty()).then(|| {
        let rank = (days.len() * 95).div_ceil(100);
        days[rank.max(1) - 1]
    });
    report
}

impl Report {
    /// The figures as `metric, value` lines, in the order `report` prints them and its CSV
    /// (and the console's download) writes them: one list, so the two never differ.
    pub fn figures(&self) -> Vec<(String, String)> {
        let period = format!(
            "{} – {}",
            self.from
                .map_or("the first case".to_string(), |d| d.to_string()),
            self.to.map_or("today".to_string(), |d| d.to_string())
        );
        let median = self
            .days_to_answer_median
            .map_or(String::new(), |m| format!("{m}"));
        let p95 = self
            .days_to_answer_p95
            .map_or(String::new(), |p| p.to_string());
        let mut lines: Vec<(String, String)> = vec![
            ("period".to_string(), period),
            ("requests".to_string(), self.requests.to_string()),
        ];
        for (kind, count) in &self.by_kind {
            lines.push((format!("requests.{kind}"), count.to_string()));
        }
        for (language, count) in &self.by_language {
            lines.push((format!("language.{language}"), count.to_string()));
        }
        lines.extend([
            ("answered".to_string(), self.answered.to_string()),
            ("days_to_answer.median".to_string(), median),
            ("days_to_answer.p95".to_string(), p95),
            (
                "answered_after_deadline".to_string(),
                self.answered_after_deadline.to_string(),
            ),
            ("extended".to_string(), self.extended.to_string()),
            (
                "refused_in_part".to_string(),
                self.refused_in_part.to_string(),
            ),
            ("open".to_string(), self.open.to_string()),
            ("open_overdue".to_string(), self.open_overdue.to_string()),
        ]);
        lines
    }

    /// The figures as CSV, `metric,value` with a header line: what `report --csv` prints
    /// and the console's `/report.csv` serves.
    pub fn to_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut csv = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        csv.write_record(["metric", "value"])?;
        for (metric, value) in self.figures() {
            csv.write_record([metric, value])?;
        }
        csv.into_inner()
            .map_err(|err| csv::Error::from(err.into_error()))
    }
}

/// The requests of one calendar month of receipt, by right (a request asking for two
/// rights counts once under each, as `by_kind` does).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonthOfRequests {
    /// The month as `YYYY-MM`.
    pub month: String,
    pub by_kind: BTreeMap<&'static str, usize>,
}

/// What the report's charts draw: requests per month by right, and the calendar days each
/// answer took, for the same cases `summarize` counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Series {
    /// Every month from the first case's to the last one's, empty months included.
    pub months: Vec<MonthOfRequests>,
    /// Days from receipt to answer, one per answered case, smallest first.
    pub days_to_answer: Vec<i32>,
}

/// The series behind the charts, for cases received from `from` to `to` (inclusive).
pub fn series(rows: &[CaseRow], from: Option<Date>, to: Option<Date>) -> Series {
    let rows: Vec<&CaseRow> = rows
        .iter()
        .filter(|r| from.is_none_or(|f| r.received >= f) && to.is_none_or(|t| r.received <= t))
        .collect();
    let mut counts: BTreeMap<(i16, i8), BTreeMap<&'static str, usize>> = BTreeMap::new();
    let mut days = Vec::new();
    for row in &rows {
        let month = counts
            .entry((row.received.year(), row.received.month()))
            .or_insert_with(|| RequestKind::ALL.iter().map(|k| (k.as_str(), 0)).collect());
        for kind in &row.kinds {
            *month.entry(kind.as_str()).or_default() += 1;
        }
        if let Some(replied) = row.replied {
            days.push((replied - row.received).get_days());
        }
    }
    days.sort_unstable();
    let mut months = Vec::new();
    if let (Some(first), Some(last)) = (
        counts.keys().next().copied(),
        counts.keys().next_back().copied(),
    ) {
        let (mut year, mut month) = first;
        while (year, month) <= last {
            let by_kind = counts
                .remove(&(year, month))
                .unwrap_or_else(|| RequestKind::ALL.iter().map(|k| (k.as_str(), 0)).collect());
            months.push(MonthOfRequests {
                month: format!("{year:04}-{month:02}"),
                by_kind,
            });
            (year, month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
        }
    }
    Series {
        months,
        days_to_answer: days,
    }
}

fn median(sorted: &[i32]) -> Option<f64> {
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(f64::from(sorted[n / 2])),
        n => Some((f64::from(sorted[n / 2 - 1]) + f64::from(sorted[n / 2])) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseState;
    use crate::lang::Lang;
    use jiff::civil::date;

    fn row(received: Date, deadline: Date, replied: Option<Date>) -> CaseRow {
        CaseRow {
            received,
            deadline,
            kinds: vec![RequestKind::Access],
            language: Some(Lang::Fi),
            state: CaseState::Open,
            replied,
            extended: false,
            refused: false,
            waiting: false,
        }
    }

    #[test]
    fn a_case_whose_clock_waits_is_open_but_not_overdue() {
        let d = |day| date(2026, 11, day);
        let mut rows = vec![row(d(1), d(10), None), row(d(1), d(10), None)];
        rows[1].waiting = true;
        let report = summarize(&rows, None, None, d(20));
        assert_eq!(report.open, 2);
        assert_eq!(report.open_overdue, 1);
    }

    #[test]
    fn median_and_nearest_rank_percentile() {
        let d = |day| date(2026, 11, day);
        let rows: Vec<CaseRow> = [1, 2, 3, 4, 10]
            .iter()
            .map(|&n| row(d(1), d(30), Some(d(1 + n))))
            .collect();
        let report = summarize(&rows, None, None, d(30));
        assert_eq!(report.days_to_answer_median, Some(3.0));
        assert_eq!(report.days_to_answer_p95, Some(10));
        let even: Vec<CaseRow> = rows[..4].to_vec();
        assert_eq!(
            summarize(&even, None, None, d(30)).days_to_answer_median,
            Some(2.5)
        );
        assert_eq!(summarize(&[], None, None, d(30)).days_to_answer_p95, None);
    }

    #[test]
    fn series_count_each_month_by_right_with_empty_months_between() {
        let mut rows = vec![
            row(date(2026, 8, 3), date(2026, 9, 3), Some(date(2026, 8, 10))),
            row(date(2026, 10, 1), date(2026, 11, 1), None),
        ];
        rows[1].kinds = vec![RequestKind::Access, RequestKind::Erasure];
        let series = series(&rows, None, None);
        let months: Vec<&str> = series.months.iter().map(|m| m.month.as_str()).collect();
        assert_eq!(months, ["2026-08", "2026-09", "2026-10"]);
        assert_eq!(series.months[1].by_kind["access"], 0);
        assert_eq!(series.months[2].by_kind["access"], 1);
        assert_eq!(series.months[2].by_kind["erasure"], 1);
        assert_eq!(series.days_to_answer, [7]);
        let later = super::series(&rows, Some(date(2026, 9, 1)), None);
        assert_eq!(later.months.len(), 1);
        assert!(later.days_to_answer.is_empty());
    }

    #[test]
    fn a_period_ends_no_earlier_than_it_starts() {
        let d = |day| date(2026, 11, day);
        assert!(check_period(Some(d(2)), Some(d(1))).is_err());
        assert!(check_period(Some(d(1)), Some(d(1))).is_ok());
        assert!(check_period(None, Some(d(1))).is_ok());
    }
}
