//! Classifier tests: one behaviour each, written as short mails. The labelled corpus test
//! (tests/classify_corpus.rs) measures the rules as a whole.

use super::*;

fn classifier() -> &'static Classifier {
    // Compiling the rules is the slow part in a debug build; do it once for all tests.
    static CLASSIFIER: std::sync::OnceLock<Classifier> = std::sync::OnceLock::new();
    CLASSIFIER.get_or_init(|| Classifier::new().expect("rules compile"))
}

fn classify(subject: &str, body: &str) -> Classification {
    classifier().classify_text(subject, body)
}

fn kinds(subject: &str, body: &str) -> Vec<&'static str> {
    classify(subject, body)
        .kinds
        .iter()
        .map(|k| k.as_str())
        .collect()
}

#[test]
fn finnish_inflection_and_missing_diacritics() {
    for body in [
        "Poistakaa tietoni.",
        "poistakaa mun tiedot",
        "Voisitteko poistaa kaikki tietojani rekisterista",
        "Haluan että tietoni poistetaan asiakasrekisteristänne.",
        "pyydän poistamaan henkilötietoni",
    ] {
        assert_eq!(kinds("", body), ["erasure"], "{body}");
    }
}

#[test]
fn consonant_gradation_is_covered() {
    // mainos → mainokset, tieto → tiedot, lupa → luvan, siirtää → siirrättekö.
    assert_eq!(
        kinds("", "lopettakaa ne mainokset"),
        ["direct_marketing_optout"]
    );
    assert_eq!(kinds("", "poistakaa tiedot minusta"), ["erasure"]);
    assert_eq!(
        kinds(
            "",
            "vedän takaisin luvan, jonka annoin kanta-asiakkaaksi liittyessä"
        ),
        ["consent_withdrawal"]
    );
}

#[test]
fn near_misses_do_not_fire() {
    for (subject, body) in [
        ("Tilaus 10234", "Poistakaa tilaus, tilasin vahingossa."),
        ("Lasku", "Korjatkaa lasku, summa on väärin."),
        ("Cart", "Please delete the item from my cart."),
        ("Delivery", "Stop the delivery, I am not home next week."),
        ("Tilaus", "Mitä tietoja tarvitsette tilaukseen?"),
        (
            "Toimitus",
            "Toimittakaa tämä tilaus eri osoitteeseen: Kuusitie 3.",
        ),
        ("Beställning", "Kan ni ta bort varan ur min beställning?"),
        (
            "Password",
            "I can't access my account, the password reset mail never arrives.",
        ),
    ] {
        assert!(
            kinds(subject, body).is_empty(),
            "{subject}: {body} → {:?}",
            kinds(subject, body)
        );
    }
}

#[test]
fn negation_keeps_only_what_is_asked() {
    assert_eq!(
        kinds("", "En halua poistaa tietojani, vaihdan vain osoitteen."),
        ["rectification"]
    );
    assert_eq!(
        kinds("", "I don't want my account deleted, just fix my address."),
        ["rectification"]
    );
    assert_eq!(
        kinds(
            "",
            "Jag vill inte att ni raderar något, bara rätta mitt namn som är felstavat."
        ),
        ["rectification"]
    );
}

#[test]
fn mailing_list_removal_is_an_opt_out_not_an_erasure() {
    assert_eq!(
        kinds("", "Remove me from your mailing list."),
        ["direct_marketing_optout"]
    );
    assert_eq!(
        kinds("", "poistakaa mut postituslistalta"),
        ["direct_marketing_optout"]
    );
    assert_eq!(
        kinds("", "Ta bort mig från nyhetsbrevet."),
        ["direct_marketing_optout"]
    );
    assert_eq!(
        kinds("", "Delete my account and take me off the newsletter list."),
        ["erasure", "direct_marketing_optout"]
    );
}

#[test]
fn mixed_requests_in_one_breath() {
    assert_eq!(
        kinds(
            "Myöhästynyt paketti",
            "Paketti tuli viikon myöhässä. Poistakaa mun tiedot ja lopettakaa uutiskirjeet."
        ),
        ["erasure", "direct_marketing_optout"]
    );
    assert_eq!(
        kinds("", "unsubscribe me and delete everything"),
        ["erasure", "direct_marketing_optout"]
    );
}

#[test]
fn rights_listed_as_information_are_not_requested() {
    let body = "Please provide a copy of all personal data you hold about me, and information about \
                my rights to request rectification or erasure, restriction of processing and to object.";
    assert_eq!(kinds("Subject access request", body), ["access"]);
}

#[test]
fn a_reply_subject_alone_is_not_a_request() {
    let thanks = classify("Re: Tietojen poisto", "Kiitos nopeasta hoidosta!");
    assert!(thanks.kinds.is_empty());
    assert!(thanks.triage, "a person still sees it");
    // A follow-up repeats the request it follows up.
    assert_eq!(
        kinds("Re: Tietojen poisto", "Vieläkään ei ole kuulunut mitään?"),
        ["erasure"]
    );
    assert_eq!(
        kinds("Re: Data access request", "Any update? It's been a month."),
        ["access"]
    );
}

#[test]
fn evidence_quotes_the_sender() {
    let result = classify("", "Hei, POISTAKAA tietoni rekisteristänne.");
    assert_eq!(result.evidence[0].kind, RequestKind::Erasure);
    assert!(
        result
            .evidence
            .iter()
            .any(|e| e.phrase == "POISTAKAA tietoni"),
        "{:?}",
        result.evidence
    );
}

#[test]
fn languages_are_told_apart_on_short_texts() {
    assert_eq!(
        classify("", "Poistakaa tietoni, kiitos.").language,
        Some(Lang::Fi)
    );
    assert_eq!(
        classify("", "Radera mina uppgifter, tack.").language,
        Some(Lang::Sv)
    );
    assert_eq!(
        classify("", "Please delete my data.").language,
        Some(Lang::En)
    );
    assert_eq!(classify("Tietojen poisto", "").language, Some(Lang::Fi));
    let unknown = classify("", "Bitte löschen Sie meine Daten.");
    assert_eq!(unknown.language, None);
    assert!(unknown.triage);
}

#[test]
fn privacy_talk_without_a_kind_goes_to_triage() {
    let result = classify(
        "GDPR",
        "Hello, I have a question about my personal data and the GDPR.",
    );
    assert!(result.kinds.is_empty());
    assert!(result.triage);
    let order = classify("Order", "Where is my parcel?");
    assert!(!order.triage);
}

#[test]
fn vendor_pitches_are_not_requests() {
    let body =
        "Handling erasure and access requests by hand? Our platform automates them. Book a demo!";
    assert!(kinds("GDPR made easy", body).is_empty());
}

#[test]
fn rule_files_report_bad_patterns() {
    // The embedded rules compile; a broken file names the kind and pattern (see rules.rs).
    assert!(Classifier::new().is_ok());
}

#[test]
fn recipients_are_part_of_access() {
    assert_eq!(
        kinds(
            "",
            "Could you tell me which partners have received my data so far?"
        ),
        ["access"]
    );
    assert_eq!(
        kinds("", "Kenelle olette luovuttaneet tietojani?"),
        ["access"]
    );
}

#[test]
fn a_reminder_takes_the_kinds_of_the_request_it_quotes() {
    let raw = "From: a@example.test\nSubject: Re: Katalogen\n\nP\u{e5}minnelse. Katalogen l\u{e5}g i brevl\u{e5}dan igen i dag.\n\n\
               Den 14 okt. 2026 kl. 08:40 skrev A <a@example.test>:\n> Hej,\n> var snälla och sluta skicka er tryckta katalog till mig.\n";
    let mail = crate::parse::parse(raw.as_bytes()).unwrap();
    assert!(
        classifier().follows_up(&mail.new_text),
        "{:?}",
        mail.new_text
    );
    let result = classifier().classify(&mail);
    assert_eq!(result.kinds, [RequestKind::DirectMarketingOptout]);
    assert!(result.triage, "a person confirms");
    assert_eq!(result.language, Some(Lang::Sv));
}
