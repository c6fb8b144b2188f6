//! `rightsbot deadline DATE [--months N]`: the deadline law on its own.

use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde_json::json;

use crate::deadline::{self, HolidayCalendar};

use super::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The day of receipt (YYYY-MM-DD) or an RFC 3339 instant of receipt.
    #[arg(value_name = "DATE_OR_RFC3339")]
    received: String,
    /// The length of the period; 3 gives the deadline extended by two further months.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=24))]
    months: u8,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<ExitCode> {
    let config = ctx.optional_config()?;
    let (zone, calendar) = match &config {
        Some(config) => (
            config.controller.timezone.zone.clone(),
            crate::deadline::HolidayCalendar::of(&config.controller),
        ),
        None => (
            TimeZone::get("Europe/Helsinki").unwrap_or(TimeZone::UTC),
            HolidayCalendar::default(),
        ),
    };
    let received = receipt_day(&args.received, &zone)?;
    let last = deadline::deadline_from_date(received, args.months, &calendar).ok_or_else(|| {
        anyhow!(
            "{received} plus {} months is past the year 9999",
            args.months
        )
    })?;
    if ctx.json {
        let naive = deadline::add_months(received, args.months);
        super::print_json(&json!({
            "received_on": received.to_string(),
            "months": args.months,
            "deadline": last.to_string(),
            "moved_from": naive.filter(|n| *n != last).map(|n| n.to_string()),
        }))?;
    } else {
        println!("{last}");
    }
    Ok(ExitCode::SUCCESS)
}

fn receipt_day(text: &str, zone: &TimeZone) -> anyhow::Result<Date> {
    if let Ok(date) = text.parse::<Date>() {
        return Ok(date);
    }
    let instant: Timestamp = text
        .parse()
        .with_context(|| format!("not a date (YYYY-MM-DD) or an RFC 3339 instant: {text:?}"))?;
    Ok(instant.to_zoned_datetime(zone.clone()).date())
}
