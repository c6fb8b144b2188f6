//! Finds the text the sender wrote this time, apart from what they quoted.
//!
//! A request is judged by its new text only: a reply that quotes our acknowledgement, or an
//! earlier request, must not count twice. Mail clients mark history in a handful of ways:
//! `>` lines, an attribution line ("On … wrote:", "… kirjoitti:", "… skrev:"), an Outlook
//! header block ("From:/Lähettäjä:/Från:" followed by "Sent:/To:/Subject:" in the same
//! language), separator lines, and signatures ("-- ", "Sent from my iPhone").

/// Attribution lines end with one of these (Gmail, Apple Mail, Thunderbird in en/fi/sv).
const ATTRIBUTION_ENDINGS: &[&str] = &["wrote:", "kirjoitti:", "skrev:", "schrieb:", "a écrit :"];

/// Lines that start a forwarded or original message block.
const SEPARATORS: &[&str] = &[
    "-----original message-----",
    "-----alkuperäinen viesti-----",
    "-----ursprungligt meddelande-----",
    "---------- forwarded message",
    "---------- välitetty viesti",
    "---------- vidarebefordrat meddelande",
    "begin forwarded message:",
];

/// First lines of an Outlook header block, and the lines that confirm one.
const OUTLOOK_FROM: &[&str] = &["from:", "lähettäjä:", "från:", "fra:"];
const OUTLOOK_FOLLOWERS: &[&str] = &[
    "sent:",
    "date:",
    "to:",
    "subject:",
    "cc:",
    "lähetetty:",
    "päivämäärä:",
    "vastaanottaja:",
    "aihe:",
    "skickat:",
    "datum:",
    "till:",
    "ämne:",
    "kopia:",
];

/// Phone and webmail footers, taken as the start of a signature when short.
const DEVICE_FOOTERS: &[&str] = &[
    "sent from my",
    "sent from outlook",
    "get outlook for",
    "lähetetty iphonesta",
    "lähetetty android",
    "lähetetty laitteesta",
    "lähetetty mobiili",
    "lähetetty outlook",
    "skickat från min",
    "skickat från outlook",
    "hämta outlook för",
];

/// The new text of `text`: everything before the first mark of quoted history or
/// signature, with `>` lines dropped and surrounding blank lines trimmed.
pub fn new_text(text: &str) -> String {
    cut(text, true)
}

/// The text the sender wrote this time with their signature kept: quoted history and `>`
/// lines removed. Signatures are where people put their phone number and postal address,
/// which finding them in the register needs.
pub fn own_text(text: &str) -> String {
    cut(text, false)
}

/// What `own_text` leaves out: the quoted history (from its first mark on) and the `>`
/// lines before it, so a person can read the two apart.
pub fn quoted_text(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let end = history_start(&lines, false);
    joined(
        lines[..end]
            .iter()
            .copied()
            .filter(|line| is_quoted(line))
            .chain(lines[end..].iter().copied()),
    )
}

/// The questions of ours the sender answered between the quoted lines ("> Would you like a
/// copy of your data?" / "Yes please."), each with the answer written under it, before the
/// quoted history proper begins. What the answer agrees to is in the question, which the
/// new text leaves out.
pub fn answered_questions(text: &str) -> Vec<(String, String)> {
    // Every mail is classified; most have no question mark ending a line to look at.
    if !text.contains("?\n") && !text.contains("?\r\n") {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let end = history_start(&lines, false);
    question_blocks(&lines, end)
        .into_iter()
        .map(|(first, last, answer_end)| {
            let question: Vec<&str> = lines[first..=last].iter().map(|l| unquote(l)).collect();
            let answer: Vec<&str> = lines[last + 1..answer_end]
                .iter()
                .map(|l| l.trim())
                .collect();
            (question.join(" "), answer.join(" "))
        })
        .collect()
}

/// The own text with the quoted questions the sender answered kept above their answers, as
/// a person should read it ("> Would you like a copy of your data?" / "Yes please.").
pub fn own_text_with_questions(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let end = history_start(&lines, false);
    let blocks = question_blocks(&lines, end);
    let asked = |index: usize| {
        blocks
            .iter()
            .any(|&(first, last, _)| (first..=last).contains(&index))
    };
    joined(
        lines[..end]
            .iter()
            .enumerate()
            .filter(|&(index, line)| !is_quoted(line) || asked(index))
            .map(|(_, line)| *line),
    )
}

fn is_quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

/// A quoted line's text, without its `>` marks.
fn unquote(line: &str) -> &str {
    line.trim_start().trim_start_matches(['>', ' ']).trim()
}

/// Each quoted question answered below it, before the quoted history starts at `end`: the
/// line range of the question (it may be wrapped over several quoted lines) and where its
/// answer ends.
fn question_blocks(lines: &[&str], end: usize) -> Vec<(usize, usize, usize)> {
    let mut blocks = Vec::new();
    for index in 0..end {
        if !is_quoted(lines[index]) || !unquote(lines[index]).ends_with('?') {
            continue;
        }
        let answered = lines[index + 1..end]
            .iter()
            .take_while(|line| !line.trim().is_empty() && !is_quoted(line))
            .count();
        if answered == 0 {
            continue;
        }
        let first = lines[..index]
            .iter()
            .rposition(|line| !is_quoted(line) || unquote(line).is_empty())
            .map_or(0, |at| at + 1);
        blocks.push((first, index, index + 1 + answered));
    }
    blocks
}

fn cut(text: &str, at_signature: bool) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let end = history_start(&lines, at_signature);
    joined(lines[..end].iter().copied().filter(|line| !is_quoted(line)))
}

/// Lines joined back into a text, with the blank lines and spaces around it trimmed.
fn joined<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let lines: Vec<&str> = lines.collect();
    lines
        .join("\n")
        .trim_matches(|c: char| c == '\n' || c == '\r' || c.is_whitespace())
        .to_string()
}

fn history_start(lines: &[&str], at_signature: bool) -> usize {
    for (index, raw) in lines.iter().enumerate() {
        let line = raw.trim();
        let lower = lower_head(line);
        let signature = raw.trim_end_matches('\r') == "-- "
            || line == "--"
            || (lower.chars().count() <= 60 && DEVICE_FOOTERS.iter().any(|s| lower.starts_with(s)));
        if signature {
            if at_signature {
                return index;
            }
            continue;
        }
        if line.len() >= 8 && line.chars().all(|c| c == '_') {
            return index;
        }
        if SEPARATORS.iter().any(|s| lower.starts_with(s)) {
            return index;
        }
        if is_attribution(&lower) {
            return index;
        }
        // Gmail wraps a long attribution: "On Mon, 5 Oct 2026 at 10:00, Name <" / "a@b> wrote:".
        if let Some(next) = lines.get(index + 1) {
            let next = lower_head(next.trim());
            let opener = ["on ", "den ", "le ", "am "]
                .iter()
                .any(|p| lower.starts_with(p))
                || lower.chars().next().is_some_and(|c| c.is_ascii_digit());
            let ends_attribution =
                ATTRIBUTION_ENDINGS.iter().any(|e| next.ends_with(e)) || is_attribution(&next);
            if opener && !line.is_empty() && ends_attribution && next.len() < 80 {
                return index;
            }
        }
        if OUTLOOK_FROM.iter().any(|s| lower.starts_with(s)) {
            let confirmed = lines[index + 1..]
                .iter()
                .take(4)
                .filter(|l| {
                    let l = lower_head(l.trim());
                    OUTLOOK_FOLLOWERS.iter().any(|f| l.starts_with(f))
                })
                .count();
            if confirmed >= 2 {
                return index;
            }
        }
        if at_signature && contact_block(lines, index) {
            return index;
        }
    }
    lines.len()
}

/// Markers of history are short lines; a long line is lowercased only as far as any
/// marker could reach, which keeps a long mail cheap to scan.
fn lower_head(line: &str) -> String {
    const MARKER_REACH: usize = 240;
    if line.len() <= MARKER_REACH {
        return line.to_lowercase();
    }
    let mut end = MARKER_REACH;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    line[..end].to_lowercase()
}

/// Whether a signature without a "-- " line starts at `lines[index]`: a block of three to
/// ten short lines after a blank one, none a sentence, one a phone number, an e-mail or a
/// web address ("Tiina Mattila / hammashoitaja / Hymy Oy / Keskuskatu 9, 28100 Pori /
/// 02 633 4400"), with nothing after it in the first person. Below it, work and club mail
/// carries a footer that recites the reader's rights ("Sinulla on oikeus tarkastaa ja
/// korjata tietosi"), which is no request. A formal letter opens with such a block
/// ("Nimi: … / Sähköposti: … / Puhelin: …") and asks below it in the first person, and
/// "My new details:" introduces data: neither is a signature.
fn contact_block(lines: &[&str], index: usize) -> bool {
    const MAX_LINE: usize = 60;
    if index < 2 || !lines[index - 1].trim().is_empty() {
        return false;
    }
    let Some(before) = lines[..index].iter().rev().find(|l| !l.trim().is_empty()) else {
        return false;
    };
    if before.trim_end().ends_with(':') {
        return false;
    }
    let block: Vec<&str> = lines[index..]
        .iter()
        .map(|l| l.trim())
        .take_while(|l| !l.is_empty())
        .collect();
    let contact = |line: &str| {
        line.contains('@')
            || line.contains("www.")
            || line.contains("http")
            || line.chars().filter(char::is_ascii_digit).count() >= 7
    };
    (3..=10).contains(&block.len())
        && block.iter().all(|line| {
            line.chars().count() <= MAX_LINE
                && !line.starts_with('>')
                && !line.ends_with(['.', '?', '!', ':'])
        })
        && block.iter().any(|line| contact(line))
        && !lines[index + block.len()..]
            .iter()
            .any(|line| !is_quoted(line) && in_first_person(line))
}

/// Whether a line speaks in the first person singular (fi, sv, en), as a request below a
/// signature does ("P.S. Poistakaa myös numeroni") and a footer does not.
fn in_first_person(line: &str) -> bool {
    const WORDS: &[&str] = &[
        "minä", "mina", "minun", "minua", "minulle", "minulta", "minusta", "minut", "mun", "mua",
        "mulle", "multa", "musta", "jag", "mig", "min", "mitt", "mej", "i'm", "i've", "i'd", "my",
        "me", "mine", "ps", "p.s",
    ];
    line.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '.'))
        .map(|word| word.trim_matches('.'))
        .any(|word| {
            // English "I" only as a capital: "i" is Swedish and Finnish for "in".
            let lower = word.to_lowercase();
            word == "I"
                || WORDS.contains(&lower.as_str())
                // A Finnish first-person possessive: "tietoni", "numeroni", "tilini".
                || (lower.chars().count() >= 5 && lower.ends_with("ni"))
        })
}

fn is_attribution(lower: &str) -> bool {
    let stripped = lower.trim_end();
    if stripped.len() <= 12 || !stripped.ends_with(':') {
        return false;
    }
    // Most clients end with the verb; Swedish Apple Mail and Gmail put the name after it
    // ("Den 5 okt. 2026 kl. 10:00 skrev Shop <a@b>:").
    ATTRIBUTION_ENDINGS.iter().any(|e| stripped.ends_with(e))
        || ([" skrev ", " wrote ", " kirjoitti "]
            .iter()
            .any(|verb| stripped.contains(verb))
            && stripped.chars().any(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::{answered_questions, new_text, own_text, own_text_with_questions};

    #[test]
    fn keeps_plain_text() {
        assert_eq!(
            new_text("Hei,\n\npoistakaa tietoni.\n\nt. Maija\n"),
            "Hei,\n\npoistakaa tietoni.\n\nt. Maija"
        );
    }

    #[test]
    fn cuts_attributions_in_three_languages() {
        for attribution in [
            "On Mon, 5 Oct 2026 at 10:00, Shop <a@example.test> wrote:",
            "ma 5.10.2026 klo 10.00 Shop <a@example.test> kirjoitti:",
            "Den 5 okt. 2026 kl. 10:00 skrev Shop <a@example.test>:",
        ] {
            let text = format!("Uusi teksti.\n\n{attribution}\n> vanha\n> teksti\n");
            assert_eq!(new_text(&text), "Uusi teksti.", "{attribution}");
        }
    }

    #[test]
    fn cuts_wrapped_gmail_attribution() {
        let text =
            "Any news?\n\nOn Mon, 5 Oct 2026 at 10:00, Shop <\na@example.test> wrote:\n> old\n";
        assert_eq!(new_text(text), "Any news?");
    }

    #[test]
    fn cuts_outlook_blocks_but_not_a_lone_from_line() {
        let text = "Korjatkaa osoite.\n\nLähettäjä: Shop\nLähetetty: 5.10.2026\nVastaanottaja: minä\nAihe: x\n\nvanha";
        assert_eq!(new_text(text), "Korjatkaa osoite.");
        let text = "From: my old address, please delete it.\nThanks";
        assert_eq!(new_text(text), text);
    }

    #[test]
    fn cuts_signatures_and_device_footers() {
        assert_eq!(
            new_text("Radera mitt konto.\n\nSkickat från min iPhone"),
            "Radera mitt konto."
        );
        assert_eq!(new_text("Delete me.\n-- \nMatti\n040 123"), "Delete me.");
    }

    #[test]
    fn a_contact_block_starts_a_signature_when_nothing_below_it_speaks_for_the_sender() {
        let footer = "Missä pakettini on? Tilausnumero 50321.\n\nKiitos!\nTiina\n\n\
                      Tiina Mattila\nhammashoitaja\nHammaslääkäriasema Hymy\n\
                      Keskuskatu 9, 28100 Pori\nAjanvaraus 02 633 4400\n\n\
                      Hymy käsittelee asiakastietoja tietosuoja-asetuksen mukaisesti. Sinulla \
                      on oikeus tarkastaa ja korjata tietosi sekä pyytää niiden poistamista.";
        assert_eq!(
            new_text(footer),
            "Missä pakettini on? Tilausnumero 50321.\n\nKiitos!\nTiina"
        );
        assert_eq!(own_text(footer), footer);
        // A postscript in the first person below it keeps the block in the text.
        let postscript = "Where is my parcel?\n\nKaren Lewis\nLewis Accounting\n\
                          +358 44 123 0000\n\nP.S. Please delete my old address too.";
        assert_eq!(new_text(postscript), postscript);
        // Swedish "i" (in) is no English "I".
        let swedish = "Sluta skicka reklam.\n\nUlla Bergman\nTandvården i Vasa Ab\n\
                       Tidsbokning 06 317 8800\n\nDu har rätt att i vissa fall radera dina uppgifter.";
        assert_eq!(new_text(swedish), "Sluta skicka reklam.");
        // A formal letter opens with the sender's details and asks below them.
        let letter = "Kestokauppa Oy / tietosuoja\n\nNimi: Kirsi Tuominen\n\
                      Sähköposti: kirsi@example.test\nPuhelin: 050 765 4321\n\n\
                      1) Pyydän jäljennöksen minua koskevista tiedoista.";
        assert_eq!(new_text(letter), letter);
        // "My new details:" introduces data.
        let details = "I have moved. My new details:\n\nAnna Berg\nStorgatan 1\n\
                       040 123 4567\n\nThe shop's terms say they apply to all customers.";
        assert_eq!(new_text(details), details);
    }

    #[test]
    fn drops_inline_quotes() {
        assert_eq!(
            new_text("> question?\nanswer\n> other?\nsecond"),
            "answer\nsecond"
        );
    }

    #[test]
    fn pairs_each_quoted_question_with_the_answer_below_it() {
        let text = "Yes, close it. Answers below.\n\n> 1. Would you like to keep\n> receiving our newsletter?\nNo thanks.\n\n\
                    > 2. A copy of your data?\nYes please,\na summary.\n\n> Just a remark.\nOk.\n\n\
                    On Mon, 2 Feb 2026, Shop wrote:\n> Anything else?\nNot this.\n";
        assert_eq!(
            answered_questions(text),
            [
                (
                    "1. Would you like to keep receiving our newsletter?".to_string(),
                    "No thanks.".to_string()
                ),
                (
                    "2. A copy of your data?".to_string(),
                    "Yes please, a summary.".to_string()
                ),
            ]
        );
        assert!(answered_questions("Delete my account?\nThanks.").is_empty());
    }

    #[test]
    fn a_person_reads_the_questions_answered_above_their_answers() {
        let text = "Answers below.\n\n> Keep the newsletter?\nNo thanks.\n\n> Our note.\n\nRebecca\n\nOn Mon, Shop wrote:\n> Anything else?\n";
        assert_eq!(
            own_text_with_questions(text),
            "Answers below.\n\n> Keep the newsletter?\nNo thanks.\n\n\nRebecca"
        );
        // With no question answered it is the own text.
        let plain = "Delete my account.\n\n> Our reply.\n";
        assert_eq!(own_text_with_questions(plain), own_text(plain));
    }
}
