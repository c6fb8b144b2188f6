use super::compose::{CaseFacts, IdentityFacts, compose, purpose_for};
use super::*;
use crate::classify::RequestKind;
use crate::config::Config;
use crate::ids::CaseId;
use crate::lang::Lang;
use crate::matching::{IdentityAction, IdentityOutcome};
use crate::register::Entry;

fn config() -> Config {
    let text = r#"
[controller]
name = "Kestokauppa Oy"
business_id = "1234567-1"
privacy_address = "tietosuoja@kestokauppa.example.test"

[[register.sources]]
name = "customers"
file = "customers.csv"
title = { fi = "Asiakasrekisteri", sv = "Kundregister", en = "Customer register" }
purpose = "Managing the customer relationship"
recipients = ["MyCashFlow"]
[register.sources.columns]
email = "Email"
"#;
    Config::parse(
        text,
        std::path::Path::new("test.toml"),
        std::path::Path::new("."),
    )
    .expect("a valid config")
}

fn entry(name: &str) -> Entry {
    Entry {
        id: 1,
        source: "customers".to_string(),
        line: 2,
        email: Some("maija@example.test".to_string()),
        email_key: Some("maija@example.test".to_string()),
        name: Some(name.to_string()),
        ..Entry::default()
    }
}

fn case<'a>(kinds: &'a [RequestKind], subject: &'a str, sender: Option<&'a str>) -> CaseFacts<'a> {
    CaseFacts {
        id: CaseId { year: 2026, seq: 7 },
        kinds,
        language: Lang::Fi,
        received: jiff::civil::date(2026, 4, 9),
        deadline: jiff::civil::date(2026, 5, 11),
        subject,
        sender,
        actions: &[],
        commit_by: jiff::civil::date(2026, 5, 11),
        data_as_of: &super::UNDATED,
    }
}

#[test]
fn only_a_reply_to_the_address_on_file_carries_data() {
    let entries = [entry("Maija Virtanen")];
    let on_file = IdentityFacts {
        outcome: IdentityOutcome::OnFileUnverified,
        action: IdentityAction::Reply,
        clock_waits: false,
        reply_to_on_file: Some("maija@example.test"),
        entries: &entries,
    };
    assert_eq!(
        purpose_for(&[RequestKind::Access], &on_file),
        Purpose::Reply
    );
    // The rule says reply, but no address is on file: ask instead, never send data.
    let no_address = IdentityFacts {
        reply_to_on_file: None,
        ..on_file
    };
    assert_eq!(
        purpose_for(&[RequestKind::Access], &no_address),
        Purpose::IdentityNeeded
    );
}

#[test]
fn a_stop_to_marketing_is_answered_to_the_sender_whoever_wrote() {
    let entries = [entry("Maija Virtanen")];
    let kinds = [RequestKind::DirectMarketingOptout];
    for outcome in [
        IdentityOutcome::Ambiguous,
        IdentityOutcome::NeedsVerification,
        IdentityOutcome::NoMatch,
    ] {
        let identity = IdentityFacts {
            outcome,
            action: IdentityAction::AskForInformation,
            clock_waits: true,
            reply_to_on_file: None,
            entries: &entries,
        };
        assert_eq!(purpose_for(&kinds, &identity), Purpose::Reply);
        let case = case(&kinds, "Ei mainoksia", Some("shared@example.test"));
        let composed = compose(
            Purpose::Reply,
            &case,
            &identity,
            None,
            &config(),
            &Templates::new(None),
        )
        .expect("composed");
        assert_eq!(composed.recipient.as_deref(), Some("shared@example.test"));
        assert!(!composed.personal_data);
        assert!(!composed.body.contains("Maija"), "{}", composed.body);
    }
    // Any other right with it and identity decides again.
    let identity = IdentityFacts {
        outcome: IdentityOutcome::Ambiguous,
        action: IdentityAction::AskForInformation,
        clock_waits: false,
        reply_to_on_file: None,
        entries: &[],
    };
    assert_eq!(
        purpose_for(
            &[RequestKind::Access, RequestKind::DirectMarketingOptout],
            &identity
        ),
        Purpose::IdentityNeeded
    );
}

#[test]
fn names_and_subjects_are_values_never_template_code_or_headers() {
    let templates = Templates::new(None);
    let kinds = [RequestKind::Access];
    let entries = [entry(
        "{{ controller.business_id }} {% for x in data %}X{% endfor %}",
    )];
    let identity = IdentityFacts {
        outcome: IdentityOutcome::Verified,
        action: IdentityAction::Reply,
        clock_waits: false,
        reply_to_on_file: Some("maija@example.test"),
        entries: &entries,
    };
    let composed = compose(
        Purpose::Reply,
        &case(
            &kinds,
            "Hei\r\nBcc: all@example.test {{ 7 * 7 }}",
            Some("x@example.test"),
        ),
        &identity,
        None,
        &config(),
        &templates,
    )
    .expect("renders");
    assert!(
        composed
            .body
            .contains("{{ controller.business_id }} {% for x in data %}X{% endfor %}"),
        "{}",
        composed.body
    );
    assert!(!composed.subject.contains('\n') && !composed.subject.contains('\r'));
    assert!(
        composed.subject.contains("{{ 7 * 7 }}"),
        "{}",
        composed.subject
    );
    assert!(
        composed.subject.ends_with("[DSR-2026-0007]"),
        "{}",
        composed.subject
    );
    assert_eq!(composed.recipient.as_deref(), Some("maija@example.test"));
}

#[test]
fn a_broken_template_override_fails_the_draft_with_its_name_and_line() {
    let folder = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(folder.path().join("fi")).expect("mkdir");
    std::fs::write(folder.path().join("fi/not_found.txt"), "Hei,\n{% if %}\n").expect("write");
    let templates = Templates::new(Some(folder.path().to_path_buf()));
    let identity = IdentityFacts {
        outcome: IdentityOutcome::NoMatch,
        action: IdentityAction::NotFound,
        clock_waits: false,
        reply_to_on_file: None,
        entries: &[],
    };
    let err = compose(
        Purpose::NotFound,
        &case(&[RequestKind::Access], "x", Some("x@example.test")),
        &identity,
        None,
        &config(),
        &templates,
    )
    .expect_err("a template error");
    let text = err.to_string();
    assert!(
        text.contains("fi/not_found.txt") && text.contains("line 2"),
        "{text}"
    );
}

#[test]
fn an_access_copy_states_the_date_of_each_source_s_data() {
    let templates = Templates::new(None);
    let kinds = [RequestKind::Access];
    let entries = [entry("Maija Virtanen")];
    let identity = IdentityFacts {
        outcome: IdentityOutcome::Verified,
        action: IdentityAction::Reply,
        clock_waits: false,
        reply_to_on_file: Some("maija@example.test"),
        entries: &entries,
    };
    let imported: std::collections::BTreeMap<String, jiff::civil::Date> =
        [("customers".to_string(), jiff::civil::date(2026, 11, 3))].into();
    let expected = [
        (Lang::Fi, "Tiedot 3.11.2026 tilanteen mukaan:"),
        (Lang::Sv, "Uppgifterna per den 3 november 2026:"),
        (Lang::En, "Data as of 3 November 2026:"),
    ];
    for (language, words) in expected {
        let facts = CaseFacts {
            language,
            data_as_of: &imported,
            ..case(&kinds, "Pyyntö", Some("maija@example.test"))
        };
        let composed = compose(
            Purpose::Reply,
            &facts,
            &identity,
            None,
            &config(),
            &templates,
        )
        .expect("renders");
        assert!(composed.body.contains(words), "{}", composed.body);
        // Without a known import date the copy says none.
        let undated = compose(
            Purpose::Reply,
            &CaseFacts {
                language,
                ..case(&kinds, "Pyyntö", Some("maija@example.test"))
            },
            &identity,
            None,
            &config(),
            &templates,
        )
        .expect("renders");
        assert!(!undated.body.contains(words), "{}", undated.body);
    }
}
