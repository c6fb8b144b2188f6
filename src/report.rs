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
        report.open_overdue += usize::from(standing.is_overdue(row.deadline, today));
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
        }
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
    fn a_period_ends_no_earlier_than_it_starts() {
        let d = |day| date(2026, 11, day);
        assert!(check_period(Some(d(2)), Some(d(1))).is_err());
        assert!(check_period(Some(d(1)), Some(d(1))).is_ok());
        assert!(check_period(None, Some(d(1))).is_ok());
    }
}
