//! The small pattern language the rule files are written in, compiled to regex.
//!
//! Rules are written for phenomena, not sentences, so the language says "this word, then
//! within a few words that one" rather than spelling out every sentence:
//!
//! - `poista*` a word starting with `poista` (any inflection): poistakaa, poistatte, poistaa
//! - `tietoni` exactly that word
//! - `a b` word `a` directly followed by word `b` (spaces, hyphens, quotes between)
//! - `a ~ b` `b` within four words after `a`, not across a comma; `~N` within N words
//! - `a ~~ b` `b` within eight words after `a`, across commas too (for negations such as
//!   "en halua, että tietojani poistetaan")
//! - `(a|b c|d*)` alternatives, each itself a sequence
//! - `a?` an optional word or group
//!
//! Patterns are matched against folded text (lowercase ASCII, diacritics removed), so they
//! are written without diacritics: `rekisterista` matches "rekisteristä".

use std::fmt::Write;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{message} at character {position} of {pattern:?}")]
pub struct PatternError {
    pub pattern: String,
    pub position: usize,
    pub message: String,
}

/// Separators between adjacent words: anything but a word character or a comma.
const SEP: &str = "[^a-z0-9_,]+";
/// Separators that may also cross a comma.
const SEP_WIDE: &str = "[^a-z0-9_]+";
const WORD: &str = "[a-z0-9_']+";

/// A word is a slice of the pattern's source: rule compilation parses thousands of them.
#[derive(Debug, Clone, PartialEq)]
enum Item<'a> {
    Word { text: &'a str, stem: bool },
    Group(Vec<Vec<Node<'a>>>),
}

#[derive(Debug, Clone, PartialEq)]
enum Node<'a> {
    Item { item: Item<'a>, optional: bool },
    Gap { words: u8, wide: bool },
}

struct Parser<'a> {
    source: &'a str,
    /// A byte offset into `source`, always at a character boundary.
    position: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, message: &str) -> PatternError {
        PatternError {
            pattern: self.source.to_string(),
            // Counted in characters, as a person reads the pattern.
            position: self.source[..self.position].chars().count(),
            message: message.to_string(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.source.as_bytes().get(self.position).copied()
    }

    fn skip_spaces(&mut self) {
        while let Some(c) = self.source[self.position..]
            .chars()
            .next()
            .filter(|c| c.is_whitespace())
        {
            self.position += c.len_utf8();
        }
    }

    /// A sequence up to `)`, `|` or the end.
    fn sequence(&mut self) -> Result<Vec<Node<'a>>, PatternError> {
        let mut nodes = Vec::new();
        loop {
            self.skip_spaces();
            match self.peek() {
                None | Some(b')') | Some(b'|') => break,
                Some(b'~') => {
                    self.position += 1;
                    let wide = self.peek() == Some(b'~');
                    if wide {
                        self.position += 1;
                    }
                    let start = self.position;
                    while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                        self.position += 1;
                    }
                    let digits = &self.source[start..self.position];
                    let words = if digits.is_empty() {
                        if wide { 8 } else { 4 }
                    } else {
                        digits.parse().map_err(|_| self.error("gap too long"))?
                    };
                    nodes.push(Node::Gap { words, wide });
                }
                Some(b'(') => {
                    self.position += 1;
                    let mut alternatives = vec![self.sequence()?];
                    while self.peek() == Some(b'|') {
                        self.position += 1;
                        alternatives.push(self.sequence()?);
                    }
                    if self.peek() != Some(b')') {
                        return Err(self.error("unclosed group"));
                    }
                    self.position += 1;
                    if alternatives.iter().any(Vec::is_empty) {
                        return Err(self.error("empty alternative"));
                    }
                    let optional = self.optional_mark();
                    nodes.push(Node::Item {
                        item: Item::Group(alternatives),
                        optional,
                    });
                }
                Some(_) => {
                    let start = self.position;
                    while self
                        .peek()
                        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'\'' || b == b'-')
                    {
                        self.position += 1;
                    }
                    let text = &self.source[start..self.position];
                    if text.is_empty() {
                        let found = self.source[self.position..].chars().next().unwrap_or(' ');
                        return Err(self.error(&format!(
                            "unexpected {found:?} (patterns are lowercase ASCII)"
                        )));
                    }
                    if text.bytes().any(|b| b.is_ascii_uppercase()) {
                        return Err(self.error(
                            "uppercase letter (patterns are matched against lowercase text)",
                        ));
                    }
                    let stem = self.peek() == Some(b'*');
                    if stem {
                        self.position += 1;
                    }
                    let optional = self.optional_mark();
                    nodes.push(Node::Item {
                        item: Item::Word { text, stem },
                        optional,
                    });
                }
            }
        }
        if matches!(nodes.first(), Some(Node::Gap { .. }))
            || matches!(nodes.last(), Some(Node::Gap { .. }))
        {
            return Err(self.error("a gap must stand between two words"));
        }
        Ok(nodes)
    }

    fn optional_mark(&mut self) -> bool {
        let optional = self.peek() == Some(b'?');
        if optional {
            self.position += 1;
        }
        optional
    }
}

/// A pattern compiled: its regex, and up to three sets of trigger words such that every match
/// contains a word of each set, for a fast pre-filter. A trigger ending in `*` is a stem
/// (the start of a word), else a whole word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compiled {
    pub regex: String,
    pub triggers: Vec<Vec<String>>,
}

/// Compiles one pattern of the rule language into regex syntax for folded text.
pub fn compile(source: &str) -> Result<Compiled, PatternError> {
    let mut parser = Parser {
        source,
        position: 0,
    };
    let nodes = parser.sequence()?;
    if parser.position < source.len() {
        return Err(parser.error("unbalanced ')' or '|'"));
    }
    if nodes.is_empty() {
        return Err(parser.error("empty pattern"));
    }
    let mut regex = String::new();
    emit_sequence(&nodes, &mut regex);
    let triggers = trigger_sets(mandatory_sets(&nodes))
        .into_iter()
        .map(|set| {
            let mut words: Vec<String> = set
                .into_iter()
                .map(|(text, stem)| {
                    if stem {
                        format!("{text}*")
                    } else {
                        text.to_string()
                    }
                })
                .collect();
            words.sort();
            words.dedup();
            words
        })
        .collect();
    Ok(Compiled { regex, triggers })
}

/// Of the sets of words a match must hold one of each, the (up to) three that filter best:
/// the rarest; the rarest that shares no word with it (with "have" in both, every sentence
/// holding "have" would pass both); and the rarest short one of the rest, which the trigger
/// index checks word by word.
fn trigger_sets(mut sets: Vec<Vec<Literal<'_>>>) -> Vec<Vec<Literal<'_>>> {
    sets.sort_by_cached_key(|set| frequency(set));
    if let Some(apart) = sets
        .iter()
        .skip(1)
        .position(|set| !share_a_word(&sets[0], set))
    {
        let second = sets.remove(apart + 1);
        sets.insert(1, second);
    }
    let third = sets
        .iter()
        .skip(2)
        .position(|set| set.len() <= super::trigger::LONG_SET)
        .map(|short| sets.swap_remove(short + 2));
    sets.truncate(2);
    sets.extend(third);
    sets
}

/// A trigger word: its text, and whether it is a stem (the start of a word).
type Literal<'a> = (&'a str, bool);

/// For each item a match of `nodes` must contain, the words it can be.
fn mandatory_sets<'a>(nodes: &[Node<'a>]) -> Vec<Vec<Literal<'a>>> {
    nodes
        .iter()
        .filter_map(|node| match node {
            Node::Item {
                item,
                optional: false,
            } => Some(literals_of(item)),
            _ => None,
        })
        .filter(|set| !set.is_empty())
        .collect()
}

fn literals_of<'a>(item: &Item<'a>) -> Vec<Literal<'a>> {
    match item {
        Item::Word { text, stem } => vec![(*text, *stem)],
        Item::Group(alternatives) => {
            let mut literals = Vec::with_capacity(alternatives.len());
            for alternative in alternatives {
                match alternative.as_slice() {
                    // Most alternatives are one word (a `[define]` class): no sets to weigh.
                    [
                        Node::Item {
                            item: Item::Word { text, stem },
                            optional: false,
                        },
                    ] => literals.push((*text, *stem)),
                    _ => literals.extend(required_literals(alternative)),
                }
            }
            literals
        }
    }
}

/// How many sentences of the labelled mails hold each word seen in ten or more, in byte
/// order (`rules/frequent.tsv`, written with the models by `examples/train_model.rs`):
/// which of a pattern's words are rare, to choose its trigger words.
static FREQUENT: std::sync::LazyLock<Frequent> =
    std::sync::LazyLock::new(|| Frequent::parse(include_str!("../../rules/frequent.tsv")));

struct Frequent {
    words: Vec<&'static str>,
    /// `before[i]`: the counts of `words[..i]` summed, so a stem's words sum in two lookups.
    before: Vec<u64>,
}

impl Frequent {
    fn parse(text: &'static str) -> Frequent {
        let mut words = Vec::new();
        let mut before = vec![0];
        for (word, count) in text.lines().filter_map(|line| line.split_once('\t')) {
            words.push(word);
            before.push(before[before.len() - 1] + count.parse::<u64>().unwrap_or(0));
        }
        Frequent { words, before }
    }

    /// How many sentences a literal was seen in: a word's own count, a stem's words'
    /// summed; one for a word too rare to be listed.
    fn of(&self, (text, stem): Literal) -> u64 {
        let from = self.words.partition_point(|w| *w < text);
        let to = if stem {
            self.words
                .partition_point(|w| *w < text || w.starts_with(text))
        } else {
            from + usize::from(self.words.get(from) == Some(&text))
        };
        (self.before[to] - self.before[from]).max(1)
    }
}

/// Counts, over the sentences of `examples`, how many hold each word, and returns the text
/// of `rules/frequent.tsv`: a line per word seen in at least ten, "word<TAB>count", in byte
/// order. A word is a run of the bytes trigger words are made of; one holding a hyphen or
/// an apostrophe ("kanta-asiakas", "don't") counts as itself and as each of its parts, as
/// the trigger index reads both.
pub fn count_words(examples: &[super::LabelledMail]) -> String {
    const AT_LEAST: usize = 10;
    let mut counts: std::collections::HashMap<&[u8], usize> = std::collections::HashMap::new();
    let mut seen: std::collections::HashSet<&[u8]> = std::collections::HashSet::new();
    for (sentence, _) in examples.iter().flat_map(|e| &e.sentences) {
        seen.clear();
        let runs = sentence.split(|&b| !super::trigger::is_trigger_byte(b));
        for run in runs.filter(|run| !run.is_empty()) {
            seen.insert(run);
            if run.contains(&b'-') || run.contains(&b'\'') {
                seen.extend(
                    run.split(|&b| b == b'-' || b == b'\'')
                        .filter(|p| !p.is_empty()),
                );
            }
        }
        for word in &seen {
            *counts.entry(word).or_default() += 1;
        }
    }
    let mut frequent: Vec<(&[u8], usize)> =
        counts.into_iter().filter(|&(_, n)| n >= AT_LEAST).collect();
    frequent.sort_unstable();
    let mut text = String::new();
    for (word, count) in frequent {
        let _ = writeln!(text, "{}\t{count}", String::from_utf8_lossy(word));
    }
    text
}

/// How often a set of literals is seen (lower is rarer): a set of rare words triggers a
/// pattern's regex in few sentences.
fn frequency(literals: &[Literal]) -> u64 {
    SEEN_LITERALS.with_borrow_mut(|seen| {
        literals
            .iter()
            .map(|&(text, stem)| {
                if let Some(&count) = seen[usize::from(stem)].get(text) {
                    return count;
                }
                let count = FREQUENT.of((text, stem));
                seen[usize::from(stem)].insert(text.into(), count);
                count
            })
            .sum()
    })
}

type LiteralCounts = std::collections::HashMap<
    Box<str>,
    u64,
    std::hash::BuildHasherDefault<super::rules::WordHasher>,
>;

thread_local! {
    /// Each literal's frequency once looked up, words then stems: the `[define]` classes
    /// repeat the same few thousand words in hundreds of patterns.
    static SEEN_LITERALS: std::cell::RefCell<[LiteralCounts; 2]> =
        std::cell::RefCell::new(Default::default());
}

/// A set of literals one of which occurs in every match: for the mandatory item whose words
/// are rarest, all the words it can be. Matching starts only where one of them occurs.
fn required_literals<'a>(nodes: &[Node<'a>]) -> Vec<Literal<'a>> {
    let mut sets = mandatory_sets(nodes);
    if sets.len() < 2 {
        return sets.pop().unwrap_or_default();
    }
    sets.into_iter()
        .min_by_key(|set| frequency(set))
        .unwrap_or_default()
}

/// Whether one word can be a literal of both sets: the same word, or a word and a stem it
/// starts with, or two stems one of which starts the other.
fn share_a_word(first: &[Literal], second: &[Literal]) -> bool {
    first.iter().any(|&(a, a_stem)| {
        second.iter().any(|&(b, b_stem)| {
            a == b || (a_stem && b.starts_with(a)) || (b_stem && a.starts_with(b))
        })
    })
}

fn emit_item(item: &Item, out: &mut String) {
    match item {
        Item::Word { text, stem } => {
            out.push_str(r"\b");
            escape_into(text, out);
            if *stem {
                out.push_str("[a-z0-9_']*");
            } else {
                out.push_str(r"\b");
            }
        }
        Item::Group(alternatives) => {
            out.push_str("(?:");
            for (index, alternative) in alternatives.iter().enumerate() {
                if index > 0 {
                    out.push('|');
                }
                emit_sequence(alternative, out);
            }
            out.push(')');
        }
    }
}

/// What joins two items: a separator, or a gap of up to `words` words.
#[derive(Clone, Copy)]
enum Join {
    Adjacent,
    Gap { words: u8, wide: bool },
}

fn emit_join(join: Join, out: &mut String) {
    match join {
        Join::Adjacent => out.push_str(SEP),
        Join::Gap { words, wide } => {
            let sep = if wide { SEP_WIDE } else { SEP };
            let _ = write!(out, "{sep}(?:{WORD}{sep}){{0,{words}}}");
        }
    }
}

/// Emits a sequence: adjacent items joined by a separator, gaps by up to N words. Written
/// straight into `out`: rule compilation builds thousands of these at start-up.
fn emit_sequence(nodes: &[Node], out: &mut String) {
    let mut at_start = true;
    let mut pending_gap: Option<Join> = None;
    for node in nodes {
        match node {
            Node::Gap { words, wide } => {
                pending_gap = Some(Join::Gap {
                    words: *words,
                    wide: *wide,
                });
            }
            Node::Item { item, optional } => {
                if at_start {
                    if *optional {
                        // An optional first word carries its own separator.
                        out.push_str("(?:");
                        emit_item(item, out);
                        out.push_str(SEP);
                        out.push_str(")?");
                    } else {
                        emit_item(item, out);
                        at_start = false;
                    }
                    continue;
                }
                let join = pending_gap.take().unwrap_or(Join::Adjacent);
                if *optional {
                    // The optional word takes its separator with it; the next word still
                    // needs one from what came before.
                    out.push_str("(?:");
                    emit_join(join, out);
                    emit_item(item, out);
                    out.push_str(")?");
                    pending_gap = Some(join);
                } else {
                    emit_join(join, out);
                    emit_item(item, out);
                }
            }
        }
    }
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        if c == '-' || c == '\'' {
            out.push('\\');
        }
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::bytes::RegexBuilder;

    fn matches(pattern: &str, text: &str) -> bool {
        let regex = RegexBuilder::new(&compile(pattern).unwrap().regex)
            .unicode(false)
            .build()
            .unwrap();
        regex.is_match(text.as_bytes())
    }

    #[test]
    fn stems_words_and_gaps() {
        assert!(matches(
            "poista* ~ tieto*",
            "voisitteko poistaa kaikki minun tietoni"
        ));
        assert!(matches("poista* ~ tieto*", "poistakaa tietoni"));
        assert!(!matches(
            "poista* ~1 tieto*",
            "poistakaa kaikki minun tietoni"
        ));
        assert!(!matches(
            "poista* ~ tieto*",
            "poistakaa tilaus, tietoni ovat oikein"
        ));
        assert!(matches(
            "poista* ~~ tieto*",
            "poistakaa tilaus, tietoni ovat oikein"
        ));
        assert!(!matches("tieto", "tietoni"));
        assert!(!matches("poista*", "epapoistaa"));
    }

    #[test]
    fn groups_and_optional_words() {
        let pattern = "(delete|remove|erase) my? (account|data|personal (data|information))";
        assert!(matches(pattern, "please delete my account"));
        assert!(matches(pattern, "erase personal information now"));
        assert!(matches(pattern, "remove my personal data"));
        assert!(!matches(pattern, "delete the item from my cart"));
        assert!(matches(
            "don't (want|wish) ~ deleted",
            "i don't want my account deleted"
        ));
        assert!(matches("my? account (deleted|closed)", "account closed"));
        assert!(matches(
            "my? account (deleted|closed)",
            "my account deleted"
        ));
    }

    #[test]
    fn triggers_are_the_rarest_required_words() {
        // By how many sentences of the labelled mails hold them (`rules/frequent.tsv`):
        // "delete" and "remove" together are rarer than "account", "new" than "address"
        // or "name".
        let triggers = |pattern: &str| compile(pattern).unwrap().triggers;
        assert_eq!(
            triggers("(delete|remove) my? account"),
            [vec!["delete", "remove"], vec!["account"]]
        );
        assert_eq!(
            triggers("poist* ~ (tieto*|tili)"),
            [vec!["poist*"], vec!["tieto*", "tili"]]
        );
        assert_eq!(
            triggers("my? new (address|name)"),
            [vec!["new"], vec!["address", "name"]]
        );
        assert_eq!(triggers("(i|we) object"), [vec!["object"], vec!["i", "we"]]);
        assert_eq!(triggers("((a|b) cc|d) e"), [vec!["e"], vec!["cc", "d"]]);
        assert_eq!(triggers("unsubscribe"), [vec!["unsubscribe"]]);
    }

    #[test]
    fn the_second_trigger_set_shares_no_word_with_the_first() {
        // "have" would let every sentence holding it pass both of the two rarest sets; the
        // second set is "data", and the one sharing "have" comes third.
        assert_eq!(
            compile("(have|need) ~ (keep|have) ~ data")
                .unwrap()
                .triggers,
            [vec!["have", "need"], vec!["data"], vec!["have", "keep"]]
        );
        // A stem and a word it starts are one word too: "poistakaa" or "tietoni" is rarest,
        // and "poist*" would pass with "poistakaa".
        assert_eq!(
            compile("(poist*|delete) ~ (poistakaa|tietoni) ~ data")
                .unwrap()
                .triggers,
            [
                vec!["poistakaa", "tietoni"],
                vec!["data"],
                vec!["delete", "poist*"]
            ]
        );
    }

    #[test]
    fn frequent_words_are_sorted_and_a_stem_counts_its_words() {
        let words = &FREQUENT.words;
        assert!(words.len() > 1000);
        assert!(words.windows(2).all(|pair| pair[0] < pair[1]));
        let stem = FREQUENT.of(("tieto", true));
        assert!(stem > FREQUENT.of(("tietoni", false)));
        assert!(stem > FREQUENT.of(("tietoja", false)));
        assert_eq!(FREQUENT.of(("qqqzzq", false)), 1);
        assert!(FREQUENT.of(("my", false)) > 1000);
    }

    #[test]
    fn bad_patterns_say_where() {
        assert_eq!(compile("(a|b").unwrap_err().message, "unclosed group");
        assert!(compile("~ a").is_err());
        assert!(compile("Tieto").is_err());
        assert!(compile("tietö").is_err());
        assert!(compile("a)").is_err());
    }
}
