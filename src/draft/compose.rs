//! Composing a draft: which reply the case needs, to whom it may go, and the values its
//! template is rendered with. Pure: the case, the identity, the person's entries and the
//! config in; subject, body, attachments and recipient out.

use std::collections::BTreeMap;

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
use crate::store::ActionRecord;
use crate::vocabulary::{ActionKind, ActionNumber, ActionState};

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
    /// The case's action list as it stands: what a reply reports as done or promises.
    pub actions: &'a [ActionRecord],
    /// The day open actions are promised for: the deadline, or today once it has passed.
    pub commit_by: Date,
    /// The day each source's export was last imported (controller's calendar): the date
    /// of the data an access copy shows, by source name.
    pub data_as_of: &'a BTreeMap<String, Date>,
}

/// No source's date known: for a draft that shows no data (and for tests).
pub static UNDATED: BTreeMap<String, Date> = BTreeMap::new();

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
    let mut claims = Vec::new();

    let body = match purpose {
        Purpose::Reply => {
            let sources = sources_of(entries, config);
            context["data"] = Value::Array(
                sources
                    .iter()
                    .map(|(source, rows)| {
                        let as_of = case.data_as_of.get(source.name()).copied();
                        source_context(source, rows, as_of, lang)
                    })
                    .collect(),
            );
            // What the reply says was done, and what it promises, comes from the case's
            // action list, never from the rights alone (DESIGN: a reply states as done only
            // what has been done and recorded).
            let (act, claimed) = action_context(case, config, lang, recipient_allows_data);
            context["act"] = act;
            claims = claimed;
            let title = |s: &SourceConfig| source_title(s, lang);
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
                    source_context(s, &[], None, lang)["legal_basis"]
                        .as_str()
                        .map(|basis| format!("{}: {basis}", title(s)))
                })
                .collect();
            context["objection_other"] = json!(objection_other);
            // A partial refusal (Art. 12(4)): erasure asked and bookkeeping kept (Art.
            // 17(3)(b)), or an objection that does not stop processing on another basis.
            refusal = (case.kinds.contains(&RequestKind::Erasure)
                && case.actions.iter().any(|a| {
                    matches!(a.kind, ActionKind::Keep) && a.state != ActionState::NotNeeded
                        || a.state == ActionState::Held
                }))
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
        claims: Some(claims),
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
        "act": action_context(case, config, lang, false).0,
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
        "attachments": [],
        "sections": [],
        "extension": { "months": 0, "new_deadline": "", "reason": "", "ground": null },
        "notice": { "processor": false, "erased": false, "corrected": false, "restricted": false, "identifiers": [] },
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

fn source_context(
    source: &SourceConfig,
    rows: &[&Entry],
    as_of: Option<Date>,
    lang: Lang,
) -> Value {
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
        "as_of": as_of.map(|d| dates::format(d, lang)),
        "rows": rows.iter().map(|e| fields(e, source, lang).into_iter().map(|(label, value)| json!({"label": label, "value": value})).collect::<Vec<_>>()).collect::<Vec<_>>(),
    })
}

/// An entry's fields as label and value in the reply's language: the matched fields under
/// the bot's own labels, the other columns under the labels and with the values the
/// source's config gives for the language (the export's own when it gives none).
fn fields(entry: &Entry, source: &SourceConfig, lang: Lang) -> Vec<(String, String)> {
    let labels = field_labels(lang);
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
    out.extend(other_fields(entry, source, lang));
    out
}

/// The bot's own labels of the matched fields, in the order name, e-mail, phone, address,
/// customer number, order number, created.
fn field_labels(lang: Lang) -> [&'static str; 7] {
    match lang {
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
    }
}

/// The other columns of an entry, labelled and valued in `lang`.
fn other_fields<'a>(
    entry: &'a Entry,
    source: &'a SourceConfig,
    lang: Lang,
) -> impl Iterator<Item = (String, String)> + 'a {
    entry.other.iter().map(move |(header, value)| {
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
    })
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

/// The `act` values the section templates report from, and the actions the text states as
/// done (the draft's claims, checked again at approval).
///
/// A draft that may carry no personal data (no address on file to send it to) reports only
/// the actions that concern no register entry: the suppression of the sender's own address
/// and the marketing sources every opt-out stops.
fn action_context(
    case: &CaseFacts<'_>,
    config: &Config,
    lang: Lang,
    may_carry_data: bool,
) -> (Value, Vec<ActionNumber>) {
    let title = |name: &str| {
        config
            .register
            .source(name)
            .map_or_else(|| name.to_string(), |s| source_title(s, lang))
    };
    let reported = |a: &&ActionRecord| {
        crate::actions::asked_by(a.kind)
            .iter()
            .any(|k| case.kinds.contains(k))
    };
    let listed: Vec<&ActionRecord> = case
        .actions
        .iter()
        .filter(reported)
        .filter(|a| may_carry_data || a.entries.is_empty())
        .collect();
    let titles = |kind: ActionKind, state: ActionState, whole: bool| -> Vec<String> {
        let mut out: Vec<String> = listed
            .iter()
            .filter(|a| {
                a.kind == kind
                    && a.state == state
                    && (a.target.is_empty() || !whole || kind != ActionKind::Erase)
            })
            .map(|a| title(&a.source))
            .collect();
        out.dedup();
        out
    };
    let fields = |state: ActionState| -> Vec<Value> {
        listed
            .iter()
            .filter(|a| a.kind == ActionKind::Erase && a.state == state && !a.target.is_empty())
            .map(|a| {
                let source = config.register.source(&a.source);
                let names: Vec<String> = a
                    .target
                    .trim_start_matches("fields: ")
                    .split(", ")
                    .map(|header| {
                        source.map_or_else(|| header.to_string(), |s| field_label(s, header, lang))
                    })
                    .collect();
                json!({ "title": title(&a.source), "fields": names })
            })
            .collect()
    };
    let recipients = |state: ActionState| -> Vec<String> {
        let mut out: Vec<String> = listed
            .iter()
            .filter(|a| a.kind == ActionKind::Notify && a.state == state)
            .map(|a| {
                config
                    .register
                    .recipient(&a.target)
                    .map_or_else(|| a.target.clone(), |r| r.describe(lang))
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    };
    let kept: Vec<&&ActionRecord> = listed
        .iter()
        .filter(|a| {
            a.kind == ActionKind::Keep && matches!(a.state, ActionState::Open | ActionState::Done)
        })
        .collect();
    let act = json!({
        "by": dates::format(case.commit_by, lang),
        "erased": titles(ActionKind::Erase, ActionState::Done, true)
            .into_iter()
            .filter(|_| true)
            .collect::<Vec<_>>(),
        "erase_open": listed
            .iter()
            .filter(|a| a.kind == ActionKind::Erase && a.state == ActionState::Open && a.target.is_empty())
            .map(|a| title(&a.source))
            .collect::<Vec<_>>(),
        "fields_erased": fields(ActionState::Done),
        "fields_open": fields(ActionState::Open),
        "kept": kept
            .iter()
            .map(|a| json!({
                "title": title(&a.source),
                "until": a.until.map(|d| dates::format(d, lang)),
                "records": a.records.iter().map(|r| record_label(r, lang)).collect::<Vec<_>>(),
            }))
            .collect::<Vec<_>>(),
        "kept_restricted": !kept.is_empty() && kept.iter().all(|a| a.state == ActionState::Done),
        "held": listed
            .iter()
            .filter(|a| a.state == ActionState::Held)
            .map(|a| json!({ "title": title(&a.source), "reason": a.reason }))
            .collect::<Vec<_>>(),
        "notified": recipients(ActionState::Done),
        "notify_open": recipients(ActionState::Open),
        "restricted": titles(ActionKind::Restrict, ActionState::Done, false),
        "restrict_open": titles(ActionKind::Restrict, ActionState::Open, false),
        "corrected": titles(ActionKind::Correct, ActionState::Done, false),
        "correct_open": titles(ActionKind::Correct, ActionState::Open, false),
        "stopped": titles(ActionKind::Stop, ActionState::Done, false),
        "stop_open": titles(ActionKind::Stop, ActionState::Open, false),
        "marketing_stopped": titles(ActionKind::StopMarketing, ActionState::Done, false),
        "marketing_open": titles(ActionKind::StopMarketing, ActionState::Open, false),
        "suppressed": listed
            .iter()
            .find(|a| a.kind == ActionKind::Suppress && a.state == ActionState::Done)
            .map(|a| a.target.clone()),
    });
    let claims = listed
        .iter()
        .filter(|a| a.state == ActionState::Done)
        .map(|a| a.number)
        .collect();
    (act, claims)
}

/// A column of a source as a reply in `lang` names it: the bot's own label for a matched
/// field, the config's label for another column, else the header itself.
fn field_label(source: &SourceConfig, header: &str, lang: Lang) -> String {
    let own = source
        .columns
        .fields()
        .into_iter()
        .find(|(_, columns)| columns.names().iter().any(|c| c == header))
        .map(|(field, _)| field);
    let index = match own {
        Some("name") => Some(0),
        Some("email") => Some(1),
        Some("phone") => Some(2),
        Some("address") => Some(3),
        Some("customer_id") => Some(4),
        Some("order") => Some(5),
        Some(_) => Some(6),
        None => None,
    };
    match index {
        Some(i) => field_labels(lang)[i].to_string(),
        None => source
            .labels
            .get(header)
            .map_or_else(|| header.to_string(), |l| l.get(lang).to_string()),
    }
}

/// A record as `actions` names it ("order 10201") in `lang`.
pub(super) fn record_label(record: &str, lang: Lang) -> String {
    let (kind, rest) = record.split_once(' ').unwrap_or(("", record));
    let word = match (kind, lang) {
        ("order", Lang::Fi) => "tilaus",
        ("order", Lang::Sv) => "beställning",
        ("customer", Lang::Fi) => "asiakasnumero",
        ("customer", Lang::Sv) => "kundnummer",
        ("customer", Lang::En) => "customer number",
        ("line", Lang::Fi) => "rivi",
        ("line", Lang::Sv) => "rad",
        ("e-mail", Lang::Fi) => "sähköposti",
        ("e-mail", Lang::Sv) => "e-post",
        (other, _) => other,
    };
    format!("{word} {rest}").trim().to_string()
}
