//! Dates the way each language writes them in a letter: fi 9.4.2026, sv 9 april 2026,
//! en 9 April 2026.

use jiff::civil::Date;

use crate::lang::Lang;

const SV_MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub fn format(date: Date, lang: Lang) -> String {
    // A civil date's month is 1..=12 by construction.
    let month = usize::try_from(date.month() - 1).unwrap_or(0).min(11);
    match lang {
        Lang::Fi => format!("{}.{}.{}", date.day(), date.month(), date.year()),
        Lang::Sv => format!("{} {} {}", date.day(), SV_MONTHS[month], date.year()),
        Lang::En => format!("{} {} {}", date.day(), EN_MONTHS[month], date.year()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_writes_dates_its_own_way() {
        let date = jiff::civil::date(2026, 4, 9);
        assert_eq!(format(date, Lang::Fi), "9.4.2026");
        assert_eq!(format(date, Lang::Sv), "9 april 2026");
        assert_eq!(format(date, Lang::En), "9 April 2026");
        assert_eq!(
            format(jiff::civil::date(2026, 12, 31), Lang::Sv),
            "31 december 2026"
        );
    }
}
