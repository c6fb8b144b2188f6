use jiff::civil::date;

use super::*;

fn register(extra_orders: &str) -> RegisterConfig {
    let text = format!(
        r#"
financial_year_end = "06-30"

[[sources]]
name = "customers"
file = "customers.csv"
owner = "customer service"
recipients = [{{ name = "MyCashFlow", role = "processor" }}]
[sources.columns]
email = "Email"
customer_id = "Customer"

[[sources]]
name = "orders"
file = "orders.csv"
bookkeeping = true
{extra_orders}
recipients = [{{ name = "Klarna", role = "controller" }}]
[sources.columns]
order = "Order"
email = "Email"
created = "Date"

[[sources]]
name = "shipping"
file = "shipping.csv"
bookkeeping = true
kept_columns = ["Order", "Date", "Name"]
recipients = [{{ name = "Shipit", role = "processor" }}]
[sources.columns]
order = "Order"
name = "Name"
phone = "Phone"
created = "Date"

[[sources]]
name = "newsletter"
file = "newsletter.csv"
marketing = true
basis = "consent"
[sources.columns]
email = "Email"

[[sources]]
name = "draws"
file = "draws.csv"
basis = "consent"
[sources.columns]
email = "Email"
"#
    );
    toml::from_str(&text).expect("register config")
}

fn entry(id: i64, source: &str, order: Option<&str>, created: Option<&str>) -> Entry {
    Entry {
        id,
        source: source.to_string(),
        line: id as u64 + 1,
        email: Some("maija@example.test".to_string()),
        order: order.map(str::to_string),
        created: created.map(str::to_string),
        ..Entry::default()
    }
}

fn request<'a>(kinds: &'a [RequestKind], entries: &'a [Entry]) -> Request<'a> {
    Request {
        kinds,
        sender: Some("maija@example.test"),
        entries,
        today: date(2026, 12, 4),
        documents: &[],
    }
}

#[test]
fn an_identity_document_is_told_by_its_name_or_by_answering_an_identity_request() {
    let doc = |name: Option<&'static str>, content_type: &'static str, after: bool| Document {
        message: crate::ids::MessageKey(4),
        index: 0,
        name,
        content_type,
        after_identity_request: after,
    };
    assert!(doc(Some("Passi_skannaus.PDF"), "application/pdf", false).is_identity_document());
    assert!(doc(Some("henkilökortti.jpg"), "image/jpeg", false).is_identity_document());
    assert!(doc(Some("mitt körkort.png"), "image/png", false).is_identity_document());
    assert!(doc(Some("ID front.heic"), "image/heic", false).is_identity_document());
    assert!(doc(Some("IMG_2031.jpg"), "image/jpeg", true).is_identity_document());
    // An order confirmation or a photo sent with a plain request is not.
    assert!(!doc(Some("order-10270.pdf"), "application/pdf", false).is_identity_document());
    assert!(!doc(Some("IMG_2031.jpg"), "image/jpeg", false).is_identity_document());
    assert!(!doc(Some("notes.txt"), "text/plain", true).is_identity_document());
    // Nor the note that takes a removed document's place.
    assert!(!doc(Some("removed.txt"), "text/plain", true).is_identity_document());
    let planned = derive(
        &Request {
            documents: &[doc(Some("passport.jpg"), "image/jpeg", false)],
            ..request(&[RequestKind::Access], &[])
        },
        &register(""),
    );
    let delete: Vec<&Planned> = planned
        .iter()
        .filter(|p| p.kind == ActionKind::Delete)
        .collect();
    assert_eq!(delete.len(), 1);
    assert_eq!(delete[0].target, "M4/1");
    assert_eq!(
        document_of(&delete[0].target),
        Some((crate::ids::MessageKey(4), 0))
    );
}

fn kinds_of(planned: &[Planned]) -> Vec<(ActionKind, &str, &str)> {
    planned.iter().map(Planned::key).collect()
}

#[test]
fn a_voucher_is_kept_six_years_from_the_end_of_the_year_its_financial_year_ended() {
    let end = FinancialYearEnd { month: 6, day: 30 };
    // Made in the financial year 1.7.2025–30.6.2026: kept until the end of 2032.
    assert_eq!(
        keep_until(KeepRule::Vouchers, end, date(2025, 8, 1)),
        date(2032, 12, 31)
    );
    assert_eq!(
        keep_until(KeepRule::Vouchers, end, date(2026, 6, 30)),
        date(2032, 12, 31)
    );
    assert_eq!(
        keep_until(KeepRule::Vouchers, end, date(2026, 7, 1)),
        date(2033, 12, 31)
    );
    // The books: 10 years from the end of the financial year itself.
    assert_eq!(
        keep_until(KeepRule::Books, end, date(2025, 8, 1)),
        date(2036, 6, 30)
    );
    let calendar = FinancialYearEnd::default();
    assert_eq!(
        keep_until(KeepRule::Vouchers, calendar, date(2023, 1, 14)),
        date(2029, 12, 31)
    );
}

#[test]
fn record_dates_are_read_in_the_forms_exports_write() {
    let with = |created: &str| record_date(&entry(1, "orders", None, Some(created)));
    assert_eq!(with("2024-08-26"), Some(date(2024, 8, 26)));
    assert_eq!(with("2019-04-02 12:10:44"), Some(date(2019, 4, 2)));
    assert_eq!(with("26.8.2024"), Some(date(2024, 8, 26)));
    assert_eq!(with("yesterday"), None);
}

#[test]
fn erasure_erases_what_no_law_keeps_and_keeps_bookkeeping_until_its_date() {
    let register = register("");
    let entries = [
        entry(1, "customers", None, None),
        entry(2, "orders", Some("10201"), Some("2025-08-01")),
        entry(3, "orders", Some("10202"), Some("2024-01-10")),
        entry(4, "shipping", Some("10201"), Some("2025-08-02")),
    ];
    let mut with_phone = entries.clone();
    with_phone[3].phone = Some("+358401234567".to_string());
    let planned = derive(&request(&[RequestKind::Erasure], &with_phone), &register);
    assert_eq!(
        kinds_of(&planned),
        vec![
            (ActionKind::Erase, "customers", ""),
            (ActionKind::Keep, "orders", "2030-12-31"),
            (ActionKind::Keep, "orders", "2032-12-31"),
            (ActionKind::Keep, "shipping", "2032-12-31"),
            (ActionKind::Erase, "shipping", "fields: Phone"),
            // Recipients of what is erased: not Klarna, which received only kept orders.
            (ActionKind::Notify, "customers", "MyCashFlow"),
            (ActionKind::Notify, "shipping", "Shipit"),
        ]
    );
    assert_eq!(planned[0].owner.as_deref(), Some("customer service"));
    assert_eq!(planned[2].records, vec!["order 10201"]);
    assert_eq!(planned[2].until, Some(date(2032, 12, 31)));
    // Without a phone on the delivery, the kept record holds only what the Act needs.
    let planned = derive(&request(&[RequestKind::Erasure], &entries), &register);
    assert!(!kinds_of(&planned).contains(&(ActionKind::Erase, "shipping", "fields: Phone")));
    assert!(!kinds_of(&planned).contains(&(ActionKind::Notify, "shipping", "Shipit")));
}

#[test]
fn the_books_rule_is_taken_from_the_source() {
    let register = register("keep = \"books\"");
    let entries = [entry(2, "orders", Some("10201"), Some("2025-08-01"))];
    let planned = derive(&request(&[RequestKind::Erasure], &entries), &register);
    assert_eq!(
        kinds_of(&planned),
        vec![(ActionKind::Keep, "orders", "2036-06-30")]
    );
}

#[test]
fn an_opt_out_suppresses_the_address_and_stops_every_marketing_source_without_a_match() {
    let register = register("");
    let planned = derive(
        &request(&[RequestKind::DirectMarketingOptout], &[]),
        &register,
    );
    assert_eq!(
        kinds_of(&planned),
        vec![
            (ActionKind::Suppress, "", "maija@example.test"),
            (
                ActionKind::StopMarketing,
                "newsletter",
                "maija@example.test"
            ),
        ]
    );
}

#[test]
fn a_consent_withdrawal_also_stops_the_other_sources_resting_on_consent() {
    let register = register("");
    let entries = [
        entry(5, "draws", None, None),
        entry(6, "newsletter", None, None),
    ];
    let planned = derive(
        &request(&[RequestKind::ConsentWithdrawal], &entries),
        &register,
    );
    assert_eq!(
        kinds_of(&planned),
        vec![
            (ActionKind::Suppress, "", "maija@example.test"),
            (
                ActionKind::StopMarketing,
                "newsletter",
                "maija@example.test"
            ),
            (ActionKind::Stop, "draws", "consent"),
        ]
    );
}

#[test]
fn rectification_corrects_only_current_data_and_notifies_its_recipients() {
    let register = register("");
    let entries = [
        entry(1, "customers", None, None),
        entry(2, "orders", Some("10201"), Some("2025-08-01")),
    ];
    let planned = derive(&request(&[RequestKind::Rectification], &entries), &register);
    assert_eq!(
        kinds_of(&planned),
        vec![
            (ActionKind::Correct, "customers", ""),
            (ActionKind::Notify, "customers", "MyCashFlow"),
        ]
    );
}

#[test]
fn without_an_identity_nothing_but_marketing_is_acted_on() {
    let register = register("");
    let kinds = [
        RequestKind::Erasure,
        RequestKind::Access,
        RequestKind::Restriction,
    ];
    assert!(derive(&request(&kinds, &[]), &register).is_empty());
}
