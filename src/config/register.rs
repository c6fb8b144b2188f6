//! The config of the register (`[register]`, `[[register.sources]]`), of identity
//! (`[identity]`) and of retention (`[retention]`).
//!
//! Each source is one CSV export of one of the controller's systems, with what the law asks
//! an access reply to say about it (Art. 15(1)): why it is kept, on what basis, for how
//! long. Values that cannot be right (an unknown encoding, a two-character delimiter, a
//! source named twice) are refused here, with the line, so an import never starts on them.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer};

use crate::lang::Lang;
use crate::vocabulary::IdentityAction;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterConfig {
    /// Numbers written without a country code are read as numbers of this country.
    #[serde(default)]
    pub phone_region: PhoneRegion,
    /// Domains whose mail servers ignore a `+tag` in the local part (e.g. "gmail.com").
    #[serde(default)]
    pub plus_tag_domains: Vec<String>,
    /// Domains whose mail servers ignore dots in the local part (e.g. "gmail.com").
    #[serde(default)]
    pub dotless_domains: Vec<String>,
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
    /// The last day of the controller's financial year ("12-31", "06-30"): the Accounting
    /// Act counts how long bookkeeping records are kept from it.
    #[serde(default)]
    pub financial_year_end: FinancialYearEnd,
    /// How long a source's own command (`on_erase`, …) may run before it is stopped and
    /// counted as failed. Default 120 seconds.
    pub command_timeout_seconds: Option<u64>,
}

/// The month and day a financial year ends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FinancialYearEnd {
    pub month: i8,
    pub day: i8,
}

impl Default for FinancialYearEnd {
    fn default() -> Self {
        FinancialYearEnd { month: 12, day: 31 }
    }
}

impl<'de> Deserialize<'de> for FinancialYearEnd {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let refused = || {
            serde::de::Error::custom(format!(
                "financial_year_end {text:?} must be a month and day, \"MM-DD\", such as \"12-31\" or \"06-30\""
            ))
        };
        let (month, day) = text.trim().split_once('-').ok_or_else(refused)?;
        let month: i8 = month.parse().map_err(|_| refused())?;
        let day: i8 = day.parse().map_err(|_| refused())?;
        // A year's end that exists every year: 2023 is not a leap year.
        jiff::civil::Date::new(2023, month, day).map_err(|_| refused())?;
        Ok(FinancialYearEnd { month, day })
    }
}

/// Which rule of the Accounting Act (Kirjanpitolaki 2:10 §) keeps a source's records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeepRule {
    /// Vouchers and business correspondence: 6 years from the end of the calendar year in
    /// which the record's financial year ended.
    Vouchers,
    /// The books and financial statements: 10 years from the end of the financial year.
    Books,
}

impl RegisterConfig {
    pub fn source(&self, name: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.name.0 == name)
    }

    /// The recipient an action names (by its English name), from any source.
    pub fn recipient(&self, name: &str) -> Option<&Recipient> {
        self.sources
            .iter()
            .flat_map(|s| s.recipients.iter())
            .find(|r| r.name(Lang::En) == name)
    }
}

impl SourceConfig {
    /// The Accounting Act rule its records are kept under, if any.
    pub fn keep_rule(&self) -> Option<KeepRule> {
        match (self.keep, self.bookkeeping) {
            (Some(rule), _) => Some(rule),
            (None, true) => Some(KeepRule::Vouchers),
            (None, false) => None,
        }
    }
}

/// One CSV export.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// A short name (`webshop_customers`): letters, digits, `_` and `-`.
    pub name: SourceName,
    /// The CSV file; relative to the config file's folder.
    pub file: PathBuf,
    /// The field delimiter: ",", ";", "\t" or "|". Default: told from the header line.
    pub delimiter: Option<Delimiter>,
    /// The file's character encoding: "utf-8" (default), "latin-1", "windows-1252", …
    #[serde(default)]
    pub encoding: Encoding,
    /// Which columns hold the fields the bot matches on. Other columns are kept as they are
    /// and shown in an access reply as the rest of the data.
    pub columns: ColumnMap,
    /// Why the data is kept (Art. 15(1)(a)).
    pub purpose: Option<Localized>,
    /// The categories of data held (Art. 15(1)(b)): "contact details, orders, …".
    pub categories: Option<Localized>,
    /// The lawful basis as the GDPR names it (Art. 6(1)(a)–(f)); the reply prints it with
    /// its article. The objection reply weighs grounds (Art. 21(1)) only for sources whose
    /// basis is `legitimate_interests`.
    pub basis: Option<LawfulBasis>,
    /// The legal basis in words, printed after `basis` (or alone): "the Accounting Act".
    pub legal_basis: Option<Localized>,
    /// How long it is kept, or the rule that decides (Art. 15(1)(d)).
    pub retention: Option<Localized>,
    /// Where the data came from (Art. 15(1)(g)); the reply says "from you" when not given.
    pub origin: Option<Localized>,
    /// Who receives or processes it (Art. 15(1)(c), Art. 19): a name, or a table with the
    /// name per language and the recipient's role.
    #[serde(default)]
    pub recipients: Vec<Recipient>,
    /// Transfers outside the EU/EEA (Art. 15(1)(c), 15(2)), each with its safeguard. Not
    /// given: the reply says nothing of this source's transfers; an empty list: the reply
    /// says its data is not transferred.
    pub transfers: Option<Vec<Transfer>>,
    /// The heading of this source in a reply ("Asiakasrekisteri"); default: its name.
    pub title: Option<Localized>,
    /// Bookkeeping material: kept (restricted) on erasure, as the Accounting Act requires
    /// (kirjanpitolaki 2:10 §); the erasure reply says so.
    #[serde(default)]
    pub bookkeeping: bool,
    /// Which retention rule of the Accounting Act keeps its records: "vouchers" (the
    /// default for a bookkeeping source) or "books".
    pub keep: Option<KeepRule>,
    /// The columns a kept record keeps (the ones the Act needs); the others (a delivery's
    /// phone number, its tracking code) are erased. Not given: the whole record is kept.
    pub kept_columns: Option<Vec<String>>,
    /// Direct marketing (a newsletter): an opt-out stops it, whoever asks.
    #[serde(default)]
    pub marketing: bool,
    /// Who carries out the actions in this system ("customer service", an address); the
    /// digest lists open actions per owner.
    pub owner: Option<String>,
    /// A command that erases the person in this system (`["shop-admin", "erase",
    /// "{customer_id}"]`), run once per entry when staff ask for it (`rightsbot do`): an
    /// argv, never a shell. Exit 0 marks the `erase` action done and keeps its output.
    pub on_erase: Option<SourceCommand>,
    /// A command that corrects a field in this system (`{field}` is the field to correct).
    pub on_correct: Option<SourceCommand>,
    /// A command that stops direct marketing to an address in this system (a newsletter
    /// tool's unsubscribe), for its `stop_marketing` action.
    pub on_suppress: Option<SourceCommand>,
    /// The other columns' headers in each language (`Kieli = { sv = "Språk", en =
    /// "Language" }`): a reply shows no header in another language than its own.
    #[serde(default)]
    pub labels: BTreeMap<String, Localized>,
    /// Values of the other columns in each language, by column and value
    /// (`[register.sources.values.Markkinointilupa] "kyllä" = { sv = "ja", en = "yes" }`).
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, Localized>>,
}

/// A per-source command (`on_erase`, `on_correct`, `on_suppress`): the program and its
/// arguments, run without a shell. In any argument `{email}`, `{phone}`, `{name}`,
/// `{customer_id}`, `{order}` (the entry's fields), `{field}` (the action's target),
/// `{source}`, `{case}` and `{action}` are replaced; the same values are in the
/// environment as `RIGHTSBOT_EMAIL`, `RIGHTSBOT_PHONE`, … `RIGHTSBOT_ACTION`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(try_from = "Vec<String>")]
pub struct SourceCommand {
    pub program: String,
    pub args: Vec<String>,
}

impl TryFrom<Vec<String>> for SourceCommand {
    type Error = String;

    fn try_from(mut argv: Vec<String>) -> Result<Self, Self::Error> {
        if argv.is_empty() || argv[0].trim().is_empty() {
            return Err("a command is a list whose first item is the program, e.g. [\"/usr/local/bin/shop-admin\", \"erase\", \"{customer_id}\"]".to_string());
        }
        let program = argv.remove(0);
        Ok(SourceCommand {
            program,
            args: argv,
        })
    }
}

/// The lawful bases of Art. 6(1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LawfulBasis {
    /// Art. 6(1)(a).
    Consent,
    /// Art. 6(1)(b).
    Contract,
    /// Art. 6(1)(c).
    LegalObligation,
    /// Art. 6(1)(d).
    VitalInterests,
    /// Art. 6(1)(e).
    PublicTask,
    /// Art. 6(1)(f).
    LegitimateInterests,
}

impl LawfulBasis {
    /// The basis in words with its article, in `lang`.
    pub fn describe(self, lang: Lang) -> &'static str {
        use LawfulBasis::*;
        match (self, lang) {
            (Consent, Lang::Fi) => {
                "suostumus (tietosuoja-asetuksen 6 artiklan 1 kohdan a alakohta)"
            }
            (Consent, Lang::Sv) => "samtycke (artikel 6.1 a i dataskyddsförordningen)",
            (Consent, Lang::En) => "consent (Article 6(1)(a) GDPR)",
            (Contract, Lang::Fi) => {
                "sopimuksen täytäntöönpano (tietosuoja-asetuksen 6 artiklan 1 kohdan b alakohta)"
            }
            (Contract, Lang::Sv) => "fullgörande av avtal (artikel 6.1 b i dataskyddsförordningen)",
            (Contract, Lang::En) => "the performance of a contract (Article 6(1)(b) GDPR)",
            (LegalObligation, Lang::Fi) => {
                "lakisääteinen velvoite (tietosuoja-asetuksen 6 artiklan 1 kohdan c alakohta)"
            }
            (LegalObligation, Lang::Sv) => {
                "rättslig förpliktelse (artikel 6.1 c i dataskyddsförordningen)"
            }
            (LegalObligation, Lang::En) => "a legal obligation (Article 6(1)(c) GDPR)",
            (VitalInterests, Lang::Fi) => {
                "elintärkeiden etujen suojaaminen (tietosuoja-asetuksen 6 artiklan 1 kohdan d alakohta)"
            }
            (VitalInterests, Lang::Sv) => {
                "skydd av grundläggande intressen (artikel 6.1 d i dataskyddsförordningen)"
            }
            (VitalInterests, Lang::En) => "vital interests (Article 6(1)(d) GDPR)",
            (PublicTask, Lang::Fi) => {
                "yleisen edun mukainen tehtävä (tietosuoja-asetuksen 6 artiklan 1 kohdan e alakohta)"
            }
            (PublicTask, Lang::Sv) => {
                "uppgift av allmänt intresse (artikel 6.1 e i dataskyddsförordningen)"
            }
            (PublicTask, Lang::En) => "a task in the public interest (Article 6(1)(e) GDPR)",
            (LegitimateInterests, Lang::Fi) => {
                "oikeutettu etu (tietosuoja-asetuksen 6 artiklan 1 kohdan f alakohta)"
            }
            (LegitimateInterests, Lang::Sv) => {
                "berättigat intresse (artikel 6.1 f i dataskyddsförordningen)"
            }
            (LegitimateInterests, Lang::En) => "legitimate interests (Article 6(1)(f) GDPR)",
        }
    }
}

/// A recipient of a source's data: a name as it is, or a name per language with its role.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Recipient {
    Name(String),
    Described(DescribedRecipient),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DescribedRecipient {
    pub name: Localized,
    pub role: Option<RecipientRole>,
    /// Where an Art. 19 notice to it goes (a privacy or support address).
    pub contact: Option<String>,
    /// The language its notices are written in; default: the controller's.
    pub language: Option<Lang>,
}

impl Recipient {
    /// Its name alone, in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        match self {
            Recipient::Name(name) => name,
            Recipient::Described(recipient) => recipient.name.get(lang),
        }
    }

    /// The language its notices are written in, when configured.
    pub fn language(&self) -> Option<Lang> {
        match self {
            Recipient::Name(_) => None,
            Recipient::Described(recipient) => recipient.language,
        }
    }

    /// Whether it processes the data on the controller's behalf.
    pub fn role(&self) -> Option<RecipientRole> {
        match self {
            Recipient::Name(_) => None,
            Recipient::Described(recipient) => recipient.role,
        }
    }

    /// The address an Art. 19 notice to it goes to, when one is configured.
    pub fn contact(&self) -> Option<&str> {
        match self {
            Recipient::Name(_) => None,
            Recipient::Described(recipient) => recipient.contact.as_deref(),
        }
    }

    /// "Klarna (payments), a controller in its own right", in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            Recipient::Name(name) => name.clone(),
            Recipient::Described(recipient) => {
                let name = recipient.name.get(lang);
                match recipient.role {
                    Some(role) => format!("{name}, {}", role.describe(lang)),
                    None => name.to_string(),
                }
            }
        }
    }
}

/// Whether a recipient processes the data on the controller's behalf (Art. 28) or decides
/// its own purposes (a controller in its own right, such as a payment provider).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientRole {
    Processor,
    Controller,
}

impl RecipientRole {
    pub fn describe(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (RecipientRole::Processor, Lang::Fi) => "henkilötietojen käsittelijä",
            (RecipientRole::Processor, Lang::Sv) => "personuppgiftsbiträde",
            (RecipientRole::Processor, Lang::En) => "processor",
            (RecipientRole::Controller, Lang::Fi) => "itsenäinen rekisterinpitäjä",
            (RecipientRole::Controller, Lang::Sv) => "självständigt personuppgiftsansvarig",
            (RecipientRole::Controller, Lang::En) => "a controller in its own right",
        }
    }
}

/// A transfer of a source's data outside the EU/EEA, with the safeguard it relies on
/// (Art. 15(2), 45–46).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// Who receives the data ("Campaign Monitor").
    pub recipient: Localized,
    /// Where ("the United States").
    pub country: Localized,
    /// The safeguard ("the European Commission's standard contractual clauses, Article
    /// 46(2)(c) GDPR").
    pub safeguard: Localized,
}

impl SourceConfig {
    pub fn name(&self) -> &str {
        &self.name.0
    }
}

/// The columns each matched field is read from; a list is joined (first and last name).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnMap {
    pub email: Option<Columns>,
    pub phone: Option<Columns>,
    pub name: Option<Columns>,
    pub address: Option<Columns>,
    pub customer_id: Option<Columns>,
    pub order: Option<Columns>,
    pub created: Option<Columns>,
}

impl ColumnMap {
    /// Each mapped field with its key, in a fixed order.
    pub fn fields(&self) -> Vec<(&'static str, &Columns)> {
        [
            ("email", &self.email),
            ("phone", &self.phone),
            ("name", &self.name),
            ("address", &self.address),
            ("customer_id", &self.customer_id),
            ("order", &self.order),
            ("created", &self.created),
        ]
        .into_iter()
        .filter_map(|(key, columns)| columns.as_ref().map(|c| (key, c)))
        .collect()
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Columns {
    One(String),
    Many(Vec<String>),
}

impl Columns {
    pub fn names(&self) -> &[String] {
        match self {
            Columns::One(name) => std::slice::from_ref(name),
            Columns::Many(names) => names,
        }
    }
}

/// A text in one form for every language, or per language (`{ fi = "…", sv = "…" }`).
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Localized {
    Same(String),
    PerLanguage(BTreeMap<Lang, String>),
}

impl Localized {
    /// The text in `lang`, else in English, else any.
    pub fn get(&self, lang: Lang) -> &str {
        match self {
            Localized::Same(text) => text,
            Localized::PerLanguage(texts) => texts
                .get(&lang)
                .or_else(|| texts.get(&Lang::En))
                .or_else(|| texts.values().next())
                .map_or("", String::as_str),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SourceName(pub String);

impl<'de> Deserialize<'de> for SourceName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        let good = !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !good {
            return Err(serde::de::Error::custom(format!(
                "source name {name:?} must be 1–64 letters, digits, '_' or '-'"
            )));
        }
        Ok(SourceName(name))
    }
}

/// A one-byte CSV delimiter.
#[derive(Clone, Copy, Debug)]
pub struct Delimiter(pub u8);

impl<'de> Deserialize<'de> for Delimiter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.as_bytes() {
            [byte] if byte.is_ascii() && !byte.is_ascii_alphanumeric() && *byte != b'"' => {
                Ok(Delimiter(*byte))
            }
            _ => Err(serde::de::Error::custom(format!(
                "delimiter {text:?} must be one ASCII punctuation character such as \",\", \";\", \"\\t\" or \"|\""
            ))),
        }
    }
}

/// A character encoding by its WHATWG label ("utf-8", "latin-1", "windows-1252", …).
#[derive(Clone, Copy)]
pub struct Encoding(pub &'static encoding_rs::Encoding);

impl Default for Encoding {
    fn default() -> Self {
        Encoding(encoding_rs::UTF_8)
    }
}

impl fmt::Debug for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }
}

impl<'de> Deserialize<'de> for Encoding {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let label = String::deserialize(deserializer)?;
        // "latin-1" is what people write; the WHATWG table spells it "latin1".
        let lookup = match label.to_ascii_lowercase().as_str() {
            "latin-1" | "latin_1" | "iso8859-1" => "latin1".to_string(),
            other => other.to_string(),
        };
        encoding_rs::Encoding::for_label(lookup.as_bytes())
            .map(Encoding)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown encoding {label:?} (e.g. \"utf-8\", \"latin-1\", \"windows-1252\")"
                ))
            })
    }
}

/// A country whose numbering plan reads numbers written without a country code.
#[derive(Clone, Copy, Debug)]
pub struct PhoneRegion(pub phonenumber::country::Id);

impl Default for PhoneRegion {
    fn default() -> Self {
        PhoneRegion(phonenumber::country::Id::FI)
    }
}

impl<'de> Deserialize<'de> for PhoneRegion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        code.to_ascii_uppercase()
            .parse::<phonenumber::country::Id>()
            .map(PhoneRegion)
            .map_err(|_| {
                serde::de::Error::custom(format!(
                    "unknown country {code:?} (an ISO 3166 code such as \"FI\" or \"SE\")"
                ))
            })
    }
}

/// How sure the bot must be of who wrote, and what a draft does in each case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// The `authserv-id`s of the receiving servers whose Authentication-Results are
    /// trusted. List a server only if it adds that header to every incoming mail and
    /// removes any copy a sender forged (RFC 8601 § 5).
    #[serde(default)]
    pub trusted_authserv_ids: Vec<String>,
    /// The sender is on file and the receiving server authenticated the mail.
    #[serde(default = "reply")]
    pub verified: IdentityAction,
    /// The sender address is on file, but nothing proves the mail came from it.
    #[serde(default = "reply")]
    pub on_file_unverified: IdentityAction,
    /// The details given match a person, but the sender address is not on file.
    #[serde(default = "ask")]
    pub needs_verification: IdentityAction,
    /// The details match several people.
    #[serde(default = "ask")]
    pub ambiguous: IdentityAction,
    /// Nothing matches.
    #[serde(default = "not_found")]
    pub no_match: IdentityAction,
    /// When more information is asked, the one-month clock stands still until the answer
    /// (`case::clock`): suspended, not restarted.
    #[serde(default)]
    pub clock_waits_for_information: bool,
    /// When the details match one person whose address on file is not the sender's, mail
    /// that address (no personal data, no approval needed) asking the person to confirm
    /// the request by replying; their authenticated answer verifies the case.
    #[serde(default = "yes")]
    pub confirm_from_file: bool,
    /// After this many days without an answer to a request for information (or for
    /// confirmation from the address on file), a refusal with reasons (Art. 11(2), 12(4))
    /// is drafted for approval, on the daemon's own clock; 0 never.
    #[serde(default = "default_refuse_after_days")]
    pub refuse_after_days: u32,
}

fn default_refuse_after_days() -> u32 {
    14
}

fn yes() -> bool {
    true
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig {
            trusted_authserv_ids: Vec::new(),
            verified: reply(),
            on_file_unverified: reply(),
            needs_verification: ask(),
            ambiguous: ask(),
            no_match: not_found(),
            clock_waits_for_information: false,
            confirm_from_file: true,
            refuse_after_days: default_refuse_after_days(),
        }
    }
}

fn reply() -> IdentityAction {
    IdentityAction::Reply
}
fn ask() -> IdentityAction {
    IdentityAction::AskForInformation
}
fn not_found() -> IdentityAction {
    IdentityAction::NotFound
}

/// How long records are kept (Art. 5(1)(e)); `purge` deletes what is older.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// A closed case, its messages and events are kept this many months after closing.
    #[serde(default = "default_case_months")]
    pub closed_case_months: u32,
    /// Mail that belongs to no case (not a request, automated, quarantined) is kept this
    /// many days after receipt.
    #[serde(default = "default_other_mail_days")]
    pub other_mail_days: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            closed_case_months: default_case_months(),
            other_mail_days: default_other_mail_days(),
        }
    }
}

fn default_case_months() -> u32 {
    36
}
fn default_other_mail_days() -> u32 {
    90
}

/// What drafts say that is not in the register, and where they go.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftsConfig {
    /// A folder with `<lang>/<name>.txt` files that replace the built-in templates.
    pub templates: Option<PathBuf>,
    /// Where approved drafts are written as .eml files while no SMTP server is configured.
    #[serde(default = "default_outbox")]
    pub outbox: PathBuf,
    /// Whether the controller makes decisions based solely on automated processing
    /// (Art. 15(1)(h)); the first customer does not.
    #[serde(default)]
    pub automated_decisions: bool,
    /// Whether the controller profiles the people in its register (Art. 4(4), 15(1)(h)).
    /// Not given: the access reply says nothing of profiling; false: it says there is none.
    pub profiling: Option<bool>,
    /// A general statement on transfers outside the EU/EEA, printed only when no source in
    /// the reply states its own (`[[register.sources]] transfers`), which is better.
    pub transfers: Option<Localized>,
    /// The channels of direct marketing that an opt-out stops ("the e-mail newsletter"):
    /// the reply promises no more marketing only through these. Empty: it promises none.
    #[serde(default)]
    pub marketing_channels: Vec<Localized>,
    /// Confirm receipt of each new request at once, without approval. The confirmation
    /// holds no personal data: the case number and the deadline only.
    #[serde(default)]
    pub acknowledge: bool,
}

impl Default for DraftsConfig {
    fn default() -> Self {
        DraftsConfig {
            templates: None,
            outbox: default_outbox(),
            automated_decisions: false,
            profiling: None,
            transfers: None,
            marketing_channels: Vec::new(),
            acknowledge: false,
        }
    }
}

fn default_outbox() -> PathBuf {
    PathBuf::from("outbox")
}

/// Approval by mail, for staff who live in their mail client (off by default).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalByMailConfig {
    #[serde(default)]
    pub enabled: bool,
    /// Where each new draft is sent for review, with its one-time token.
    pub staff_address: Option<String>,
    /// Who may approve by replying. Their mail must also pass the receiving server's
    /// checks ([identity] trusted_authserv_ids): a From: line alone approves nothing.
    #[serde(default)]
    pub approvers: Vec<String>,
}

/// Staff digests before deadlines.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemindersConfig {
    /// Where digests go; no address, no digests.
    pub staff_address: Option<String>,
    /// The daemon sends at most one digest per this many minutes: what came due since
    /// goes into the next one.
    #[serde(default = "default_digest_every_minutes")]
    pub digest_every_minutes: u32,
    /// From this hour (0–23, the controller's time) on each working day, the digest
    /// recaps every draft still waiting and every case still overdue, once a day.
    #[serde(default = "default_daily_hour")]
    pub daily_hour: u8,
}

fn default_daily_hour() -> u8 {
    8
}

fn default_digest_every_minutes() -> u32 {
    10
}

impl Default for RemindersConfig {
    fn default() -> Self {
        RemindersConfig {
            staff_address: None,
            digest_every_minutes: default_digest_every_minutes(),
            daily_hour: default_daily_hour(),
        }
    }
}
