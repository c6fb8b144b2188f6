//! Composing a draft: which reply the case needs, to whom it may go, and the values its
//! template is rendered with. Pure: the case, the identity, the person's entries and the
//! config in; subject, body, attachments and recipient out.

use jiff::civil::Date;
use serde_json::{Value, json};

use super::templates::{TemplateError, Templates};
use super::{Attachment, Composed, Purpose, dates};
use crate::classify::RequestKind;
use crate::config::{Config, LawfulBasis, SourceConfig};
use crate::ids::CaseId;
use crate::lang::Lang;
use crate::matching::{IdentityAction, IdentityOutcome};
use crate::register::Entry;

/// What the draft needs to know of the case.
pub struct CaseFacts<'a> {
    pub id: CaseId,
    pub kinds: &'a [RequestKind],
    pub language: Lang,
    /// The calendar day of receipt in the controller's zone.
    pub received: Date,
    pub deadline: Date,
    /// The subject of the request, control characters already removed.
    pub subject: &'a str,
    /// The From: address of the request (normalised); never its Reply-To.
    pub sender: Option<&'a str>,
}

/// What matching decided, as the draft needs it.
pub struct IdentityFacts<'a> {
    pub outcome: IdentityOutcome,
    pub action: IdentityAction,
    pub clock_waits: bool,
    /// The address on file the request came from: the only address personal data may go to.
    pub reply_to_on_file: Option<&'a str>,
    /// The matched person's entries (one person; empty unless the action is to reply).
    pub entries: &'a [Entry],
}

/// An extension notice's particulars (Art. 12(3)).
pub struct Extension<'a> {
    pub months: u8,
    pub new_deadline: Date,
    /// The Art. 12(3) ground, when staff named one.
    pub ground: Option<crate::vocabulary::ExtensionGround>,
    pub reason: &'a str,
}

/// Chooses the reply a case needs from its rights and identity: the answer, a request for
/// more information, or word that nothing was found. A request only to stop marketing or
/// withdraw consent is answered whoever wrote (`RequestKind::never_delayed`).
pub fn purpose_for(kinds: &[RequestKind], identity: &IdentityFacts<'_>) -> Purpose {
    if RequestKind::never_delayed(kinds) {
        return Purpose::Reply;
    }
    match identity.action {
        IdentityAction::Reply if identity.reply_to_on_file.is_some() => Purpose::Reply,
        // The rule says reply, but there is no address on file to reply to: ask instead.
        IdentityAction::Reply | IdentityAction::AskForInformation => Purpose::IdentityNeeded,
        IdentityAction::NotFound => Purpose::NotFound,
    }
}

/// Renders a draft of `purpose` for a case.
pub fn compose(
    purpose: Purpose,
    case: &CaseFacts<'_>,
    identity: &IdentityFacts<'_>,
    extension: Option<&Extension<'_>>,
    config: &Config,
    templates: &Templates,
) -> Result<Composed, TemplateError> {
    let lang = case.language;
    // Personal data goes only to the address on file (DESIGN: identity; Art. 12(6)): a
    // reply carrying it is made only when that address is known, and is sent nowhere else.
    // A stop to marketing goes to the address that asked and carries nothing but the
    // confirmation of the stop: no entry, no name, whatever the identity outcome.
    let marketing_stop = purpose == Purpose::Reply && RequestKind::never_delayed(case.kinds);
    let personal = purpose.carries_personal_data() && !marketing_stop;
    let (recipient, recipient_note) = if marketing_stop {
        match case.sender {
            Some(sender) => (
                Some(sender.to_string()),
                "the sender of the request: stopping marketing to the address that asked discloses nothing (GDPR Art. 21(3), 7(3)); this reply carries no personal data".to_string(),
            ),
            None => (None, "the request has no sender address".to_string()),
        }
    } else if personal {
        match identity.reply_to_on_file {
            Some(address) => (
                Some(address.to_string()),
                "the address on file for the matched register entry".to_string(),
            ),
            None => (
                None,
                "no address on file: a reply with personal data cannot be sent".to_string(),
            ),
        }
    } else {
        match case.sender {
            Some(sender) => (
                Some(sender.to_string()),
                "the sender of the request (this reply carries no personal data)".to_string(),
            ),
            None => (None, "the request has no sender address".to_string()),
        }
    };
    // No address on file, no data: whatever the caller passed, the draft says nothing of
    // anyone unless it can only go to them.
    let recipient_allows_data = recipient.is_some();
    let entries: &[Entry] = if personal && recipient_allows_data {
        identity.entries
    } else {
        &[]
    };
    let mut context = base_context(case, config, lang);
    let greeting_name = entries.iter().find_map(|e| e.name.clone());
    context["greeting_name"] = json!(greeting_name);
    context["identity"] = json!({ "outcome": identity.outcome.as_str() });
    context["clock_waits"] = json!(identity.clock_waits);
    let mut attachments = Vec::new();
    let mut refusal = false;

    let body = match purpose {
        Purpose::Reply => {
            let sources = sources_of(entries, config);
            context["data"] = Value::Array(
                sources
                    .iter()
                    .map(|(source, rows)| source_context(source, rows, lang))
                    .collect(),
            );
            // Art. 19: every recipient of the data, processor or controller.
            let mut processors: Vec<String> = sources
                .iter()
                .flat_map(|(s, _)| s.recipients.iter().map(|r| r.describe(lang)))
                .collect();
            processors.sort_unstable();
            processors.dedup();
            context["processors"] = json!(processors);
            let title = |s: &SourceConfig| source_title(s, lang);
            context["erased"] = json!(
                sources
                    .iter()
                    .filter(|(s, _)| !s.bookkeeping)
                    .map(|(s, _)| title(s))
                    .collect::<Vec<_>>()
            );
            context["kept_for_bookkeeping"] = json!(
                sources
                    .iter()
                    .filter(|(s, _)| s.bookkeeping)
                    .map(|(s, _)| title(s))
                    .collect::<Vec<_>>()
            );
            // Art. 19 after an erasure: the recipients of the data erased, not of what is kept.
            let mut erasure_recipients: Vec<String> = sources
                .iter()
                .filter(|(s, _)| !s.bookkeeping)
                .flat_map(|(s, _)| s.recipients.iter().map(|r| r.describe(lang)))
                .collect();
            erasure_recipients.sort_unstable();
            erasure_recipients.dedup();
            context["erasure_recipients"] = json!(erasure_recipients);
            // Art. 21(1) weighs grounds only where the basis is Art. 6(1)(e) or (f); what
            // rests on another basis goes on, and the reply says why.
            context["objection_weighed"] = json!(
                sources
                    .iter()
                    .filter(|(s, _)| objectable(s))
                    .map(|(s, _)| title(s))
                    .collect::<Vec<_>>()
            );
            let objection_other: Vec<String> = sources
                .iter()
                .filter(|(s, _)| !objectable(s))
                .filter_map(|(s, _)| {
                    source_context(s, &[], lang)["legal_basis"]
                        .as_str()
                        .map(|basis| format!("{}: {basis}", title(s)))
                })
                .collect();
            context["objection_other"] = json!(objection_other);
            // A partial refusal (Art. 12(4)): erasure asked and bookkeeping kept (Art.
            // 17(3)(b)), or an objection that does not stop processing on another basis.
            refusal = (case.kinds.contains(&RequestKind::Erasure)
                && sources.iter().any(|(s, _)| s.bookkeeping))
                || (case.kinds.contains(&RequestKind::Objection) && !objection_other.is_empty());
            // A general statement on transfers only where no source states its own.
            if sources.iter().any(|(s, _)| s.transfers.is_some()) {
                context["transfers"] = Value::Null;
            }
            if case.kinds.contains(&RequestKind::Portability) {
                attachments = portability_files(case.id, &sources);
            }
            context["attachments"] = json!(
                attachments
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
            );
            let mut sections = Vec::new();
            for kind in case.kinds {
                sections.push(templates.render(
                    lang,
                    &format!("{}.txt", kind.as_str()),
                    &context,
                )?);
            }
            context["sections"] = json!(sections);
            templates.render(lang, "reply.txt", &context)?
        }
        Purpose::Extension => {
            if let Some(extension) = extension {
                context["extension"] = json!({
                    "months": extension.months,
                    "new_deadline": dates::format(extension.new_deadline, lang),
                    "reason": extension.reason,
                    "ground": extension.ground.map(|g| g.as_str()),
                });
            }
            templates.render(lang, super::template_of(purpose), &context)?
        }
        // The details matched one person, but not at the sender's address: the sender
        // may be a stranger who typed a customer's phone or order number, so what they
        // are told must not differ from what someone matching nobody is told (Art. 12(6),
        // EDPB Guidelines 01/2022). The person on file is asked to confirm instead.
        Purpose::IdentityNeeded | Purpose::Refusal
            if identity.outcome == IdentityOutcome::NeedsVerification =>
        {
            templates.render(lang, super::template_of(Purpose::NotFound), &context)?
        }
        _ => templates.render(lang, super::template_of(purpose), &context)?,
    };
    Ok(Composed {
        purpose,
        language: lang,
        recipient,
        recipient_note,
        subject: subject(case, purpose, lang),
        body,
        attachments,
        personal_data: personal && recipient_allows_data,
        refusal: refusal || purpose == Purpose::Refusal,
    })
}

/// What every template may use: the controller, the case, the supervisory authority.
fn base_context(case: &CaseFacts<'_>, config: &Config, lang: Lang) -> Value {
    let controller = &config.controller;
    json!({
        "controller": {
            "name": controller.name,
            "business_id": controller.business_id,
            "privacy_address": controller.privacy_address,
        },
        "case": {
            "id": case.id.to_string(),
            "received": dates::format(case.received, lang),
            "deadline": dates::format(case.deadline, lang),
            "kinds": case.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        },
        "authority": authority(lang),
        "automated_decisions": config.drafts.automated_decisions,
        "profiling": config.drafts.profiling,
        "transfers": config.drafts.transfers.as_ref().map(|t| t.get(lang)),
        "data": [],
        "processors": [],
        "erasure_recipients": [],
        "objection_weighed": [],
        "objection_other": [],
        "marketing_channels": config
            .drafts
            .marketing_channels
            .iter()
            .map(|c| c.get(lang))
            .collect::<Vec<_>>(),
        "searched": config
            .register
            .sources
            .iter()
            .map(|s| source_title(s, lang))
            .collect::<Vec<_>>(),
        "erased": [],
        "kept_for_bookkeeping": [],
        "attachments": [],
        "sections": [],
        "extension": { "months": 0, "new_deadline": "", "reason": "", "ground": null },
    })
}

/// The Finnish supervisory authority (tietosuojavaltuutettu) as a reply names it: every
/// full mail says where to complain (Art. 77), with the postal address, e-mail and phone,
/// and the authority's own pages in the reply's language.
pub(super) fn authority(lang: Lang) -> Value {
    let (name, address, phone, url) = match lang {
        Lang::Fi => (
            "Tietosuojavaltuutetun toimisto",
            "PL 800, 00531 Helsinki",
            "029 566 6700",
            "https://tietosuoja.fi",
        ),
        Lang::Sv => (
            "Dataombudsmannens byrå",
            "PB 800, 00531 Helsingfors",
            "029 566 6700",
            "https://tietosuoja.fi/sv",
        ),
        Lang::En => (
            "Office of the Data Protection Ombudsman",
            "P.O. Box 800, 00531 Helsinki, Finland",
            "+358 29 566 6700",
            "https://tietosuoja.fi/en",
        ),
    };
    json!({
        "name": name,
        "address": address,
        "email": "tietosuoja@om.fi",
        "phone": phone,
        "url": url,
    })
}

/// Whether the right to object of Art. 21(1) reaches a source's processing: only on the
/// bases of Art. 6(1)(e) and (f).
fn objectable(source: &SourceConfig) -> bool {
    matches!(
        source.basis,
        Some(LawfulBasis::LegitimateInterests | LawfulBasis::PublicTask)
    )
}

/// The sources holding the person's entries, in config order, each with its entries.
fn sources_of<'a>(
    entries: &'a [Entry],
    config: &'a Config,
) -> Vec<(&'a SourceConfig, Vec<&'a Entry>)> {
    config
        .register
        .sources
        .iter()
        .filter_map(|source| {
            let rows: Vec<&Entry> = entries
                .iter()
                .filter(|e| e.source == source.name())
                .collect();
            (!rows.is_empty()).then_some((source, rows))
        })
        .collect()
}

fn source_title(source: &SourceConfig, lang: Lang) -> String {
    source
        .title
        .as_ref()
        .map_or_else(|| source.name().to_string(), |t| t.get(lang).to_string())
}

fn source_context(source: &SourceConfig, rows: &[&Entry], lang: Lang) -> Value {
    fn text(value: &Option<crate::config::Localized>, lang: Lang) -> Option<&str> {
        value.as_ref().map(|v| v.get(lang))
    }
    let legal_basis = match (source.basis, text(&source.legal_basis, lang)) {
        (Some(basis), Some(words)) => Some(format!("{}; {words}", basis.describe(lang))),
        (Some(basis), None) => Some(basis.describe(lang).to_string()),
        (None, words) => words.map(str::to_string),
    };
    let transfers = source.transfers.as_ref().map(|transfers| {
        transfers
            .iter()
            .map(|t| {
                let safeguard = match lang {
                    Lang::Fi => "suojatoimi",
                    Lang::Sv => "skyddsåtgärd",
                    Lang::En => "safeguard",
                };
                format!(
                    "{}, {} ({safeguard}: {})",
                    t.recipient.get(lang),
                    t.country.get(lang),
                    t.safeguard.get(lang)
                )
            })
            .collect::<Vec<_>>()
    });
    json!({
        "title": source_title(source, lang),
        "purpose": text(&source.purpose, lang),
        "categories": text(&source.categories, lang),
        "legal_basis": legal_basis,
        "retention": text(&source.retention, lang),
        "origin": text(&source.origin, lang),
        "recipients": source.recipients.iter().map(|r| r.describe(lang)).collect::<Vec<_>>(),
        "transfers_stated": transfers.is_some(),
        "transfers": transfers.unwrap_or_default(),
        "bookkeeping": source.bookkeeping,
        "rows": rows.iter().map(|e| fields(e, source, lang).into_iter().map(|(label, value)| json!({"label": label, "value": value})).collect::<Vec<_>>()).collect::<Vec<_>>(),
    })
}

/// An entry's fields as label and value in the reply's language: the matched fields under
/// the bot's own labels, the other columns under the labels and with the values the
/// source's config gives for the language (the export's own when it gives none).
fn fields(entry: &Entry, source: &SourceConfig, lang: Lang) -> Vec<(String, String)> {
    let labels: [&str; 7] = match lang {
        Lang::Fi => [
            "Nimi",
            "Sähköposti",
            "Puhelin",
            "Osoite",
            "Asiakasnumero",
            "Tilausnumero",
            "Luotu",
        ],
        Lang::Sv => [
            "Namn",
            "E-post",
            "Telefon",
            "Adress",
            "Kundnummer",
            "Beställningsnummer",
            "Skapad",
        ],
        Lang::En => [
            "Name",
            "E-mail",
            "Phone",
            "Address",
            "Customer number",
            "Order number",
            "Created",
        ],
    };
    let values = [
        &entry.name,
        &entry.email,
        &entry.phone,
        &entry.address,
        &entry.customer_id,
        &entry.order,
        &entry.created,
    ];
    let mut out: Vec<(String, String)> = labels
        .iter()
        .zip(values)
        .filter_map(|(label, value)| value.as_ref().map(|v| (label.to_string(), v.clone())))
        .collect();
    out.extend(entry.other.iter().map(|(header, value)| {
        let label = source
            .labels
            .get(header)
            .map_or(header.as_str(), |l| l.get(lang));
        let value = source
            .values
            .get(header)
            .and_then(|values| values.get(value))
            .map_or(value.as_str(), |v| v.get(lang));
        // English writes a decimal point where the Finnish export has a comma.
        let value = match lang {
            Lang::En => decimal_point(value),
            Lang::Fi | Lang::Sv => value.to_string(),
        };
        (label.to_string(), value)
    }));
    out
}

/// The data the person gave, as CSV and JSON files (Art. 20): one row and one object per
/// record, so that orders stay apart; keys in English; numbers with a decimal point; each
/// record named by its source's English title.
fn portability_files(case: CaseId, sources: &[(&SourceConfig, Vec<&Entry>)]) -> Vec<Attachment> {
    let mut records: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (source, entries) in sources {
        for entry in entries {
            let fields = fields(entry, source, Lang::En)
                .into_iter()
                .map(|(key, value)| (key, decimal_point(&value)))
                .collect();
            records.push((source_title(source, Lang::En), fields));
        }
    }
    let mut keys: Vec<&str> = Vec::new();
    for (_, fields) in &records {
        for (key, _) in fields {
            if !keys.contains(&key.as_str()) {
                keys.push(key);
            }
        }
    }
    let quote = |text: &str| format!("\"{}\"", text.replace('"', "\"\""));
    let mut csv = String::from("\"Source\"");
    for key in &keys {
        csv.push(',');
        csv.push_str(&quote(key));
    }
    csv.push_str("\r\n");
    for (title, fields) in &records {
        csv.push_str(&quote(title));
        for key in &keys {
            csv.push(',');
            if let Some((_, value)) = fields.iter().find(|(k, _)| k == key) {
                csv.push_str(&quote(value));
            }
        }
        csv.push_str("\r\n");
    }
    let objects: Vec<Value> = records
        .iter()
        .map(|(title, fields)| {
            let data: serde_json::Map<String, Value> = fields
                .iter()
                .map(|(key, value)| (key.clone(), Value::String(value.clone())))
                .collect();
            json!({ "source": title, "data": data })
        })
        .collect();
    let base = format!("personal-data-{case}");
    vec![
        Attachment {
            name: format!("{base}.csv"),
            content_type: "text/csv; charset=utf-8".to_string(),
            content: csv,
        },
        Attachment {
            name: format!("{base}.json"),
            content_type: "application/json".to_string(),
            content: serde_json::to_string_pretty(&objects).unwrap_or_else(|_| "[]".to_string()),
        },
    ]
}

/// "49,90" becomes "49.90": a number written with a decimal comma, as Finnish exports do,
/// in the form programs read. Anything else is left as it is.
fn decimal_point(value: &str) -> String {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let unsigned = value.strip_prefix('-').unwrap_or(value);
    match unsigned.split_once(',') {
        Some((whole, fraction)) if digits(whole) && digits(fraction) => value.replace(',', "."),
        _ => value.to_string(),
    }
}

/// `Re: <the request's subject> [DSR-YYYY-NNNN]`, or a subject of its own for a notice
/// that opens a conversation. Control characters never survive: a subject is one line.
fn subject(case: &CaseFacts<'_>, purpose: Purpose, lang: Lang) -> String {
    let token = format!("[{}]", case.id);
    let original: String = case
        .subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let original = original.trim();
    let base = if original.is_empty() || purpose == Purpose::Extension {
        let own = match (purpose, lang) {
            (Purpose::Extension, Lang::Fi) => "Vastausajan pidentäminen",
            (Purpose::Extension, Lang::Sv) => "Förlängd svarstid",
            (Purpose::Extension, Lang::En) => "Extension of the time to reply",
            (_, Lang::Fi) => "Tietosuojapyyntönne",
            (_, Lang::Sv) => "Er begäran om dataskydd",
            (_, Lang::En) => "Your data protection request",
        };
        own.to_string()
    } else if original.to_ascii_lowercase().starts_with("re:")
        || original.to_ascii_lowercase().starts_with("vs:")
        || original.to_ascii_lowercase().starts_with("sv:")
    {
        original.to_string()
    } else {
        format!("Re: {original}")
    };
    if base.contains(&token) {
        base
    } else {
        format!("{base} {token}")
    }
}
