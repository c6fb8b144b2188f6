//! The legal texts: what every draft must say, in every language, whatever the case.
//!
//! The snapshots in `drafts.rs` show the wording; these tests pin the elements the law
//! requires, so an edit of a template cannot drop one unnoticed.

mod support;

use std::fs;
use std::path::Path;

use rightsbot::classify::RequestKind;
use rightsbot::config::Config;
use rightsbot::draft::{
    CaseFacts, Composed, Extension, IdentityFacts, Purpose, Templates, compose,
};
use rightsbot::ids::CaseId;
use rightsbot::lang::Lang;
use rightsbot::matching::{IdentityAction, IdentityOutcome};
use rightsbot::register::Entry;
use support::repo;

const KINDS: [RequestKind; 8] = [
    RequestKind::Access,
    RequestKind::Rectification,
    RequestKind::Erasure,
    RequestKind::Restriction,
    RequestKind::Portability,
    RequestKind::Objection,
    RequestKind::DirectMarketingOptout,
    RequestKind::ConsentWithdrawal,
];

fn fixture_config() -> Config {
    let text = fs::read_to_string(repo().join("tests/fixtures/drafts/rightsbot.toml"))
        .expect("the fixture config");
    Config::parse(&text, Path::new("rightsbot.toml"), Path::new(".")).expect("a valid config")
}

fn fixture_entries() -> Vec<Entry> {
    vec![
        Entry {
            id: 1,
            source: "customers".to_string(),
            line: 2,
            email: Some("aino.aaltonen@example.test".to_string()),
            name: Some("Aino Aaltonen".to_string()),
            customer_id: Some("10777".to_string()),
            ..Entry::default()
        },
        Entry {
            id: 2,
            source: "orders".to_string(),
            line: 5,
            email: Some("aino.aaltonen@example.test".to_string()),
            order: Some("20991".to_string()),
            ..Entry::default()
        },
    ]
}

fn case(kinds: &[RequestKind], language: Lang) -> CaseFacts<'_> {
    CaseFacts {
        id: CaseId { year: 2026, seq: 7 },
        kinds,
        language,
        received: jiff::civil::date(2026, 4, 9),
        deadline: jiff::civil::date(2026, 5, 11),
        subject: "Pyyntö",
        sender: Some("aino.aaltonen@example.test"),
        actions: &[],
        commit_by: jiff::civil::date(2026, 5, 11),
        data_as_of: &rightsbot::draft::UNDATED,
    }
}

fn draft(
    purpose: Purpose,
    kinds: &[RequestKind],
    language: Lang,
    identity: &IdentityFacts<'_>,
    config: &Config,
) -> Composed {
    let extension = Extension {
        months: 2,
        new_deadline: jiff::civil::date(2026, 7, 9),
        ground: None,
        reason: "many orders",
    };
    compose(
        purpose,
        &case(kinds, language),
        identity,
        Some(&extension),
        config,
        &Templates::new(None),
    )
    .unwrap_or_else(|err| panic!("{purpose:?} {language:?}: {err}"))
}

/// Every draft the bot can write for a case, by name: each right alone, all at once, and
/// each purpose that is not a reply.
fn every_draft(config: &Config, entries: &[Entry]) -> Vec<(String, Composed)> {
    let on_file = IdentityFacts {
        outcome: IdentityOutcome::OnFileUnverified,
        action: IdentityAction::Reply,
        clock_waits: false,
        reply_to_on_file: Some("aino.aaltonen@example.test"),
        entries,
    };
    let mut drafts = Vec::new();
    for language in Lang::ALL {
        let code = language.code();
        for kind in KINDS {
            let name = format!("{code} reply {}", kind.as_str());
            drafts.push((
                name,
                draft(Purpose::Reply, &[kind], language, &on_file, config),
            ));
        }
        drafts.push((
            format!("{code} reply all"),
            draft(Purpose::Reply, &KINDS, language, &on_file, config),
        ));
        for purpose in [
            Purpose::Acknowledgement,
            Purpose::NotFound,
            Purpose::Extension,
            Purpose::Refusal,
        ] {
            let name = format!("{code} {}", purpose.as_str());
            drafts.push((
                name,
                draft(purpose, &[RequestKind::Erasure], language, &on_file, config),
            ));
        }
        for outcome in [
            IdentityOutcome::NeedsVerification,
            IdentityOutcome::Ambiguous,
            IdentityOutcome::NoMatch,
        ] {
            let asking = IdentityFacts {
                outcome,
                action: IdentityAction::AskForInformation,
                clock_waits: outcome == IdentityOutcome::Ambiguous,
                reply_to_on_file: None,
                entries: &[],
            };
            let name = format!("{code} identity_needed {}", outcome.as_str());
            drafts.push((
                name,
                draft(
                    Purpose::IdentityNeeded,
                    &[RequestKind::Erasure],
                    language,
                    &asking,
                    config,
                ),
            ));
        }
    }
    drafts
}

/// The text with every run of white space made one space: a phrase may be wrapped.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The supervisory authority's postal address, in the reply's language, and its e-mail.
fn authority_address(language: Lang) -> &'static str {
    match language {
        Lang::Fi => "PL 800, 00531 Helsinki",
        Lang::Sv => "PB 800, 00531 Helsingfors",
        Lang::En => "P.O. Box 800, 00531 Helsinki",
    }
}

/// How each language says that the matter may be brought to a court (Art. 79).
fn judicial_remedy(language: Lang) -> &'static str {
    match language {
        Lang::Fi => "tuomioistuimen käsiteltäväksi",
        Lang::Sv => "föra saken till domstol",
        Lang::En => "bring the matter to a court",
    }
}

/// Art. 77: every reply, request for identity and not-found answer names where to complain,
/// by post and by e-mail, and that another member state's authority will do.
#[test]
fn every_draft_names_the_supervisory_authority() {
    let config = fixture_config();
    let entries = fixture_entries();
    for (name, composed) in every_draft(&config, &entries) {
        let body = &one_line(&composed.body);
        let language = composed.language;
        assert!(
            body.contains(authority_address(language)),
            "{name}: no postal address of the authority\n{body}"
        );
        assert!(
            body.contains("tietosuoja@om.fi"),
            "{name}: no e-mail of the authority\n{body}"
        );
        let elsewhere = match language {
            Lang::Fi => "jossa asutte tai työskentelette",
            Lang::Sv => "där du bor eller arbetar",
            Lang::En => "where you live or work",
        };
        assert!(
            body.contains(elsewhere),
            "{name}: no word of another member state's authority\n{body}"
        );
    }
}

/// Art. 12(4), 79: a draft that refuses anything in whole or in part — a refusal, a request
/// for identity, word that nothing was found — names the judicial remedy.
#[test]
fn every_refusal_names_the_judicial_remedy() {
    let config = fixture_config();
    let entries = fixture_entries();
    let mut refusals = 0;
    for (name, composed) in every_draft(&config, &entries) {
        let refuses = composed.refusal
            || matches!(
                composed.purpose,
                Purpose::IdentityNeeded | Purpose::NotFound
            );
        if !refuses {
            continue;
        }
        refusals += 1;
        assert!(
            one_line(&composed.body).contains(judicial_remedy(composed.language)),
            "{name}: a refusal without the judicial remedy\n{}",
            composed.body
        );
    }
    // Erasure with bookkeeping kept, not found and identity, in three languages at least.
    assert!(refusals >= 3 * 5, "only {refusals} refusals rendered");
}

/// The example's register as the bot reads it: every entry of every source.
fn example_register() -> (Config, Vec<Entry>) {
    use rightsbot::register::Row;
    use rightsbot::register::import::Normalizer;
    let config = Config::parse(
        &support::example_config(),
        Path::new("config.example.toml"),
        &repo(),
    )
    .expect("the example config loads");
    let normalizer = Normalizer {
        email: rightsbot::register::normalize::EmailRules::of(&config.register),
        phone_region: config.register.phone_region.0,
    };
    let mut entries = Vec::new();
    for source in &config.register.sources {
        let mut reader = rightsbot::register::SourceReader::open_file(source, &normalizer)
            .unwrap_or_else(|err| panic!("{}: {err}", source.name()));
        while let Some(row) = reader.next_row().expect("a readable row") {
            if let Row::Kept(entry) = row {
                entries.push(entry);
            }
        }
    }
    (config, entries)
}

/// The example register's Finnish column headers and values: none may reach a Swedish or
/// English reply. (Product names are the shop's own names for what it sells; they stay.)
const FINNISH_HEADERS: [&str; 21] = [
    "Asiakasnumero",
    "Etunimi",
    "Sukunimi",
    "Sähköposti",
    "Puhelin",
    "Katuosoite",
    "Postinumero",
    "Postitoimipaikka",
    "Luotu",
    "Kieli",
    "Markkinointilupa",
    "Tilausnumero",
    "Päivämäärä",
    "Tuotteet",
    "Summa",
    "Maksutapa",
    "Lähetystunnus",
    "Vastaanottaja",
    "Osoite",
    "Kaupunki",
    "Päivä",
];
const FINNISH_VALUES: [&str; 8] = [
    "kyllä",
    "ei",
    "fi",
    "Kortti",
    "Lasku",
    "Verkkopankki",
    "Arvonta 2025",
    "Messut 2024",
];

/// Issue 13: "no Finnish column names or values in a Swedish or English reply".
#[test]
fn swedish_and_english_access_replies_show_no_finnish_headers_or_values() {
    let (config, entries) = example_register();
    let customers: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.source == "webshop_customers")
        .collect();
    assert!(customers.len() > 10, "the example has its customers");
    for customer in customers {
        let Some(key) = customer.email_key.as_deref() else {
            continue;
        };
        // The customer's entries: every row under the same address, and the orders and
        // deliveries tied to them by number.
        let orders: Vec<&str> = entries
            .iter()
            .filter(|e| e.email_key.as_deref() == Some(key))
            .filter_map(|e| e.order.as_deref())
            .collect();
        let theirs: Vec<Entry> = entries
            .iter()
            .filter(|e| {
                e.email_key.as_deref() == Some(key)
                    || e.order.as_deref().is_some_and(|o| orders.contains(&o))
            })
            .cloned()
            .collect();
        let address = customer.email.as_deref().unwrap_or(key);
        let identity = IdentityFacts {
            outcome: IdentityOutcome::Verified,
            action: IdentityAction::Reply,
            clock_waits: false,
            reply_to_on_file: Some(address),
            entries: &theirs,
        };
        for language in [Lang::Sv, Lang::En] {
            let composed = draft(
                Purpose::Reply,
                &[RequestKind::Access, RequestKind::Portability],
                language,
                &identity,
                &config,
            );
            let body = &composed.body;
            let words: Vec<&str> = body
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            for header in FINNISH_HEADERS {
                assert!(
                    !words.contains(&header),
                    "{address} {language:?}: the Finnish header {header:?}\n{body}"
                );
            }
            // A value is one field's whole value, on a line "  label: value".
            for line in body.lines().filter(|l| l.starts_with("  ")) {
                if let Some((label, value)) = line.trim().split_once(": ") {
                    assert!(
                        !FINNISH_VALUES.contains(&value),
                        "{address} {language:?}: the Finnish value {value:?} of {label:?}\n{body}"
                    );
                }
            }
            // The portable copy has English keys and values too.
            for attachment in &composed.attachments {
                for header in FINNISH_HEADERS {
                    assert!(
                        !attachment.content.contains(&format!("\"{header}\"")),
                        "{address}: {header:?} in {}",
                        attachment.name
                    );
                }
                for value in FINNISH_VALUES {
                    assert!(
                        !attachment.content.contains(&format!("\"{value}\"")),
                        "{address}: {value:?} in {}",
                        attachment.name
                    );
                }
            }
        }
    }
}
