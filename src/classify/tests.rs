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

/// Whether no right of `found` was read across sentences (`read-together/` evidence).
fn nothing_read_together(found: &Classification) -> bool {
    found.evidence.iter().all(|e| !e.read_together())
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

#[test]
fn a_bare_stop_over_the_shops_newsletter_is_an_opt_out_a_person_confirms() {
    for (stop, rule) in [
        ("Lopettakaa.", "fi/stop_alone/0"),
        ("STOPP", "sv/stop_alone/0"),
        ("STOP!!", "en/stop_alone/0"),
        ("Sluta nu", "sv/stop_alone/0"),
    ] {
        let raw = format!(
            "From: a@example.test\nSubject: Re: Marraskuun kestosuosikit\n\n{stop}\n\n\
             -----Original Message-----\nFrom: Kestokauppa <uutiskirje@kestokauppa.example.test>\n\
             Subject: Marraskuun kestosuosikit\n\nJopa -30 % talvitakeista!\n\
             Voit perua uutiskirjeen tilauksen t\u{e4}\u{e4}lt\u{e4}.\n"
        );
        let mail = crate::parse::parse(raw.as_bytes()).unwrap();
        let result = classifier().classify(&mail);
        assert_eq!(result.kinds, [RequestKind::DirectMarketingOptout], "{stop}");
        assert!(result.triage, "a person confirms: {stop}");
        assert_eq!(result.evidence[0].phrase, stop);
        assert_eq!(result.evidence[0].rule, rule);
    }
    // A stop with more to say is read as the rules read it, and an order is no marketing.
    assert_eq!(
        kinds("", "Stop the order I placed yesterday, please."),
        Vec::<&str>::new()
    );
    assert_eq!(
        kinds("", "Lopettakaa tilaukseni toimitus."),
        Vec::<&str>::new()
    );
    assert_eq!(kinds("", "Kiitos!"), Vec::<&str>::new());
}

#[test]
fn lettered_list_items_start_sentences() {
    // "a) … b) …" and "(a) … (b) …" are lists like "1) … 2) …"; each item is read, and
    // quoted to staff, on its own.
    for text in [
        "please:\na) tell me where you got my number;\nb) delete it,\nc) stop the texts.",
        "please:\n(a) tell me where you got my number;\n(b) delete it,\n(c) stop the texts.",
    ] {
        let found: Vec<&str> = sentences(text.as_bytes())
            .into_iter()
            .map(|(start, end)| sentence_text(&text[start..end]))
            .map(|sentence| match sentence.as_str() {
                "tell me where you got my number" => "a",
                "delete it," => "b",
                "stop the texts" => "c",
                _ => "other",
            })
            .collect();
        assert_eq!(found, ["other", "a", "b", "c"], "{text}");
    }
    // A letter in running text is no list item.
    assert_eq!(sentences(b"plan a) was fine\nand b) too").len(), 1);
}

#[test]
fn an_abbreviation_before_a_bracket_or_comma_ends_no_sentence() {
    // "ym.)" and "e.g.," go on: the data and the verb that asks for it stay one sentence.
    for text in [
        "kertyneet tiedot (pisteet, syntymäpäivä ym.) hävitetään.",
        "delete what you hold, e.g., my phone number and address.",
    ] {
        assert_eq!(sentences(text.as_bytes()).len(), 1, "{text}");
    }
    assert_eq!(
        kinds_of("Toivon, että kertyneet tiedot (pisteet, syntymäpäivä ym.) hävitetään."),
        ["erasure"]
    );
    // A full stop before a new sentence still ends one.
    assert_eq!(
        sentences(b"delete my account. then stop the texts.").len(),
        2
    );
}

#[test]
fn a_date_or_an_abbreviation_before_a_full_stop_ends_no_sentence() {
    // The value on file and the right one stay one sentence, so a rule reads the two together.
    for text in [
        "syntymapaivani on teilla 12.3. vaikka oikeasti se on 21.3.",
        "my phone no. is wrong, please fix it.",
        "poistakaa muut tiedot, esim. ostohistoria ja osoite.",
    ] {
        assert_eq!(sentences(text.as_bytes()).len(), 1, "{text}");
    }
    assert_eq!(
        kinds_of("Hei! Syntymäpäiväni on teillä 12.3. vaikka oikeasti se on 21.3."),
        ["rectification"]
    );
    // A year, an ordinary word or a number that is no date still ends the sentence.
    for text in [
        "ostin sen vuonna 2024. poistakaa tili.",
        "delete my account. then stop the texts.",
        "tilaus 123.4567. poistakaa se.",
    ] {
        assert_eq!(sentences(text.as_bytes()).len(), 2, "{text}");
    }
}

/// Sorted kinds, for comparing coordinated requests whatever order the rules found them in.
fn kinds_of(body: &str) -> Vec<&'static str> {
    names(&classify("", body).kinds)
}

/// The kinds' names, sorted.
fn names(kinds: &[RequestKind]) -> Vec<&'static str> {
    let mut names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    names.sort_unstable();
    names
}

#[test]
fn coordinated_requests_keep_every_right_in_english() {
    assert_eq!(
        kinds_of("Please delete my account and tell me what you have on me first."),
        ["access", "erasure"]
    );
    assert_eq!(
        kinds_of("Correct my address, stop the newsletter and send me a copy of my data."),
        ["access", "direct_marketing_optout", "rectification"]
    );
    assert_eq!(
        kinds_of(
            "I ask you to:\n- give me a copy of my data\n- then delete it\n- stop all marketing\n- my consent is hereby withdrawn"
        ),
        [
            "access",
            "consent_withdrawal",
            "direct_marketing_optout",
            "erasure"
        ]
    );
}

#[test]
fn four_rights_in_one_sentence_are_all_kept() {
    for body in [
        "I withdraw my consent, please unsubscribe me, send me a copy of my data and then delete my account.",
        "Peruutan suostumukseni, poistakaa minut postituslistalta, lähettäkää kopio tiedoistani ja poistakaa sitten tilini.",
        "Jag återkallar mitt samtycke, avregistrera mig från nyhetsbrevet, skicka en kopia av mina uppgifter och radera sedan mitt konto.",
    ] {
        assert_eq!(
            kinds_of(body),
            [
                "access",
                "consent_withdrawal",
                "direct_marketing_optout",
                "erasure"
            ],
            "{body}"
        );
    }
}

#[test]
fn lettered_lists_keep_every_right() {
    // "a) … b) … c) …": each item asks its own right; a copy asked in one item is not the
    // "copies" of an erasure asked in the next.
    for body in [
        "Please:\n\na) tell me where you got my phone number from;\nb) delete my phone number from your records;\nc) stop sending me marketing texts.",
        "pyydän seuraavaa:\n\na) kopion kaikista tiedoista, joita teillä on minusta,\nb) tietojeni poistamisen sen jälkeen, kun olen saanut kopion,\nc) että lopetatte heti kaiken markkinoinnin minulle.",
        "jag begär följande:\n\n(a) berätta varifrån ni har fått mitt telefonnummer,\n(b) ta bort mitt telefonnummer ur ert register,\n(c) sluta skicka reklam-sms till mig.",
    ] {
        let result = classify("", body);
        assert_eq!(
            names(&result.kinds),
            ["access", "direct_marketing_optout", "erasure"],
            "{body}"
        );
        assert!(result.unattributed.is_empty(), "{body}: {result:?}");
    }
}

#[test]
fn the_new_access_forms_leave_product_and_order_questions_alone() {
    // The informal access questions ("what have you used my data for", "which segments
    // have you put me in", "har ni fortfarande mina uppgifter?") need the sender's data or
    // the sender as their object; the same question about a product or a parcel is none.
    for body in [
        "What do you use it for?",
        "What category should I put my return under?",
        "Has it been given to anyone yet?",
        "Show me all items stored in my wishlist.",
        "Tell me what you keep in stock for size 42.",
        "Har ni all information ni behöver?",
        "Vilken etikett har ni lagt på min beställning?",
        "Skicka alla sparade artiklar till min adress.",
        "Onko teillä kaikki tiedot tilaustani varten?",
        "Mihin niitä käytetään?",
        "Lähettäkää kaikki tilaukseeni liittyvät tuotteet.",
    ] {
        assert!(kinds_of(body).is_empty(), "{body}: {:?}", kinds_of(body));
    }
    for body in [
        "Which customer segments have you placed me in?",
        "Vilka segment har ni placerat mig i?",
        "Millaisen profiilin olette minusta luoneet?",
    ] {
        assert_eq!(kinds_of(body), ["access"], "{body}");
    }
}

#[test]
fn the_links_and_copies_of_art_17_2_ask_no_copy() {
    // The erasure letter's Art. 17(2) sentence names copies without asking for one.
    for (body, expected) in [
        (
            "If you have made my data public, inform other controllers that I have requested the erasure of all links, copies or replications of it.",
            &[][..],
        ),
        (
            "Jos olette julkistaneet tietoni, ilmoittakaa muille rekisterinpitäjille, että pyydän poistamaan kaikki linkit tietoihini sekä niiden kopiot ja jäljennökset.",
            &["erasure"],
        ),
        (
            "Om ni har offentliggjort mina uppgifter ska ni informera andra personuppgiftsansvariga om att jag begärt radering av alla länkar, kopior eller replikationer av dem.",
            &["erasure"],
        ),
    ] {
        assert_eq!(kinds_of(body), expected, "{body}");
    }
    // A question whether they hold data is access; a condition on it is not.
    assert_eq!(kinds_of("Do you still hold my data?"), ["access"]);
    assert!(kinds_of("If you hold my data for the warranty, fine.").is_empty());
}

#[test]
fn coordinated_requests_keep_every_right_in_finnish() {
    assert_eq!(
        kinds_of("Poistakaa tilini ja kertokaa ensin, mitä tietoja teillä on minusta."),
        ["access", "erasure"]
    );
    assert_eq!(
        kinds_of("Korjatkaa osoitteeni, lopettakaa uutiskirjeet ja lähettäkää kopio tiedoistani."),
        ["access", "direct_marketing_optout", "rectification"]
    );
    assert_eq!(
        kinds_of(
            "Pyydän teitä:\n- antamaan kopion tiedoistani\n- poistakaa ne sen jälkeen\n- ei enää markkinointia\n- suostumukseni on täten peruttu"
        ),
        [
            "access",
            "consent_withdrawal",
            "direct_marketing_optout",
            "erasure"
        ]
    );
}

#[test]
fn coordinated_requests_keep_every_right_in_swedish() {
    assert_eq!(
        kinds_of("Radera mitt konto och berätta först vad ni har om mig."),
        ["access", "erasure"]
    );
    assert_eq!(
        kinds_of(
            "Rätta min adress, sluta skicka nyhetsbrev och skicka en kopia av mina uppgifter."
        ),
        ["access", "direct_marketing_optout", "rectification"]
    );
    assert_eq!(
        kinds_of(
            "Jag begär att ni:\n- skickar en kopia av mina uppgifter\n- sedan raderar dem\n- slutar med all marknadsföring\n- mitt samtycke är härmed återkallat"
        ),
        [
            "access",
            "consent_withdrawal",
            "direct_marketing_optout",
            "erasure"
        ]
    );
}

#[test]
fn a_right_in_one_sentence_does_not_silence_another() {
    // Each lost right of issue 18 sat in a sentence of its own beside a found one.
    for (body, expected) in [
        (
            "Close my account. I want to see it all first, everything you keep about me.",
            &["access", "erasure"][..],
        ),
        (
            "My consent is hereby withdrawn. Unsubscribe me from the newsletter too.",
            &["consent_withdrawal", "direct_marketing_optout"],
        ),
        (
            "I no longer give my consent to the photo. I don't want you to keep my data at all.",
            &["consent_withdrawal", "erasure"],
        ),
        (
            "Restrict the processing of my data. Kindly send me an extract of the register too.",
            &["access", "restriction"],
        ),
        (
            "Haluan nähdä kaikki tiedot mitä teillä on musta. Sen jälkeen poistakaa ne.",
            &["access", "erasure"],
        ),
        (
            "En enää anna lupaa kuvani käyttöön. En halua, että säilytätte tietojani.",
            &["consent_withdrawal", "erasure"],
        ),
        (
            "Jag begär ett utdrag ur ert kundregister. Därefter vill jag att ni raderar mina uppgifter.",
            &["access", "erasure"],
        ),
        (
            "Jag ger inte längre mitt samtycke till bilden. Jag vill inte att mina uppgifter sparas hos er.",
            &["consent_withdrawal", "erasure"],
        ),
        // A copy asked beside an erasure is not the Art. 17(2) "links, copies or replications".
        (
            "Please delete my account and send me a copy of my data first.",
            &["access", "erasure"],
        ),
        (
            "Poistakaa tilini ja lähettäkää minulle ensin kopio tiedoistani.",
            &["access", "erasure"],
        ),
        (
            "Radera mitt konto och skicka mig en kopia av mina uppgifter först.",
            &["access", "erasure"],
        ),
        // A review written under one's name is one's own data.
        (
            "Please remove my review from your site. I withdraw my consent to it being published.",
            &["consent_withdrawal", "erasure"],
        ),
        (
            "Peruutan luvan sen julkaisemiseen — poistakaa se arvostelu sivuilta.",
            &["consent_withdrawal", "erasure"],
        ),
        // A declaration after an adverb, and a non-native negation.
        (
            "En halua, että säilytätte tietojani. En myöskään halua teiltä enää mainoksia.",
            &["direct_marketing_optout", "erasure"],
        ),
        (
            "Minä ei halua saada teidän mainoksia enää. Ja poista minun puhelinnumero teidän järjestelmä.",
            &["direct_marketing_optout", "erasure"],
        ),
        (
            "i want you delete my all informations from your shop and no send more email to me please.",
            &["direct_marketing_optout", "erasure"],
        ),
        // Informal access beside other rights.
        (
            "Tell me exactly what data you have on me, then delete every last bit of it.",
            &["access", "erasure"],
        ),
        (
            "Jäädyttäkää tietojeni käsittely. Lähettäkää minulle myös kaikki tiliini tallennetut tiedot.",
            &["access", "restriction"],
        ),
        (
            "I object to profiling. Tell me which segments you have put me in so far.",
            &["access", "objection"],
        ),
        (
            "Vastustan profilointia. Haluan tietää, mihin olette tietojani käyttäneet ja onko niitä annettu kolmansille osapuolille.",
            &["access", "objection"],
        ),
        (
            "Jag invänder mot profilering. Har mina uppgifter delats med tredje part?",
            &["access", "objection"],
        ),
        // Restriction "while you assess" is no limited-time offer.
        (
            "Jag invänder mot profileringen. Jag begär också att behandlingen begränsas under den tid ni prövar saken.",
            &["objection", "restriction"],
        ),
    ] {
        assert_eq!(kinds_of(body), expected, "{body}");
    }
}

#[test]
fn a_soft_phrase_yields_only_to_its_near_miss() {
    // Generic "send me my data" beside another right in the same sentence is still access…
    assert_eq!(
        kinds_of("Delete my account and send me my data before you do."),
        ["access", "erasure"]
    );
    // …but not where the same words ask for something more specific.
    assert_eq!(
        kinds_of("Send me my data in a structured format."),
        ["portability"]
    );
    assert_eq!(kinds_of("Please get my data deleted."), ["erasure"]);
}

#[test]
fn the_net_lists_a_request_no_right_explains() {
    for body in [
        "Please explain how you use my data for the prize draw.",
        "Voisitteko selvittää, miksi nimeni näkyy kumppaninne sivulla?",
        "Kan ni förklara varför mitt namn syns hos er partner?",
    ] {
        let result = classify("", body);
        assert_eq!(result.unattributed.len(), 1, "{body}: {result:?}");
        assert!(result.kinds.is_empty(), "{body}");
        // With no right found, a person looks at the whole mail.
        assert!(result.triage, "{body}");
    }
    // Beside a found right, the sentence is listed and the mail keeps its kinds.
    let result = classify(
        "",
        "Delete my account. Also, please explain how you use my data for the prize draw.",
    );
    assert_eq!(result.kinds, [RequestKind::Erasure]);
    assert_eq!(
        result.unattributed,
        ["Also, please explain how you use my data for the prize draw"]
    );
    assert!(!result.triage);
}

#[test]
fn the_net_lets_small_talk_thanks_and_orders_pass() {
    for body in [
        "Thanks for the quick help with my account! Where is my order 1234? Please let me know. Hope you are well, have a nice weekend!",
        "Kiitos nopeasta avusta tilini kanssa! Milloin tilaukseni saapuu? Kertokaa minulle. Hyvää viikonloppua!",
        "Tack för hjälpen med mitt konto! När kommer min beställning? Meddela mig gärna. Ha en trevlig helg!",
        "Please send the invoice to my e-mail address. Can you change the delivery date of my order?",
        "I can't log in to my account, could you reset my password?",
    ] {
        let result = classify("", body);
        assert!(result.unattributed.is_empty(), "{body}: {result:?}");
        assert!(result.kinds.is_empty(), "{body}");
    }
    // A preamble to a list asks through its items, and a complaint asks nothing.
    for body in [
        "I would like to make the following requests regarding my personal data:\n\n1) Send me a copy of my data.\n2) Stop the newsletter.",
        "Pyydän seuraavaa omien tietojeni osalta:\n\n1) Lähettäkää kopio tiedoistani.\n2) Lopettakaa uutiskirje.",
        "Jag begär följande angående mina uppgifter:\n\n1) Skicka en kopia av mina uppgifter.\n2) Sluta skicka nyhetsbrevet.",
        "I keep getting texts from you, although I don't remember giving you my number. Stop the texts.",
    ] {
        let result = classify("", body);
        assert!(result.unattributed.is_empty(), "{body}: {result:?}");
        assert!(!result.kinds.is_empty(), "{body}");
    }
    // A sentence whose right was found is not listed again.
    assert!(
        classify("", "Please delete my data.")
            .unattributed
            .is_empty()
    );
}

/// The rules with a second reader trained on a few made-up mails, so the tests do not hang
/// on the weights of `rules/model.tsv` and `rules/sentences.tsv`: "blorp" is a word for
/// stopping marketing that no rule knows.
fn with_second_reader() -> &'static Classifier {
    static CLASSIFIER: std::sync::OnceLock<Classifier> = std::sync::OnceLock::new();
    CLASSIFIER.get_or_init(|| {
        use RequestKind::{Access, DirectMarketingOptout as Optout, Erasure};
        // A mail of sentences, each with the rights it asks.
        let mail = |sentences: &[(&str, &[RequestKind])]| LabelledMail {
            subject: String::new(),
            body: sentences
                .iter()
                .map(|(text, _)| *text)
                .collect::<Vec<_>>()
                .join(" "),
            kinds: sentences
                .iter()
                .flat_map(|(_, kinds)| kinds.to_vec())
                .collect(),
            sentences: sentences
                .iter()
                .map(|(text, kinds)| (Folded::new(text).text, kinds.to_vec()))
                .collect(),
            unlocated: Vec::new(),
        };
        let mut examples = Vec::new();
        for _ in 0..20 {
            examples.push(mail(&[("Blorp those newsletters.", &[Optout])]));
            examples.push(mail(&[("Delete my account.", &[Erasure])]));
            examples.push(mail(&[("Where is my order?", &[])]));
            examples.push(mail(&[("Thanks!", &[]), ("The coat fits well.", &[])]));
            examples.push(mail(&[("Hi!", &[]), ("When do you open?", &[])]));
            examples.push(mail(&[
                ("Delete my account.", &[Erasure]),
                ("Blorp the newsletters.", &[Optout]),
            ]));
            // Mislabelled on purpose: a model that reads access where the rules' `unless`
            // says there is none.
            examples.push(mail(&[
                ("Delete my account.", &[Erasure]),
                ("Please also inform me about those recipients.", &[Access]),
            ]));
        }
        Classifier::from_parts(
            Rules::embedded().expect("rules compile"),
            Model::parse("trained", &model::train(&examples)).expect("model parses"),
            Model::parse("trained", &model::train_sentences(&examples))
                .expect("sentence model parses"),
        )
    })
}

/// The evidence a classification gives for `kind`.
fn evidence_for(result: &Classification, kind: RequestKind) -> &Evidence {
    result
        .evidence
        .iter()
        .find(|e| e.kind == kind)
        .expect("evidence for the right")
}

/// A model that reads no right in anything.
fn untrained() -> Model {
    let never = "\t-30".repeat(RequestKind::ALL.len());
    Model::parse("untrained", &format!("*bias*{never}\n")).expect("model parses")
}

#[test]
fn the_second_reader_adds_a_right_the_rules_missed_for_a_person_to_confirm() {
    let result = with_second_reader().classify_text(
        "",
        "Please delete my account. And blorp those newsletters too.",
    );
    assert_eq!(
        result.kinds,
        [RequestKind::Erasure, RequestKind::DirectMarketingOptout]
    );
    assert!(
        result.triage,
        "a right only the model read is confirmed by a person"
    );
    let added = evidence_for(&result, RequestKind::DirectMarketingOptout);
    assert_eq!(added.phrase, "And blorp those newsletters too");
    assert!(
        added
            .rule
            .starts_with("second-reader/direct_marketing_optout/")
    );
    // The embedded rules alone do not know the word: the right came from the model. (The
    // embedded model may read it too: it has learnt that "those newsletters" is an opt-out.)
    let rules_alone = Classifier::from_parts(
        Rules::embedded().expect("rules compile"),
        untrained(),
        untrained(),
    );
    assert_eq!(
        rules_alone
            .classify_text(
                "",
                "Please delete my account. And blorp those newsletters too."
            )
            .kinds,
        [RequestKind::Erasure]
    );
}

#[test]
fn the_second_reader_only_adds_beside_a_right_the_rules_found_and_else_asks_a_person() {
    // No right found: no guess at a right, but the sentence the model reads as asking goes
    // to staff, and so the mail to triage.
    let alone = with_second_reader().classify_text("", "Blorp those newsletters.");
    assert!(alone.kinds.is_empty());
    assert_eq!(alone.unattributed, ["Blorp those newsletters"]);
    assert!(alone.triage);
    // Small talk the model reads nothing in stays as it was.
    let order = with_second_reader().classify_text("", "Where is my order? Thanks!");
    assert!(order.kinds.is_empty() && order.unattributed.is_empty() && !order.triage);
    // Nor does a sentence about an order, whatever the model reads in it (the net's
    // `unless`): "Peruuttakaa tilaus 10234" is no withdrawal.
    let order =
        with_second_reader().classify_text("", "Blorp those newsletters with my order 4411.");
    assert!(order.unattributed.is_empty() && !order.triage, "{order:?}");
}

#[test]
fn the_second_reader_reads_a_second_right_in_the_sentence_the_rules_read_one_in() {
    // "Delete my account and blorp the newsletters": the rules read the erasure, the
    // models the opt-out beside it in the same breath; a person confirms.
    let result =
        with_second_reader().classify_text("", "Delete my account and blorp the newsletters.");
    assert_eq!(
        result.kinds,
        [RequestKind::Erasure, RequestKind::DirectMarketingOptout],
        "{result:?}"
    );
    assert!(result.triage, "a right only a model read is confirmed");
    let added = evidence_for(&result, RequestKind::DirectMarketingOptout);
    assert_eq!(added.phrase, "Delete my account and blorp the newsletters");
    // The right the rules read there is not read twice, and a sentence that asks one right
    // only keeps it alone, with nothing for a person to confirm.
    let alone = with_second_reader().classify_text("", "Delete my account.");
    assert_eq!(alone.kinds, [RequestKind::Erasure]);
    assert!(!alone.triage, "{alone:?}");
}

#[test]
fn the_second_reader_never_adds_a_right_the_sender_turned_down() {
    let result = with_second_reader().classify_text(
        "",
        "Please unsubscribe me from the newsletter. I am not asking you to delete my account.",
    );
    assert_eq!(result.kinds, [RequestKind::DirectMarketingOptout]);
}

#[test]
fn the_second_reader_adds_no_right_the_rules_unless_explains() {
    // Art. 19's last sentence after an erasure asks whom it was passed on to; the model
    // above was taught to read access there, the access `unless` knows better.
    let result = with_second_reader().classify_text(
        "",
        "Please delete my account. Please also inform me about those recipients.",
    );
    assert_eq!(result.kinds, [RequestKind::Erasure], "{result:?}");
    // The model does read it: in a sentence the `unless` does not explain, access is added.
    let result = with_second_reader().classify_text(
        "",
        "Please delete my account. Please also inform me about the recipients.",
    );
    assert_eq!(
        result.kinds,
        [RequestKind::Access, RequestKind::Erasure],
        "{result:?}"
    );
}

#[test]
fn a_right_taken_back_in_the_next_sentence_is_dropped_and_a_person_confirms() {
    for body in [
        "Please delete my account and all my data.. actually no wait, just stop the newsletter.",
        "Poistakaa kaikki tietoni.. tai ei sittenkään, lopettakaa vain uutiskirjeet.",
        "Radera mitt konto. Nej förresten, sluta bara skicka nyhetsbrevet.",
    ] {
        let result = classify("", body);
        assert_eq!(result.kinds, [RequestKind::DirectMarketingOptout], "{body}");
        assert!(result.triage, "{body}");
    }
    // The subject is taken back with the sentence that repeated it.
    let result = classify(
        "Delete my account",
        "I'd like you to delete my account. Actually, scratch that - stop the promo emails instead.",
    );
    assert_eq!(result.kinds, [RequestKind::DirectMarketingOptout]);
}

#[test]
fn words_that_only_look_like_a_change_of_mind_take_nothing_back() {
    for (body, expected) in [
        (
            "Please send me a copy of my data. Never mind the format, any file is fine.",
            &["access"][..],
        ),
        (
            "Please delete my account. Actually, no newsletters either.",
            &["erasure", "direct_marketing_optout"],
        ),
        (
            "Byt min e-post till ny@example.test. Sen har jag ändrat mig om delningen med partner, det gäller inte längre.",
            &["rectification", "consent_withdrawal"],
        ),
    ] {
        assert_eq!(kinds("", body), expected, "{body}");
    }
}

#[test]
fn a_pasted_form_asks_only_for_the_options_ticked() {
    let body = "Request type:\n[x] Stop marketing e-mails\n[ ] Delete my account\n[ ] Get a copy of my data\n( ) Download my data\n";
    assert_eq!(kinds("", body), ["direct_marketing_optout"]);
    let body = "Pyynnön aihe:\n[ ] Poistakaa tietoni\n[x] Lähettäkää kopio tiedoistani\n";
    assert_eq!(kinds("", body), ["access"]);
    // Boxes drawn as characters, as a form pasted from a document has them.
    let body = "Jag begär:\n☐ Registerutdrag (art. 15)\n☒ Radering av mitt konto (art. 17)\n☐ Dataportabilitet (art. 20)\n";
    assert_eq!(kinds("", body), ["erasure"]);
    let body = "I request:\n\u{2611} a copy of my personal data\n\u{25A1} deletion of my account\n";
    assert_eq!(kinds("", body), ["access"]);
    // Brackets in running text are not a form.
    assert_eq!(
        kinds("", "Please delete my account [ref 1234] and my data."),
        ["erasure"]
    );
}

/// A right asked by a pronoun in a short sentence of its own is read with the sentence
/// before it, in each language; it is weak, so a person confirms it, and the evidence shows
/// both sentences.
#[test]
fn a_pronoun_in_a_short_request_refers_back_to_the_sentence_before() {
    for body in [
        "Hei. Poistakaa tilini. Saan teiltä joka viikko tarjouksia tekstiviestillä. Laittakaa ne pois päältä.",
        "Hej. Radera mitt konto. Ni skickar reklam-sms varje vecka. Sluta med dem.",
        "Hi. Please delete my account. You keep sending me promotional texts every week. Please stop them.",
    ] {
        let found = classify("", body);
        assert_eq!(
            names(&found.kinds),
            ["direct_marketing_optout", "erasure"],
            "{body}"
        );
        assert!(
            found.triage,
            "a right read across two sentences is confirmed: {body}"
        );
        let evidence = found
            .evidence
            .iter()
            .find(|e| e.kind == RequestKind::DirectMarketingOptout)
            .unwrap();
        assert!(evidence.read_together(), "{evidence:?}");
        assert!(
            evidence.second_reader_probability().is_none(),
            "{evidence:?}"
        );
        assert!(!evidence.phrase.contains("  "), "{evidence:?}");
        assert!(
            evidence.phrase.split_whitespace().count() >= 4,
            "both sentences: {evidence:?}"
        );
    }
}

/// When the sentence before the short request only points back too ("I never asked for
/// them"), the request is read with the one before that, which names what both mean; the
/// evidence shows all three sentences. A sentence between them about something else ends
/// the reference.
#[test]
fn a_pronoun_refers_back_past_a_sentence_that_points_back_too() {
    for body in [
        "Hei. Teiltä tulee tarjoustekstareita joka viikko. En ole koskaan pyytänyt niitä. Lopettakaa ne.",
        "Hej. Ni skickar reklam-sms varje vecka. Jag har aldrig bett om dem. Sluta med dem.",
        "Hi. You keep sending me promotional texts every week. I never asked for them. Please stop them.",
    ] {
        let found = classify("", body);
        assert_eq!(names(&found.kinds), ["direct_marketing_optout"], "{body}");
        assert!(found.triage, "read across sentences, confirmed: {body}");
        let evidence = &found.evidence[0];
        assert!(evidence.read_together(), "{evidence:?}");
        assert!(
            evidence.phrase.split(". ").count() == 3,
            "all three sentences: {evidence:?}"
        );
    }
    for body in [
        "Hi. You send promotional texts every week. My order 1234 arrived broken. Please stop them.",
        "Hej. Ni skickar reklam-sms varje vecka. Min order 1234 kom trasig. Sluta med dem.",
    ] {
        let found = classify("", body);
        assert!(
            nothing_read_together(&found),
            "{body}: {:?}",
            found.evidence
        );
    }
}

/// A long sentence whose first clause is the short request that points back ("Poistakaa se
/// sieltä, …") is read with the sentence before it; a determiner is no pronoun ("haluan
/// poistaa sen toisen suodattimen").
#[test]
fn a_short_first_clause_refers_back_to_the_sentence_before() {
    for (body, kind) in [
        (
            "Hei. Tilille on tallentunut yksityinen puhelinnumeroni. Poistakaa se sieltä, siihen numeroon ei enää vastaa kukaan.",
            RequestKind::Erasure,
        ),
        (
            "Hej. Ni skickar reklam-sms varje vecka. Sluta med dem, jag läser aldrig ett enda av dem ändå.",
            RequestKind::DirectMarketingOptout,
        ),
        (
            "Hi. You send me promotional texts every week. Please stop them, I never read a single one of them anyway.",
            RequestKind::DirectMarketingOptout,
        ),
    ] {
        let found = classify("", body);
        assert!(found.triage, "read across sentences, confirmed: {body}");
        let evidence = found
            .evidence
            .iter()
            .find(|e| e.kind == kind)
            .unwrap_or_else(|| panic!("{kind:?} in {body}: {:?}", found.evidence));
        assert!(evidence.read_together(), "{evidence:?}");
        assert!(
            evidence.phrase.contains(", "),
            "the whole sentence: {evidence:?}"
        );
    }
    // A short sentence is read whole, a comma before its pronoun or not.
    let found = classify(
        "",
        "Hi. You send me promotional texts every week. Thanks, but please stop them.",
    );
    assert_eq!(names(&found.kinds), ["direct_marketing_optout"]);
    assert!(found.evidence[0].read_together(), "{:?}", found.evidence);
    assert_eq!(
        kinds_of(
            "Miten poistan tuotteen ostoskorista? Ruksi ei toimi kännykällä. Haluan poistaa sen toisen suodattimen."
        ),
        Vec::<&str>::new()
    );
}

/// No reference back where the sentence asks nothing, names its own object, or the mail
/// already asked for that right.
#[test]
fn a_pronoun_refers_back_only_in_a_short_request_without_a_right() {
    // A statement, not a request: only the second reader may read the opt-out in it.
    let found = classify(
        "",
        "Please delete my account. You send promotional texts every week. I read them.",
    );
    assert!(
        found
            .evidence
            .iter()
            .all(|e| e.kind != RequestKind::DirectMarketingOptout
                || e.second_reader_probability().is_some()),
        "{:?}",
        found.evidence
    );
    // Its own object: "det ena filtret" is no reference back.
    assert_eq!(
        kinds_of("Krysset funkar inte på mobilen. Vill ta bort det ena filtret."),
        Vec::<&str>::new()
    );
    // Asked already: the sentence adds nothing, and nothing goes to a person for it.
    let found = classify(
        "",
        "Please stop the promotional texts. You send them every week. Please stop them.",
    );
    assert_eq!(found.kinds, [RequestKind::DirectMarketingOptout]);
    assert!(nothing_read_together(&found), "{:?}", found.evidence);
}

/// A postscript below the signature is read: what only it asks for is added, and a person
/// confirms it. A footer's "delete this message" asks nothing.
#[test]
fn a_postscript_below_the_signature_is_read_and_a_footer_is_not() {
    for (thanks, below, expected) in [
        (
            "kiitos nopeasta toimituksesta, sukat tulivat perille.\n\nTerveisin\nMarja",
            "Ai niin: poistakaa puhelinnumeroni rekisteristänne.",
            RequestKind::Erasure,
        ),
        (
            "ville bara säga att grillen kom fram hel.\n\nHälsningar\nBo",
            "Glömde en sak: jag vill inte ha fler sms-erbjudanden från er.",
            RequestKind::DirectMarketingOptout,
        ),
        (
            "the lamp arrived and works perfectly.\n\nCheers,\nTom",
            "One more thing: please send me a copy of the personal data you hold about me.",
            RequestKind::Access,
        ),
    ] {
        let raw =
            format!("From: a@example.test\nSubject: Thanks\n\nHi,\n\n{thanks}\n\n-- \n{below}\n");
        let mail = crate::parse::parse(raw.as_bytes()).unwrap();
        assert!(!mail.new_text.contains(below), "the signature is cut");
        let result = classifier().classify(&mail);
        assert_eq!(result.kinds, [expected], "{below}");
        assert!(result.triage, "a person confirms: {below}");
    }
    let raw = "From: a@example.test\nSubject: Order 8841\n\nPlease keep my order records as they are, but \
               don't use them for anything else while the dispute lasts.\n\n-- \nOlivia Marsh\n\
               This message may contain confidential information. If you received it by mistake, \
               please let me know and delete it.\n";
    let mail = crate::parse::parse(raw.as_bytes()).unwrap();
    assert_eq!(
        classifier().classify(&mail).kinds,
        [RequestKind::Restriction]
    );
}

/// A company's privacy footer below a signature with no "-- " line recites the reader's
/// rights ("You have the right to access, correct or delete your personal data"): it is
/// read as a postscript, so a person confirms whatever it names.
#[test]
fn a_privacy_footer_below_a_contact_block_goes_to_a_person() {
    for footer in [
        "Hymy Oy käsittelee asiakastietoja tietosuoja-asetuksen mukaisesti. Sinulla on oikeus \
         tarkastaa ja korjata tietosi sekä pyytää niiden poistamista.",
        "Granlund Bygg Ab behandlar personuppgifter enligt GDPR. Registrerade har rätt att \
         begära registerutdrag samt rättelse eller radering av uppgifter.",
        "Lewis Accounting processes client data in line with the GDPR. You have the right to \
         access, correct or delete your personal data.",
    ] {
        let raw = format!(
            "From: a@example.test\nSubject: Parcel\n\nHi,\n\nwhere is order 50321?\n\n\
             Tiina Mattila\nOffice manager\nKeskuskatu 9, 28100 Pori\n+358 2 633 4400\n\n\
             {footer}\n"
        );
        let mail = crate::parse::parse(raw.as_bytes()).unwrap();
        assert!(!mail.new_text.contains(footer), "the footer is cut");
        let result = classifier().classify(&mail);
        assert!(result.triage, "a person looks: {footer} {:?}", result.kinds);
    }
}

/// A reply that answers our quoted questions between the lines: yes or no to a question
/// about the sender's data goes to a person with the question and the answer as the note;
/// answers to questions about an order do not.
#[test]
fn an_answer_to_a_quoted_question_about_their_data_goes_to_a_person() {
    let raw = "From: a@example.test\nSubject: Re: Before we close your account\n\nHi,\n\nAnswers below.\n\n\
               > Would you like a copy of your data before we delete it?\nYes please, a plain summary is fine.\n\nRebecca\n";
    let mail = crate::parse::parse(raw.as_bytes()).unwrap();
    let result = classifier().classify(&mail);
    assert!(result.triage);
    assert_eq!(
        result.unattributed,
        [
            "Would you like a copy of your data before we delete it? \u{2014} Yes please, a plain summary is fine."
        ]
    );
    let raw = "From: a@example.test\nSubject: Re: Your order 4411\n\nHi,\n\n\
               > Did the parcel arrive in good condition?\nYes, all fine, thanks.\n\nRebecca\n";
    let mail = crate::parse::parse(raw.as_bytes()).unwrap();
    let result = classifier().classify(&mail);
    assert!(!result.triage);
    assert!(result.unattributed.is_empty());
}

#[test]
fn a_sentence_that_only_gives_an_address_is_not_read_by_the_sentence_model() {
    assert!(super::gives_an_address(
        "Adressen är karin.nystrom@mejl.example.test"
    ));
    assert!(super::gives_an_address("My e-mail: a@example.test"));
    assert!(!super::gives_an_address(
        "Please send the copy to my new address a@example.test instead"
    ));
    assert!(!super::gives_an_address("Adressen är Storgatan 5"));
}

/// An `unless` cancels its right in its own sentence only: the second reader may still read
/// the same right asked in another sentence, in words no rule knows.
#[test]
fn a_right_cancelled_in_one_sentence_may_be_asked_in_another() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fi.toml"), "[detect]\nwords = [\"ja\"]\n").unwrap();
    std::fs::write(dir.path().join("sv.toml"), "[detect]\nwords = [\"och\"]\n").unwrap();
    std::fs::write(
        dir.path().join("en.toml"),
        "[detect]\nwords = [\"the\", \"my\"]\n\
         [kinds.erasure]\nmatch = [\"erase everything\"]\nunless = [\"(don't|do not) erase\"]\n\
         [kinds.direct_marketing_optout]\nmatch = [\"no more newsletters\"]\n",
    )
    .unwrap();
    let classifier = Classifier::from_rule_dir(dir.path()).unwrap();
    let read = |body: &str| classifier.classify_text("", body);
    // Cancelled where the rules read it, asked in the next sentence: a person confirms it.
    let both = read(
        "No more newsletters. Don't erase everything yet. Please wipe all my personal data \
         out of your systems.",
    );
    assert_eq!(names(&both.kinds), ["direct_marketing_optout", "erasure"]);
    assert!(both.triage);
    let erasure = evidence_for(&both, RequestKind::Erasure);
    assert!(erasure.phrase.starts_with("Please wipe"), "{erasure:?}");
    // Where the `unless` is, the second reader adds nothing.
    let one = read("No more newsletters. Don't erase everything, please.");
    assert_eq!(names(&one.kinds), ["direct_marketing_optout"]);
}
