//! The deadline law: when the answer to a request is due at the latest.
//!
//! GDPR Art. 12(3) gives one month from receipt, extendable by two further months. A
//! period in months is counted under Regulation (EEC, Euratom) No 1182/71: the day of
//! receipt is not counted, the period ends on the same date in the last month (Art. 3(2)(c));
//! when that month has no such date, on its last day; and when that last day is a
//! Saturday, Sunday or public holiday, at the end of the next working day (Art. 3(4)).
//!
//! Takes a receipt instant (or a calendar date) and hands back the last day as a civil
//! date. It is pure: no clock, no I/O, no configuration file; the caller passes the time
//! zone and the holiday calendar.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// Which days are closed, beyond Saturdays and Sundays. The default closes the public
/// holidays only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HolidayCalendar {
    /// Midsummer Eve and Christmas Eve are de facto days off but not public holidays, so
    /// by default they are working days and a deadline that falls on them stays: the
    /// earlier, safe deadline. A controller may choose to treat them as closed.
    pub eves_closed: bool,
}

impl HolidayCalendar {
    /// The calendar the controller's config sets.
    pub fn of(controller: &crate::config::Controller) -> HolidayCalendar {
        HolidayCalendar {
            eves_closed: controller.eves_closed,
        }
    }

    /// The name of the holiday on `date`, if it is one (Finnish public holidays).
    pub fn holiday(&self, date: Date) -> Option<&'static str> {
        let (year, month, day) = (date.year(), date.month(), date.day());
        let easter = easter_sunday(year);
        let fixed = match (month, day) {
            (1, 1) => Some("New Year's Day"),
            (1, 6) => Some("Epiphany"),
            (5, 1) => Some("May Day"),
            (12, 6) => Some("Independence Day"),
            (12, 24) if self.eves_closed => Some("Christmas Eve"),
            (12, 25) => Some("Christmas Day"),
            (12, 26) => Some("Boxing Day"),
            _ => None,
        };
        if fixed.is_some() {
            return fixed;
        }
        if date == add_days(easter, -2) {
            return Some("Good Friday");
        }
        if date == easter {
            return Some("Easter Sunday");
        }
        if date == add_days(easter, 1) {
            return Some("Easter Monday");
        }
        if date == add_days(easter, 39) {
            return Some("Ascension Day");
        }
        if date == add_days(easter, 49) {
            return Some("Whitsun");
        }
        // Midsummer Day is the Saturday between 20 and 26 June; its eve the Friday before.
        if month == 6 && (20..=26).contains(&day) && date.weekday() == Weekday::Saturday {
            return Some("Midsummer Day");
        }
        if self.eves_closed
            && month == 6
            && (19..=25).contains(&day)
            && date.weekday() == Weekday::Friday
        {
            return Some("Midsummer Eve");
        }
        // All Saints' Day is the Saturday between 31 October and 6 November.
        let all_saints_window =
            (month == 10 && day == 31) || (month == 11 && (1..=6).contains(&day));
        if all_saints_window && date.weekday() == Weekday::Saturday {
            return Some("All Saints' Day");
        }
        None
    }

    /// Whether a time limit can end on `date`.
    pub fn is_working_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && self.holiday(date).is_none()
    }

    /// The first working day on or after `date`.
    pub fn next_working_day(&self, mut date: Date) -> Date {
        while !self.is_working_day(date) {
            date = add_days(date, 1);
        }
        date
    }
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm,
/// also known as Meeus/Jones/Butcher).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // The algorithm yields March or April and a day within that month, so the date exists.
    Date::new(year, month as i8, day as i8).expect("Easter is always a valid March or April date")
}

fn add_days(date: Date, days: i32) -> Date {
    // Cannot fail: the Easter offsets (-2 to +49 days) stay inside Easter's own year, and
    // next_working_day stops by 9999-12-31 at the latest, jiff's last date, which is a
    // Friday and no holiday (`the_last_date_is_a_working_day` below).
    date.checked_add(days.days())
        .expect("date arithmetic within jiff's range")
}

/// The same date `months` later, or that month's last day when it has no such date
/// (1182/71 Art. 3(2)(c)). `None` only beyond the year 9999.
pub fn add_months(date: Date, months: u8) -> Option<Date> {
    // jiff clamps to the last day of the month, which is exactly the rule.
    date.checked_add(i32::from(months).months()).ok()
}

/// The last day of a period of `months` months that runs from a request received on `received`.
pub fn deadline_from_date(received: Date, months: u8, calendar: &HolidayCalendar) -> Option<Date> {
    let naive = add_months(received, months)?;
    Some(calendar.next_working_day(naive))
}

/// The last day of a period of `months` months from `received` during which the clock
/// stood still for `suspended_days` calendar days: the days already run still count, so
/// the period's own end moves by the days suspended, and a Saturday, Sunday or public
/// holiday moves it on to the next working day (1182/71 Art. 3(4)).
pub fn deadline_after_suspension(
    received: Date,
    months: u8,
    suspended_days: i64,
    calendar: &HolidayCalendar,
) -> Option<Date> {
    let naive = add_months(received, months)?;
    let moved = naive.checked_add(suspended_days.max(0).days()).ok()?;
    Some(calendar.next_working_day(moved))
}

/// The last day of the period for a request received at `received`, the receipt day
/// being taken in the controller's time zone (a mail at 23:30 UTC on 31 January is
/// received on 1 February in Helsinki).
pub fn deadline(
    received: Timestamp,
    tz: &TimeZone,
    months: u8,
    calendar: &HolidayCalendar,
) -> Option<Date> {
    deadline_from_date(
        received.to_zoned_datetime(tz.clone()).date(),
        months,
        calendar,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn fi() -> HolidayCalendar {
        HolidayCalendar::default()
    }

    fn one_month(d: Date) -> Date {
        deadline_from_date(d, 1, &fi()).unwrap()
    }

    #[test]
    fn a_suspended_period_keeps_the_days_already_run() {
        // Received Monday 2 November 2026; the month would end Wednesday 2 December. The
        // clock stood still 5 to 20 November: 15 days, so the end is Thursday 17 December.
        assert_eq!(
            deadline_after_suspension(date(2026, 11, 2), 1, 15, &fi()),
            Some(date(2026, 12, 17))
        );
        // No days suspended: the ordinary deadline.
        assert_eq!(
            deadline_after_suspension(date(2026, 11, 2), 1, 0, &fi()),
            Some(one_month(date(2026, 11, 2)))
        );
        // An end moved onto Independence Day (Sunday 6 December 2026) goes to Monday.
        assert_eq!(
            deadline_after_suspension(date(2026, 11, 2), 1, 4, &fi()),
            Some(date(2026, 12, 7))
        );
    }

    #[test]
    fn the_last_date_is_a_working_day() {
        // add_days relies on this: no search for a working day runs past jiff's range.
        for calendar in [fi(), HolidayCalendar { eves_closed: true }] {
            assert!(calendar.is_working_day(date(9999, 12, 31)));
        }
    }

    #[test]
    fn easter_dates_match_known_years() {
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2026), date(2026, 4, 5));
        assert_eq!(easter_sunday(2027), date(2027, 3, 28));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
        assert_eq!(easter_sunday(2285), date(2285, 3, 22));
    }

    #[test]
    fn same_date_next_month() {
        // 15 November 2026 is a Sunday, so the period ends on Monday the 16th.
        assert_eq!(one_month(date(2026, 10, 15)), date(2026, 11, 16));
        assert_eq!(one_month(date(2026, 3, 10)), date(2026, 4, 10));
    }

    #[test]
    fn end_of_month_clamps_then_skips_weekend() {
        // 28 February 2026 is a Saturday: the period ends on Monday 2 March.
        assert_eq!(one_month(date(2026, 1, 31)), date(2026, 3, 2));
        // 2028 is a leap year: 29 February 2028 is a Tuesday.
        assert_eq!(one_month(date(2028, 1, 31)), date(2028, 2, 29));
        assert_eq!(one_month(date(2026, 3, 31)), date(2026, 4, 30));
    }

    #[test]
    fn christmas_spills_over() {
        // 24 Nov 2026 → Thursday 24 Dec (Christmas Eve): a working day by default.
        assert_eq!(one_month(date(2026, 11, 24)), date(2026, 12, 24));
        // With the eves closed: 24, 25, 26, Sunday 27 → Monday 28.
        let eves_closed = HolidayCalendar { eves_closed: true };
        assert_eq!(
            deadline_from_date(date(2026, 11, 24), 1, &eves_closed),
            Some(date(2026, 12, 28))
        );
        // 6 December is Independence Day (a Sunday in 2026 anyway; 2027 a Monday).
        assert_eq!(one_month(date(2027, 11, 6)), date(2027, 12, 7));
    }

    #[test]
    fn easter_spills_over() {
        // Good Friday 2026 is 3 April; Easter Monday 6 April.
        assert_eq!(one_month(date(2026, 3, 3)), date(2026, 4, 7));
        assert_eq!(one_month(date(2026, 3, 6)), date(2026, 4, 7));
        // Ascension 2026: 14 May (Thursday).
        assert_eq!(one_month(date(2026, 4, 14)), date(2026, 5, 15));
        // May Day 2026 is a Friday.
        assert_eq!(one_month(date(2026, 4, 1)), date(2026, 5, 4));
    }

    #[test]
    fn midsummer_and_all_saints() {
        // Midsummer Eve 2026 is Friday 19 June, Midsummer Day Saturday 20 June. The eve is
        // a working day by default, a closed day when the controller chooses.
        let eves_closed = HolidayCalendar { eves_closed: true };
        assert_eq!(fi().holiday(date(2026, 6, 19)), None);
        assert_eq!(one_month(date(2026, 5, 19)), date(2026, 6, 19));
        assert_eq!(
            eves_closed.holiday(date(2026, 6, 19)),
            Some("Midsummer Eve")
        );
        assert_eq!(fi().holiday(date(2026, 6, 20)), Some("Midsummer Day"));
        assert_eq!(
            deadline_from_date(date(2026, 5, 19), 1, &eves_closed),
            Some(date(2026, 6, 22))
        );
        // All Saints' Day is a Saturday anyway, but a holiday still.
        assert_eq!(fi().holiday(date(2026, 10, 31)), Some("All Saints' Day"));
        assert_eq!(fi().holiday(date(2027, 11, 6)), Some("All Saints' Day"));
        assert_eq!(fi().holiday(date(2027, 10, 30)), None);
    }

    #[test]
    fn receipt_day_is_taken_in_helsinki() {
        let tz = TimeZone::get("Europe/Helsinki").unwrap();
        // 23:30 UTC on 31 March 2026 is already 1 April (02:30 EEST) in Helsinki.
        let late: Timestamp = "2026-03-31T23:30:00Z".parse().unwrap();
        assert_eq!(deadline(late, &tz, 1, &fi()), Some(date(2026, 5, 4)));
        // The same instant read as UTC would have ended on 30 April.
        assert_eq!(
            deadline(late, &TimeZone::UTC, 1, &fi()),
            Some(date(2026, 4, 30))
        );
    }

    #[test]
    fn extension_counts_from_the_same_receipt() {
        assert_eq!(
            deadline_from_date(date(2026, 1, 31), 3, &fi()),
            Some(date(2026, 4, 30))
        );
        assert_eq!(
            deadline_from_date(date(2026, 11, 30), 3, &fi()),
            Some(date(2027, 3, 1))
        );
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (1990i16..2100, 1i8..=12, 1i8..=31).prop_map(|(y, m, d)| {
            let first = date(y, m, 1);
            let last = first.last_of_month().day();
            date(y, m, d.min(last))
        })
    }

    proptest! {
        #[test]
        fn never_a_closed_day(received in any_date(), months in 1u8..=3) {
            let cal = fi();
            let end = deadline_from_date(received, months, &cal).unwrap();
            prop_assert!(cal.is_working_day(end), "{end} is closed");
        }

        #[test]
        fn never_before_the_naive_date(received in any_date(), months in 1u8..=3) {
            let end = deadline_from_date(received, months, &fi()).unwrap();
            let naive = add_months(received, months).unwrap();
            prop_assert!(end >= naive);
            prop_assert!(end > received);
            // Never more than a week of closed days in a row in Finland.
            prop_assert!((end - naive).get_days() <= 7, "{received} → {end}");
        }

        #[test]
        fn monotone_in_receipt(received in any_date(), gap in 0i32..400) {
            let later = received.checked_add(gap.days()).unwrap();
            let a = deadline_from_date(received, 1, &fi()).unwrap();
            let b = deadline_from_date(later, 1, &fi()).unwrap();
            prop_assert!(a <= b, "{received} → {a} but {later} → {b}");
        }

        #[test]
        fn extension_never_ends_before_the_first_deadline(received in any_date()) {
            let first = deadline_from_date(received, 1, &fi()).unwrap();
            let extended = deadline_from_date(received, 3, &fi()).unwrap();
            prop_assert!(extended > first);
        }
    }
}
