//! Parser tests over the fixture mails in tests/fixtures/mail (one behaviour each; see the
//! README there for what each shows).

use proptest::prelude::*;

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/mail/",
            $name
        ))
    };
}

fn mail(raw: &[u8]) -> Mail {
    parse(raw).expect("fixture parses")
}

fn from(mail: &Mail) -> &str {
    &mail.from.as_ref().expect("has a sender").address
}

#[test]
fn plain_utf8() {
    let m = mail(fixture!("plain-utf8.eml"));
    assert_eq!(m.subject, "Tietojeni poisto");
    assert_eq!(from(&m), "liisa.koskinen@example.test");
    assert!(
        m.text
            .contains("poistatte kaikki tietoni järjestelmästänne"),
        "{}",
        m.text
    );
    assert!(m.automated.is_none());
    assert_eq!(m.to.len(), 1);
    assert_eq!(m.to[0].address, "tietosuoja@kestokauppa.example.test");
}

#[test]
fn latin1_quoted_printable() {
    let m = mail(fixture!("qp-latin1.eml"));
    assert_eq!(m.subject, "Tietojen päivitys");
    assert!(
        m.text
            .contains("uusi sukunimeni on Kärkkäinen (aiemmin Mäkinen)"),
        "{}",
        m.text
    );
}

#[test]
fn base64_utf8() {
    let m = mail(fixture!("base64-utf8.eml"));
    assert_eq!(
        m.new_text,
        "Hej!\n\nJag vill få ett registerutdrag över mina personuppgifter.\n\nMvh\nLars Berg"
    );
}

#[test]
fn html_only_is_converted_to_text() {
    let m = mail(fixture!("html-only.eml"));
    assert!(m.text.contains("Please erase my account."), "{}", m.text);
    assert!(
        !m.text.contains("<p>") && !m.text.contains("<br"),
        "{}",
        m.text
    );
}

#[test]
fn alternative_prefers_plain() {
    let m = mail(fixture!("multipart-alternative.eml"));
    assert_eq!(
        m.new_text,
        "Hello,\n\nI would like a copy of my personal data.\n\nBest regards,\nSam Taylor"
    );
}

#[test]
fn attachments_are_listed() {
    let m = mail(fixture!("attachment.eml"));
    assert_eq!(
        m.attachments,
        [Attachment {
            name: Some("passi.pdf".into()),
            content_type: "application/pdf".into(),
            size: 1234
        }]
    );
    assert!(m.text.contains("kopio passistani"));
}

#[test]
fn quoted_history_is_removed() {
    let cases: [(&[u8], &str); 6] = [
        (
            fixture!("quoted-gmail-fi.eml"),
            "Tässä vielä uusi osoitteeni.",
        ),
        (fixture!("quoted-en-wrote.eml"), "Any update on this?"),
        (
            fixture!("quoted-sv-skrev.eml"),
            "Jag väntar fortfarande på registerutdraget.",
        ),
        (
            fixture!("quoted-outlook-fi.eml"),
            "Hyvä, kiitos. Poistakaa samalla myös uutiskirjetilaukseni.",
        ),
        (
            fixture!("quoted-outlook-sv.eml"),
            "Jag vill också att ni tar bort mig från nyhetsbrevet.",
        ),
        (
            fixture!("quoted-outlook-en.eml"),
            "Please also remove my phone number.",
        ),
    ];
    for (raw, expected) in cases {
        let m = mail(raw);
        assert_eq!(m.new_text, expected, "{}", m.subject);
        assert!(
            m.text.len() > m.new_text.len(),
            "{}: the full text keeps the history",
            m.subject
        );
    }
}

#[test]
fn signatures_and_phone_footers_are_removed() {
    assert_eq!(
        mail(fixture!("signature.eml")).new_text,
        "Poistakaa tietoni."
    );
    assert_eq!(
        mail(fixture!("sent-from-phone.eml")).new_text,
        "Radera mitt konto."
    );
}

#[test]
fn automated_markers() {
    let marker = |raw: &[u8]| mail(raw).automated;
    assert_eq!(
        marker(fixture!("auto-submitted.eml")),
        Some(Automated::AutoSubmitted("auto-replied".into()))
    );
    assert_eq!(marker(fixture!("auto-submitted-no.eml")), None);
    assert_eq!(
        marker(fixture!("precedence-bulk.eml")),
        Some(Automated::Precedence("bulk".into()))
    );
    assert_eq!(
        marker(fixture!("list-id.eml")),
        Some(Automated::ListId("<offers.shop.example.test>".into()))
    );
    assert_eq!(
        marker(fixture!("x-autoreply.eml")),
        Some(Automated::AutoReplyHeader("X-Autoreply".into()))
    );
    assert_eq!(
        marker(fixture!("dsn-bounce.eml")),
        Some(Automated::DeliveryReport)
    );
    assert_eq!(
        marker(fixture!("postmaster.eml")),
        Some(Automated::SystemSender(
            "postmaster@mail.example.test".into()
        ))
    );
}

#[test]
fn authentication_results_are_kept_in_order() {
    let m = mail(fixture!("auth-results.eml"));
    assert_eq!(m.authentication_results.len(), 2);
    assert!(
        m.authentication_results[0].starts_with("mx.kestokauppa.example.test"),
        "{:?}",
        m.authentication_results
    );
    assert!(m.authentication_results[0].contains("dmarc=pass"));
    assert!(m.authentication_results[1].starts_with("evil.example.test"));
}

#[test]
fn threading_headers_and_reply_to() {
    let m = mail(fixture!("reply-threading.eml"));
    let ids = |list: &[MessageId]| {
        list.iter()
            .map(|id| id.as_str().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&m.in_reply_to), ["case-1@kestokauppa.example.test"]);
    assert_eq!(
        ids(&m.references),
        ["orig-1@example.test", "case-1@kestokauppa.example.test"]
    );
    assert_eq!(
        m.reply_to.as_ref().map(|r| r.address.as_str()),
        Some("other.address@example.test")
    );
    assert_eq!(from(&m), "oskari.heino@example.test");
}

#[test]
fn unknown_charset_still_gives_text() {
    let m = mail(fixture!("unknown-charset.eml"));
    assert_eq!(m.subject, "Poistopyynto");
    assert!(
        m.text.contains("poistakaa tietoni rekisterist"),
        "{}",
        m.text
    );
}

#[test]
fn message_id_is_optional() {
    let m = mail(fixture!("no-message-id.eml"));
    assert_eq!(m.message_id, None);
    assert_eq!(
        m.new_text,
        "Please send me a copy of my data.\n\nPaul Grant"
    );
}

#[test]
fn receipt_is_the_topmost_received_header() {
    let m = mail(fixture!("received-chain.eml"));
    assert_eq!(
        m.received_header_date,
        Some("2026-10-06T21:30:00Z".parse().unwrap())
    );
    assert_eq!(m.date, Some("2026-10-06T20:00:00Z".parse().unwrap()));
}

#[test]
fn not_a_mail_is_refused() {
    assert_eq!(
        parse(fixture!("not-a-mail.bin")).unwrap_err(),
        ParseError::NoHeaders
    );
    assert_eq!(parse(fixture!("empty.eml")).unwrap_err(), ParseError::Empty);
    assert_eq!(
        parse(b"just some words\nof text\n").unwrap_err(),
        ParseError::NoHeaders
    );
}

#[test]
fn headers_only_is_a_mail_without_text() {
    let m = mail(fixture!("headers-only.eml"));
    assert_eq!(m.subject, "Delete my data");
    assert_eq!(m.new_text, "");
}

#[test]
fn subject_token_survives_encoded_words() {
    let m = mail(fixture!("subject-token.eml"));
    assert_eq!(m.subject, "Re: [DSR-2026-0042] Tietopyyntö");
    assert_eq!(
        crate::ids::CaseId::find_in_subject(&m.subject).map(|c| c.to_string()),
        Some("DSR-2026-0042".into())
    );
}

#[test]
fn header_breaks_never_survive_decoding() {
    // An encoded-word can carry CR/LF; nothing built from the subject may inherit them.
    let raw =
        b"From: a@example.test\nSubject: =?UTF-8?Q?hi=0D=0ABcc:_victim@example.test?=\n\nbody\n";
    let m = mail(raw);
    assert!(
        !m.subject.contains('\n') && !m.subject.contains('\r'),
        "{:?}",
        m.subject
    );
    assert_eq!(m.subject, "hi Bcc: victim@example.test");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse(&bytes);
    }

    #[test]
    fn mail_like_input_never_panics(
        header in "[A-Za-z-]{1,20}: [ -~]{0,60}",
        body in "[\\PC\n>:-]{0,400}",
    ) {
        let raw = format!("{header}\nContent-Type: text/plain; charset=utf-8\n\n{body}");
        let _ = parse(raw.as_bytes());
    }
}

#[test]
fn quoted_text_is_what_the_own_text_leaves_out() {
    let m = mail(fixture!("show-html-quoted-attachment.eml"));
    assert!(m.own_text.contains("Koivukuja 3 B 12, 33100 Tampere"));
    assert!(!m.own_text.contains("Olemme"));
    assert!(
        m.quoted_text
            .starts_with("ma 2.11.2026 klo 10.00 Kestokauppa")
    );
    assert!(m.quoted_text.ends_with("Olemme vastaanottaneet pyyntönne."));
    assert_eq!(m.attachments.len(), 1);
    let m = mail(fixture!("quoted-en-wrote.eml"));
    assert_eq!(m.own_text, "Any update on this?");
    assert!(m.quoted_text.contains("> Thank you for your request."));
    let plain = mail(fixture!("plain-utf8.eml"));
    assert_eq!(plain.quoted_text, "");
}

#[test]
fn a_huge_text_is_cut_at_a_character_boundary() {
    let mut raw = b"From: a@example.test\r\nSubject: iso\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPoistakaa tietoni.\r\n".to_vec();
    raw.extend("ä".repeat(MAX_TEXT_BYTES).as_bytes());
    let parsed = mail(&raw);
    assert!(parsed.text_cut);
    assert!(parsed.text.len() <= MAX_TEXT_BYTES);
    assert!(parsed.text.len() > MAX_TEXT_BYTES - 4);
    assert!(parsed.new_text.starts_with("Poistakaa tietoni."));
    let small = mail(b"From: a@example.test\r\nSubject: x\r\n\r\nPoistakaa tietoni.\r\n");
    assert!(!small.text_cut);
    assert_eq!(small.text, "Poistakaa tietoni.\n");
}
