//! Finding which patterns can match a sentence, by the words in it.
//!
//! Every pattern names up to three sets of trigger words; each of its matches holds a word
//! of every set (see `pattern::Compiled::triggers`). A trie of all trigger words is walked
//! from every word start in the sentence, so a sentence costs a handful of trie steps per
//! word, and only the patterns whose every trigger set is present are run as regexes.
//!
//! A pattern's first set holds its rarest words, the others often frequent ones ("my",
//! "please", "want"), each in the sets of hundreds of patterns. So a word of a first set
//! names its patterns, while a word of a later set names only itself (a *literal*): a
//! pattern found by its first set is kept when each later set has a literal in the sentence
//! too. A second set too long to check word by word (over [`LONG_SET`] words) is marked
//! per pattern by its words' keys instead.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::atomic::{AtomicU64, Ordering};

use super::rules::WordHasher;
use super::stamps::Stamps;

/// The bytes that make up a word for the regex engine's `\b`, as a table: every byte of
/// every sentence is looked up.
static WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_';
        byte += 1;
    }
    table
};

fn is_word_byte(byte: u8) -> bool {
    WORD_BYTES[usize::from(byte)]
}

/// Trigger words use these 39 bytes; each node has a child slot for each.
const ALPHABET: usize = 39;

/// The alphabet's bytes in byte order: a node's children are laid out so.
const BY_BYTE: [u8; ALPHABET] = *b"'-0123456789_abcdefghijklmnopqrstuvwxyz";

/// Whether trigger words are made of `byte` (the trie's alphabet).
pub(super) fn is_trigger_byte(byte: u8) -> bool {
    slot(byte).is_some()
}

/// Each byte's child slot, [`NO_SLOT`] for a byte no trigger word holds: a table, since
/// every byte of a word is looked up.
static SLOTS: [u8; 256] = {
    let mut table = [NO_SLOT; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = match b {
            b'a'..=b'z' => b - b'a',
            b'0'..=b'9' => 26 + b - b'0',
            b'_' => 36,
            b'\'' => 37,
            b'-' => 38,
            _ => NO_SLOT,
        };
        byte += 1;
    }
    table
};

const NO_SLOT: u8 = u8::MAX;

fn slot(byte: u8) -> Option<usize> {
    match SLOTS[usize::from(byte)] {
        NO_SLOT => None,
        slot => Some(usize::from(slot)),
    }
}

/// A trie node while the index is built: a child slot per alphabet byte.
struct Building {
    /// Child node per alphabet slot; 0 is "none" (the root is never a child).
    children: [u32; ALPHABET],
    /// Patterns triggered by a word starting with the path to this node.
    stem: Vec<u32>,
    /// Patterns triggered by a whole word equal to the path to this node.
    exact: Vec<u32>,
}

impl Default for Building {
    fn default() -> Self {
        Building {
            children: [0; ALPHABET],
            stem: Vec::new(),
            exact: Vec::new(),
        }
    }
}

/// A trie node as it is walked: 20 bytes, its edges and keys in the index's flat arrays.
/// Most nodes have one child, and the nodes are numbered depth first, so walking a word
/// reads consecutive memory; the 23,000 nodes of the embedded rules take 460 KB where a
/// slot per alphabet byte took 4.8 MB, which missed the cache at every step.
#[derive(Clone, Copy, Default)]
struct Node {
    /// Where this node's edges start in `labels` and `targets`, or, with [`DENSE`] edges
    /// or more, its row of `dense`.
    edges: u32,
    /// Where its keys start in `keys`: the stem keys, then the exact ones.
    keys: u32,
    stem: u32,
    exact: u32,
    edge_count: u8,
    /// The byte of the first edge, whose node is the next one: a word walks consecutive
    /// nodes without reading the edge arrays.
    first: u8,
}

thread_local! {
    /// What the current sentence holds: item `p` is marked when pattern `p`'s first set has
    /// a word in it, item `patterns + l` when literal `l` is in it. One per thread, shared
    /// by every index: each call starts a new pass, so no mark of an earlier call (or
    /// index) counts.
    static SEEN: std::cell::RefCell<Stamps> = std::cell::RefCell::new(Stamps::default());
}

/// The keys a run of word bytes walked to, remembered per thread and index: a mail's words
/// are mostly the same few hundred ("my", "data", "och", "tiedot"), and a walk down the
/// trie is a chain of dependent loads where a remembered run is one lookup.
struct Memo {
    /// Which index the runs were walked in ([`TriggerIndex::id`]).
    index: u64,
    /// A run packed as a detection word is (at most 15 bytes), with 1 in its top byte when
    /// a word byte follows it: each run's range in `keys`.
    runs: HashMap<u128, (u32, u32), BuildHasherDefault<WordHasher>>,
    keys: Vec<u32>,
}

/// Runs remembered per index before the memo starts again: bounds its memory whatever
/// the mail.
const MEMO_RUNS: usize = 1 << 14;

/// Indexes a thread remembers runs for: a classifier has three.
const MEMO_INDEXES: usize = 6;

thread_local! {
    static MEMOS: std::cell::RefCell<Vec<Memo>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Gives each index its own number, for its memo.
static NEXT_INDEX: AtomicU64 = AtomicU64::new(0);

/// A key with this bit is a literal of later sets (its number below the bit); with neither
/// bit, a pattern found by a word of its first set.
const LITERAL: u32 = 1 << 31;

/// A key with this bit is a pattern found by a word of its second set: for a second set of
/// more than [`LONG_SET`] words, which a scan of its literals would cost more than the
/// keys of its words.
const SECOND: u32 = 1 << 30;

/// Sets of more words are not checked literal by literal (see [`SECOND`]).
pub(super) const LONG_SET: usize = 24;

/// A pattern's second set that is marked by its words' keys ([`SECOND`]).
const MARKED_SET: (u32, u32) = (u32::MAX, u32::MAX);

/// No such set: nothing to check.
const NO_SET: (u32, u32) = (0, 0);

pub struct TriggerIndex {
    id: u64,
    nodes: Vec<Node>,
    /// Each edge's byte and the node it leads to, a sparse node's edges together.
    labels: Vec<u8>,
    targets: Vec<u32>,
    keys: Vec<u32>,
    /// The root's child for each byte (0: none): every word start looks it up.
    root: [u32; 256],
    /// A child per alphabet slot (0: none) for each node of [`DENSE`] edges or more, as
    /// the nodes of a word's first letters have: a lookup, where a scan of their labels
    /// mispredicted at every step.
    dense: Vec<[u32; ALPHABET]>,
    /// For each pattern, its second and third sets: each the range of `filters` holding
    /// its literals, or [`MARKED_SET`], or [`NO_SET`].
    filters_of: Vec<[(u32, u32); 2]>,
    filters: Vec<u32>,
    /// How many literals there are: they are marked after the patterns, in one [`Stamps`].
    literals: usize,
}

/// Nodes with this many edges or more find a child by its slot.
const DENSE: usize = 4;

/// Adds the path of `key` to the trie being built; returns its last node.
fn insert(nodes: &mut Vec<Building>, key: &[u8]) -> usize {
    let mut node = 0;
    for &byte in key {
        // The pattern language admits only these bytes in words.
        let Some(slot) = slot(byte) else { continue };
        node = match nodes[node].children[slot] {
            0 => {
                nodes.push(Building::default());
                let child = nodes.len() - 1;
                nodes[node].children[slot] = child as u32;
                child
            }
            child => child as usize,
        };
    }
    node
}

impl TriggerIndex {
    /// Indexes `triggers[pattern]`: up to three sets of words, each a word or a stem ending
    /// in `*`, the rarest first.
    pub fn new(triggers: &[Vec<Vec<String>>]) -> TriggerIndex {
        let mut nodes = vec![Building::default()];
        // Each literal, by its node and whether it is a stem.
        let mut literals: HashMap<(usize, bool), u32> = HashMap::new();
        let mut filters_of = Vec::with_capacity(triggers.len());
        let mut filters = Vec::new();
        for (pattern, sets) in triggers.iter().enumerate() {
            let mut ranges = [NO_SET; 2];
            for (set, words) in sets.iter().take(3).enumerate() {
                // A long second set is marked by its words' keys; a third is short (see
                // `pattern::trigger_sets`), else left out: there is one mark per pattern.
                let long = words.len() > LONG_SET;
                if set == 2 && long {
                    continue;
                }
                let from = filters.len() as u32;
                for word in words {
                    let (text, stem) = match word.strip_suffix('*') {
                        Some(text) => (text, true),
                        None => (word.as_str(), false),
                    };
                    let node = insert(&mut nodes, text.as_bytes());
                    let key = if set == 0 {
                        pattern as u32
                    } else if long {
                        SECOND | pattern as u32
                    } else {
                        let next = literals.len() as u32;
                        let literal = *literals.entry((node, stem)).or_insert(next);
                        filters.push(literal);
                        if literal != next {
                            continue;
                        }
                        LITERAL | literal
                    };
                    let list = if stem {
                        &mut nodes[node].stem
                    } else {
                        &mut nodes[node].exact
                    };
                    list.push(key);
                }
                if set > 0 {
                    ranges[set - 1] = if long {
                        MARKED_SET
                    } else {
                        (from, filters.len() as u32)
                    };
                }
            }
            filters_of.push(ranges);
        }
        let mut index = TriggerIndex {
            id: NEXT_INDEX.fetch_add(1, Ordering::Relaxed),
            nodes: Vec::with_capacity(nodes.len()),
            labels: Vec::with_capacity(nodes.len()),
            targets: Vec::with_capacity(nodes.len()),
            keys: Vec::new(),
            root: [0; 256],
            dense: Vec::new(),
            filters_of,
            filters,
            literals: literals.len(),
        };
        index.freeze(&nodes);
        index
    }

    /// Lays the built trie out depth first, children in byte order, so a node's first
    /// child is the next node.
    fn freeze(&mut self, built: &[Building]) {
        // (built node, the edge that leads to it): the first child is popped next.
        let mut stack = vec![(0usize, None::<(u32, u8, usize)>)];
        // A node's children, in byte order (one buffer for all: 23,000 nodes).
        let mut children: Vec<(u8, usize)> = Vec::with_capacity(ALPHABET);
        while let Some((from, edge)) = stack.pop() {
            let number = self.nodes.len() as u32;
            if let Some((parent, byte, edge)) = edge {
                let parent: Node = self.nodes[parent as usize];
                if usize::from(parent.edge_count) < DENSE {
                    self.targets[edge] = number;
                } else if let Some(slot) = slot(byte) {
                    self.dense[parent.edges as usize][slot] = number;
                }
            }
            let node = &built[from];
            children.clear();
            children.extend(
                BY_BYTE
                    .iter()
                    .filter_map(|&byte| Some((byte, node.children[slot(byte)?] as usize)))
                    .filter(|&(_, child)| child != 0),
            );
            // A dense node's children are found by slot, a sparse one's by its edges.
            let dense = children.len() >= DENSE;
            let edges = if dense {
                self.dense.push([0; ALPHABET]);
                self.dense.len() - 1
            } else {
                self.labels.len()
            };
            self.nodes.push(Node {
                edges: edges as u32,
                keys: self.keys.len() as u32,
                stem: node.stem.len() as u32,
                exact: node.exact.len() as u32,
                edge_count: children.len() as u8,
                first: children.first().map_or(0, |&(byte, _)| byte),
            });
            self.keys.extend(&node.stem);
            self.keys.extend(&node.exact);
            if !dense {
                for &(byte, _) in &children {
                    self.labels.push(byte);
                    self.targets.push(0);
                }
            }
            // The edge's place in `targets` (a dense parent's child goes in its slot).
            for (offset, &(byte, child)) in children.iter().enumerate().rev() {
                stack.push((child, Some((number, byte, edges + offset))));
            }
        }
        for byte in BY_BYTE {
            if let Some(child) = self.child(0, byte) {
                self.root[usize::from(byte)] = child as u32;
            }
        }
    }

    /// The root's child for `byte`: every word start asks.
    fn first(&self, byte: u8) -> Option<usize> {
        match self.root[usize::from(byte)] {
            0 => None,
            child => Some(child as usize),
        }
    }

    fn child(&self, node: usize, byte: u8) -> Option<usize> {
        let here = self.nodes[node];
        if here.edge_count == 0 {
            return None;
        }
        if here.first == byte {
            return Some(node + 1);
        }
        if usize::from(here.edge_count) >= DENSE {
            return match self.dense[here.edges as usize][slot(byte)?] {
                0 => None,
                child => Some(child as usize),
            };
        }
        // The first edge is settled; the rest are in byte order.
        let start = here.edges as usize + 1;
        let end = here.edges as usize + usize::from(here.edge_count);
        self.labels[start..end]
            .iter()
            .position(|&label| label == byte)
            .map(|at| self.targets[start + at] as usize)
    }

    /// Adds to `out`, once each and in order, every pattern all of whose trigger sets have a
    /// word in `sentence` (folded text).
    ///
    /// The patterns found by their first set, those whose long second set was seen, and
    /// the literals seen are marked in the thread's [`Stamps`] (a new pass per call, so
    /// nothing is cleared between sentences). Then a pattern found by its first set stays
    /// if each of its other sets is marked or has a literal marked.
    pub fn candidates(&self, sentence: &[u8], out: &mut Vec<usize>) {
        SEEN.with_borrow_mut(|seen| self.candidates_with(sentence, seen, out));
    }

    fn candidates_with(&self, sentence: &[u8], seen: &mut Stamps, out: &mut Vec<usize>) {
        let patterns = self.filters_of.len();
        let literals = 2 * patterns;
        seen.begin(literals + self.literals);
        let first = out.len();
        self.keys(sentence, |key| {
            if key & LITERAL != 0 {
                seen.mark(literals + (key & !LITERAL) as usize);
            } else if key & SECOND != 0 {
                seen.mark(patterns + (key & !SECOND) as usize);
            } else if seen.mark(key as usize) {
                out.push(key as usize);
            }
        });
        let mut kept = first;
        for at in first..out.len() {
            let pattern = out[at];
            let present = |&set: &(u32, u32)| {
                set == NO_SET
                    || if set == MARKED_SET {
                        seen.is_marked(patterns + pattern)
                    } else {
                        self.filters[set.0 as usize..set.1 as usize]
                            .iter()
                            .any(|&literal| seen.is_marked(literals + literal as usize))
                    }
            };
            if self.filters_of[pattern].iter().all(present) {
                out[kept] = pattern;
                kept += 1;
            }
        }
        out.truncate(kept);
        out[first..].sort_unstable();
    }

    fn keys(&self, sentence: &[u8], mut found: impl FnMut(u32)) {
        MEMOS.with_borrow_mut(|memos| {
            let at = match memos.iter().position(|memo| memo.index == self.id) {
                Some(at) => at,
                None => {
                    if memos.len() >= MEMO_INDEXES {
                        memos.remove(0);
                    }
                    memos.push(Memo {
                        index: self.id,
                        runs: HashMap::default(),
                        keys: Vec::new(),
                    });
                    memos.len() - 1
                }
            };
            let memo = &mut memos[at];
            let mut at = 0;
            while at < sentence.len() {
                let byte = sentence[at];
                if !is_word_byte(byte) {
                    at += 1;
                    continue;
                }
                // A word starts here: the next start is after its last word byte.
                let start = at;
                at += 1;
                while sentence.get(at).is_some_and(|&b| is_word_byte(b)) {
                    at += 1;
                }
                if self.first(byte).is_none() {
                    continue;
                }
                let Some(run) = run_key(&sentence[start..]) else {
                    self.walk(sentence, start, &mut found);
                    continue;
                };
                if let Some(&(from, to)) = memo.runs.get(&run) {
                    memo.keys[from as usize..to as usize]
                        .iter()
                        .for_each(|&key| found(key));
                    continue;
                }
                if memo.runs.len() >= MEMO_RUNS {
                    memo.runs.clear();
                    memo.keys.clear();
                }
                let from = memo.keys.len() as u32;
                self.walk(sentence, start, &mut |key| {
                    memo.keys.push(key);
                    found(key);
                });
                memo.runs.insert(run, (from, memo.keys.len() as u32));
            }
        });
    }

    /// Walks the trie from the word starting at `start`, calling `found` with the keys of
    /// every trigger word it starts with or is.
    fn walk(&self, sentence: &[u8], start: usize, found: &mut impl FnMut(u32)) {
        let Some(mut node) = self.first(sentence[start]) else {
            return;
        };
        let mut position = start + 1;
        loop {
            let here = self.nodes[node];
            let keys = here.keys as usize;
            let stems = keys + here.stem as usize;
            self.keys[keys..stems].iter().for_each(|&key| found(key));
            if here.exact != 0 && sentence.get(position).is_none_or(|&b| !is_word_byte(b)) {
                let exact = stems + here.exact as usize;
                self.keys[stems..exact].iter().for_each(|&key| found(key));
            }
            let Some(&byte) = sentence.get(position) else {
                break;
            };
            match self.child(node, byte) {
                Some(child) => {
                    node = child;
                    position += 1;
                }
                None => break,
            }
        }
    }
}

/// What a walk from the start of `text` depends on: the run of bytes trigger words are
/// made of (a walk never leaves it) packed little-endian, with 1 in the top byte when a
/// word byte follows the run (which decides whether its last word is whole). `None` for a
/// run of 16 bytes or more, which is walked every time.
fn run_key(text: &[u8]) -> Option<u128> {
    let mut key = 0u128;
    for (length, &byte) in text.iter().enumerate() {
        if slot(byte).is_none() {
            let word_follows = u128::from(is_word_byte(byte));
            return Some(key | (word_follows << 120));
        }
        if length == 15 {
            return None;
        }
        key |= u128::from(byte) << (8 * length);
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index of `triggers[pattern]`, each up to two sets of words.
    fn index_of(triggers: &[&[&[&str]]]) -> TriggerIndex {
        let owned: Vec<Vec<Vec<String>>> = triggers
            .iter()
            .map(|sets| {
                sets.iter()
                    .map(|set| set.iter().map(|w| w.to_string()).collect())
                    .collect()
            })
            .collect();
        TriggerIndex::new(&owned)
    }

    fn found(triggers: &[&[&[&str]]], sentence: &str) -> Vec<usize> {
        let mut out = Vec::new();
        index_of(triggers).candidates(sentence.as_bytes(), &mut out);
        out
    }

    #[test]
    fn every_set_must_be_present() {
        let triggers: &[&[&[&str]]] = &[&[&["poist*"], &["tieto*", "tili"]]];
        assert_eq!(found(triggers, "poistakaa tietoni"), [0]);
        assert_eq!(found(triggers, "poistakaa tilaus"), Vec::<usize>::new());
        assert_eq!(found(triggers, "tili poistetaan"), [0]);
        // A set seen in the sentence before does not count in the next one.
        let owned = vec![vec![vec!["poist*".to_string()], vec!["tili".to_string()]]];
        let index = TriggerIndex::new(&owned);
        let mut out = Vec::new();
        index.candidates(b"poista tili", &mut out);
        index.candidates(b"poista tilaus", &mut out);
        index.candidates(b"tili on auki", &mut out);
        assert_eq!(out, [0]);
    }

    #[test]
    fn a_third_set_and_a_long_second_set_must_be_present_too() {
        let triggers: &[&[&[&str]]] = &[&[&["poist*"], &["tieto*"], &["kaikki", "ne"]]];
        assert_eq!(found(triggers, "poista tietoni"), Vec::<usize>::new());
        assert_eq!(found(triggers, "poista kaikki tietoni"), [0]);
        assert_eq!(found(triggers, "tietoni ne poista"), [0]);
        // A second set too long to check word by word is marked by its words' keys.
        let long: Vec<String> = (0..=LONG_SET).map(|i| format!("w{i}")).collect();
        let owned = vec![vec![
            vec!["poist*".to_string()],
            long,
            vec!["tili".to_string()],
        ]];
        let index = TriggerIndex::new(&owned);
        let found = |sentence: &str| {
            let mut out = Vec::new();
            index.candidates(sentence.as_bytes(), &mut out);
            out
        };
        assert_eq!(found("poistakaa w7 tili"), [0]);
        assert_eq!(found(&format!("w{LONG_SET} tili poista")), [0]);
        assert_eq!(found("poistakaa w7"), Vec::<usize>::new());
        assert_eq!(found("poistakaa tili"), Vec::<usize>::new());
    }

    /// Every key of every word start, walked afresh: what the memo must give.
    fn walked(index: &TriggerIndex, sentence: &[u8]) -> Vec<u32> {
        let mut keys = Vec::new();
        let mut in_word = false;
        for (start, &byte) in sentence.iter().enumerate() {
            if is_word_byte(byte) && !in_word {
                index.walk(sentence, start, &mut |key| keys.push(key));
            }
            in_word = is_word_byte(byte);
        }
        keys.sort_unstable();
        keys
    }

    #[test]
    fn the_alphabet_in_byte_order_has_every_slot_once() {
        assert!(BY_BYTE.windows(2).all(|pair| pair[0] < pair[1]));
        let mut slots: Vec<usize> = BY_BYTE.iter().filter_map(|&b| slot(b)).collect();
        slots.sort_unstable();
        assert_eq!(slots, (0..ALPHABET).collect::<Vec<_>>());
    }

    #[test]
    fn a_remembered_run_gives_the_keys_a_walk_gives() {
        let index = index_of(&[
            &[&["opt-out"], &["my"]],
            &[&["opt"]],
            &[&["don't*", "dont"]],
            &[&["kanta-asiakas*"], &["poist*"]],
            &[&["data"]],
            &[&["dat*"]],
        ]);
        // The same runs followed by an end, a space, a word byte the trie has no slot for,
        // a hyphen; a run too long to remember; each sentence twice, the second time from
        // the memo.
        let sentences: [&[u8]; 9] = [
            b"opt-out my data",
            b"opt-outs of dataX dataset",
            b"dont don't dontX kanta-asiakasohjelma poista",
            b"data",
            b"dataA data-",
            b"data_base data' my",
            b"datadatadatadatadata data",
            b"kanta-asiakasohjelmastani poistakaa",
            b"\xc3data \x80opt-out",
        ];
        for _ in 0..2 {
            for sentence in sentences {
                let mut remembered = Vec::new();
                index.keys(sentence, |key| remembered.push(key));
                remembered.sort_unstable();
                assert_eq!(
                    remembered,
                    walked(&index, sentence),
                    "{}",
                    String::from_utf8_lossy(sentence)
                );
            }
        }
        // A run is remembered per index: another index's keys for it are its own.
        let other = index_of(&[&[&["data"]]]);
        let mut keys = Vec::new();
        other.keys(b"data", |key| keys.push(key));
        assert_eq!(keys, [0]);
    }

    #[test]
    fn stems_match_word_starts_and_words_match_whole_words() {
        let triggers: &[&[&[&str]]] = &[
            &[&["poist*"]],
            &[&["on"]],
            &[&["opt-out"]],
            &[&["kanta-asiakas*"]],
        ];
        assert_eq!(found(triggers, "voisitteko poistaa tiedot"), [0]);
        assert_eq!(found(triggers, "information"), Vec::<usize>::new());
        assert_eq!(found(triggers, "epapoistaa"), Vec::<usize>::new());
        assert_eq!(found(triggers, "click on opt-out"), [1, 2]);
        assert_eq!(found(triggers, "eroan kanta-asiakasohjelmasta"), [3]);
    }
}
