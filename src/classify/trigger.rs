//! Finding which patterns can match a sentence, by the words in it.
//!
//! Every pattern names one or two sets of trigger words; each of its matches holds a word
//! of every set (see `pattern::Compiled::triggers`). A trie of all trigger words is walked
//! from every word start in the sentence, so a sentence costs a handful of trie steps per
//! word, and only the patterns whose every trigger set is present are run as regexes.

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

fn slot(byte: u8) -> Option<usize> {
    match byte {
        b'a'..=b'z' => Some(usize::from(byte - b'a')),
        b'0'..=b'9' => Some(26 + usize::from(byte - b'0')),
        b'_' => Some(36),
        b'\'' => Some(37),
        b'-' => Some(38),
        _ => None,
    }
}

struct Node {
    /// Child node per alphabet slot; 0 is "none" (the root is never a child).
    children: [u32; ALPHABET],
    /// Patterns triggered by a word starting with the path to this node.
    stem: Vec<u32>,
    /// Patterns triggered by a whole word equal to the path to this node.
    exact: Vec<u32>,
}

impl Default for Node {
    fn default() -> Self {
        Node {
            children: [0; ALPHABET],
            stem: Vec::new(),
            exact: Vec::new(),
        }
    }
}

thread_local! {
    /// Which trigger sets the current sentence holds: key `2p + s` is marked when set `s` of
    /// pattern `p` has a word in it. One per thread, shared by every index: each call starts
    /// a new pass, so no mark of an earlier call (or index) counts.
    static SEEN: std::cell::RefCell<Stamps> = std::cell::RefCell::new(Stamps::default());
}

pub struct TriggerIndex {
    nodes: Vec<Node>,
    /// How many trigger sets each pattern has (1 or 2).
    sets: Vec<u8>,
}

impl TriggerIndex {
    /// Indexes `triggers[pattern]`: up to two sets of words, each a word or a stem ending
    /// in `*`.
    pub fn new(triggers: &[Vec<Vec<String>>]) -> TriggerIndex {
        let mut index = TriggerIndex {
            nodes: vec![Node::default()],
            sets: Vec::new(),
        };
        for (pattern, sets) in triggers.iter().enumerate() {
            index.sets.push(sets.len().min(2) as u8);
            for (set, word) in sets
                .iter()
                .take(2)
                .enumerate()
                .flat_map(|(set, words)| words.iter().map(move |w| (set, w)))
            {
                // Set `s` of pattern `p` is key 2p + s.
                let key = (pattern * 2 + set) as u32;
                let (text, stem) = match word.strip_suffix('*') {
                    Some(text) => (text, true),
                    None => (word.as_str(), false),
                };
                let node = index.insert(text.as_bytes());
                let list = if stem {
                    &mut index.nodes[node].stem
                } else {
                    &mut index.nodes[node].exact
                };
                list.push(key);
            }
        }
        index
    }

    fn insert(&mut self, key: &[u8]) -> usize {
        let mut node = 0;
        for &byte in key {
            // The pattern language admits only these bytes in words.
            let Some(slot) = slot(byte) else { continue };
            node = match self.nodes[node].children[slot] {
                0 => {
                    self.nodes.push(Node::default());
                    let child = self.nodes.len() - 1;
                    self.nodes[node].children[slot] = child as u32;
                    child
                }
                child => child as usize,
            };
        }
        node
    }

    fn child(&self, node: usize, byte: u8) -> Option<usize> {
        match self.nodes[node].children[slot(byte)?] {
            0 => None,
            child => Some(child as usize),
        }
    }

    /// Adds to `out`, once each and in order, every pattern all of whose trigger sets have a
    /// word in `sentence` (folded text).
    ///
    /// A frequent word ("my", "please") is the second trigger of many patterns, so a
    /// sentence yields many keys: each is marked in the thread's [`Stamps`] (a new pass per
    /// call, so nothing is cleared between sentences) and a pattern is
    /// added the moment its last set is marked, instead of sorting every key.
    pub fn candidates(&self, sentence: &[u8], out: &mut Vec<usize>) {
        SEEN.with_borrow_mut(|seen| self.candidates_with(sentence, seen, out));
    }

    fn candidates_with(&self, sentence: &[u8], seen: &mut Stamps, out: &mut Vec<usize>) {
        seen.begin(self.sets.len() * 2);
        let first = out.len();
        self.keys(sentence, |key| {
            let key = key as usize;
            if !seen.mark(key) {
                return;
            }
            let pattern = key / 2;
            if self.sets[pattern] <= 1 || seen.is_marked(key ^ 1) {
                out.push(pattern);
            }
        });
        out[first..].sort_unstable();
    }

    fn keys(&self, sentence: &[u8], mut found: impl FnMut(u32)) {
        let mut in_word = false;
        for (start, &byte) in sentence.iter().enumerate() {
            let word_start = is_word_byte(byte) && !in_word;
            in_word = is_word_byte(byte);
            if !word_start {
                continue;
            }
            let Some(first) = self.child(0, byte) else {
                continue;
            };
            let mut node = first;
            let mut position = start + 1;
            loop {
                let here = &self.nodes[node];
                here.stem.iter().for_each(|&key| found(key));
                if !here.exact.is_empty()
                    && sentence.get(position).is_none_or(|&b| !is_word_byte(b))
                {
                    here.exact.iter().for_each(|&key| found(key));
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(triggers: &[&[&[&str]]], sentence: &str) -> Vec<usize> {
        let owned: Vec<Vec<Vec<String>>> = triggers
            .iter()
            .map(|sets| {
                sets.iter()
                    .map(|set| set.iter().map(|w| w.to_string()).collect())
                    .collect()
            })
            .collect();
        let mut out = Vec::new();
        TriggerIndex::new(&owned).candidates(sentence.as_bytes(), &mut out);
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
