//! Actions: what each right asks to be *done*, in which system, by whom — the deeds a reply
//! may only report once they are recorded.
//!
//! Takes a case's rights, the sender's address, the matched person's register entries and
//! the register's config; hands on the planned actions of the case (`erase` per source, or
//! `keep` bookkeeping records restricted until a date computed per record, `correct`,
//! `restrict`, `stop`, `stop_marketing`, `suppress`, Art. 19 `notify` per recipient of what
//! is erased, corrected or restricted). Pure: the store keeps them (`case::actions` syncs
//! them into a case's list without undoing what staff ticked) and drafts report their state.

use jiff::civil::Date;
use serde::Serialize;

use crate::config::{FinancialYearEnd, KeepRule, LawfulBasis, RegisterConfig, SourceConfig};
use crate::lang::Lang;
use crate::register::Entry;
use crate::vocabulary::{ActionKind, RequestKind};

#[cfg(test)]
mod tests;

/// What a case's request is, as the actions need it.
pub struct Request<'a> {
    pub kinds: &'a [RequestKind],
    /// The request's From: address, normalised: the address an opt-out stops mail to.
    pub sender: Option<&'a str>,
    /// The matched person's entries; empty until their identity allows acting on them.
    pub entries: &'a [Entry],
    /// Today in the controller's calendar: the day a record without a date is counted from.
    pub today: Date,
    /// The attachments of the person's mail in the case: an identity document among them
    /// is deleted once identity is decided.
    pub documents: &'a [Document<'a>],
}

/// An attachment of a mail in the case.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    pub message: crate::ids::MessageKey,
    /// Its place among the mail's attachments, from 0.
    pub index: usize,
    pub name: Option<&'a str>,
    pub content_type: &'a str,
    /// The mail came after the controller asked the person for information to identify
    /// them: an image or a PDF in it is taken for an identity document.
    pub after_identity_request: bool,
}

impl Document<'_> {
    /// Whether it looks like an identity document: its name says so, or it is an image or
    /// a PDF sent in answer to a request for identity.
    pub fn is_identity_document(&self) -> bool {
        const WORDS: &[&str] = &[
            "passport",
            "passi",
            "henkilökortti",
            "henkilokortti",
            "henkkari",
            "ajokortti",
            "kuvallinen",
            "idkort",
            "id-kort",
            "körkort",
            "korkort",
            "legitimation",
            "identity",
            "idcard",
            "id-card",
            "id_card",
            "driving",
            "licence",
            "license",
            "henkilöllisyys",
            "henkilollisyys",
        ];
        if self.name == Some(crate::parse::redact::REMOVED) {
            return false;
        }
        let name = self.name.unwrap_or("").to_lowercase();
        let named = WORDS.iter().any(|w| name.contains(w))
            || name
                .split(|c: char| !c.is_alphanumeric())
                .any(|word| matches!(word, "id" | "pass" | "ajokortti"));
        let picture =
            self.content_type.starts_with("image/") || self.content_type == "application/pdf";
        named || (picture && self.after_identity_request)
    }

    /// The action's target: `M4/1` (the first attachment of M4).
    pub fn target(&self) -> String {
        format!("{}/{}", self.message, self.index + 1)
    }
}

/// The message and attachment index (from 0) a `delete` action's target names.
pub fn document_of(target: &str) -> Option<(crate::ids::MessageKey, usize)> {
    let (message, number) = target.split_once('/')?;
    let number: usize = number.parse().ok()?;
    Some((message.parse().ok()?, number.checked_sub(1)?))
}

/// One action the request asks for, before the store numbers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Planned {
    pub kind: ActionKind,
    /// The source (system) it is done in; empty for the suppression list.
    pub source: String,
    /// What in it: the fields to erase or correct, the purpose to stop, the recipient to
    /// notify, the address to suppress; empty when the whole of the person's data is meant.
    pub target: String,
    /// A kept record's end date.
    pub until: Option<Date>,
    /// The register entries it concerns.
    pub entries: Vec<i64>,
    /// The records as staff find them: "order 10201", "line 4".
    pub records: Vec<String>,
    /// Who does it (the source's `owner`).
    pub owner: Option<String>,
    /// Why, in a sentence for the audit trail and for staff.
    pub why: String,
}

impl Planned {
    /// What identifies the action within its case: the same deed derived again is the same
    /// action, whatever staff have recorded of it since.
    pub fn key(&self) -> (ActionKind, &str, &str) {
        (self.kind, &self.source, &self.target)
    }
}

/// The actions a request asks for.
pub fn derive(request: &Request<'_>, register: &RegisterConfig) -> Vec<Planned> {
    let mut out: Vec<Planned> = Vec::new();
    let asks = |kind: RequestKind| request.kinds.contains(&kind);
    let held = |source: &SourceConfig| -> Vec<&Entry> {
        request
            .entries
            .iter()
            .filter(|e| e.source == source.name())
            .collect()
    };
    let plan =
        |kind: ActionKind, source: &SourceConfig, target: &str, rows: &[&Entry], why: &str| {
            Planned {
                kind,
                source: source.name().to_string(),
                target: target.to_string(),
                until: None,
                entries: rows.iter().map(|e| e.id).collect(),
                records: rows.iter().map(|e| record_name(e)).collect(),
                owner: source.owner.clone(),
                why: why.to_string(),
            }
        };
    // Art. 19 reaches the recipients of what is erased, corrected or restricted.
    let mut passed_on: Vec<&SourceConfig> = Vec::new();

    if asks(RequestKind::Erasure) {
        for source in &register.sources {
            let rows = held(source);
            if rows.is_empty() {
                continue;
            }
            match source.keep_rule() {
                None => {
                    out.push(plan(
                        ActionKind::Erase,
                        source,
                        "",
                        &rows,
                        "GDPR Art. 17(1): erase the person's data",
                    ));
                    passed_on.push(source);
                }
                Some(rule) => {
                    out.extend(kept(
                        source,
                        rule,
                        &rows,
                        register.financial_year_end,
                        request.today,
                    ));
                    let fields = unkept_fields(source, &rows);
                    if !fields.is_empty() {
                        out.push(plan(
                            ActionKind::Erase,
                            source,
                            &format!("fields: {}", fields.join(", ")),
                            &rows,
                            "GDPR Art. 17(1): a kept record keeps only what the Accounting Act needs",
                        ));
                        passed_on.push(source);
                    }
                }
            }
        }
    }
    if asks(RequestKind::Rectification) {
        // Only current data is corrected: a past delivery label or an order as it was made
        // was accurate then, and a record the Act keeps is not rewritten.
        for source in register.sources.iter().filter(|s| s.keep_rule().is_none()) {
            let rows = held(source);
            if !rows.is_empty() {
                out.push(plan(
                    ActionKind::Correct,
                    source,
                    "",
                    &rows,
                    "GDPR Art. 16: correct or complete the data the request names",
                ));
                passed_on.push(source);
            }
        }
    }
    if asks(RequestKind::Restriction) {
        for source in &register.sources {
            let rows = held(source);
            if !rows.is_empty() {
                out.push(plan(
                    ActionKind::Restrict,
                    source,
                    "",
                    &rows,
                    "GDPR Art. 18: keep the data but use it only as Art. 18(2) allows",
                ));
                passed_on.push(source);
            }
        }
    }
    // An objection to processing on legitimate interests or a public task (Art. 21(1)).
    if asks(RequestKind::Objection) {
        for source in register.sources.iter().filter(|s| !s.marketing) {
            let rows = held(source);
            if !rows.is_empty()
                && matches!(
                    source.basis,
                    Some(LawfulBasis::LegitimateInterests | LawfulBasis::PublicTask)
                )
            {
                out.push(plan(
                    ActionKind::Stop,
                    source,
                    "",
                    &rows,
                    "GDPR Art. 21(1): stop unless compelling legitimate grounds override",
                ));
            }
        }
    }
    // Direct marketing stops for the address that asked, whoever it is (Art. 21(2)–(3)):
    // stopping mail to an address discloses nothing to it.
    let marketing = asks(RequestKind::DirectMarketingOptout)
        || asks(RequestKind::ConsentWithdrawal)
        || asks(RequestKind::Objection);
    if marketing && let Some(sender) = request.sender {
        out.push(Planned {
            kind: ActionKind::Suppress,
            source: String::new(),
            target: sender.to_string(),
            until: None,
            entries: Vec::new(),
            records: Vec::new(),
            owner: None,
            why: "GDPR Art. 21(3): no more direct marketing to the address that asked".to_string(),
        });
        for source in register.sources.iter().filter(|s| s.marketing) {
            let rows = held(source);
            let mut action = plan(
                ActionKind::StopMarketing,
                source,
                sender,
                &rows,
                "GDPR Art. 21(3): stop direct marketing; absolute, no identity check needed",
            );
            action.target = sender.to_string();
            out.push(action);
        }
    }
    // A withdrawn consent stops every other processing that rests on it (Art. 7(3)).
    if asks(RequestKind::ConsentWithdrawal) {
        for source in register
            .sources
            .iter()
            .filter(|s| !s.marketing && s.basis == Some(LawfulBasis::Consent))
        {
            let rows = held(source);
            if !rows.is_empty() {
                out.push(plan(
                    ActionKind::Stop,
                    source,
                    "consent",
                    &rows,
                    "GDPR Art. 7(3): stop the processing that rests on the withdrawn consent",
                ));
            }
        }
    }
    // Art. 19: each recipient of data erased, corrected or restricted, once, with the
    // identifiers it needs to find the records and nothing more.
    let mut recipients: Vec<(String, &SourceConfig, Vec<String>)> = Vec::new();
    for source in passed_on {
        let ids = identifiers(&held(source));
        for recipient in &source.recipients {
            let name = recipient.name(Lang::En).to_string();
            match recipients.iter_mut().find(|(n, _, _)| *n == name) {
                Some((_, _, known)) => {
                    for id in &ids {
                        if !known.contains(id) {
                            known.push(id.clone());
                        }
                    }
                }
                None => recipients.push((name, source, ids.clone())),
            }
        }
    }
    for (name, source, records) in recipients {
        out.push(Planned {
            kind: ActionKind::Notify,
            source: source.name().to_string(),
            target: name,
            until: None,
            entries: Vec::new(),
            records,
            owner: source.owner.clone(),
            why: "GDPR Art. 19: tell the recipient of the erasure, correction or restriction"
                .to_string(),
        });
    }
    // An identity document is deleted once identity is decided, whatever was asked.
    for document in request
        .documents
        .iter()
        .filter(|d| d.is_identity_document())
    {
        out.push(Planned {
            kind: ActionKind::Delete,
            source: String::new(),
            target: document.target(),
            until: None,
            entries: Vec::new(),
            records: vec![format!(
                "{}: {} ({})",
                document.message,
                document.name.unwrap_or("unnamed"),
                document.content_type
            )],
            owner: None,
            why: "GDPR Art. 5(1)(c), (e): an identity document is kept only until identity is decided; the stored mail keeps the rest and the removed part's hash".to_string(),
        });
    }
    // The same deed asked by two rights is one action.
    let mut seen = std::collections::HashSet::new();
    out.retain(|a| seen.insert((a.kind, a.source.clone(), a.target.clone())));
    out
}

/// The rights that ask for each kind of action (and whose reply sections report it).
pub fn asked_by(kind: ActionKind) -> &'static [RequestKind] {
    use RequestKind::*;
    match kind {
        ActionKind::Erase | ActionKind::Keep => &[Erasure],
        ActionKind::Correct => &[Rectification],
        ActionKind::Restrict => &[Restriction],
        ActionKind::Notify => &[Erasure, Rectification, Restriction],
        ActionKind::Stop => &[ConsentWithdrawal],
        ActionKind::StopMarketing | ActionKind::Suppress => {
            &[DirectMarketingOptout, ConsentWithdrawal]
        }
        // No right asks for it: the law asks it of the controller.
        ActionKind::Delete => &[],
    }
}

/// The `keep` actions of a bookkeeping source: one per end date, each with its records.
fn kept(
    source: &SourceConfig,
    rule: KeepRule,
    rows: &[&Entry],
    year_end: FinancialYearEnd,
    today: Date,
) -> Vec<Planned> {
    let mut by_date: Vec<(Date, Vec<&Entry>)> = Vec::new();
    for entry in rows {
        let date = record_date(entry).unwrap_or(today);
        let until = keep_until(rule, year_end, date);
        match by_date.iter_mut().find(|(d, _)| *d == until) {
            Some((_, list)) => list.push(entry),
            None => by_date.push((until, vec![entry])),
        }
    }
    by_date.sort_by_key(|(d, _)| *d);
    let why = match rule {
        KeepRule::Vouchers => {
            "Kirjanpitolaki 2:10 §: vouchers and business correspondence, 6 years from the end of the year the financial year ended; GDPR Art. 17(3)(b)"
        }
        KeepRule::Books => {
            "Kirjanpitolaki 2:10 §: the books, 10 years from the end of the financial year; GDPR Art. 17(3)(b)"
        }
    };
    by_date
        .into_iter()
        .map(|(until, list)| Planned {
            kind: ActionKind::Keep,
            source: source.name().to_string(),
            target: until.to_string(),
            until: Some(until),
            entries: list.iter().map(|e| e.id).collect(),
            records: list.iter().map(|e| record_name(e)).collect(),
            owner: source.owner.clone(),
            why: why.to_string(),
        })
        .collect()
}

/// The target of the `erase` action a `keep` action ending on `until` turns into once the
/// day has passed: what identifies it within its case, so it is opened once.
pub fn ended_keep_target(until: Date) -> String {
    format!("kept until {until}")
}

/// The last day a bookkeeping record made on `date` is kept (Kirjanpitolaki 2:10 §).
pub fn keep_until(rule: KeepRule, year_end: FinancialYearEnd, date: Date) -> Date {
    let year_end_in = |year: i16| {
        // A financial year ending on 29 February ends on the 28th in other years.
        Date::new(year, year_end.month, year_end.day)
            .or_else(|_| Date::new(year, year_end.month, 28))
            .unwrap_or(date)
    };
    let mut end = year_end_in(date.year());
    if end < date {
        end = year_end_in(date.year().saturating_add(1));
    }
    match rule {
        KeepRule::Vouchers => Date::new(end.year().saturating_add(6), 12, 31).unwrap_or(end),
        KeepRule::Books => year_end_in(end.year().saturating_add(10)),
    }
}

/// The day a record was made: its `created` column, written "2024-08-26",
/// "2019-04-02 12:10:44" or "26.8.2024".
pub fn record_date(entry: &Entry) -> Option<Date> {
    let text = entry.created.as_deref()?.trim();
    let head = text.get(..10).unwrap_or(text);
    if let Ok(date) = head.parse::<Date>() {
        return Some(date);
    }
    let first = text.split_whitespace().next()?;
    let mut parts = first.split('.');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    Date::new(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?).ok()
}

/// What a recipient needs to find the person's records: customer and order numbers and
/// e-mail addresses, never the rest of the data.
fn identifiers(rows: &[&Entry]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |id: String| {
        if !out.contains(&id) {
            out.push(id);
        }
    };
    for entry in rows {
        if let Some(customer) = &entry.customer_id {
            add(format!("customer {customer}"));
        }
        if let Some(order) = &entry.order {
            add(format!("order {order}"));
        }
        if let Some(email) = &entry.email {
            add(format!("e-mail {email}"));
        }
    }
    out
}

/// A record as staff find it in its system.
fn record_name(entry: &Entry) -> String {
    match (&entry.order, &entry.customer_id) {
        (Some(order), _) => format!("order {order}"),
        (None, Some(customer)) => format!("customer {customer}"),
        (None, None) => format!("line {}", entry.line),
    }
}

/// The fields of kept records that the Act does not need: those outside `kept_columns`
/// that hold a value in any of the rows.
fn unkept_fields(source: &SourceConfig, rows: &[&Entry]) -> Vec<String> {
    let Some(kept) = &source.kept_columns else {
        return Vec::new();
    };
    let mut fields: Vec<String> = Vec::new();
    let mut add = |header: &str| {
        if !kept.iter().any(|k| k == header) && !fields.iter().any(|f| f == header) {
            fields.push(header.to_string());
        }
    };
    for entry in rows {
        for (field, columns) in source.columns.fields() {
            let value = match field {
                "email" => &entry.email,
                "phone" => &entry.phone,
                "name" => &entry.name,
                "address" => &entry.address,
                "customer_id" => &entry.customer_id,
                "order" => &entry.order,
                _ => &entry.created,
            };
            if value.as_deref().is_some_and(|v| !v.trim().is_empty()) {
                for header in columns.names() {
                    add(header);
                }
            }
        }
        for (header, value) in &entry.other {
            if !value.trim().is_empty() {
                add(header);
            }
        }
    }
    fields
}
