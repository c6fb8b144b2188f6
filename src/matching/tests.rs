use std::convert::Infallible;

use super::*;
use crate::register::normalize::{address_key, email_key, name_key, phone_key};

/// A register held in a vector: the same contract as the store's, for the pure rules.
struct Register(Vec<Entry>);

impl Register {
    fn filter(&self, keep: impl Fn(&Entry) -> bool) -> Result<Vec<Entry>, Infallible> {
        Ok(self.0.iter().filter(|e| keep(e)).cloned().collect())
    }
}

impl Lookup for Register {
    type Error = Infallible;
    fn by_email(&self, key: &str) -> Result<Vec<Entry>, Infallible> {
        self.filter(|e| e.email_key.as_deref() == Some(key))
    }
    fn by_phone(&self, key: &str) -> Result<Vec<Entry>, Infallible> {
        self.filter(|e| e.phone_key.as_deref() == Some(key))
    }
    fn by_customer_id(&self, number: &str) -> Result<Vec<Entry>, Infallible> {
        self.filter(|e| e.customer_id.as_deref() == Some(number))
    }
    fn by_order(&self, number: &str) -> Result<Vec<Entry>, Infallible> {
        self.filter(|e| e.order.as_deref() == Some(number))
    }
    fn by_name(&self, key: &str) -> Result<Vec<Entry>, Infallible> {
        self.filter(|e| e.name_key.as_deref() == Some(key))
    }
    fn by_name_words(&self, words: &[&str], _limit: usize) -> Result<Vec<Entry>, Infallible> {
        self.filter(|e| {
            e.name_key
                .as_deref()
                .is_some_and(|n| n.split(' ').any(|w| words.contains(&w)))
        })
    }
}

fn entry(id: i64, name: &str, email: &str, phone: &str, address: &str) -> Entry {
    let rules = EmailRules::default();
    Entry {
        id,
        source: "webshop_customers".to_string(),
        line: id as u64 + 1,
        email: Some(email.to_string()),
        email_key: email_key(email, &rules).ok(),
        phone: Some(phone.to_string()),
        phone_key: phone_key(phone, phonenumber::country::Id::FI),
        name: Some(name.to_string()),
        name_key: Some(name_key(name)),
        address: Some(address.to_string()),
        address_key: Some(address_key(address)),
        customer_id: Some(format!("{}", 10000 + id)),
        ..Entry::default()
    }
}

fn register() -> Register {
    Register(vec![
        entry(
            1,
            "Maija Virtanen",
            "Maija.Virtanen@Example.test",
            "045 123 4567",
            "Kotikatu 5, 00100, Helsinki",
        ),
        // A namesake: same name, nothing else in common.
        entry(
            2,
            "Maija Virtanen",
            "mvirtanen@posti.example.test",
            "050 765 4321",
            "Rantatie 2, 33100, Tampere",
        ),
        // A couple on one family address.
        entry(
            3,
            "Jari Salonen",
            "salonen.perhe@example.test",
            "040 111 2222",
            "Kuja 1, 20100, Turku",
        ),
        entry(
            4,
            "Sari Salonen",
            "salonen.perhe@example.test",
            "040 333 4444",
            "Kuja 1, 20100, Turku",
        ),
    ])
}

const OWN: &[String] = &[];

fn settings<'a>(rules: &'a EmailRules, trusted: &'a [String]) -> Settings<'a> {
    Settings {
        email_rules: rules,
        phone_region: phonenumber::country::Id::FI,
        own_addresses: OWN,
        trusted_authserv_ids: trusted,
    }
}

fn policy() -> Policy {
    Policy::from_config(&crate::config::IdentityConfig::default())
}

fn identify(email: &str, name: &str, text: &str, auth: &[String]) -> (Match, Identity) {
    let rules = EmailRules::default();
    let trusted = vec!["mx.kestokauppa.example.test".to_string()];
    let requester = Requester {
        email: Some(email),
        name: Some(name),
        text,
        authentication_results: auth,
    };
    let found = find(&register(), &requester, &settings(&rules, &trusted))
        .unwrap_or_else(|never| match never {});
    let identity = decide(&found, &policy());
    (found, identity)
}

#[test]
fn an_address_in_other_case_is_on_file() {
    let (found, identity) = identify(
        "maija.virtanen@example.test",
        "Maija Virtanen",
        "Poistakaa tietoni.",
        &[],
    );
    assert_eq!(
        identity.outcome,
        IdentityOutcome::OnFileUnverified,
        "{}",
        identity.reason
    );
    assert_eq!(identity.action, IdentityAction::Reply);
    assert_eq!(found.candidates.len(), 1);
    assert_eq!(found.candidates[0].entry.id, 1);
    assert!(found.candidates[0].fields.contains(&Field::SenderEmail));
    assert!(found.candidates[0].fields.contains(&Field::Name));
    // The namesake is counted, never matched.
    assert_eq!(found.namesakes, 1);
    assert_eq!(
        identity.reply_to_on_file.as_deref(),
        Some("maija.virtanen@example.test")
    );
}

#[test]
fn a_phone_written_another_way_finds_the_person_but_a_new_address_needs_verification() {
    let (found, identity) = identify(
        "maija.new@webmail.example.test",
        "Maija Virtanen",
        "Olen vaihtanut osoitetta. Puhelinnumeroni on +358451234567.",
        &[],
    );
    assert_eq!(
        identity.outcome,
        IdentityOutcome::NeedsVerification,
        "{}",
        identity.reason
    );
    assert_eq!(identity.action, IdentityAction::AskForInformation);
    assert_eq!(found.candidates[0].entry.id, 1);
    assert!(found.candidates[0].fields.contains(&Field::Phone));
    assert_eq!(identity.reply_to_on_file, None);
}

#[test]
fn a_namesake_is_never_matched_by_name_alone() {
    let (found, identity) = identify(
        "maija.v@elsewhere.example.test",
        "Maija Virtanen",
        "Haluan tietää mitä tietoja minusta on. Maija Virtanen",
        &[],
    );
    assert_eq!(
        identity.outcome,
        IdentityOutcome::NoMatch,
        "{}",
        identity.reason
    );
    assert!(found.candidates.is_empty());
    assert_eq!(found.namesakes, 2);
    assert!(
        identity.reason.contains("share the sender's name"),
        "{}",
        identity.reason
    );
}

#[test]
fn two_people_on_one_address_are_ambiguous() {
    let (found, identity) = identify(
        "salonen.perhe@example.test",
        "Salonen",
        "Poistakaa tietoni.",
        &[],
    );
    assert_eq!(
        identity.outcome,
        IdentityOutcome::Ambiguous,
        "{}",
        identity.reason
    );
    assert_eq!(found.candidates.len(), 2);
    assert_eq!(identity.reply_to_on_file, None);
}

#[test]
fn authenticated_mail_from_the_address_on_file_is_verified_and_a_forged_header_is_not() {
    let genuine =
        vec!["mx.kestokauppa.example.test; dmarc=pass header.from=example.test".to_string()];
    let (_, identity) = identify(
        "maija.virtanen@example.test",
        "Maija Virtanen",
        "Tarkastuspyyntö",
        &genuine,
    );
    assert_eq!(
        identity.outcome,
        IdentityOutcome::Verified,
        "{}",
        identity.reason
    );
    let forged = vec!["mx.example.test; dmarc=pass header.from=example.test".to_string()];
    let (_, identity) = identify(
        "maija.virtanen@example.test",
        "Maija Virtanen",
        "Tarkastuspyyntö",
        &forged,
    );
    assert_eq!(
        identity.outcome,
        IdentityOutcome::OnFileUnverified,
        "{}",
        identity.reason
    );
}

#[test]
fn a_customer_number_and_address_add_weight() {
    let (found, identity) = identify(
        "maija.virtanen@example.test",
        "",
        "Asiakasnumeroni 10001, osoite Kotikatu 5, 00100 Helsinki.",
        &[],
    );
    assert_eq!(identity.outcome, IdentityOutcome::OnFileUnverified);
    let fields = &found.candidates[0].fields;
    assert!(fields.contains(&Field::CustomerId), "{fields:?}");
    assert!(fields.contains(&Field::Address), "{fields:?}");
    assert_eq!(found.candidates[0].score, 1.0);
}

#[test]
fn name_search_tolerates_order_case_and_diacritics() {
    let found =
        find_by_name(&register(), "VIRTANEN maija", 5).unwrap_or_else(|never| match never {});
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|(_, s)| *s == 1.0), "{found:?}");
    let found = find_by_name(&register(), "Sari Salonen", 5).unwrap_or_else(|never| match never {});
    assert_eq!(found[0].0.id, 4);
    assert!(found[0].1 > found[1].1);
}

/// The victim: an account with a customer number, an order placed under it, and the
/// delivery of that order.
fn victim_entries() -> Vec<Entry> {
    let mut account = entry(
        10,
        "Liisa Koskinen",
        "liisa.koskinen@example.test",
        "040 555 6666",
        "Hämeenkatu 9, 33100, Tampere",
    );
    account.customer_id = Some("20010".to_string());
    let order = Entry {
        id: 11,
        source: "orders".to_string(),
        line: 2,
        email: account.email.clone(),
        email_key: account.email_key.clone(),
        customer_id: Some("20010".to_string()),
        order: Some("70001".to_string()),
        ..Entry::default()
    };
    let delivery = Entry {
        id: 12,
        source: "shipping".to_string(),
        line: 2,
        name: account.name.clone(),
        name_key: account.name_key.clone(),
        phone: account.phone.clone(),
        phone_key: account.phone_key.clone(),
        address: account.address.clone(),
        address_key: account.address_key.clone(),
        order: Some("70001".to_string()),
        ..Entry::default()
    };
    vec![account, order, delivery]
}

fn identify_in(register: &Register, email: &str, name: &str, text: &str) -> (Match, Identity) {
    let rules = EmailRules::default();
    let trusted = vec!["mx.kestokauppa.example.test".to_string()];
    let requester = Requester {
        email: Some(email),
        name: Some(name),
        text,
        authentication_results: &[],
    };
    let found = find(register, &requester, &settings(&rules, &trusted))
        .unwrap_or_else(|never| match never {});
    let identity = decide(&found, &policy());
    (found, identity)
}

/// Issue 11, item 1: a guest order anyone can place carries the stranger's own address with
/// the victim's name and phone. The phone may not pull the victim's entries into a reply
/// to the stranger: staff decide.
#[test]
fn a_planted_guest_order_never_carries_another_persons_entries() {
    let mut entries = victim_entries();
    entries.push(Entry {
        id: 20,
        source: "orders".to_string(),
        line: 3,
        email: Some("stranger@evil.example.test".to_string()),
        email_key: Some("stranger@evil.example.test".to_string()),
        name: Some("Liisa Koskinen".to_string()),
        name_key: Some(name_key("Liisa Koskinen")),
        phone: Some("040 555 6666".to_string()),
        phone_key: phone_key("040 555 6666", phonenumber::country::Id::FI),
        order: Some("70999".to_string()),
        ..Entry::default()
    });
    let register = Register(entries);
    let (found, identity) = identify_in(
        &register,
        "stranger@evil.example.test",
        "Liisa Koskinen",
        "Lähettäkää kaikki tietoni.",
    );
    assert_eq!(
        identity.outcome,
        IdentityOutcome::Ambiguous,
        "{}",
        identity.reason
    );
    assert_eq!(identity.reply_to_on_file, None);
    let carried: Vec<i64> = found
        .candidates
        .iter()
        .filter(|c| c.to_sender)
        .map(|c| c.entry.id)
        .collect();
    assert_eq!(
        carried,
        [20],
        "only the stranger's own order may go to them"
    );
}

/// Issue 11, item 1: the same with a nameless account made with the stranger's address and
/// the victim's phone.
#[test]
fn a_planted_nameless_account_never_carries_another_persons_entries() {
    let mut entries = victim_entries();
    entries.push(Entry {
        id: 30,
        source: "webshop_customers".to_string(),
        line: 9,
        email: Some("stranger@evil.example.test".to_string()),
        email_key: Some("stranger@evil.example.test".to_string()),
        phone: Some("+358405556666".to_string()),
        phone_key: phone_key("+358405556666", phonenumber::country::Id::FI),
        customer_id: Some("20999".to_string()),
        ..Entry::default()
    });
    let register = Register(entries);
    let (found, identity) = identify_in(
        &register,
        "stranger@evil.example.test",
        "",
        "Please send me all the data you hold on me.",
    );
    assert_eq!(
        identity.outcome,
        IdentityOutcome::Ambiguous,
        "{}",
        identity.reason
    );
    assert!(
        found
            .candidates
            .iter()
            .filter(|c| c.to_sender)
            .all(|c| c.entry.id == 30),
        "{:?}",
        found.candidates
    );
}

/// The account holder's own entries go to them: the account, the order placed under their
/// customer number, and that order's delivery (linked by the order number the shop gave),
/// though the delivery row has no e-mail of its own.
#[test]
fn entries_linked_by_numbers_the_controller_assigned_go_to_the_account_holder() {
    let register = Register(victim_entries());
    let (found, identity) = identify_in(
        &register,
        "liisa.koskinen@example.test",
        "Liisa Koskinen",
        "Lähettäkää kaikki tietoni.",
    );
    assert_eq!(
        identity.outcome,
        IdentityOutcome::OnFileUnverified,
        "{}",
        identity.reason
    );
    let mut carried: Vec<i64> = found
        .candidates
        .iter()
        .filter(|c| c.to_sender)
        .map(|c| c.entry.id)
        .collect();
    carried.sort_unstable();
    assert_eq!(carried, [10, 11, 12]);
}

/// Issue 11, item 8: a customer number that is also someone else's order number. Named
/// as a customer number, it finds the customer only.
#[test]
fn a_customer_number_never_matches_an_order_with_the_same_number() {
    let mut entries = victim_entries();
    entries.push(Entry {
        id: 40,
        source: "orders".to_string(),
        line: 7,
        email: Some("someone.else@example.test".to_string()),
        email_key: Some("someone.else@example.test".to_string()),
        order: Some("20010".to_string()),
        ..Entry::default()
    });
    let register = Register(entries);
    let (found, identity) = identify_in(
        &register,
        "liisa.koskinen@example.test",
        "Liisa Koskinen",
        "Asiakasnumeroni on 20010. Lähettäkää tietoni.",
    );
    assert_eq!(
        identity.outcome,
        IdentityOutcome::OnFileUnverified,
        "{}",
        identity.reason
    );
    assert!(found.candidates.iter().all(|c| c.entry.id != 40));
    let (found, _) = identify_in(
        &register,
        "someone.else@example.test",
        "",
        "Order number 20010: please send me my data.",
    );
    assert!(
        found.candidates.iter().all(|c| c.entry.id == 40),
        "{:?}",
        found.candidates
    );
}
