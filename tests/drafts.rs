//! Drafts: every purpose in every language (insta), the recipient rule, injection, and the
//! approval flow through the command line.

mod support;

use std::fs;

use rightsbot::classify::RequestKind;
use rightsbot::config::Config;
use rightsbot::draft::{CaseFacts, Extension, IdentityFacts, Purpose, Templates, compose};
use rightsbot::ids::CaseId;
use rightsbot::lang::Lang;
use rightsbot::matching::{IdentityAction, IdentityOutcome};
use rightsbot::register::Entry;
use rightsbot::store::ActionRecord;
use rightsbot::vocabulary::{ActionKind, ActionNumber, ActionState};
use support::{CONFIG, Sandbox, assert_user_error, repo};

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

fn config() -> Config {
    let text = fs::read_to_string(repo().join("tests/fixtures/drafts/rightsbot.toml"))
        .expect("the fixture config");
    Config::parse(
        &text,
        std::path::Path::new("rightsbot.toml"),
        std::path::Path::new("."),
    )
    .expect("a valid config")
}

/// A customer on file in two sources, with values no template could invent.
fn entries() -> Vec<Entry> {
    let customer = Entry {
        id: 1,
        source: "customers".to_string(),
        line: 2,
        email: Some("aino.aaltonen@example.test".to_string()),
        email_key: Some("aino.aaltonen@example.test".to_string()),
        phone: Some("040 765 4321".to_string()),
        phone_key: Some("+358407654321".to_string()),
        name: Some("Aino Aaltonen".to_string()),
        address: Some("Kuusitie 7, 00270, Helsinki".to_string()),
        customer_id: Some("10777".to_string()),
        created: Some("2023-05-02".to_string()),
        other: vec![("Kieli".to_string(), "fi".to_string())],
        ..Entry::default()
    };
    let order = Entry {
        id: 2,
        source: "orders".to_string(),
        line: 5,
        email: Some("aino.aaltonen@example.test".to_string()),
        email_key: Some("aino.aaltonen@example.test".to_string()),
        customer_id: Some("10777".to_string()),
        order: Some("20991".to_string()),
        created: Some("2026-02-14".to_string()),
        other: vec![("Summa".to_string(), "49,90".to_string())],
        ..Entry::default()
    };
    vec![customer, order]
}

/// The values of the person: none may appear in a draft that is not addressed to them.
const PERSONAL: [&str; 6] = ["Aino", "Aaltonen", "765 4321", "Kuusitie", "10777", "20991"];

fn case(kinds: &[RequestKind], language: Lang) -> CaseFacts<'_> {
    CaseFacts {
        id: CaseId {
            year: 2026,
            seq: 42,
        },
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

fn on_file(entries: &[Entry]) -> IdentityFacts<'_> {
    IdentityFacts {
        outcome: IdentityOutcome::OnFileUnverified,
        action: IdentityAction::Reply,
        clock_waits: false,
        reply_to_on_file: Some("aino.aaltonen@example.test"),
        entries,
    }
}

/// The case's actions as `actions` derives them, each recorded done except the Art. 19
/// notices, which are still open: a reply shows both what was done and what is promised.
fn actions_of(kinds: &[RequestKind], entries: &[Entry], config: &Config) -> Vec<ActionRecord> {
    let planned = rightsbot::actions::derive(
        &rightsbot::actions::Request {
            kinds,
            sender: Some("aino.aaltonen@example.test"),
            entries,
            today: jiff::civil::date(2026, 4, 10),
            documents: &[],
        },
        &config.register,
    );
    planned
        .into_iter()
        .enumerate()
        .map(|(i, p)| ActionRecord {
            case: "DSR-2026-0042".to_string(),
            case_id: CaseId {
                year: 2026,
                seq: 42,
            },
            number: ActionNumber(i as u32 + 1),
            state: if p.kind == ActionKind::Notify {
                ActionState::Open
            } else {
                ActionState::Done
            },
            kind: p.kind,
            source: p.source,
            target: p.target,
            until: p.until,
            entries: p.entries,
            records: p.records,
            owner: p.owner,
            why: p.why,
            reason: None,
            note: None,
            decided_by: None,
            decided_at: None,
            created_at: jiff::Timestamp::UNIX_EPOCH,
        })
        .collect()
}

fn render(
    purpose: Purpose,
    kinds: &[RequestKind],
    language: Lang,
    identity: &IdentityFacts<'_>,
) -> String {
    let extension = Extension {
        months: 2,
        new_deadline: jiff::civil::date(2026, 7, 9),
        ground: Some(rightsbot::vocabulary::ExtensionGround::Complexity),
        reason: "the request covers six years of orders",
    };
    let config = config();
    let actions = actions_of(kinds, identity.entries, &config);
    let mut facts = case(kinds, language);
    facts.actions = &actions;
    let composed = compose(
        purpose,
        &facts,
        identity,
        Some(&extension),
        &config,
        &Templates::new(None),
    )
    .unwrap_or_else(|err| panic!("{purpose:?} {language:?}: {err}"));
    let mut text = format!(
        "to: {}\nsubject: {}\npersonal data: {}\n",
        composed.recipient.as_deref().unwrap_or("(none)"),
        composed.subject,
        composed.personal_data
    );
    for attachment in &composed.attachments {
        text.push_str(&format!(
            "attachment: {} ({})\n",
            attachment.name, attachment.content_type
        ));
    }
    text.push('\n');
    text.push_str(&composed.body);
    for attachment in &composed.attachments {
        text.push_str(&format!(
            "\n--- {}\n{}\n",
            attachment.name,
            attachment.content.replace("\r\n", "\n").trim_end()
        ));
    }
    text
}

#[test]
fn every_purpose_in_every_language() {
    let entries = entries();
    let identity = on_file(&entries);
    for language in Lang::ALL {
        let code = language.code();
        for kind in KINDS {
            let text = render(Purpose::Reply, &[kind], language, &identity);
            insta::assert_snapshot!(format!("{code}_reply_{}", kind.as_str()), text);
        }
        let combined = [
            RequestKind::Access,
            RequestKind::Erasure,
            RequestKind::DirectMarketingOptout,
        ];
        insta::assert_snapshot!(
            format!("{code}_reply_combined"),
            render(Purpose::Reply, &combined, language, &identity)
        );
        for purpose in [
            Purpose::Acknowledgement,
            Purpose::NotFound,
            Purpose::Extension,
            Purpose::Refusal,
        ] {
            insta::assert_snapshot!(
                format!("{code}_{}", purpose.as_str()),
                render(purpose, &[RequestKind::Access], language, &identity)
            );
        }
        for outcome in [
            IdentityOutcome::NeedsVerification,
            IdentityOutcome::Ambiguous,
        ] {
            let asking = IdentityFacts {
                outcome,
                action: IdentityAction::AskForInformation,
                clock_waits: outcome == IdentityOutcome::Ambiguous,
                reply_to_on_file: None,
                entries: &[],
            };
            insta::assert_snapshot!(
                format!("{code}_identity_needed_{}", outcome.as_str()),
                render(
                    Purpose::IdentityNeeded,
                    &[RequestKind::Access],
                    language,
                    &asking
                )
            );
        }
    }
}

#[test]
fn a_request_from_an_address_not_on_file_never_gets_personal_data() {
    let entries = entries();
    for language in Lang::ALL {
        for outcome in [
            IdentityOutcome::NeedsVerification,
            IdentityOutcome::Ambiguous,
            IdentityOutcome::NoMatch,
        ] {
            // Even handed the entries and told to reply, no address on file means no data.
            let identity = IdentityFacts {
                outcome,
                action: IdentityAction::Reply,
                clock_waits: false,
                reply_to_on_file: None,
                entries: &entries,
            };
            let mut cases: Vec<(Purpose, Vec<RequestKind>)> =
                KINDS.iter().map(|k| (Purpose::Reply, vec![*k])).collect();
            cases.push((Purpose::Reply, KINDS.to_vec()));
            // An Art. 19 notice goes to a recipient's configured contact, never to the
            // requester, and is drafted apart (`draft::prepare_notices`).
            for purpose in Purpose::ALL
                .into_iter()
                .filter(|p| *p != Purpose::RecipientNotice)
            {
                cases.push((purpose, vec![RequestKind::Access]));
            }
            for (purpose, kinds) in cases {
                let text = render(purpose, &kinds, language, &identity);
                for value in PERSONAL {
                    assert!(
                        !text.contains(value),
                        "{purpose:?} {kinds:?} {language:?} {outcome:?} leaks {value:?}:\n{text}"
                    );
                }
                assert!(text.contains("personal data: false"), "{text}");
            }
        }
    }
}

/// The test config with the fixture customer register, and `extra` sections.
fn sandbox_with(extra: &str) -> Sandbox {
    let config = format!(
        "{CONFIG}\n{extra}\n[[register.sources]]\nname = \"customers\"\nfile = \"{}\"\n[register.sources.columns]\ncustomer_id = \"Id\"\nname = [\"First\", \"Last\"]\nemail = \"Email\"\nphone = \"Phone\"\naddress = [\"Street\", \"Postcode\", \"City\"]\n",
        repo()
            .join("tests/fixtures/register/customers.csv")
            .display()
    );
    let sandbox = Sandbox::with_config(&config);
    sandbox.ok(&["register", "import"]);
    sandbox
}

fn sandbox() -> Sandbox {
    sandbox_with("")
}

fn mail(name: &str) -> String {
    repo()
        .join("tests/fixtures/drafts")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn approve_writes_the_reply_to_the_outbox_and_an_edit_needs_its_own_approval() {
    let sandbox = sandbox();
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-on-file.eml"),
    ]);
    let queue =
        support_lines(&sandbox.ok(&["--json", "--now", "2026-11-03T10:00:00+02:00", "queue"]));
    assert_eq!(queue.len(), 1);
    let entry = &queue[0];
    for key in [
        "draft",
        "case",
        "purpose",
        "language",
        "recipient",
        "deadline",
        "days_left",
    ] {
        assert!(
            entry.get(key).is_some(),
            "queue --json lacks {key}: {entry}"
        );
    }
    assert_eq!(entry["purpose"], "reply");
    assert_eq!(entry["recipient"], "maija.virtanen@example.test");
    assert_eq!(entry["days_left"], 30);
    let draft = entry["draft"].as_str().unwrap().to_string();

    let line = assert_user_error(&sandbox.run(&["approve", &draft, "--by", " "]));
    assert!(line.contains("--by is required"), "{line}");
    let approved = sandbox.json(&["approve", &draft, "--by", "Sanna"]);
    let file = approved["outbox_file"].as_str().unwrap();
    let eml = fs::read_to_string(file).unwrap();
    let headers = eml.split("\r\n\r\n").next().unwrap();
    assert!(
        headers.contains("To: maija.virtanen@example.test"),
        "{headers}"
    );
    assert!(
        headers.contains("In-Reply-To: <draft-access@example.test>"),
        "{headers}"
    );
    assert!(headers.contains("[DSR-2026-0001]"), "{headers}");
    // The case and draft, then a random part nobody can guess (issue 11, item 3).
    let message_id = headers
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: <"))
        .and_then(|id| id.strip_suffix("@kestokauppa.example.test>"))
        .unwrap_or_else(|| panic!("{headers}"));
    let random = message_id
        .strip_prefix(&format!("DSR-2026-0001.{draft}."))
        .unwrap_or_else(|| panic!("{headers}"));
    assert!(
        random.len() == 32 && random.chars().all(|c| c.is_ascii_hexdigit()),
        "{headers}"
    );
    assert!(headers.contains("X-Rightsbot-Seal: "), "{headers}");
    // Approved and gone: it cannot be approved, rejected or approved again.
    let line = assert_user_error(&sandbox.run(&["approve", &draft, "--by", "Sanna"]));
    assert!(line.contains("is sent"), "{line}");

    // An edit after it went out is a new draft, waiting for its own approval.
    let body = sandbox.path().join("body.txt");
    fs::write(&body, "Hei,\n\noikaisu edelliseen viestiin.\n").unwrap();
    let line = assert_user_error(&sandbox.run(&[
        "edit",
        &draft,
        "--by",
        "Sanna",
        "--body-file",
        &body.display().to_string(),
    ]));
    assert!(line.contains("give --new-message"), "{line}");
    let edited = sandbox.json(&[
        "edit",
        &draft,
        "--by",
        "Sanna",
        "--new-message",
        "--body-file",
        &body.display().to_string(),
    ]);
    let new = edited["draft"].as_str().unwrap().to_string();
    assert_ne!(new, draft);
    let queue = support_lines(&sandbox.ok(&["--json", "queue"]));
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["draft"], new.as_str());
    let shown = sandbox.json(&["show", &new]);
    assert_eq!(shown["state"], "pending");
    assert_eq!(shown["replaces"], draft.as_str());
    assert_eq!(shown["body"], "Hei,\n\noikaisu edelliseen viestiin.\n");
    let old = sandbox.json(&["show", &draft]);
    assert_eq!(old["state"], "sent");

    let line = assert_user_error(&sandbox.run(&["reject", &new, "--by", "Sanna", "--reason", ""]));
    assert!(line.contains("--reason is required"), "{line}");
    sandbox.ok(&["reject", &new, "--by", "Sanna", "--reason", "not needed"]);
    assert_eq!(
        sandbox.ok(&["queue"]).trim(),
        "no drafts waiting for approval"
    );
    let trail = sandbox.json(&["show", "DSR-2026-0001"]);
    let kinds: Vec<&str> = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "drafted",
        "draft_approved",
        "draft_edited",
        "draft_rejected",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
}

#[test]
fn an_approved_then_edited_draft_is_not_sendable_until_approved_again() {
    let sandbox = sandbox();
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-on-file.eml"),
    ]);
    let config = Config::load(&sandbox.config).unwrap();
    let mut store = rightsbot::store::Store::open(&config.store.path, &Default::default()).unwrap();
    let now: jiff::Timestamp = "2026-11-03T09:00:00Z".parse().unwrap();
    let first = rightsbot::ids::DraftId(1);
    let batch = store.begin().unwrap();
    let approved = rightsbot::approve::approve(
        &batch,
        first,
        &sanna(),
        "tietosuoja@kestokauppa.example.test",
        false,
        now,
    )
    .unwrap();
    assert!(rightsbot::approve::sendable(&approved));
    // Editing it without --force would drop the approval silently: refused.
    let refused = rightsbot::approve::edit(
        &batch,
        first,
        "Hei,\n\nuusi teksti.\n",
        &sanna(),
        Default::default(),
        now,
    );
    assert!(
        matches!(
            refused,
            Err(rightsbot::approve::ApproveError::Approved { .. })
        ),
        "{refused:?}"
    );
    let force = rightsbot::approve::EditOptions {
        force: true,
        new_message: false,
    };
    let second = rightsbot::approve::edit(
        &batch,
        first,
        "Hei,\n\nuusi teksti.\n",
        &sanna(),
        force,
        now,
    )
    .unwrap()
    .draft;
    let old = batch.draft(first).unwrap().unwrap();
    let new = batch.draft(second).unwrap().unwrap();
    assert!(
        !rightsbot::approve::sendable(&old),
        "the approval went with the old text"
    );
    assert_eq!(old.state.as_str(), "superseded");
    assert!(
        !rightsbot::approve::sendable(&new),
        "the new text is not approved yet"
    );
    // The store itself refuses to rewrite what was approved.
    assert!(
        batch
            .set_draft_message_id(first, "other@example.test", "0000")
            .is_err()
    );
    let approved = rightsbot::approve::approve(
        &batch,
        second,
        &sanna(),
        "tietosuoja@kestokauppa.example.test",
        false,
        now,
    )
    .unwrap();
    assert!(rightsbot::approve::sendable(&approved));
    assert!(
        rightsbot::approve::approve(&batch, first, &sanna(), "x@example.test", false, now).is_err()
    );
}

#[test]
fn injected_headers_recipients_and_template_code_stay_inert() {
    let sandbox = sandbox();
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("injection.eml"),
    ]);
    let queue = support_lines(&sandbox.ok(&["--json", "queue"]));
    assert_eq!(queue.len(), 1, "{queue:?}");
    // The Reply-To and the addresses in the name are ignored: only the address on file.
    assert_eq!(queue[0]["recipient"], "maija.virtanen@example.test");
    let draft = queue[0]["draft"].as_str().unwrap().to_string();
    let approved = sandbox.json(&["approve", &draft, "--by", "Sanna"]);
    let eml = fs::read_to_string(approved["outbox_file"].as_str().unwrap()).unwrap();
    let (headers, body) = eml.split_once("\r\n\r\n").unwrap();
    let names: Vec<&str> = headers
        .split("\r\n")
        .filter(|l| !l.starts_with([' ', '\t']))
        .filter_map(|l| l.split(':').next())
        .collect();
    for forbidden in ["Bcc", "Cc", "X-Injected"] {
        assert!(
            !names.iter().any(|n| n.eq_ignore_ascii_case(forbidden)),
            "{forbidden} in {headers}"
        );
    }
    assert_eq!(names.iter().filter(|n| **n == "To").count(), 1, "{headers}");
    let to: Vec<&str> = headers
        .split("\r\n")
        .filter(|l| l.starts_with("To:"))
        .collect();
    assert_eq!(to, ["To: maija.virtanen@example.test"], "{headers}");
    // The subject's braces were text and stay text; the template ran only its own code.
    let shown = sandbox.json(&["show", &draft]);
    let subject = shown["subject"].as_str().unwrap();
    assert!(
        subject.contains("{{ controller.business_id }}"),
        "{subject}"
    );
    assert!(
        !subject.contains('\n') && !subject.contains('\r'),
        "{subject:?}"
    );
    assert!(!body.contains("1234567-1 Bcc"), "{body}");
}

#[test]
fn an_extension_is_drafted_within_the_first_month_only() {
    let sandbox = sandbox();
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-on-file.eml"),
    ]);
    let line = assert_user_error(&sandbox.run(&[
        "--now",
        "2026-12-10T10:00:00+02:00",
        "extend",
        "DSR-2026-0001",
        "--reason",
        "many orders",
        "--by",
        "Sanna",
    ]));
    assert!(
        line.contains("the first month ended on 2026-12-03"),
        "{line}"
    );
    let extended = sandbox.json(&[
        "--now",
        "2026-11-20T10:00:00+02:00",
        "extend",
        "DSR-2026-0001",
        "--months",
        "2",
        "--reason",
        "tilauksia on kuuden vuoden ajalta",
        "--by",
        "Sanna",
    ]);
    // Received 3 Nov 2026: three months from receipt is 3 Feb 2027, a Wednesday.
    assert_eq!(extended["deadline"], "2027-02-03");
    let notice = sandbox.json(&["show", extended["draft"].as_str().unwrap()]);
    assert_eq!(notice["purpose"], "extension");
    let body = notice["body"].as_str().unwrap();
    assert!(
        body.contains("3.2.2027") && body.contains("tilauksia on kuuden vuoden ajalta"),
        "{body}"
    );
    // The extension takes effect when its notice is sent, not when it is drafted.
    assert_eq!(
        sandbox.json(&["show", "DSR-2026-0001"])["deadline"],
        "2026-12-03"
    );
    let line = assert_user_error(&sandbox.run(&[
        "--now",
        "2026-11-21T10:00:00+02:00",
        "extend",
        "DSR-2026-0001",
        "--reason",
        "again",
        "--by",
        "Sanna",
    ]));
    assert!(line.contains("extended already"), "{line}");
    assert_eq!(
        sandbox
            .run(&[
                "extend",
                "DSR-2026-0001",
                "--months",
                "3",
                "--reason",
                "x",
                "--by",
                "S"
            ])
            .status
            .code(),
        Some(2)
    );
    // The command shapes outside checks use: no --by, no --outcome.
    sandbox.ok(&["close", "DSR-2026-0001"]);
    let trail = sandbox.json(&["show", "DSR-2026-0001"]);
    assert_eq!(trail["state"], "closed");
    // Closing rejected the drafts still waiting, after the closing itself.
    let last = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|e| e["kind"] == "closed")
        .unwrap()
        .clone();
    assert_eq!(last["details"]["outcome"], "closed");
    assert!(!last["actor"].as_str().unwrap().is_empty());
}

fn support_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn an_acknowledgement_goes_out_at_once_and_says_nothing_about_the_person() {
    let sandbox = sandbox_with("[drafts]\nacknowledge = true\n");
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-on-file.eml"),
    ]);
    let files: Vec<_> = fs::read_dir(sandbox.path().join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let eml = fs::read_to_string(&files[0]).unwrap();
    let (headers, body) = eml.split_once("\r\n\r\n").unwrap();
    assert!(
        headers.contains("Auto-Submitted: auto-replied"),
        "{headers}"
    );
    assert!(
        headers.contains("To: maija.virtanen@example.test"),
        "{headers}"
    );
    assert!(
        headers.contains("In-Reply-To: <draft-access@example.test>"),
        "{headers}"
    );
    assert!(
        body.contains("DSR-2026-0001") && body.contains("3.12.2026"),
        "{body}"
    );
    for personal in ["Maija", "Virtanen", "501", "Kotikatu", "045"] {
        assert!(!body.contains(personal), "{personal} in {body}");
    }
    // The answer itself still waits for a person.
    let queue = support_lines(&sandbox.ok(&["--json", "queue"]));
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["purpose"], "reply");
}

/// A staff member's reply to a review mail.
fn staff_reply(from: &str, subject: &str, text: &str, id: &str, authenticated: bool) -> String {
    let auth = if authenticated {
        "Authentication-Results: mx.test.example.test; dkim=pass header.d=kestokauppa.example.test; dmarc=pass header.from=kestokauppa.example.test\r\n"
    } else {
        ""
    };
    format!(
        "{auth}Received: from mail.kestokauppa.example.test by mx.test.example.test; Wed, 04 Nov 2026 09:00:00 +0200\r\n\
         From: {from}\r\nTo: tietosuoja@kestokauppa.example.test\r\nSubject: Re: {subject}\r\n\
         Date: Wed, 04 Nov 2026 09:00:00 +0200\r\nMessage-ID: <{id}@kestokauppa.example.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         {text}\r\n\r\n> To approve this reply, answer this mail with the word APPROVE\r\n> Draft D1\r\n"
    )
}

#[test]
fn a_draft_is_approved_by_an_authenticated_staff_reply_with_its_token_and_nothing_else() {
    let sandbox = sandbox_with(
        "[identity]\ntrusted_authserv_ids = [\"mx.test.example.test\"]\n\n[approval_by_mail]\nenabled = true\nstaff_address = \"tiimi@kestokauppa.example.test\"\napprovers = [\"sanna@kestokauppa.example.test\"]\n",
    );
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-on-file.eml"),
    ]);
    let review = fs::read_to_string(sandbox.path().join("outbox/review-D1.eml")).unwrap();
    assert!(
        review.contains("To: tiimi@kestokauppa.example.test"),
        "{review}"
    );
    let unfolded = review.replace("\r\n ", " ");
    let subject = unfolded
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap()
        .to_string();
    assert!(subject.contains("rightsbot-token:"), "{subject}");

    let send = |name: &str, text: String| {
        let path = sandbox.path().join(name);
        fs::write(&path, text).unwrap();
        sandbox.ok(&[
            "--now",
            "2026-11-04T10:00:00+02:00",
            "ingest",
            &path.display().to_string(),
        ]);
    };
    let state = || {
        sandbox.json(&["show", "D1"])["state"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Someone who is not an approver: ignored.
    send(
        "a.eml",
        staff_reply(
            "Eve <eve@attacker.example.test>",
            &subject,
            "HYVÄKSY",
            "a",
            true,
        ),
    );
    assert_eq!(state(), "pending");
    // An approver, but nothing proves the mail came from her.
    send(
        "b.eml",
        staff_reply(
            "Sanna <sanna@kestokauppa.example.test>",
            &subject,
            "Hyväksyn.",
            "b",
            false,
        ),
    );
    assert_eq!(state(), "pending");
    // Authenticated, but she did not say approve: the quoted review does not count.
    send(
        "c.eml",
        staff_reply(
            "Sanna <sanna@kestokauppa.example.test>",
            &subject,
            "Katson huomenna.",
            "c",
            true,
        ),
    );
    assert_eq!(state(), "pending");
    // Authenticated, her own words approve: approved and written out.
    send(
        "d.eml",
        staff_reply(
            "Sanna <sanna@kestokauppa.example.test>",
            &subject,
            "Hyväksyn.",
            "d",
            true,
        ),
    );
    let draft = sandbox.json(&["show", "D1"]);
    assert_eq!(draft["state"], "sent", "{draft}");
    assert_eq!(draft["decided_by"], "sanna@kestokauppa.example.test");
    assert!(
        fs::read_dir(sandbox.path().join("outbox"))
            .unwrap()
            .any(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("DSR-2026-0001-D1")
            })
    );
    // The token is spent: a replayed approval is refused.
    send(
        "e.eml",
        staff_reply(
            "Sanna <sanna@kestokauppa.example.test>",
            &subject,
            "Hyväksyn.",
            "e",
            true,
        ),
    );
    let trail = sandbox.json(&["show", "DSR-2026-0001"]);
    let refusals: Vec<String> = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "mail_approval_refused")
        .map(|e| e["details"]["why"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(refusals.len(), 3, "{refusals:?}");
    assert!(refusals[0].contains("not authenticated"), "{refusals:?}");
    assert!(refusals[1].contains("does not say approve"), "{refusals:?}");
    assert!(refusals[2].contains("used already"), "{refusals:?}");
    let kinds: Vec<&str> = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"approved_by_mail"), "{kinds:?}");
}

/// Issue 11, item 2: an approver's "no" that holds the approve word approves nothing, and
/// each refusal is on the case's trail with its reason.
#[test]
fn a_reply_that_says_no_never_approves() {
    let sandbox = sandbox_with(
        "[identity]\ntrusted_authserv_ids = [\"mx.test.example.test\"]\n\n[approval_by_mail]\nenabled = true\nstaff_address = \"tiimi@kestokauppa.example.test\"\napprovers = [\"sanna@kestokauppa.example.test\"]\n",
    );
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-on-file.eml"),
    ]);
    let review = fs::read_to_string(sandbox.path().join("outbox/review-D1.eml")).unwrap();
    let subject = review
        .replace("\r\n ", " ")
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap()
        .to_string();
    let refusals = [
        "NOT APPROVED – wrong recipient, do not send!",
        "En hyväksy tätä",
        "Don't approve yet",
        "Jag godkänner inte",
    ];
    for (i, text) in refusals.iter().enumerate() {
        let path = sandbox.path().join(format!("no-{i}.eml"));
        fs::write(
            &path,
            staff_reply(
                "Sanna <sanna@kestokauppa.example.test>",
                &subject,
                text,
                &format!("no-{i}"),
                true,
            ),
        )
        .unwrap();
        sandbox.ok(&[
            "--now",
            "2026-11-04T10:00:00+02:00",
            "ingest",
            &path.display().to_string(),
        ]);
        assert_eq!(sandbox.json(&["show", "D1"])["state"], "pending", "{text}");
    }
    let trail = sandbox.json(&["show", "DSR-2026-0001"]);
    let reasons: Vec<String> = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "mail_approval_refused")
        .map(|e| e["details"]["why"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(reasons.len(), refusals.len(), "{reasons:?}");
    assert!(reasons.iter().all(|r| r.contains("says no")), "{reasons:?}");
    assert!(
        !fs::read_dir(sandbox.path().join("outbox"))
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().starts_with("DSR-")),
        "a refused draft was written out"
    );
}

/// Issue 16: once staff accounts exist, a mail approver's address must be an active
/// approver's account too; otherwise the approval is refused and recorded like any other.
#[test]
fn once_accounts_exist_a_mail_approval_needs_an_active_approver_account() {
    let sandbox = sandbox_with(
        "[identity]\ntrusted_authserv_ids = [\"mx.test.example.test\"]\n\n[approval_by_mail]\nenabled = true\nstaff_address = \"tiimi@kestokauppa.example.test\"\napprovers = [\"sanna@kestokauppa.example.test\", \"hanna@kestokauppa.example.test\"]\n",
    );
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-on-file.eml"),
    ]);
    let review = fs::read_to_string(sandbox.path().join("outbox/review-D1.eml")).unwrap();
    let subject = review
        .replace("\r\n ", " ")
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap()
        .to_string();
    let add = |name: &str, role: &str| {
        use std::io::Write;
        let mut child = sandbox
            .command(&[
                "staff",
                "add",
                name,
                "--email",
                &format!("{name}@kestokauppa.example.test"),
                "--role",
                role,
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "correct horse battery").unwrap();
        assert!(child.wait_with_output().unwrap().status.success());
    };
    let send = |from: &str, id: &str| {
        let path = sandbox.path().join(format!("{id}.eml"));
        fs::write(&path, staff_reply(from, &subject, "Hyväksyn.", id, true)).unwrap();
        sandbox.ok(&[
            "--now",
            "2026-11-04T10:00:00+02:00",
            "ingest",
            &path.display().to_string(),
        ]);
        sandbox.json(&["show", "D1"])["state"].clone()
    };
    add("hanna", "handler");
    // Listed as a mail approver, but no account has her address.
    assert_eq!(
        send("Sanna <sanna@kestokauppa.example.test>", "s1"),
        "pending"
    );
    // An account, but a handler's.
    assert_eq!(
        send("Hanna <hanna@kestokauppa.example.test>", "h1"),
        "pending"
    );
    add("sanna", "approver");
    sandbox.ok(&["staff", "disable", "sanna"]);
    assert_eq!(
        send("Sanna <sanna@kestokauppa.example.test>", "s2"),
        "pending"
    );
    let trail = sandbox.json(&["show", "DSR-2026-0001"]);
    let reasons: Vec<String> = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "mail_approval_refused")
        .map(|e| e["details"]["why"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons[0].contains("not a staff account"), "{reasons:?}");
    assert!(reasons[1].contains("approver role"), "{reasons:?}");
    assert!(reasons[2].contains("disabled"), "{reasons:?}");
    assert!(
        !fs::read_dir(sandbox.path().join("outbox"))
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().starts_with("DSR-")),
        "a refused draft was written out"
    );
}

const TRUSTING: &str = "[identity]\ntrusted_authserv_ids = [\"mx.test.example.test\"]\n";

/// Issue 11, item 4: a follow-up that did not authenticate as the requester may add
/// rights to a verified case, but they are flagged for staff and the identity is decided
/// again: the new draft no longer says verified.
#[test]
fn rights_added_by_an_unauthenticated_follow_up_are_not_verified() {
    let sandbox = sandbox_with(TRUSTING);
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-authenticated.eml"),
    ]);
    let case = sandbox.json(&["show", "DSR-2026-0001"]);
    assert_eq!(case["identity"]["outcome"], "verified", "{case}");
    sandbox.ok(&[
        "--now",
        "2026-11-04T12:00:00+02:00",
        "ingest",
        &mail("follow-up-unauthenticated.eml"),
    ]);
    let case = sandbox.json(&["show", "DSR-2026-0001"]);
    let kinds: Vec<&str> = case["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"erasure"), "{case}");
    assert_eq!(case["identity"]["outcome"], "on_file_unverified", "{case}");
    let events = case["events"].as_array().unwrap();
    let flagged = events
        .iter()
        .find(|e| e["kind"] == "unauthenticated_follow_up")
        .unwrap_or_else(|| panic!("no flag for staff: {case}"));
    assert_eq!(flagged["details"]["added"][0], "erasure", "{flagged}");
    let identity = events
        .iter()
        .rev()
        .find(|e| e["kind"] == "identity")
        .unwrap();
    assert_eq!(identity["details"]["outcome"], "on_file_unverified");
    assert!(
        identity["details"]["reason"]
            .as_str()
            .unwrap()
            .contains("follow-up"),
        "{identity}"
    );
}

/// Issue 11, item 5: another person's own request, sent as a reply into someone else's
/// thread, opens a case of its own with its own deadline, linked to the other for staff.
#[test]
fn another_persons_request_in_a_thread_opens_its_own_case() {
    let sandbox = sandbox_with(TRUSTING);
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-authenticated.eml"),
    ]);
    sandbox.ok(&[
        "--now",
        "2026-11-05T15:00:00+02:00",
        "ingest",
        &mail("other-sender-in-thread.eml"),
    ]);
    let second = sandbox.json(&["show", "DSR-2026-0002"]);
    assert_eq!(
        second["requester"], "pekka.lahtinen@elsewhere.example.test",
        "{second}"
    );
    assert_eq!(second["deadline"], "2026-12-07", "{second}");
    let links = |case: &serde_json::Value| -> Vec<String> {
        case["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "related_case")
            .map(|e| e["details"]["case"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(links(&second), ["DSR-2026-0001"], "{second}");
    let first = sandbox.json(&["show", "DSR-2026-0001"]);
    assert_eq!(links(&first), ["DSR-2026-0002"], "{first}");
    // The first case is not widened by a stranger's words.
    assert_eq!(first["kinds"], serde_json::json!(["access"]), "{first}");
}

/// Issue 11, item 9: another mail under a Message-ID already stored is not a duplicate: it
/// is kept (here it is another person's request, and gets its case) and flagged. The same
/// bytes again are a duplicate.
#[test]
fn a_reused_message_id_with_other_content_is_kept_and_flagged() {
    let sandbox = sandbox();
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-on-file.eml"),
    ]);
    let second = sandbox.json(&[
        "--now",
        "2026-11-06T10:00:00+02:00",
        "ingest",
        &mail("reused-message-id.eml"),
    ]);
    assert_eq!(second["new"], 1, "{second}");
    assert_eq!(second["cases_opened"], 1, "{second}");
    let case = sandbox.json(&["show", "DSR-2026-0002"]);
    assert_eq!(case["requester"], "sari.salonen@elsewhere.example.test");
    let received = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "received")
        .unwrap();
    assert_eq!(
        received["details"]["message_id_collision"], true,
        "{received}"
    );
    let again = sandbox.json(&["ingest", &mail("reused-message-id.eml")]);
    assert_eq!(again["duplicates"], 1, "{again}");
}

fn queued(sandbox: &Sandbox) -> Vec<String> {
    support_lines(&sandbox.ok(&["--json", "queue"]))
        .iter()
        .map(|d| d["draft"].as_str().expect("a draft id").to_string())
        .collect()
}

/// Issue 12, item 6: no approval dropped silently, no sent reply redrafted by accident,
/// any version can be taken up again, and nothing waits to be sent on a closed case.
#[test]
fn the_draft_lifecycle_has_no_holes() {
    // With SMTP configured, an approved draft waits for the sender: approved, not sent.
    let sandbox = sandbox_with("[smtp]\nhost = \"127.0.0.1\"\nport = 2525\ntls = \"none\"\n");
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-on-file.eml"),
    ]);
    let body = |text: &str| {
        let path = sandbox.path().join("body.txt");
        fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let edit = |draft: &str, text: &str, extra: &[&str]| -> std::process::Output {
        let file = body(text);
        let mut args = vec!["edit", draft, "--by", "Sanna", "--body-file", &file];
        args.extend_from_slice(extra);
        sandbox.run(&args)
    };
    assert_eq!(queued(&sandbox), ["D1"]);

    // An approved draft that has not gone out: the edit is refused without --force, and
    // with it the approval is said to be withdrawn.
    sandbox.ok(&["approve", "D1", "--by", "Sanna"]);
    let line = assert_user_error(&edit("D1", "Hei,\n\nversio 2.\n", &[]));
    assert!(line.contains("approved by Sanna"), "{line}");
    assert!(line.contains("--force"), "{line}");
    assert_eq!(sandbox.json(&["show", "D1"])["state"], "approved");
    let output = edit("D1", "Hei,\n\nversio 2.\n", &["--force"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        text.contains("D1: the approval by Sanna is withdrawn"),
        "{text}"
    );
    assert_eq!(sandbox.json(&["show", "D1"])["state"], "superseded");
    assert_eq!(queued(&sandbox), ["D2"]);

    // An earlier version can be taken up again; it replaces the one waiting.
    let output = edit("D1", "Hei,\n\nversio 3, ensimmäisestä.\n", &[]);
    assert!(output.status.success(), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("D2: replaced by D3"),
        "{output:?}"
    );
    assert_eq!(queued(&sandbox), ["D3"]);
    assert_eq!(sandbox.json(&["show", "D2"])["state"], "superseded");
    assert_eq!(sandbox.json(&["show", "D3"])["replaces"], "D1");

    // After a rejection, staff are told how to go on.
    let rejected = sandbox.ok(&["reject", "D3", "--by", "Sanna", "--reason", "tone"]);
    assert!(rejected.contains("rightsbot edit D3"), "{rejected}");
    let output = edit("D3", "Hei,\n\nversio 4.\n", &[]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(queued(&sandbox), ["D4"]);

    // Closing rejects what waits, with an event; nothing can be approved after.
    let closed = sandbox.json(&["close", "DSR-2026-0001", "--by", "Sanna"]);
    assert_eq!(closed["drafts_rejected"], serde_json::json!(["D4"]));
    assert!(queued(&sandbox).is_empty());
    let line = assert_user_error(&sandbox.run(&["approve", "D4", "--by", "Sanna"]));
    assert!(line.contains("D4 is rejected"), "{line}");
    let line = assert_user_error(&edit("D4", "Hei,\n\nversio 5.\n", &[]));
    assert!(line.contains("DSR-2026-0001 is closed"), "{line}");
    let trail = sandbox.json(&["show", "DSR-2026-0001"]);
    let reasons: Vec<&str> = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "draft_rejected")
        .map(|e| e["details"]["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["tone", "the case was closed"]);
}

/// A draft that waits on a closed case (one drafted by a late follow-up) cannot be approved.
#[test]
fn approve_refuses_a_draft_on_a_closed_case() {
    let sandbox = sandbox();
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-on-file.eml"),
    ]);
    let config = Config::load(&sandbox.config).unwrap();
    let mut store = rightsbot::store::Store::open(&config.store.path, &Default::default()).unwrap();
    let now: jiff::Timestamp = "2026-11-04T09:00:00Z".parse().unwrap();
    let batch = store.begin().unwrap();
    let case = CaseId { year: 2026, seq: 1 };
    // Closed behind the queue's back: the state alone, as a later stage might leave it.
    batch
        .move_case(
            case,
            rightsbot::case::CaseState::Open,
            rightsbot::case::CaseState::Closed,
        )
        .unwrap();
    let refused = rightsbot::approve::approve(
        &batch,
        rightsbot::ids::DraftId(1),
        &sanna(),
        "tietosuoja@kestokauppa.example.test",
        false,
        now,
    );
    assert!(
        matches!(
            refused,
            Err(rightsbot::approve::ApproveError::CaseClosed { .. })
        ),
        "{refused:?}"
    );
}

/// Issue 12, item 7: staff mail is never a case. A reply to a digest, even one asking to
/// erase someone, is staff mail; a refused approval by mail tells the approver why.
#[test]
fn staff_replies_are_staff_mail_and_a_refusal_is_answered() {
    let sandbox = sandbox_with(
        "[identity]\ntrusted_authserv_ids = [\"mx.test.example.test\"]\n\n[approval_by_mail]\nenabled = true\nstaff_address = \"tiimi@kestokauppa.example.test\"\napprovers = [\"sanna@kestokauppa.example.test\"]\n\n[reminders]\nstaff_address = \"tiimi@kestokauppa.example.test\"\n",
    );
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-on-file.eml"),
    ]);
    let review = fs::read_to_string(sandbox.path().join("outbox/review-D1.eml")).unwrap();
    let subject = review
        .replace("\r\n ", " ")
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap()
        .to_string();
    // A refusal: staff mail, no case, and a note to the approver with the reason.
    let refusal = sandbox.path().join("refusal.eml");
    fs::write(
        &refusal,
        staff_reply(
            "Sanna <sanna@kestokauppa.example.test>",
            &subject,
            "Ei vielä, poista ensin asiakkaan tiedot.",
            "refusal",
            true,
        ),
    )
    .unwrap();
    let admitted = sandbox.json(&[
        "--now",
        "2026-11-04T10:00:00+02:00",
        "ingest",
        &refusal.display().to_string(),
    ]);
    assert_eq!(admitted["staff_mail"], 1, "{admitted}");
    assert_eq!(admitted["cases_opened"], 0, "{admitted}");
    let note = fs::read_to_string(sandbox.path().join("outbox/note-D1.eml")).unwrap();
    assert!(
        note.contains("To: sanna@kestokauppa.example.test"),
        "{note}"
    );
    assert!(note.contains("says no"), "{note}");
    assert!(note.contains("Auto-Submitted: auto-generated"), "{note}");
    assert!(
        !note.contains("rightsbot-token:"),
        "a note approves nothing: {note}"
    );

    // A reply to the digest, worded like a request: staff mail all the same.
    let digest = sandbox.json(&["--now", "2026-11-20T08:00:00+02:00", "remind"]);
    let digest = fs::read_to_string(digest["digest"].as_str().unwrap()).unwrap();
    let digest_id = digest
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .unwrap()
        .to_string();
    let answer = sandbox.path().join("digest-answer.eml");
    fs::write(
        &answer,
        format!(
            "From: Sanna <sanna@kestokauppa.example.test>\r\nTo: tietosuoja@kestokauppa.example.test\r\n\
             Subject: Re: rightsbot\r\nDate: Fri, 20 Nov 2026 09:00:00 +0200\r\n\
             Message-ID: <digest-answer@kestokauppa.example.test>\r\nIn-Reply-To: {digest_id}\r\n\
             MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             Poistakaa kaikki tietoni, kiitos.\r\n"
        ),
    )
    .unwrap();
    let admitted = sandbox.json(&["ingest", &answer.display().to_string()]);
    assert_eq!(admitted["staff_mail"], 1, "{admitted}");
    assert_eq!(sandbox.json(&["cases"]).as_array().unwrap().len(), 1);
}

/// Issue 12, item 7: a request that reached staff still becomes a case: forwarded by a
/// staff member, it waits in the inbox until opened on behalf of its sender, from the day
/// it first arrived; made by phone, it is entered with `intake`.
#[test]
fn requests_that_reach_staff_become_cases_from_the_day_they_arrived() {
    let sandbox = sandbox_with("[reminders]\nstaff_address = \"tiimi@kestokauppa.example.test\"\n");
    let forwarded = sandbox.json(&[
        "--now",
        "2026-11-09T10:10:00+02:00",
        "ingest",
        &mail("forwarded-by-staff.eml"),
    ]);
    assert_eq!(
        forwarded["cases_opened"], 0,
        "not the staff member's request: {forwarded}"
    );
    assert_eq!(forwarded["not_requests"], 1, "{forwarded}");
    let opened = sandbox.json(&[
        "--now",
        "2026-11-09T10:30:00+02:00",
        "open",
        "M1",
        "--kinds",
        "access",
        "--by",
        "Sanna",
        "--on-behalf-of",
        "maija.virtanen@example.test",
        "--received",
        "2026-11-01",
    ]);
    let case = sandbox.json(&["show", opened["case"].as_str().unwrap()]);
    assert_eq!(case["requester"], "maija.virtanen@example.test", "{case}");
    // Received Sunday 1 November: the month ends Tuesday 1 December.
    assert_eq!(case["deadline"], "2026-12-01", "{case}");
    // Found on file from the address given, but nothing authenticated it.
    assert_eq!(case["identity"]["outcome"], "on_file_unverified", "{case}");

    let phoned = sandbox.json(&[
        "--now",
        "2026-11-10T12:00:00+02:00",
        "intake",
        "--from",
        "Maija.Virtanen@Example.test",
        "--name",
        "Maija Virtanen",
        "--received",
        "2026-11-10",
        "--kinds",
        "erasure",
        "--note",
        "Soitti asiakaspalveluun ja pyysi poistamaan tietonsa.",
        "--by",
        "Sanna",
    ]);
    let case = sandbox.json(&["show", phoned["case"].as_str().unwrap()]);
    assert_eq!(case["kinds"], serde_json::json!(["erasure"]), "{case}");
    assert_eq!(case["deadline"], "2026-12-10", "{case}");
    assert_eq!(
        case["messages"][0]["received_from"], "staff_entry",
        "{case}"
    );
    assert!(phoned["draft"].is_string(), "a reply is drafted: {phoned}");
}

/// Issue 18: a request with a sentence no right explains is approved only by someone who
/// says they read it; the confirmation is in the case's trail.
#[test]
fn a_draft_whose_request_has_an_unexplained_sentence_needs_it_read() {
    let sandbox = sandbox();
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail("access-flagged.eml"),
    ]);
    let line = assert_user_error(&sandbox.run(&["approve", "D1", "--by", "Sanna"]));
    assert!(line.contains("mihin maihin tietojani siirretään"), "{line}");
    assert!(line.contains("--read-flagged"), "{line}");
    assert_eq!(sandbox.json(&["show", "D1"])["state"], "pending");
    sandbox.ok(&["approve", "D1", "--by", "Sanna", "--read-flagged"]);
    let case = sandbox.json(&["show", "DSR-2026-0001"]);
    let read = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "flagged_sentences_read")
        .unwrap_or_else(|| panic!("{case}"));
    assert_eq!(read["actor"], "Sanna");
}

/// Issue 18: a right only the classifier's model read sends the case to a person, and
/// `show` says which right, in which sentence, so staff know what to confirm; once they have
/// said what the case asks, the note is gone.
#[test]
fn a_right_only_the_model_read_is_named_for_staff_to_confirm() {
    let read = named_for_staff_to_confirm(
        "optout-model-read.eml",
        ("second_reader", "sentence"),
        "only the model read",
        "utskicken med erbjudanden",
    );
    assert!(read["probability"].as_f64().unwrap() >= 0.9, "{read}");
}

/// A right asked by a pronoun in a sentence of its own ("Laittakaa ne pois päältä") is
/// named for staff with both sentences while the case waits in triage, and the note goes
/// once a person has said what the case asks.
#[test]
fn a_right_read_with_the_sentence_before_is_named_for_staff_to_confirm() {
    let read = named_for_staff_to_confirm(
        "optout-read-together.eml",
        ("read_together", "sentences"),
        "only read with the sentence before",
        "Laittakaa ne pois",
    );
    let sentences = read["sentences"].as_str().unwrap();
    assert!(
        sentences.contains("tekstiviestillä"),
        "both sentences: {read}"
    );
}

/// Ingests `fixture`, an erasure with an opt-out a person is to confirm, and checks that
/// `show --json` lists the opt-out under `key` (`key.0`, the sentence in `key.1`) and that
/// `show` has a line with `marker` and `sentence`, both gone after `reclassify`. Returns
/// the entry as it was listed.
fn named_for_staff_to_confirm(
    fixture: &str,
    key: (&str, &str),
    marker: &str,
    sentence: &str,
) -> serde_json::Value {
    let sandbox = sandbox();
    sandbox.ok(&[
        "--now",
        "2026-11-03T10:00:00+02:00",
        "ingest",
        &mail(fixture),
    ]);
    let case = sandbox.json(&["show", "DSR-2026-0001"]);
    assert_eq!(case["state"], "triage", "{case}");
    let read = &case[key.0];
    assert_eq!(read.as_array().map(Vec::len), Some(1), "{case}");
    assert_eq!(read[0]["kind"], "direct_marketing_optout", "{case}");
    assert!(
        read[0][key.1]
            .as_str()
            .is_some_and(|text| text.contains(sentence)),
        "{case}"
    );
    // Each reason for a person's look is named once, by what gave it.
    for other in ["second_reader", "read_together"] {
        if other != key.0 {
            assert_eq!(case[other], serde_json::json!([]), "{case}");
        }
    }
    let text = sandbox.ok(&["show", "DSR-2026-0001"]);
    let line = text
        .lines()
        .find(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("direct_marketing_optout"), "{line}");
    assert!(line.contains("confirm it is asked"), "{line}");
    assert!(line.contains(sentence), "{line}");

    sandbox.ok(&[
        "reclassify",
        "DSR-2026-0001",
        "--kinds",
        "erasure,direct_marketing_optout",
        "--by",
        "Sanna",
    ]);
    let after = sandbox.json(&["show", "DSR-2026-0001"]);
    assert_eq!(after["state"], "open", "{after}");
    assert_eq!(after[key.0], serde_json::json!([]), "{after}");
    let text = sandbox.ok(&["show", "DSR-2026-0001"]);
    assert!(!text.contains(marker), "{text}");
    read[0].clone()
}

/// The staff member the tests that call the stages directly act as.
fn sanna() -> rightsbot::app::Staff {
    rightsbot::app::Staff::new("Sanna").expect("a name")
}

/// Writing with a customer's phone or order number from another address must not tell a
/// stranger that the number belongs to a customer (Art. 12(6)): the reply to the sender
/// reads, word for word, as the reply to someone who matched nobody.
#[test]
fn a_needs_verification_reply_reads_the_same_as_a_not_found_reply() {
    for language in Lang::ALL {
        for clock_waits in [false, true] {
            let matched = IdentityFacts {
                outcome: IdentityOutcome::NeedsVerification,
                action: IdentityAction::AskForInformation,
                clock_waits,
                reply_to_on_file: None,
                entries: &[],
            };
            let nobody = IdentityFacts {
                outcome: IdentityOutcome::NoMatch,
                action: IdentityAction::NotFound,
                clock_waits: false,
                reply_to_on_file: None,
                entries: &[],
            };
            let asked = render(
                Purpose::IdentityNeeded,
                &[RequestKind::Access],
                language,
                &matched,
            );
            let not_found = render(Purpose::NotFound, &[RequestKind::Access], language, &nobody);
            assert_eq!(asked, not_found, "{language:?}");
        }
    }
}

/// Art. 12(3): the person must be told of an extension within the first month. The
/// deadline moves when the notice goes out; a notice approved after the first month is
/// refused, recorded, and extends nothing.
#[test]
fn an_extension_notice_that_cannot_be_sent_within_the_first_month_is_refused() {
    let sandbox = sandbox();
    for (file, now) in [
        ("access-on-file.eml", "2026-11-03T10:00:00+02:00"),
        ("access-authenticated.eml", "2026-11-03T10:00:00+02:00"),
    ] {
        sandbox.ok(&["--now", now, "ingest", &mail(file)]);
    }
    // Received 3 November: the first month ends Thursday 3 December.
    let extend = |now: &str| {
        sandbox.json(&[
            "--now",
            now,
            "extend",
            "DSR-2026-0001",
            "--ground",
            "complexity",
            "--reason",
            "orders of six years",
            "--by",
            "Sanna",
        ])
    };
    let notice = extend("2026-12-02T10:00:00+02:00")["draft"]
        .as_str()
        .unwrap()
        .to_string();
    let line = assert_user_error(&sandbox.run(&[
        "--now",
        "2026-12-04T09:00:00+02:00",
        "approve",
        &notice,
        "--by",
        "Sanna",
    ]));
    assert!(
        line.contains(&notice) && line.contains("2026-12-03") && line.contains("in time"),
        "{line}"
    );
    let case = sandbox.json(&[
        "--now",
        "2026-12-04T09:00:00+02:00",
        "show",
        "DSR-2026-0001",
    ]);
    assert_eq!(case["deadline"], "2026-12-03", "{case}");
    let events = case["events"].as_array().unwrap();
    let refused = events
        .iter()
        .find(|e| e["kind"] == "extension_refused")
        .unwrap_or_else(|| panic!("no extension_refused event: {case}"));
    assert_eq!(refused["details"]["first_month_ended"], "2026-12-03");
    assert!(events.iter().all(|e| e["kind"] != "extension_effective"));
    let extended = events.iter().find(|e| e["kind"] == "extended").unwrap();
    assert_eq!(extended["details"]["ground"], "complexity");
    assert!(
        case["drafts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["draft"] == notice.as_str() && d["state"] == "rejected"),
        "{case}"
    );
    assert_eq!(
        sandbox
            .run(&[
                "extend",
                "DSR-2026-0002",
                "--ground",
                "busy",
                "--reason",
                "x",
                "--by",
                "S"
            ])
            .status
            .code(),
        Some(2)
    );
    // Sent in time (written to the outbox on approval), the notice moves the deadline.
    let other = sandbox.json(&[
        "--now",
        "2026-11-20T10:00:00+02:00",
        "extend",
        "DSR-2026-0002",
        "--ground",
        "requests",
        "--reason",
        "many requests this month",
        "--by",
        "Sanna",
    ]);
    assert_eq!(
        sandbox.json(&["show", "DSR-2026-0002"])["deadline"],
        "2026-12-03"
    );
    sandbox.ok(&[
        "--now",
        "2026-11-20T10:05:00+02:00",
        "approve",
        other["draft"].as_str().unwrap(),
        "--by",
        "Sanna",
    ]);
    let case = sandbox.json(&["show", "DSR-2026-0002"]);
    assert_eq!(case["deadline"], "2027-02-03", "{case}");
    assert!(
        case["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "extension_effective")
    );
}
