//! Matching: who, in the controller's register, is asking — and how sure we are.
//!
//! Takes the requester (sender address and name, the text, the receiving server's
//! authentication verdict) and a [`Lookup`] over the register; hands on the candidate
//! entries with a score and the fields that matched, grouped into people, and an
//! [`Identity`] outcome with the action the config sets for it. Strong identifiers (an
//! e-mail address, a phone number, an order or customer number) find entries; a name or a
//! postal address only adds weight to what they found, because namesakes exist and a name
//! alone must never hand one person's data to another. Pure over the lookup: no clock, no
//! other I/O.

pub mod auth;
pub mod clues;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::register::Entry;
use crate::register::normalize::{self, EmailRules};

pub use auth::Authentication;
use clues::ReferenceKind;

/// The register, as matching reads it. The store implements it; tests may too.
pub trait Lookup {
    type Error;
    /// Entries whose e-mail key is `key`.
    fn by_email(&self, key: &str) -> Result<Vec<Entry>, Self::Error>;
    /// Entries whose phone (E.164) is `key`.
    fn by_phone(&self, key: &str) -> Result<Vec<Entry>, Self::Error>;
    /// Entries whose customer id is `number`, as written.
    fn by_customer_id(&self, number: &str) -> Result<Vec<Entry>, Self::Error>;
    /// Entries whose order number is `number`, as written.
    fn by_order(&self, number: &str) -> Result<Vec<Entry>, Self::Error>;
    /// Entries whose name key is exactly `key`.
    fn by_name(&self, key: &str) -> Result<Vec<Entry>, Self::Error>;
    /// Up to `limit` entries sharing the most words with a name, most shared first.
    fn by_name_words(&self, words: &[&str], limit: usize) -> Result<Vec<Entry>, Self::Error>;
}

pub use crate::vocabulary::MatchedField as Field;

impl Field {
    /// How much the field says about who wrote. Identifiers weigh most; the name and the
    /// address only corroborate.
    fn weight(self) -> f64 {
        match self {
            Field::SenderEmail => 0.6,
            Field::EmailInText | Field::Phone | Field::CustomerId | Field::Order => 0.5,
            Field::Linked => 0.3,
            Field::Name | Field::NameInText | Field::Address => 0.2,
        }
    }
}

/// The requester, as the mail shows them.
pub struct Requester<'a> {
    /// The From: address.
    pub email: Option<&'a str>,
    /// The From: display name.
    pub name: Option<&'a str>,
    /// Subject and new text, where the person writes their details.
    pub text: &'a str,
    /// The `Authentication-Results` headers, topmost first.
    pub authentication_results: &'a [String],
}

/// How identifiers are compared, and who is trusted to authenticate mail.
pub struct Settings<'a> {
    pub email_rules: &'a EmailRules,
    pub phone_region: phonenumber::country::Id,
    /// The controller's own addresses, never an identifier of a requester.
    pub own_addresses: &'a [String],
    pub trusted_authserv_ids: &'a [String],
}

/// An entry that matched, with how well.
#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    pub entry: Entry,
    pub fields: BTreeSet<Field>,
    pub score: f64,
    /// Which of [`Match::people`] it belongs to.
    pub person: usize,
    /// Whether the entry may go to the sender's address: it is on file under that address,
    /// or tied to such an entry by a number the controller assigned.
    pub to_sender: bool,
}

/// All the register says about a requester.
#[derive(Clone, Debug, Serialize)]
pub struct Match {
    pub candidates: Vec<Candidate>,
    /// The distinct people the candidates make up: for each, its names as written.
    pub people: Vec<Person>,
    /// Entries with the sender's name that no identifier points to: namesakes, not matched.
    pub namesakes: usize,
    /// Whether the sender address itself is on file for the matched person.
    pub sender_on_file: bool,
    pub authentication: Authentication,
}

#[derive(Clone, Debug, Serialize)]
pub struct Person {
    pub names: Vec<String>,
    pub score: f64,
    /// The person's entries carry names that cannot be one person's ("Jari Salonen" and
    /// "Sari Salonen" on one family address).
    pub conflicting_names: bool,
}

pub use crate::vocabulary::{IdentityAction, IdentityOutcome};

/// The identity decision recorded on a case.
#[derive(Clone, Debug, Serialize)]
pub struct Identity {
    pub outcome: IdentityOutcome,
    pub action: IdentityAction,
    /// Whether the one-month clock waits for the information asked (only when asking).
    pub clock_waits: bool,
    /// Why, in a sentence staff can check.
    pub reason: String,
    /// The best person's score, 0 to 1.
    pub score: f64,
    /// The address personal data may go to: the matched person's e-mail on file that the
    /// request came from. `None` when there is no such address.
    pub reply_to_on_file: Option<String>,
}

/// The action for each outcome, as the config sets it.
pub struct Policy {
    pub verified: IdentityAction,
    pub on_file_unverified: IdentityAction,
    pub needs_verification: IdentityAction,
    pub ambiguous: IdentityAction,
    pub no_match: IdentityAction,
    pub clock_waits_for_information: bool,
}

impl Policy {
    pub fn from_config(config: &crate::config::IdentityConfig) -> Policy {
        Policy {
            verified: config.verified,
            on_file_unverified: config.on_file_unverified,
            needs_verification: config.needs_verification,
            ambiguous: config.ambiguous,
            no_match: config.no_match,
            clock_waits_for_information: config.clock_waits_for_information,
        }
    }

    fn action(&self, outcome: IdentityOutcome) -> IdentityAction {
        match outcome {
            IdentityOutcome::Verified => self.verified,
            IdentityOutcome::OnFileUnverified => self.on_file_unverified,
            IdentityOutcome::NeedsVerification => self.needs_verification,
            IdentityOutcome::Ambiguous => self.ambiguous,
            IdentityOutcome::NoMatch => self.no_match,
        }
    }
}

/// More candidates than this means a shared or generic identifier (an office switchboard):
/// the search stops widening.
const MAX_CANDIDATES: usize = 200;

/// Finds the requester in the register.
pub fn find<L: Lookup>(
    lookup: &L,
    requester: &Requester<'_>,
    settings: &Settings<'_>,
) -> Result<Match, L::Error> {
    let sender_key = requester
        .email
        .and_then(|e| normalize::email_key(e, settings.email_rules).ok());
    let mut ignore: Vec<&str> = settings.own_addresses.iter().map(String::as_str).collect();
    if let Some(key) = &sender_key {
        ignore.push(key);
    }
    let clues = clues::find(
        requester.text,
        &ignore,
        settings.email_rules,
        settings.phone_region,
    );

    let mut found: BTreeMap<i64, (Entry, BTreeSet<Field>)> = BTreeMap::new();
    let mut add = |entries: Vec<Entry>, field: Field| {
        for entry in entries {
            found
                .entry(entry.id)
                .or_insert_with(|| (entry, BTreeSet::new()))
                .1
                .insert(field);
        }
    };
    if let Some(key) = &sender_key {
        add(lookup.by_email(key)?, Field::SenderEmail);
    }
    for key in &clues.emails {
        add(lookup.by_email(key)?, Field::EmailInText);
    }
    for key in &clues.phones {
        add(lookup.by_phone(key)?, Field::Phone);
    }
    for reference in &clues.references {
        let number = reference.number.as_str();
        match reference.kind {
            ReferenceKind::Order => add(lookup.by_order(number)?, Field::Order),
            ReferenceKind::Customer => add(lookup.by_customer_id(number)?, Field::CustomerId),
            ReferenceKind::Unnamed => {
                // Customer and order numbers are two series that may share a value: a
                // number the text does not name counts only when one series holds it.
                let customers = lookup.by_customer_id(number)?;
                let orders = lookup.by_order(number)?;
                if orders.is_empty() {
                    add(customers, Field::CustomerId);
                } else if customers.is_empty() {
                    add(orders, Field::Order);
                }
            }
        }
    }

    // Widen once: the same person's entries in other sources share an identifier with
    // those found (the newsletter row of a customer found by phone). What widening finds
    // may only corroborate, or show that the details point at someone else: which entries
    // may go to the sender is decided below, by the links the controller itself made.
    let mut followed: BTreeSet<(Link, String)> = BTreeSet::new();
    let mut to_follow = Vec::new();
    for (entry, _) in found.values() {
        for (kind, key) in links(entry) {
            if followed.insert((kind, key.to_string())) {
                to_follow.push((kind, key.to_string()));
            }
        }
    }
    for (kind, key) in to_follow {
        if found.len() >= MAX_CANDIDATES {
            break;
        }
        for entry in follow(lookup, kind, &key)? {
            found
                .entry(entry.id)
                .or_insert_with(|| (entry, BTreeSet::from([Field::Linked])));
        }
    }

    // The entries that may go to the sender's address (ARCHITECTURE.md, "Personal data
    // goes only to the address on file"): those on file under that very address, and
    // those tied to them by a number the controller assigned (the customer number of the
    // account, the order number of an order placed under it) that are not on file under
    // another address. A phone, a name, a postal address or a guest order's e-mail can be
    // typed by anyone into a checkout form, so they never carry an entry to anyone.
    let mut to_sender: BTreeSet<i64> = BTreeSet::new();
    let mut assigned: Vec<(Link, String)> = Vec::new();
    if let Some(sender) = &sender_key {
        for (entry, _) in found.values() {
            if entry.email_key.as_deref() == Some(sender.as_str()) {
                to_sender.insert(entry.id);
                assigned.extend(assigned_links(entry));
            }
        }
        let mut followed: BTreeSet<(Link, String)> = BTreeSet::new();
        while let Some((kind, key)) = assigned.pop() {
            if found.len() >= MAX_CANDIDATES {
                break;
            }
            if !followed.insert((kind, key.clone())) {
                continue;
            }
            for entry in follow(lookup, kind, &key)? {
                let own = entry
                    .email_key
                    .as_deref()
                    .is_none_or(|email| email == sender.as_str());
                if own && to_sender.insert(entry.id) {
                    assigned.extend(assigned_links(&entry));
                }
                found
                    .entry(entry.id)
                    .or_insert_with(|| (entry, BTreeSet::from([Field::Linked])));
            }
        }
    }

    // Names and addresses corroborate what identifiers found; they never add an entry.
    let sender_name = requester.name.map(normalize::name_key).unwrap_or_default();
    // Folding the whole text costs more than the lookups: only when there is something
    // to corroborate.
    let text_key = if found.is_empty() {
        String::new()
    } else {
        normalize::name_key(requester.text)
    };
    let text_words: BTreeSet<&str> = text_key.split(' ').collect();
    let postcodes: BTreeSet<&str> = normalize::postcodes(requester.text).collect();
    for (entry, fields) in found.values_mut() {
        if let Some(name) = entry.name_key.as_deref().filter(|n| !n.is_empty()) {
            if !sender_name.is_empty() && normalize::names_compatible(name, &sender_name) {
                fields.insert(Field::Name);
            } else if name.split(' ').all(|w| text_words.contains(w)) {
                fields.insert(Field::NameInText);
            }
        }
        if let Some(address) = entry.address_key.as_deref() {
            let words: Vec<&str> = address.split(' ').collect();
            let postcode_given = words.iter().any(|w| postcodes.contains(w));
            let street_given = words
                .iter()
                .filter(|w| w.len() > 3 && !w.chars().all(|c| c.is_ascii_digit()))
                .any(|w| text_words.contains(w));
            if postcode_given && street_given {
                fields.insert(Field::Address);
            }
        }
    }

    let entries: Vec<(Entry, BTreeSet<Field>)> = found.into_values().collect();
    let (person_of, people) = group_people(&entries);
    let sender_on_file = sender_key.is_some()
        && entries
            .iter()
            .any(|(e, _)| e.email_key.is_some() && e.email_key == sender_key);

    let matched_ids: BTreeSet<i64> = entries.iter().map(|(e, _)| e.id).collect();
    let namesakes = if sender_name.is_empty() {
        0
    } else {
        lookup
            .by_name(&sender_name)?
            .iter()
            .filter(|e| !matched_ids.contains(&e.id))
            .count()
    };

    let mut candidates: Vec<Candidate> = entries
        .into_iter()
        .zip(person_of)
        .map(|((entry, fields), person)| {
            let score = fields.iter().map(|f| f.weight()).sum::<f64>().min(1.0);
            Candidate {
                to_sender: to_sender.contains(&entry.id),
                entry,
                fields,
                score: (score * 100.0).round() / 100.0,
                person,
            }
        })
        .collect();
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.entry.source.cmp(&b.entry.source))
            .then(a.entry.line.cmp(&b.entry.line))
    });
    let people = people
        .into_iter()
        .enumerate()
        .map(|(index, (names, conflicting_names))| Person {
            names,
            conflicting_names,
            score: candidates
                .iter()
                .filter(|c| c.person == index)
                .map(|c| c.score)
                .fold(0.0, f64::max),
        })
        .collect();
    let authentication = match requester.email {
        Some(email) => auth::judge(
            requester.authentication_results,
            settings.trusted_authserv_ids,
            email,
        ),
        None => Authentication {
            passed: false,
            authserv_id: None,
            why: "the mail has no From: address".to_string(),
        },
    };
    Ok(Match {
        candidates,
        people,
        namesakes,
        sender_on_file,
        authentication,
    })
}

/// An identifier two entries may share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Link {
    Email,
    Phone,
    CustomerId,
    Order,
}

/// Every identifier of an entry that may tie it to another entry.
fn links(entry: &Entry) -> impl Iterator<Item = (Link, &str)> {
    [
        (Link::Email, entry.email_key.as_deref()),
        (Link::Phone, entry.phone_key.as_deref()),
        (Link::CustomerId, entry.customer_id.as_deref()),
        (Link::Order, entry.order.as_deref()),
    ]
    .into_iter()
    .filter_map(|(kind, key)| key.filter(|k| !k.is_empty()).map(|k| (kind, k)))
}

/// The identifiers the controller itself assigned (a customer number, an order number):
/// the only links that may carry an entry to a recipient.
fn assigned_links(entry: &Entry) -> impl Iterator<Item = (Link, String)> + use<> {
    links(entry)
        .filter(|(kind, _)| matches!(kind, Link::CustomerId | Link::Order))
        .map(|(kind, key)| (kind, key.to_string()))
        .collect::<Vec<_>>()
        .into_iter()
}

/// The entries sharing one identifier.
fn follow<L: Lookup>(lookup: &L, kind: Link, key: &str) -> Result<Vec<Entry>, L::Error> {
    match kind {
        Link::Email => lookup.by_email(key),
        Link::Phone => lookup.by_phone(key),
        Link::CustomerId => lookup.by_customer_id(key),
        Link::Order => lookup.by_order(key),
    }
}

/// Groups entries into people: entries sharing an e-mail, phone, customer id or order
/// number are one person's. Returns each entry's person and, per person, their names and whether the names
/// conflict.
fn group_people(entries: &[(Entry, BTreeSet<Field>)]) -> (Vec<usize>, Vec<(Vec<String>, bool)>) {
    let mut parent: Vec<usize> = (0..entries.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: BTreeMap<(Link, &str), usize> = BTreeMap::new();
    for (i, (entry, _)) in entries.iter().enumerate() {
        for identifier in links(entry) {
            match owner.get(&identifier) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    parent[a] = b;
                }
                None => {
                    owner.insert(identifier, i);
                }
            }
        }
    }
    let mut index_of_root: BTreeMap<usize, usize> = BTreeMap::new();
    let mut person_of = Vec::with_capacity(entries.len());
    let mut people: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    for (i, (entry, _)) in entries.iter().enumerate() {
        let r = root(&mut parent, i);
        let next = index_of_root.len();
        let person = *index_of_root.entry(r).or_insert(next);
        if person == people.len() {
            people.push((Vec::new(), Vec::new()));
        }
        person_of.push(person);
        if let (Some(name), Some(key)) = (&entry.name, &entry.name_key)
            && !key.is_empty()
            && !people[person].1.contains(key)
        {
            people[person].0.push(name.clone());
            people[person].1.push(key.clone());
        }
    }
    let people = people
        .into_iter()
        .map(|(names, keys)| {
            let conflicting = keys.iter().enumerate().any(|(i, a)| {
                keys[i + 1..]
                    .iter()
                    .any(|b| !normalize::names_compatible(a, b))
            });
            (names, conflicting)
        })
        .collect();
    (person_of, people)
}

/// Decides the identity outcome of a match, and what the reply does about it.
pub fn decide(found: &Match, policy: &Policy) -> Identity {
    let best = found.people.iter().map(|p| p.score).fold(0.0, f64::max);
    let described = |fields: &[Field]| -> String {
        let mut places: Vec<String> = found
            .candidates
            .iter()
            .filter(|c| c.fields.iter().any(|f| fields.contains(f)))
            .map(|c| format!("{} line {}", c.entry.source, c.entry.line))
            .collect();
        places.truncate(4);
        places.join(", ")
    };
    let (outcome, reason) = if found.candidates.is_empty() {
        let mut reason =
            "no register entry has the sender address or any number or address given in the mail"
                .to_string();
        if found.namesakes > 0 {
            reason.push_str(&format!(
                "; {} entr{} share the sender's name, which alone identifies no one",
                found.namesakes,
                if found.namesakes == 1 { "y" } else { "ies" }
            ));
        }
        (IdentityOutcome::NoMatch, reason)
    } else if found.people.len() > 1 {
        (
            IdentityOutcome::Ambiguous,
            format!(
                "the details given match {} different people ({})",
                found.people.len(),
                found
                    .people
                    .iter()
                    .map(|p| p.names.first().map_or("no name", String::as_str))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
    } else if found.people.iter().any(|p| p.conflicting_names) {
        (
            IdentityOutcome::Ambiguous,
            format!(
                "the address or number given is on file for people with different names ({})",
                found.people[0].names.join("; ")
            ),
        )
    } else if found.sender_on_file && found.candidates.iter().any(|c| !c.to_sender) {
        let mut others: Vec<String> = found
            .candidates
            .iter()
            .filter(|c| !c.to_sender)
            .map(|c| format!("{} line {}", c.entry.source, c.entry.line))
            .collect();
        let more = others.len().saturating_sub(4);
        others.truncate(4);
        if more > 0 {
            others.push(format!("{more} more"));
        }
        (
            IdentityOutcome::Ambiguous,
            format!(
                "the sender address is on file ({}), but a phone number, name, address or \
                 other detail ties it to entries on file under no address or another one \
                 ({}); anyone can type those into a form, so staff decide whose they are",
                described(&[Field::SenderEmail]),
                others.join(", ")
            ),
        )
    } else if found.sender_on_file && found.authentication.passed {
        (
            IdentityOutcome::Verified,
            format!(
                "the sender address is on file ({}) and the receiving server authenticated it ({})",
                described(&[Field::SenderEmail]),
                found.authentication.why
            ),
        )
    } else if found.sender_on_file {
        (
            IdentityOutcome::OnFileUnverified,
            format!(
                "the sender address is on file ({}), but nothing proves the mail came from it: {}",
                described(&[Field::SenderEmail]),
                found.authentication.why
            ),
        )
    } else {
        (
            IdentityOutcome::NeedsVerification,
            format!(
                "the details given match one person ({}), but the sender address is not on file for them",
                described(&[
                    Field::EmailInText,
                    Field::Phone,
                    Field::CustomerId,
                    Field::Order
                ])
            ),
        )
    };
    let action = policy.action(outcome);
    let reply_to_on_file = match outcome {
        IdentityOutcome::Verified | IdentityOutcome::OnFileUnverified => found
            .candidates
            .iter()
            .find(|c| c.fields.contains(&Field::SenderEmail))
            .and_then(|c| c.entry.email_key.clone()),
        _ => None,
    };
    Identity {
        outcome,
        action,
        clock_waits: action == IdentityAction::AskForInformation
            && policy.clock_waits_for_information,
        reason,
        score: best,
        reply_to_on_file,
    }
}

/// A name search for staff (`register find --name`): entries sharing words with `name`,
/// best first, each with its similarity (Jaro–Winkler over the folded names, 0 to 1).
pub fn find_by_name<L: Lookup>(
    lookup: &L,
    name: &str,
    limit: usize,
) -> Result<Vec<(Entry, f64)>, L::Error> {
    let key = normalize::name_key(name);
    let words = normalize::name_tokens(&key);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let sorted_query = words.join(" ");
    let mut scored: Vec<(Entry, f64)> = lookup
        .by_name_words(&words, limit.saturating_mul(20).max(100))?
        .into_iter()
        .map(|entry| {
            let entry_key = entry.name_key.clone().unwrap_or_default();
            let sorted_entry = normalize::name_tokens(&entry_key).join(" ");
            // Word order does not matter ("Virtanen Maija"); compare sorted words too.
            let similarity = strsim::jaro_winkler(&key, &entry_key)
                .max(strsim::jaro_winkler(&sorted_query, &sorted_entry));
            (entry, (similarity * 1000.0).round() / 1000.0)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.id.cmp(&b.0.id)));
    scored.truncate(limit);
    Ok(scored)
}

#[cfg(test)]
mod tests;
