//! Loading and compiling the rule files (`rules/<lang>.toml`).
//!
//! Every pattern of every language goes into one regex set, so a mail is scanned once per
//! sentence whatever language it is in (customers mix languages, and a Swedish-speaking
//! Finn may write the subject in Finnish). Compiled once at start-up.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use regex_automata::meta::Regex;
use serde::Deserialize;

use crate::lang::Lang;

use super::RequestKind;
use super::pattern;
use super::trigger::TriggerIndex;

/// The rule files compiled into the binary.
const EMBEDDED: [(Lang, &str, &str); 3] = [
    (
        Lang::Fi,
        "rules/fi.toml",
        include_str!("../../rules/fi.toml"),
    ),
    (
        Lang::Sv,
        "rules/sv.toml",
        include_str!("../../rules/sv.toml"),
    ),
    (
        Lang::En,
        "rules/en.toml",
        include_str!("../../rules/en.toml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{file}: {message}")]
    File { file: String, message: String },
    #[error("{file}: [kinds.{kind}] {role} pattern {index}")]
    Pattern {
        file: String,
        kind: String,
        role: &'static str,
        index: usize,
        #[source]
        source: Box<pattern::PatternError>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    detect: Detect,
    /// Named sub-patterns, used in patterns as `@name`.
    #[serde(default)]
    define: HashMap<String, String>,
    #[serde(default)]
    request_like: Vec<String>,
    /// Phrases that follow up an earlier request: a reply that uses them repeats it.
    #[serde(default)]
    followup: Vec<String>,
    /// Phrases that take back what the sentence before asked ("scratch that", "tai ei
    /// sittenkään"), near the start of a sentence.
    #[serde(default)]
    retract: Vec<String>,
    /// Words that refer back to the sentence before ("ne", "them", "dom"): a short request
    /// with one and no right of its own is read together with that sentence.
    #[serde(default)]
    refers_back: Vec<String>,
    /// A bare stop verb ("STOP", "Lopettakaa.", "Sluta"): when it is all a mail's new text
    /// says, the sender stops what the shop sends unasked, its marketing.
    #[serde(default)]
    stop_alone: Vec<String>,
    /// Phrases that mark a whole mail as no request of the sender's own (a vendor's pitch
    /// that talks about "erasure requests").
    #[serde(default)]
    not_a_request: Vec<String>,
    #[serde(default)]
    kinds: HashMap<String, KindRules>,
    #[serde(default)]
    net: Net,
}

/// The sentence-level net: a sentence that asks for something about the sender's own data
/// and to which no right was attributed is shown to staff (the wording the rules do not
/// know yet).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Net {
    /// Request forms: imperatives, "I want", "please", questions.
    #[serde(default)]
    asks: Vec<String>,
    /// The sender's own data, account or records.
    #[serde(default)]
    own_data: Vec<String>,
    /// Sentences these match are no request about data: orders, thanks, small talk.
    #[serde(default)]
    unless: Vec<String>,
}

/// Replaces each `@name` with its definition, in parentheses. Definitions may use earlier
/// ones; a name that is not defined is an error.
fn expand(source: &str, defines: &HashMap<String, String>) -> Result<String, String> {
    let mut text = source.to_string();
    for _ in 0..8 {
        let Some(at) = text.find('@') else {
            return Ok(text);
        };
        let name: String = text[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let definition = defines
            .get(&name)
            .ok_or_else(|| format!("@{name} is not defined in [define]"))?;
        text.replace_range(at..at + 1 + name.len(), &format!("({definition})"));
    }
    Err(format!("definitions nest too deeply in {source:?}"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Detect {
    /// Frequent short words of the language (folded), for language detection.
    words: Vec<String>,
    /// Word endings typical of the language, weaker evidence than whole words.
    #[serde(default)]
    endings: Vec<String>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct KindRules {
    /// Phrases that ask for this right.
    #[serde(default, rename = "match")]
    matches: Vec<String>,
    /// Phrases that suggest it; the kind is kept but a person confirms.
    #[serde(default)]
    weak: Vec<String>,
    /// Generic phrases that count only when the same sentence asks for no other kind.
    #[serde(default)]
    soft: Vec<String>,
    /// Reported requests ("I asked you to delete…"): they cancel the matches they overlap
    /// unless the mail follows the request up.
    #[serde(default)]
    reported: Vec<String>,
    /// Phrases that cancel this kind in the same sentence (negation, near misses).
    #[serde(default)]
    unless: Vec<String>,
    /// Kinds whose near miss this kind's `soft` phrases are: when one of them is asked in
    /// the same sentence, the soft phrase does not count ("send me my data as CSV" is
    /// portability, not access).
    #[serde(default)]
    soft_yields_to: Vec<String>,
}

/// Compiles one pattern's regex for folded (ASCII) text.
///
/// Without the literal prefilter: a sentence is short, and a prefilter over a pattern's
/// dozens of alternative words makes the engine find each literal and then search backwards
/// and forwards around it, several times slower than one pass of the lazy DFA over the
/// sentence.
fn build_regex(source: &str) -> Result<Regex, Box<regex_automata::meta::BuildError>> {
    Regex::builder()
        .configure(Regex::config().auto_prefilter(false))
        .syntax(
            regex_automata::util::syntax::Config::new()
                .unicode(false)
                .utf8(false),
        )
        .build(source)
        .map_err(Box::new)
}

/// A language's bit in a detection word's set of languages.
pub fn lang_bit(lang: Lang) -> u8 {
    match lang {
        Lang::Fi => 1,
        Lang::Sv => 2,
        Lang::En => 4,
    }
}

/// A detection word packed into an integer: its bytes, little-endian, zero-padded (a word
/// has no zero byte, so the padding is unambiguous). `None` for a word longer than 16
/// bytes, which no rule file lists.
pub fn word_key(word: &[u8]) -> Option<u128> {
    if word.len() > 16 {
        return None;
    }
    // Shifted in byte by byte rather than copied into a zeroed buffer and read back: a
    // copy of a word's length followed by a 16-byte read stalls the read on the copy.
    Some(
        word.iter()
            .rev()
            .fold(0u128, |key, &byte| (key << 8) | u128::from(byte)),
    )
}

/// The last eight bytes of a word (or all of a shorter one) packed into an integer, the last
/// byte lowest: a word ends with an ending of `n` bytes when the two agree in their low `n`
/// bytes (a word has no zero byte, so a shorter word never ends with a longer ending).
pub fn tail_key(word: &[u8]) -> u64 {
    word[word.len().saturating_sub(8)..]
        .iter()
        .fold(0u64, |key, &byte| (key << 8) | u64::from(byte))
}

/// The low `length` bytes (1 to 8) of a [`tail_key`]: where an ending of that length sits.
pub fn ending_mask(length: usize) -> u64 {
    u64::MAX >> (64 - 8 * length)
}

/// Hashes a packed detection word with one multiplication. Every word of a mail is looked
/// up and the keys are the rule files' own words, so a keyed hash (SipHash) buys nothing
/// and costs more than the lookups themselves.
#[derive(Default)]
pub struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u128` and `write_u64` are used; this keeps the trait whole (FNV-1a).
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, value: u64) {
        // The second reader's stems and pairs of stems (`model::stem_key`): the product's
        // halves folded, so the low bits the table indexes by depend on every bit.
        let product = u128::from(value) * 0x9e37_79b9_7f4a_7c15;
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }

    fn write_u128(&mut self, value: u128) {
        let folded = (value as u64) ^ ((value >> 64) as u64).rotate_left(29);
        self.0 = folded.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Match,
    Weak,
    Soft,
    Unless,
    Reported,
    RequestLike,
    Followup,
    Retract,
    RefersBack,
    StopAlone,
    NotARequest,
    NetAsks,
    NetOwnData,
    NetUnless,
}

impl Role {
    /// The sentence-level net's roles, run only when a sentence has no right.
    pub fn is_net(self) -> bool {
        matches!(self, Role::NetAsks | Role::NetOwnData | Role::NetUnless)
    }

    /// The role's key in a rules file.
    fn key(self) -> &'static str {
        match self {
            Role::Match => "match",
            Role::Weak => "weak",
            Role::Soft => "soft",
            Role::Unless => "unless",
            Role::Reported => "reported",
            Role::RequestLike => "request_like",
            Role::Followup => "followup",
            Role::Retract => "retract",
            Role::RefersBack => "refers_back",
            Role::StopAlone => "stop_alone",
            Role::NotARequest => "not_a_request",
            Role::NetAsks => "net/asks",
            Role::NetOwnData => "net/own_data",
            Role::NetUnless => "net/unless",
        }
    }
}

/// What the rules find in one sentence.
#[derive(Default)]
pub struct Matches {
    /// The patterns that match somewhere, in order.
    pub hits: Vec<usize>,
    /// The net's own-data candidates (trigger words present, regex not yet run): the net
    /// is consulted only for sentences no right was attributed to, so its patterns run
    /// lazily.
    pub net: Vec<usize>,
    /// Where each hit of a right's pattern matches: (pattern, start, end), by pattern.
    pub spans: Vec<(usize, usize, usize)>,
    /// The `unless` and `reported` patterns whose trigger words are present (regex not yet
    /// run: see [`Rules::spans`]).
    pub blockers: Vec<usize>,
}

impl Matches {
    /// Every place pattern `index` matches.
    pub fn spans(&self, index: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.spans
            .iter()
            .filter(move |span| span.0 == index)
            .map(|&(_, from, to)| (from, to))
    }
}

struct Meta {
    kind: Option<RequestKind>,
    role: Role,
    name: String,
}

/// The compiled rules. Every pattern's regex is compiled the first time a sentence holds one
/// of its trigger words, so start-up stays fast with several hundred patterns and a mail
/// only pays for the patterns its words can start.
pub struct Rules {
    /// Finds the patterns whose trigger words a sentence holds.
    triggers: TriggerIndex,
    /// The same for the net's request forms and exceptions, whose trigger words are the
    /// most frequent ("please", "can", "my order"): walked only for the rare sentence
    /// about the sender's data that no right explains.
    late_triggers: TriggerIndex,
    /// The `refers_back` and `stop_alone` patterns, alone: asked of short texts only.
    short: TriggerIndex,
    regexes: Vec<std::sync::OnceLock<Option<Regex>>>,
    sources: Vec<String>,
    meta: Vec<Meta>,
    /// For language detection: the frequent words of each language, packed by
    /// [`word_key`], with a bit per language (`Lang` order: fi, sv, en).
    pub(super) words: HashMap<u128, u8, BuildHasherDefault<WordHasher>>,
    /// Typical word endings, bucketed by their last byte: each packed by [`tail_key`] with
    /// the mask of its length.
    pub(super) endings: Vec<Vec<(u64, u64, Lang)>>,
    /// For each kind, the kinds its soft phrases yield to (any language's file may say).
    soft_yields_to: HashMap<RequestKind, Vec<RequestKind>>,
}

impl Rules {
    pub fn embedded() -> Result<Rules, RuleError> {
        Rules::from_files(&EMBEDDED)
    }

    /// The same rule files read from `dir` (`fi.toml`, `sv.toml`, `en.toml`).
    pub fn from_dir(dir: &std::path::Path) -> Result<Rules, RuleError> {
        let mut texts = Vec::new();
        for (lang, name, _) in EMBEDDED {
            let file = name.trim_start_matches("rules/");
            let path = dir.join(file);
            let text = std::fs::read_to_string(&path).map_err(|err| RuleError::File {
                file: path.display().to_string(),
                message: err.to_string(),
            })?;
            texts.push((lang, name, text));
        }
        let files: Vec<(Lang, &str, &str)> = texts
            .iter()
            .map(|(lang, name, text)| (*lang, *name, text.as_str()))
            .collect();
        Rules::from_files(&files)
    }

    fn from_files(files: &[(Lang, &str, &str)]) -> Result<Rules, RuleError> {
        // Each file is compiled on a thread of its own (start-up is mostly parsing patterns
        // and allocating), then the three are put together in file order, so a pattern's
        // index and name are those of a compilation in one thread.
        let compiled: Vec<Result<FileRules, RuleError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .iter()
                .map(|&(lang, file, text)| scope.spawn(move || compile_file(lang, file, text)))
                .collect();
            handles.into_iter().map(joined).collect()
        });
        let mut sources = Vec::new();
        let mut triggers: Vec<Vec<Vec<String>>> = Vec::new();
        let mut meta = Vec::new();
        let mut detect_words: HashMap<u128, u8, BuildHasherDefault<WordHasher>> =
            HashMap::default();
        let mut endings: Vec<Vec<(u64, u64, Lang)>> = vec![Vec::new(); 256];
        let mut soft_yields_to: HashMap<RequestKind, Vec<RequestKind>> = HashMap::new();
        for file in compiled {
            let file = file?;
            sources.extend(file.sources);
            triggers.extend(file.triggers);
            meta.extend(file.meta);
            for (key, bits) in file.detect_words {
                *detect_words.entry(key).or_default() |= bits;
            }
            for (last, ending) in file.endings {
                endings[usize::from(last)].push(ending);
            }
            for (kind, other) in file.soft_yields_to {
                soft_yields_to.entry(kind).or_default().push(other);
            }
        }
        // Each index holds its own patterns; the others have no trigger there. The net's
        // request forms run only for the few sentences with no right found; the words
        // that refer back and the bare stop verbs, only for short texts, before anything
        // else is asked of them.
        let mut early = Vec::with_capacity(triggers.len());
        let mut late = Vec::with_capacity(triggers.len());
        let mut back = Vec::with_capacity(triggers.len());
        for (sets, meta) in triggers.into_iter().zip(&meta) {
            let (e, l, b) = match meta.role {
                Role::NetAsks | Role::NetUnless => (Vec::new(), sets, Vec::new()),
                Role::RefersBack | Role::StopAlone => (Vec::new(), Vec::new(), sets),
                _ => (sets, Vec::new(), Vec::new()),
            };
            early.push(e);
            late.push(l);
            back.push(b);
        }
        // The big index is built while the two small ones are.
        let (trigger_index, late_triggers, short) = std::thread::scope(|scope| {
            let early = scope.spawn(|| TriggerIndex::new(&early));
            let late_triggers = TriggerIndex::new(&late);
            let short = TriggerIndex::new(&back);
            (joined(early), late_triggers, short)
        });
        let regexes = sources.iter().map(|_| std::sync::OnceLock::new()).collect();
        Ok(Rules {
            triggers: trigger_index,
            late_triggers,
            short,
            regexes,
            sources,
            meta,
            words: detect_words,
            endings,
            soft_yields_to,
        })
    }

    /// What the rules find in one sentence (see [`Matches`]). `candidates` is scratch space,
    /// reused from sentence to sentence.
    pub fn matches(&self, sentence: &[u8], candidates: &mut Vec<usize>) -> Matches {
        candidates.clear();
        self.triggers.candidates(sentence, candidates);
        let mut found = Matches::default();
        for &index in candidates.iter() {
            let role = self.role(index);
            if role.is_net() {
                found.net.push(index);
            } else if matches!(role, Role::Unless | Role::Reported) {
                // Near-miss words ("order", "tilaus") trigger these in many sentences, but
                // they only matter where their right's phrases match: run when asked.
                found.blockers.push(index);
            } else if self.meta[index].kind.is_some() {
                // A right's phrases are needed with their places (which `unless` overlaps
                // which match): one search finds both whether and where.
                let before = found.spans.len();
                found.spans.extend(
                    self.spans(index, sentence)
                        .map(|(from, to)| (index, from, to)),
                );
                if found.spans.len() > before {
                    found.hits.push(index);
                }
            } else if self.is_match(index, sentence) {
                found.hits.push(index);
            }
        }
        found
    }

    /// The net's request-form and exception patterns whose trigger words `sentence` holds
    /// (regexes not yet run).
    pub fn late_candidates(&self, sentence: &[u8]) -> Vec<usize> {
        let mut candidates = Vec::new();
        self.late_triggers.candidates(sentence, &mut candidates);
        candidates
    }

    /// The first pattern of `role` (`RefersBack` or `StopAlone`) that matches `text`, a
    /// short sentence or text.
    pub fn short_text_match(&self, role: Role, text: &[u8]) -> Option<usize> {
        let mut candidates = Vec::new();
        self.short.candidates(text, &mut candidates);
        candidates
            .into_iter()
            .find(|&index| self.role(index) == role && self.is_match(index, text))
    }

    /// Every place pattern `index` matches in `sentence`.
    pub fn spans<'a>(
        &'a self,
        index: usize,
        sentence: &'a [u8],
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.regex(index)
            .into_iter()
            .flat_map(move |regex| regex.find_iter(sentence))
            .map(|m| (m.start(), m.end()))
    }

    /// Whether pattern `index` matches somewhere in `sentence`.
    pub fn is_match(&self, index: usize, sentence: &[u8]) -> bool {
        self.regex(index)
            .is_some_and(|regex| regex.is_match(sentence))
    }

    fn regex(&self, index: usize) -> Option<&Regex> {
        // The pattern language only produces valid regexes; a test compiles every one.
        self.regexes[index]
            .get_or_init(|| build_regex(&self.sources[index]).ok())
            .as_ref()
    }

    pub fn kind(&self, index: usize) -> Option<RequestKind> {
        self.meta[index].kind
    }

    pub fn role(&self, index: usize) -> Role {
        self.meta[index].role
    }

    /// Whether `kind`'s soft phrases give way when `other` is asked in the same sentence.
    pub fn soft_yields_to(&self, kind: RequestKind, other: RequestKind) -> bool {
        self.soft_yields_to
            .get(&kind)
            .is_some_and(|kinds| kinds.contains(&other))
    }

    pub fn name(&self, index: usize) -> String {
        self.meta[index].name.clone()
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.sources.len()
    }
}

/// A start-up thread's result: a panic there goes on in the thread that waited for it, as
/// it would have had the work been done in that thread.
pub(super) fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// What one rule file compiles to, before the files are put together.
#[derive(Default)]
struct FileRules {
    sources: Vec<String>,
    triggers: Vec<Vec<Vec<String>>>,
    meta: Vec<Meta>,
    detect_words: Vec<(u128, u8)>,
    /// Each ending by its last byte.
    endings: Vec<(u8, (u64, u64, Lang))>,
    soft_yields_to: Vec<(RequestKind, RequestKind)>,
}

fn compile_file(lang: Lang, file: &str, text: &str) -> Result<FileRules, RuleError> {
    let mut out = FileRules::default();
    let parsed: RuleFile = toml::from_str(text).map_err(|err| RuleError::File {
        file: file.to_string(),
        message: err.to_string(),
    })?;
    for word in parsed.detect.words {
        let key = word_key(word.as_bytes()).ok_or_else(|| RuleError::File {
            file: file.to_string(),
            message: format!("[detect] word {word:?} is longer than 16 letters"),
        })?;
        out.detect_words.push((key, lang_bit(lang)));
    }
    for ending in parsed.detect.endings {
        if ending.len() > 8 {
            return Err(RuleError::File {
                file: file.to_string(),
                message: format!("[detect] ending {ending:?} is longer than 8 letters"),
            });
        }
        if let Some(&last) = ending.as_bytes().last() {
            let mask = ending_mask(ending.len());
            out.endings
                .push((last, (tail_key(ending.as_bytes()), mask, lang)));
        }
    }
    let defines = parsed.define;
    let expand = |source: &str| {
        expand(source, &defines).map_err(|message| RuleError::File {
            file: file.to_string(),
            message,
        })
    };
    // The mail-level lists first, then each kind's in name order: a pattern's
    // index, and so its name, does not depend on the order of the file's tables.
    let mut groups: Vec<(Option<RequestKind>, &str, Role, &[String])> = vec![
        (
            None,
            "request_like",
            Role::RequestLike,
            &parsed.request_like,
        ),
        (None, "followup", Role::Followup, &parsed.followup),
        (None, "retract", Role::Retract, &parsed.retract),
        (None, "refers_back", Role::RefersBack, &parsed.refers_back),
        (None, "stop_alone", Role::StopAlone, &parsed.stop_alone),
        (
            None,
            "not_a_request",
            Role::NotARequest,
            &parsed.not_a_request,
        ),
        (None, "net.asks", Role::NetAsks, &parsed.net.asks),
        (None, "net.own_data", Role::NetOwnData, &parsed.net.own_data),
        (None, "net.unless", Role::NetUnless, &parsed.net.unless),
    ];
    let mut kinds: Vec<_> = parsed.kinds.iter().collect();
    kinds.sort_by(|a, b| a.0.cmp(b.0));
    for (kind_name, rules) in kinds {
        // A kind's name, as a table or in its `soft_yields_to`, names a right.
        let kind_named = |name: &str, place: &str| {
            name.parse::<RequestKind>()
                .map_err(|err: super::UnknownKind| RuleError::File {
                    file: file.to_string(),
                    message: format!("[kinds.{kind_name}]{place}: {err}"),
                })
        };
        let kind = kind_named(kind_name, "")?;
        for yielded in &rules.soft_yields_to {
            out.soft_yields_to
                .push((kind, kind_named(yielded, " soft_yields_to")?));
        }
        groups.extend([
            (
                Some(kind),
                kind_name.as_str(),
                Role::Match,
                &rules.matches[..],
            ),
            (Some(kind), kind_name, Role::Weak, &rules.weak),
            (Some(kind), kind_name, Role::Soft, &rules.soft),
            (Some(kind), kind_name, Role::Unless, &rules.unless),
            (Some(kind), kind_name, Role::Reported, &rules.reported),
        ]);
    }
    for (kind, table, role, list) in groups {
        let role_name = role.key();
        for (index, source) in list.iter().enumerate() {
            let compiled =
                pattern::compile(&expand(source)?).map_err(|source| RuleError::Pattern {
                    file: file.to_string(),
                    kind: table.to_string(),
                    role: role_name,
                    index,
                    source: Box::new(source),
                })?;
            out.triggers.push(compiled.triggers);
            out.sources.push(compiled.regex);
            let name = match kind {
                Some(kind) => format!("{lang}/{kind}/{role_name}/{index}"),
                None => format!("{lang}/{role_name}/{index}"),
            };
            out.meta.push(Meta { kind, role, name });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detection_word_is_its_bytes_little_endian_and_zero_padded() {
        for word in ["i", "och", "poistakaa", "tietosuojaseloste"] {
            let packed = word_key(word.as_bytes());
            if word.len() > 16 {
                assert_eq!(packed, None);
                continue;
            }
            let mut bytes = [0u8; 16];
            bytes[..word.len()].copy_from_slice(word.as_bytes());
            assert_eq!(packed, Some(u128::from_le_bytes(bytes)), "{word}");
        }
        assert_ne!(word_key(b"och"), word_key(b"ocha"));
    }

    #[test]
    fn a_word_ends_with_an_ending_when_their_packed_tails_agree() {
        let ends_with = |word: &str, ending: &str| {
            tail_key(word.as_bytes()) & ending_mask(ending.len()) == tail_key(ending.as_bytes())
        };
        for (word, ending) in [
            ("lahettaisitteko", "isitteko"),
            ("tietoni", "ni"),
            ("meningen", "ningen"),
            ("running", "ing"),
        ] {
            assert!(ends_with(word, ending), "{word} {ending}");
        }
        for (word, ending) in [("teko", "isitteko"), ("sing", "ning"), ("tion", "ation")] {
            assert!(!ends_with(word, ending), "{word} {ending}");
        }
    }

    #[test]
    fn embedded_rules_compile() {
        let rules = Rules::embedded().unwrap();
        assert!(rules.len() > 100, "{} patterns", rules.len());
        // Regexes compile lazily in use; here every one must compile.
        for index in 0..rules.len() {
            let built = build_regex(&rules.sources[index]);
            assert!(built.is_ok(), "{}: {:?}", rules.name(index), built.err());
        }
    }

    #[test]
    fn errors_name_file_kind_and_pattern() {
        let bad = "[detect]\nwords = [\"ja\"]\n[kinds.erasure]\nmatch = [\"poista* ~ tieto*\", \"(a|b\"]\n";
        let err = Rules::from_files(&[(Lang::Fi, "rules/fi.toml", bad)])
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "rules/fi.toml: [kinds.erasure] match pattern 1"
        );
        let bad = "[detect]\nwords = []\n[kinds.eraser]\nmatch = []\n";
        let err = Rules::from_files(&[(Lang::Fi, "rules/fi.toml", bad)])
            .err()
            .unwrap();
        assert!(
            err.to_string().contains("unknown request kind \"eraser\""),
            "{err}"
        );
    }
}
