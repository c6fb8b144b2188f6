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

#[derive(Debug, Clone, PartialEq)]
enum Item {
    Word { text: String, stem: bool },
    Group(Vec<Vec<Node>>),
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Item { item: Item, optional: bool },
    Gap { words: u8, wide: bool },
}

struct Parser<'a> {
    source: &'a str,
    chars: Vec<char>,
    position: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> PatternError {
        PatternError {
            pattern: self.source.to_string(),
            position: self.position,
            message: message.to_string(),
        }
    }

    fn skip_spaces(&mut self) {
        while self
            .chars
            .get(self.position)
            .is_some_and(|c| c.is_whitespace())
        {
            self.position += 1;
        }
    }

    /// A sequence up to `)`, `|` or the end.
    fn sequence(&mut self) -> Result<Vec<Node>, PatternError> {
        let mut nodes = Vec::new();
        loop {
            self.skip_spaces();
            match self.chars.get(self.position) {
                None | Some(')') | Some('|') => break,
                Some('~') => {
                    self.position += 1;
                    let wide = self.chars.get(self.position) == Some(&'~');
                    if wide {
                        self.position += 1;
                    }
                    let mut digits = String::new();
                    while let Some(c) = self.chars.get(self.position).filter(|c| c.is_ascii_digit())
                    {
                        digits.push(*c);
                        self.position += 1;
                    }
                    let words = if digits.is_empty() {
                        if wide { 8 } else { 4 }
                    } else {
                        digits.parse().map_err(|_| self.error("gap too long"))?
                    };
                    nodes.push(Node::Gap { words, wide });
                }
                Some('(') => {
                    self.position += 1;
                    let mut alternatives = vec![self.sequence()?];
                    while self.chars.get(self.position) == Some(&'|') {
                        self.position += 1;
                        alternatives.push(self.sequence()?);
                    }
                    if self.chars.get(self.position) != Some(&')') {
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
                    let mut text = String::new();
                    while let Some(c) = self
                        .chars
                        .get(self.position)
                        .filter(|c| c.is_ascii_alphanumeric() || **c == '\'' || **c == '-')
                    {
                        text.push(*c);
                        self.position += 1;
                    }
                    if text.is_empty() {
                        let found = self.chars.get(self.position).copied().unwrap_or(' ');
                        return Err(self.error(&format!(
                            "unexpected {found:?} (patterns are lowercase ASCII)"
                        )));
                    }
                    if text.chars().any(|c| c.is_ascii_uppercase()) {
                        return Err(self.error(
                            "uppercase letter (patterns are matched against lowercase text)",
                        ));
                    }
                    let stem = self.chars.get(self.position) == Some(&'*');
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
        let optional = self.chars.get(self.position) == Some(&'?');
        if optional {
            self.position += 1;
        }
        optional
    }
}

/// A pattern compiled: its regex, and up to two sets of trigger words such that every match
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
        chars: source.chars().collect(),
        position: 0,
    };
    let nodes = parser.sequence()?;
    if parser.position < parser.chars.len() {
        return Err(parser.error("unbalanced ')' or '|'"));
    }
    if nodes.is_empty() {
        return Err(parser.error("empty pattern"));
    }
    let mut regex = String::new();
    emit_sequence(&nodes, &mut regex);
    let mut sets = mandatory_sets(&nodes);
    sets.sort_by_cached_key(|set| std::cmp::Reverse(rarity(set)));
    sets.truncate(2);
    let triggers = sets
        .into_iter()
        .map(|mut set| {
            set.sort();
            set.dedup();
            set
        })
        .collect();
    Ok(Compiled { regex, triggers })
}

/// For each item a match of `nodes` must contain, the words it can be.
fn mandatory_sets(nodes: &[Node]) -> Vec<Vec<String>> {
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

fn literals_of(item: &Item) -> Vec<String> {
    match item {
        Item::Word { text, stem: true } => vec![format!("{text}*")],
        Item::Word { text, stem: false } => vec![text.clone()],
        Item::Group(alternatives) => alternatives
            .iter()
            .flat_map(|alternative| required_literals(alternative))
            .collect(),
    }
}

/// Words so frequent that a pre-filter on them would let almost every sentence through.
/// In byte order, for a binary search (a test checks).
const COMMON: &[&str] = &[
    "a", "all", "an", "and", "att", "av", "det", "do", "ei", "en", "etta", "for", "i", "in",
    "inte", "is", "it", "ja", "jag", "me", "mig", "min", "mina", "minun", "mun", "my", "ne", "ni",
    "no", "not", "och", "of", "om", "on", "or", "pa", "se", "te", "the", "to", "you", "your",
];

/// A set of literals one of which occurs in every match: for the mandatory item whose words
/// are rarest, all the words it can be. Matching starts only where one of them occurs.
fn required_literals(nodes: &[Node]) -> Vec<String> {
    mandatory_sets(nodes)
        .into_iter()
        .max_by_key(|set| rarity(set))
        .unwrap_or_default()
}

/// Higher is rarer: common words are worst, then the shortest word decides, then fewer words.
fn rarity(literals: &[String]) -> (bool, usize, std::cmp::Reverse<usize>) {
    let has_common = literals
        .iter()
        .any(|word| COMMON.binary_search(&word.trim_end_matches('*')).is_ok());
    let shortest = literals
        .iter()
        .map(|word| word.trim_end_matches('*').len())
        .min()
        .unwrap_or(0);
    (
        !has_common,
        shortest.min(6),
        std::cmp::Reverse(literals.len()),
    )
}

fn emit_item(item: &Item, out: &mut String) {
    match item {
        Item::Word { text, stem } => {
            out.push_str(r"\b");
            out.push_str(&regex_syntax_escape(text));
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

/// Emits a sequence: adjacent items joined by a separator, gaps by up to N words.
fn emit_sequence(nodes: &[Node], out: &mut String) {
    let mut at_start = true;
    let mut pending_gap: Option<String> = None;
    for node in nodes {
        match node {
            Node::Gap { words, wide } => {
                let sep = if *wide { SEP_WIDE } else { SEP };
                pending_gap = Some(format!("{sep}(?:{WORD}{sep}){{0,{words}}}"));
            }
            Node::Item { item, optional } => {
                let mut piece = String::new();
                emit_item(item, &mut piece);
                if at_start {
                    if *optional {
                        // An optional first word carries its own separator.
                        let _ = write!(out, "(?:{piece}{SEP})?");
                    } else {
                        out.push_str(&piece);
                        at_start = false;
                    }
                    continue;
                }
                let join = pending_gap.take().unwrap_or_else(|| SEP.to_string());
                if *optional {
                    // The optional word takes its separator with it; the next word still
                    // needs one from what came before.
                    let _ = write!(out, "(?:{join}{piece})?");
                    pending_gap = Some(join);
                } else {
                    out.push_str(&join);
                    out.push_str(&piece);
                }
            }
        }
    }
}

fn regex_syntax_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c == '-' || c == '\'' {
            out.push('\\');
        }
        out.push(c);
    }
    out
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
        let triggers = |pattern: &str| compile(pattern).unwrap().triggers;
        assert_eq!(
            triggers("(delete|remove) my? account"),
            [vec!["account"], vec!["delete", "remove"]]
        );
        assert_eq!(
            triggers("poist* ~ (tieto*|tili)"),
            [vec!["poist*"], vec!["tieto*", "tili"]]
        );
        assert_eq!(
            triggers("my? new (address|name)"),
            [vec!["address", "name"], vec!["new"]]
        );
        assert_eq!(triggers("(i|we) object"), [vec!["object"], vec!["i", "we"]]);
        assert_eq!(triggers("((a|b) cc|d) e"), [vec!["e"], vec!["cc", "d"]]);
        assert_eq!(triggers("unsubscribe"), [vec!["unsubscribe"]]);
    }

    #[test]
    fn common_words_are_sorted_for_binary_search() {
        assert!(COMMON.windows(2).all(|pair| pair[0] < pair[1]));
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
