//! Classify: which rights a mail asks for, in which language, and whether a person must look.
//!
//! Takes the parsed mail (its subject and *new* text, never quoted history or signatures)
//! and hands on a [`Classification`]: the request kinds (multi-label), the language, the
//! phrases that fired as evidence, and `triage` when a human must decide. The rules are
//! data (`rules/<lang>.toml`, embedded at build time), compiled once into one regex set.
//! Pure: no I/O, no clock.
//!
//! A missed request is the worst error (the legal clock runs whether or not we noticed), so
//! a mail that talks about personal data or the GDPR but matches no kind is sent to triage
//! rather than dropped.

mod fold;
mod language;
mod model;
mod pattern;
mod rules;
mod stamps;
mod trigger;

use serde::{Deserialize, Serialize};

use crate::lang::Lang;
use crate::parse::Mail;

pub use model::{
    Example as LabelledMail, train as train_second_reader, train_sentences as train_sentence_reader,
};
pub use pattern::{PatternError, count_words as count_frequent_words};
pub use rules::RuleError;

use fold::Folded;
use model::Model;
use rules::{Matches, Role, Rules};

pub use crate::vocabulary::{Evidence, RequestKind, UnknownKind};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    pub kinds: Vec<RequestKind>,
    /// `None` when the language cannot be told (printed as "und").
    pub language: Option<Lang>,
    pub evidence: Vec<Evidence>,
    pub triage: bool,
    pub automated: bool,
    /// Sentences that ask for something about the sender's data but to which no right was
    /// attributed: staff read them before answering. Never part of the reply.
    #[serde(default)]
    pub unattributed: Vec<String>,
}

impl Classification {
    pub fn is_request(&self) -> bool {
        !self.kinds.is_empty()
    }

    pub fn language_code(&self) -> &'static str {
        self.language.map_or("und", Lang::code)
    }

    /// The line `rightsbot classify --json` prints for `file` (a contract outside checks
    /// rely on: see DESIGN.md).
    pub fn json_line(&self, file: &str) -> serde_json::Value {
        serde_json::json!({
            "file": file,
            "kinds": self.kinds,
            "language": self.language_code(),
            "triage": self.triage,
            "automated": self.automated,
            "evidence": self.evidence,
            "unattributed": self.unattributed,
        })
    }
}

/// The compiled rules. Build once at start-up and share.
pub struct Classifier {
    rules: Rules,
    /// The second reader's mail model and sentence model ([`model`]).
    model: Model,
    sentence_model: Model,
    /// Both models' rows by key, to read a mail once for both.
    joint: model::Joint,
}

impl Classifier {
    /// Compiles the rules embedded in the binary.
    pub fn new() -> Result<Classifier, RuleError> {
        // The models are read while the rules compile: start-up is what a restart waits for.
        let (rules, models) = std::thread::scope(|scope| {
            let models = scope.spawn(|| {
                let sentence_model = scope.spawn(Model::embedded_sentences);
                let model = Model::embedded();
                joined_models(model, rules::joined(sentence_model))
            });
            (Rules::embedded(), rules::joined(models))
        });
        let (model, sentence_model, joint) = models?;
        Ok(Classifier {
            rules: rules?,
            model,
            sentence_model,
            joint,
        })
    }

    /// Compiles rule files read from `dir` (`fi.toml`, `sv.toml`, `en.toml`, and
    /// `model.tsv` and `sentences.tsv` if there are) instead of the embedded ones: for writing rules, so a
    /// change is tried without a rebuild (`cargo run --release --example try_rules`).
    pub fn from_rule_dir(dir: &std::path::Path) -> Result<Classifier, RuleError> {
        let (model, sentence_model, joint) = joined_models(
            Model::from_dir(dir, "model.tsv", Model::embedded),
            Model::from_dir(dir, "sentences.tsv", Model::embedded_sentences),
        )?;
        Ok(Classifier {
            rules: Rules::from_dir(dir)?,
            model,
            sentence_model,
            joint,
        })
    }

    /// A classifier of these rules and models (tests teach models of their own).
    #[cfg(test)]
    fn from_parts(rules: Rules, model: Model, sentence_model: Model) -> Classifier {
        let joint = model::Joint::new(&model, &sentence_model);
        Classifier {
            rules,
            model,
            sentence_model,
            joint,
        }
    }

    /// A labelled mail as the classifier reads it, for training the second reader
    /// (`examples/train_model.rs`): with its sentences, each with the labelled rights the
    /// rules read in it.
    pub fn labelled(&self, mail: &Mail, kinds: Vec<RequestKind>) -> LabelledMail {
        let body = text_to_read(mail);
        let subject = subject_to_read(&mail.subject, body);
        let found = self.classify(mail);
        // Where the rules (not the models, not a pair of sentences) read each right.
        let phrases: Vec<&Evidence> = found
            .evidence
            .iter()
            .filter(|e| {
                kinds.contains(&e.kind)
                    && e.second_reader_probability().is_none()
                    && !e.read_together()
            })
            .collect();
        let asked_in = |original: &str| -> Vec<RequestKind> {
            let mut asked: Vec<RequestKind> = phrases
                .iter()
                .filter(|e| !e.phrase.is_empty() && original.contains(e.phrase.as_str()))
                .map(|e| e.kind)
                .collect();
            asked.sort();
            asked.dedup();
            asked
        };
        let folded = Folded::new(body);
        let spans = sentences(&folded.text);
        let mut sentences = Vec::new();
        if !subject.is_empty() {
            sentences.push((Folded::new(subject).text, asked_in(subject)));
        }
        for (start, end) in spans {
            let (a, b) = folded.original_range(start, end);
            sentences.push((folded.text[start..end].to_vec(), asked_in(&body[a..b])));
        }
        let unlocated = kinds
            .iter()
            .copied()
            .filter(|kind| !sentences.iter().any(|(_, asked)| asked.contains(kind)))
            .collect();
        LabelledMail {
            subject: subject.to_string(),
            body: body.to_string(),
            kinds,
            sentences,
            unlocated,
        }
    }

    /// Classifies a parsed mail by its subject and new text.
    pub fn classify(&self, mail: &Mail) -> Classification {
        let automated = mail.automated.is_some();
        let body = text_to_read(mail);
        let mut classification = self.classify_text(&mail.subject, body);
        // A reminder repeats the request it quotes ("still no answer to the mail below"):
        // when the new text follows something up and names no right itself, the quoted
        // history says which rights it is about.
        if !automated
            && classification.kinds.is_empty()
            && body != mail.text
            && self.follows_up(body)
        {
            let quoted = quoted_history(&mail.text, body);
            let earlier = self.classify_text("", &quoted);
            if !earlier.kinds.is_empty() {
                classification.kinds = earlier.kinds;
                classification.evidence = earlier.evidence;
                classification.triage = true;
            }
        }
        // A postscript below the signature ("-- / One more thing: delete my number"): its
        // rights count too, but a person confirms them, since footers say things as well
        // ("if you are not the intended recipient, delete this message"). Its sentences are
        // not listed for staff: a signature's name, number and address are no request.
        if let Some(below) = below_signature(mail) {
            let later = self.classify_text("", below);
            let added: Vec<RequestKind> = later
                .kinds
                .iter()
                .copied()
                .filter(|kind| !classification.kinds.contains(kind))
                .collect();
            if !added.is_empty() {
                classification.kinds.extend(&added);
                classification.kinds.sort();
                classification.evidence.extend(
                    later
                        .evidence
                        .into_iter()
                        .filter(|e| added.contains(&e.kind)),
                );
                classification.evidence.sort_by_key(|e| e.kind);
                classification.triage = true;
            }
        }
        // "> Would you like a copy of your data before we delete it? / Yes please": what an
        // answer agrees to is in our question, which the new text leaves out, and yes or no
        // to it may ask for a right; a person reads the two together.
        for (question, answer) in crate::parse::answered_questions(&mail.text) {
            let folded = Folded::new(&question);
            let findings = self.scan(&question, &folded, false);
            let about_rights = findings.request_like
                || !findings.kinds.is_empty()
                || !self
                    .sentence_model
                    .asked_in(&folded.text, model::SENTENCE_MODEL_THRESHOLD)
                    .is_empty();
            if about_rights {
                classification
                    .unattributed
                    .push(format!("{question} \u{2014} {answer}"));
                classification.triage = true;
            }
        }
        // Only the beginning of a very long text was read (`parse::MAX_TEXT_BYTES`).
        classification.triage |= mail.text_cut;
        if automated {
            // Machine-sent mail is never answered (RFC 3834); whatever it quotes is not a request.
            classification.kinds.clear();
            classification.evidence.clear();
            classification.unattributed.clear();
            classification.triage = false;
        }
        classification.automated = automated;
        classification
    }

    /// Classifies a subject and a body text (already without quoted history).
    pub fn classify_text(&self, subject: &str, body: &str) -> Classification {
        let folded_subject = Folded::new(subject);
        let folded_body = Folded::new(body);
        let subject_findings = self.scan(subject, &folded_subject, true);
        let mut findings = self.scan(body, &folded_body, true);
        let body_cancelled_at = std::mem::take(&mut findings.cancelled_at);
        let unattributed: Vec<String> = std::mem::take(&mut findings.unattributed)
            .into_iter()
            .map(|(_, sentence)| sentence)
            .collect();
        let body_asks = !findings.kinds.is_empty();
        // A reply keeps the subject of what it answers ("Re: Tietojen poisto"), so the
        // subject of a reply counts only when the new text follows the request up ("any
        // news?"); a thank-you under a quoted request is not a new request, but a person
        // still sees it.
        let mut subject_only_triage = false;
        if is_reply_subject(subject) && !body.trim().is_empty() && !findings.followup {
            subject_only_triage = !subject_findings.kinds.is_empty() && !body_asks;
            findings.request_like |= subject_findings.request_like;
        } else {
            // "Subject: Delete my account" / "…actually, scratch that": what the body takes
            // back, it takes back from the subject too.
            let mut subject_findings = subject_findings;
            if findings.retracts_subject {
                findings
                    .suppressed_kinds
                    .append(&mut subject_findings.kinds);
            }
            let taken_back = &findings.retracted_kinds;
            subject_findings.kinds.retain(|k| !taken_back.contains(k));
            subject_findings
                .evidence
                .retain(|e| subject_findings.kinds.contains(&e.kind));
            subject_findings
                .strong
                .retain(|k| subject_findings.kinds.contains(k));
            findings.merge(subject_findings);
        }
        if findings.not_a_request {
            // Talking about rights is not asking for them; a person still sees it when it
            // uses privacy words.
            findings.suppressed |= !findings.kinds.is_empty();
            findings.kinds.clear();
            findings.evidence.clear();
            findings.strong.clear();
        }
        // A right an `unless` cancelled in a sentence of the body is not read again there,
        // but may be asked in another ("Älkää poistako tiliä. … Poistakaa vanha osoitteeni"
        // is read by the rules; the models read the forms they do not know). Taken back by a
        // later sentence, or cancelled in the subject, it is read nowhere.
        // Each place the body's `unless` cancelled a right is one entry of
        // `suppressed_kinds`: the entries beyond those are the rights read nowhere.
        let suppressed = |kind: RequestKind| {
            findings
                .suppressed_kinds
                .iter()
                .filter(|&&k| k == kind)
                .count()
        };
        let placed = |kind: RequestKind| {
            body_cancelled_at
                .iter()
                .filter(|&&(k, _, _)| k == kind)
                .count()
        };
        let held_back: Vec<RequestKind> = RequestKind::ALL
            .into_iter()
            .filter(|&kind| suppressed(kind) > placed(kind))
            .collect();
        let mut kinds = findings.kinds;
        let mut evidence = findings.evidence;
        let mut unattributed = unattributed;
        if kinds.is_empty() && !findings.not_a_request {
            evidence.extend(self.stop_alone(body, &folded_body));
            kinds.extend(evidence.iter().map(|e| e.kind));
        }
        // The subject the models read, if any (a reply's repeats what it answers).
        let read_subject =
            (!subject_to_read(subject, body).is_empty()).then_some((subject, &folded_subject));
        // Both models read the mail in one pass, when either is asked.
        let reading = if !kinds.is_empty() || !findings.not_a_request {
            self.joint.read(
                &self.model,
                &self.sentence_model,
                read_subject.map(|(_, folded)| &folded.text[..]),
                &folded_body.text,
                &findings.spans,
            )
        } else {
            model::Reading::default()
        };
        let unread = Unread {
            subject: read_subject,
            body,
            folded_body: &folded_body,
            spans: &findings.spans,
            attributed: &findings.attributed,
            held_back: &held_back,
            cancelled_at: &body_cancelled_at,
            reading: &reading,
        };
        if !kinds.is_empty() {
            self.read_again(unread, &mut kinds, &mut evidence);
        }
        if !findings.not_a_request {
            self.read_sentences(unread, &mut kinds, &mut evidence, &mut unattributed);
        }
        kinds.sort();
        kinds.dedup();
        evidence.sort_by_key(|e| e.kind);
        evidence.dedup_by(|a, b| a.kind == b.kind && a.phrase == b.phrase);
        // A kind that only weak rules found stays, but a person confirms it.
        let low_confidence = kinds.iter().any(|k| !findings.strong.contains(k));
        let language = language::detect(&self.rules, [&folded_subject, &folded_body]);
        // A sentence the net caught in a mail with no right at all is a privacy mail too.
        let unanswered_privacy_mail = kinds.is_empty()
            && (findings.request_like || findings.suppressed || !unattributed.is_empty());
        let triage = low_confidence
            || findings.retracted
            || unanswered_privacy_mail
            || subject_only_triage
            || (language.is_none() && !body.trim().is_empty());
        Classification {
            kinds,
            language,
            evidence,
            triage,
            automated: false,
            // A vendor's pitch asks nothing of ours, in any sentence.
            unattributed: if findings.not_a_request {
                Vec::new()
            } else {
                unattributed
            },
        }
    }

    /// The second reader ([`model`]): adds the rights the model reads in the mail with
    /// confidence that the rules did not find and no `unless` cancelled or turns down in
    /// the sentence that weighs most, as weak evidence
    /// (a person confirms), each with the sentence that weighs most for it.
    fn read_again(
        &self,
        unread: Unread,
        kinds: &mut Vec<RequestKind>,
        evidence: &mut Vec<Evidence>,
    ) {
        // Every sentence, those the rules read another right in too: "delete whatever you
        // have on me and tell me what you collected" asks for two.
        let texts: Vec<&[u8]> = unread
            .spans
            .iter()
            .map(|&(start, end)| &unread.folded_body.text[start..end])
            .collect();
        for (kind, probability) in self.model.rights_of(&unread.reading.mail) {
            if kinds.contains(&kind) || unread.held_back.contains(&kind) {
                continue;
            }
            // A right is asked in a sentence: one that reads as asking for it on its own.
            let Some(index) = self.model.heaviest(kind, &texts) else {
                continue;
            };
            if unread.cancelled_in(kind, unread.spans[index]) {
                continue;
            }
            // The rules' `unless` speaks for that sentence too ("Please also inform me about
            // those recipients" passes an Art. 19 notice on and asks no access).
            if self.turns_down(kind, texts[index]) {
                continue;
            }
            let (start, end) = unread.spans[index];
            let (a, b) = unread.folded_body.original_range(start, end);
            let phrase = sentence_text(&unread.body[a..b]);
            kinds.push(kind);
            evidence.push(Evidence {
                kind,
                phrase,
                rule: Evidence::second_reader_rule(kind, f64::from(probability)),
            });
        }
    }

    /// The sentence model ([`model`]): a sentence it reads as asking for a right that no
    /// one found, and no `unless` cancelled, is looked at by a person (see
    /// [`model::SENTENCE_MODEL_THRESHOLD`] for what that costs and buys). Beside rights found,
    /// the right is added as weak evidence with that sentence (the one that reads most as
    /// asking for it); in a mail with none, the sentence goes to the staff note of sentences
    /// that may ask for more, which sends the mail to triage. A sentence the rules read a
    /// right in is read for the others too, at a higher bar
    /// ([`model::ATTRIBUTED_SENTENCE_THRESHOLD`]): its request words are there already.
    fn read_sentences(
        &self,
        unread: Unread,
        kinds: &mut Vec<RequestKind>,
        evidence: &mut Vec<Evidence>,
        unattributed: &mut Vec<String>,
    ) {
        // The sentences it reads, folded and as the sender wrote them, each with the bar a
        // right must pass there: the subject when it is read, then `spans`.
        let sentences: Vec<ReadSentence> = unread
            .subject
            .map(|(subject, folded)| {
                (
                    &folded.text[..],
                    subject,
                    model::SENTENCE_MODEL_THRESHOLD,
                    None,
                )
            })
            .into_iter()
            .chain(unread.spans.iter().map(|span| {
                let (start, end) = *span;
                let (a, b) = unread.folded_body.original_range(start, end);
                let bar = if unread.attributed.contains(span) {
                    model::ATTRIBUTED_SENTENCE_THRESHOLD
                } else {
                    model::SENTENCE_MODEL_THRESHOLD
                };
                (
                    &unread.folded_body.text[start..end],
                    &unread.body[a..b],
                    bar,
                    Some(*span),
                )
            }))
            .collect();
        // Per right, the likeliest sentence: its probability and index.
        let mut best: [Option<(f32, usize)>; RequestKind::ALL.len()] = Default::default();
        for (index, &(_, original, bar, span)) in sentences.iter().enumerate() {
            if gives_an_address(original) {
                continue;
            }
            let sums = &unread.reading.sentences[index];
            for (right, probability) in self.sentence_model.asked_of(sums, bar) {
                if span.is_some_and(|span| unread.cancelled_in(RequestKind::ALL[right], span)) {
                    continue;
                }
                let slot = &mut best[right];
                if slot.is_none_or(|(p, _)| probability > p) {
                    *slot = Some((probability, index));
                }
            }
        }
        let found_any = !kinds.is_empty();
        for (kind, slot) in RequestKind::ALL.into_iter().zip(best) {
            let Some((probability, index)) = slot else {
                continue;
            };
            let (folded, original, _, _) = sentences[index];
            if kinds.contains(&kind)
                || unread.held_back.contains(&kind)
                || self.turns_down(kind, folded)
            {
                continue;
            }
            let phrase = sentence_text(original);
            if found_any {
                kinds.push(kind);
                evidence.push(Evidence {
                    kind,
                    phrase,
                    rule: Evidence::second_reader_rule(kind, f64::from(probability)),
                });
            } else if !self.net_declines(folded)
                && !unattributed
                    .iter()
                    .any(|listed| listed.trim_end_matches(['?', '!']) == phrase)
            {
                // The net may have listed the sentence already, with its question mark.
                unattributed.push(phrase);
            }
        }
    }

    /// Whether `sentence` turns `kind` down or reports it done, by the rules' `unless` or
    /// `reported` phrases ("so please do not delete it"): what a model reads there is no
    /// request. Asked only of the rare sentence a model reads a right in.
    fn turns_down(&self, kind: RequestKind, sentence: &[u8]) -> bool {
        let mut candidates = Vec::new();
        self.rules
            .matches(sentence, &mut candidates)
            .blockers
            .into_iter()
            .any(|i| self.rules.kind(i) == Some(kind) && self.rules.is_match(i, sentence))
    }

    /// A new text that is only a stop verb ("STOP", "Lopettakaa.", "Sluta nu"), as a reply
    /// over the shop's newsletter or offer says it: what a person stops so is what the shop
    /// sends unasked, its marketing. The right is weak, so a person confirms it.
    fn stop_alone(&self, body: &str, folded: &Folded) -> Option<Evidence> {
        // Every mail with no right comes here: stop at the third word, not the last.
        if fold::words(&folded.text).nth(2).is_some() {
            return None;
        }
        let index = self.rules.short_text_match(Role::StopAlone, &folded.text)?;
        Some(Evidence {
            kind: RequestKind::DirectMarketingOptout,
            phrase: sentence_text(body),
            rule: self.rules.name(index),
        })
    }

    /// Whether a sentence takes back the one before: a `retract` phrase among its first
    /// words ("…, no wait", "tai ei sittenkään", "nej förresten"), not anywhere ("never
    /// mind the format" later in a sentence takes nothing back).
    fn retracts(&self, hits: &[usize], sentence: &[u8]) -> bool {
        hits.iter()
            .filter(|&&i| self.rules.role(i) == Role::Retract)
            .flat_map(|&i| self.rules.spans(i, sentence))
            .any(|(from, _)| fold::words(&sentence[..from]).count() <= 2)
    }

    /// Whether the sentence at `start..end` of folded text is in a request form: a question
    /// (a question mark ends it), an imperative, "pyydän", "jag vill", "please"..., and not
    /// one of the net's exceptions ("kiitos", an order).
    fn asks(&self, folded: &Folded, start: usize, end: usize) -> bool {
        let sentence = &folded.text[start..end];
        let question = folded.text.get(end) == Some(&b'?');
        let late = self.rules.late_candidates(sentence);
        (question || self.any_match(&late, Role::NetAsks, sentence))
            && !self.any_match(&late, Role::NetUnless, sentence)
    }

    /// Whether the net's `unless` explains `sentence` (an order, a password, thanks): a
    /// sentence like that in a mail with no right is not listed for staff, whatever the
    /// sentence model reads in it ("Peruuttakaa tilaus 10234").
    fn net_declines(&self, sentence: &[u8]) -> bool {
        let late = self.rules.late_candidates(sentence);
        self.any_match(&late, Role::NetUnless, sentence)
    }

    /// Whether one of `candidates` in `role` matches `sentence`: the net's patterns run
    /// only when asked, the rarest condition first.
    fn any_match(&self, candidates: &[usize], role: Role, sentence: &[u8]) -> bool {
        candidates
            .iter()
            .any(|&i| self.rules.role(i) == role && self.rules.is_match(i, sentence))
    }

    fn follows_up(&self, text: &str) -> bool {
        let folded = Folded::new(text);
        let mut candidates = Vec::new();
        sentences(&folded.text).into_iter().any(|(start, end)| {
            self.rules
                .matches(&folded.text[start..end], &mut candidates)
                .hits
                .iter()
                .any(|&i| self.rules.role(i) == Role::Followup)
        })
    }

    /// Runs the rules over one text, sentence by sentence; with `read_back`, a short
    /// request that refers back with a pronoun is also read with the sentence before it.
    fn scan(&self, text: &str, folded: &Folded, read_back: bool) -> Findings {
        let mut findings = Findings::default();
        // Room for the patterns a sentence's first trigger sets find, so it does not grow.
        let mut candidates = Vec::with_capacity(64);
        let spans = sentences(&folded.text);
        let sentences: Vec<(usize, usize, Matches)> = spans
            .iter()
            .map(|&(start, end)| {
                let found = self
                    .rules
                    .matches(&folded.text[start..end], &mut candidates);
                (start, end, found)
            })
            .filter(|(_, _, found)| !found.hits.is_empty() || !found.net.is_empty())
            .collect();
        // "I asked you to delete my data" is a request again only in a mail that follows it up.
        let follows_up = sentences.iter().any(|(_, _, found)| {
            found
                .hits
                .iter()
                .any(|&i| self.rules.role(i) == Role::Followup)
        });
        // Where the last sentence that asked for a right began its kinds, evidence and
        // strong kinds: a retraction in a later sentence takes them back.
        let mut last_asked: Option<(usize, usize, usize)> = None;
        for (start, end, found) in &sentences {
            let (start, end) = (*start, *end);
            let (hits, net) = (&found.hits, &found.net);
            let sentence = &folded.text[start..end];
            if self.retracts(hits, sentence) {
                // "Delete everything.. actually no wait, just stop the newsletter": the sender
                // took it back. A person confirms, and the second reader may not read it
                // back in. With no sentence before it, it takes back the subject.
                let (kinds, evidence, strong) = last_asked.unwrap_or((0, 0, 0));
                let taken_back: Vec<RequestKind> = findings.kinds.drain(kinds..).collect();
                findings.retracted_kinds.extend(&taken_back);
                findings.suppressed_kinds.extend(taken_back);
                findings.evidence.truncate(evidence);
                findings.strong.truncate(strong);
                findings.retracted = true;
                findings.retracts_subject |= last_asked.is_none();
                last_asked = None;
            }
            let before = (
                findings.kinds.len(),
                findings.evidence.len(),
                findings.strong.len(),
            );
            findings.request_like |= hits
                .iter()
                .any(|&i| self.rules.role(i) == Role::RequestLike);
            findings.followup |= hits.iter().any(|&i| self.rules.role(i) == Role::Followup);
            findings.not_a_request |= hits
                .iter()
                .any(|&i| self.rules.role(i) == Role::NotARequest);
            let mut sentence_kinds = Vec::new();
            let mut sentence_suppressed = false;
            let mut soft = Vec::new();
            // Spans of the kinds' matches, to tell which soft phrases they overlap.
            let mut spans: Vec<(RequestKind, usize, usize)> = Vec::new();
            for kind in RequestKind::ALL {
                let of_kind = |role: Role| {
                    hits.iter().copied().filter(move |&i| {
                        self.rules.kind(i) == Some(kind) && self.rules.role(i) == role
                    })
                };
                let fired: Vec<usize> = of_kind(Role::Match)
                    .chain(of_kind(Role::Weak))
                    .chain(of_kind(Role::Soft))
                    .collect();
                if fired.is_empty() {
                    continue;
                }
                // An `unless` phrase cancels the matches it overlaps ("en halua poistaa
                // tietojani"), not the whole sentence, so "delete my account and take me off
                // the list" keeps its erasure.
                let reported = if follows_up {
                    None
                } else {
                    Some(Role::Reported)
                };
                let blockers: Vec<(usize, usize)> = found
                    .blockers
                    .iter()
                    .copied()
                    .filter(|&i| {
                        self.rules.kind(i) == Some(kind)
                            && (self.rules.role(i) == Role::Unless
                                || Some(self.rules.role(i)) == reported)
                    })
                    .flat_map(|i| self.rules.spans(i, sentence))
                    .collect();
                for &index in &fired {
                    for (from, to) in found.spans(index) {
                        if blockers.iter().any(|&(a, b)| a < to && from < b) {
                            sentence_suppressed = true;
                            findings.suppressed_kinds.push(kind);
                            findings.cancelled_at.push((kind, start, end));
                            continue;
                        }
                        let (a, b) = folded.original_range(start + from, start + to);
                        let evidence = Evidence {
                            kind,
                            phrase: text[a..b].to_string(),
                            rule: self.rules.name(index),
                        };
                        match self.rules.role(index) {
                            Role::Soft => soft.push((evidence, from, to)),
                            role => {
                                spans.push((kind, from, to));
                                if role == Role::Match {
                                    findings.strong.push(kind);
                                }
                                sentence_kinds.push(kind);
                                findings.evidence.push(evidence);
                            }
                        }
                    }
                }
            }
            // Soft phrases ("send me my data") give way only to their near misses: another
            // right read from the same words ("get my data deleted"), or a right they are
            // the generic form of ("send me my data as CSV" is portability). "Delete my
            // account and send me my data first" asks for both.
            let mut attributed = !sentence_kinds.is_empty();
            for (evidence, from, to) in soft {
                let overlapped = spans
                    .iter()
                    .any(|&(kind, a, b)| kind != evidence.kind && a < to && from < b);
                let yields = sentence_kinds
                    .iter()
                    .any(|&other| self.rules.soft_yields_to(evidence.kind, other));
                if overlapped || yields {
                    continue;
                }
                attributed = true;
                findings.strong.push(evidence.kind);
                findings.kinds.push(evidence.kind);
                findings.evidence.push(evidence);
            }
            if attributed {
                findings.attributed.push((start, end));
                last_asked = Some(before);
            }
            findings.kinds.extend(sentence_kinds);
            findings.suppressed |= sentence_suppressed;
            // The net: a sentence that asks about the sender's data, to which no right was
            // attributed and which no near miss explains, may ask for a right the rules do
            // not know yet.
            if !attributed
                && !sentence_suppressed
                && self.any_match(net, Role::NetOwnData, sentence)
                && self.asks(folded, start, end)
            {
                // With its question or exclamation mark: staff read the tone too.
                let end = match folded.text.get(end) {
                    Some(b'?' | b'!') => end + 1,
                    _ => end,
                };
                let (a, b) = folded.original_range(start, end);
                findings
                    .unattributed
                    .push((start, sentence_text(&text[a..b])));
            }
        }
        if read_back {
            self.read_back(text, folded, &spans, &mut findings);
        }
        findings.spans = spans;
        findings
    }

    /// A right asked by a pronoun in a short sentence of its own ("Saan joka viikko
    /// tekstiviestejä. Laittakaa ne pois päältä.", "the weekly texts.. turn them off"): the
    /// sentence, which no right was attributed to, is read together with the one before
    /// it, or, when that one only refers back too ("Saan tekstareita. En ole pyytänyt
    /// niitä. Lopettakaa ne."), with the one before that. A right only the two ask for
    /// together, that the mail did not ask already and no `unless` cancelled, is weak: a
    /// person confirms it. Its evidence is the sentences as the sender wrote them, under a
    /// `read-together/` rule name, so staff see why.
    fn read_back(
        &self,
        text: &str,
        folded: &Folded,
        spans: &[(usize, usize)],
        findings: &mut Findings,
    ) {
        for (index, &(start, end)) in spans.iter().enumerate().skip(1) {
            if !self.refers_back(folded, (start, end), findings) || !self.asks(folded, start, end) {
                continue;
            }
            // The sentence before; when that one only points further back itself ("En ole
            // pyytänyt niitä."), the one before it, which names what both mean.
            let before = index - 1;
            if !self.read_together(text, folded, &[spans[before], (start, end)], findings)
                && before > 0
                && self.refers_back(folded, spans[before], findings)
            {
                self.read_together(text, folded, &[spans[before - 1], (start, end)], findings);
            }
        }
    }

    /// Whether the sentence at `span`, with no right attributed, points back with a pronoun
    /// in a short sentence or a short first clause ("Poistakaa se sieltä, vaihteen numero
    /// riittää."). Longer ones name what they mean; a pronoun there is no reference back.
    fn refers_back(&self, folded: &Folded, span: (usize, usize), findings: &Findings) -> bool {
        const SHORT: usize = 48;
        let sentence = &folded.text[span.0..span.1];
        // A short sentence whole ("Kiitos, lopettakaa ne."), a longer one by its first clause.
        let head = match sentence.iter().position(|&b| b == b',') {
            Some(comma) if sentence.len() > SHORT => &sentence[..comma],
            _ => sentence,
        };
        head.len() <= SHORT
            && !findings.attributed.contains(&span)
            && self
                .rules
                .short_text_match(Role::RefersBack, head)
                .is_some()
    }

    /// Reads `together` (sentences in order, the last one the short request) as one
    /// sentence and adds the rights found only so; returns whether it added any.
    fn read_together(
        &self,
        text: &str,
        folded: &Folded,
        together: &[(usize, usize)],
        findings: &mut Findings,
    ) -> bool {
        let originals: Vec<&str> = together
            .iter()
            .map(|&(start, end)| {
                let (a, b) = folded.original_range(start, end);
                text[a..b].trim()
            })
            .collect();
        let joined = originals.join(" ");
        let read = self.scan(&joined, &Folded::new(&joined), false);
        // Staff confirm it from the sentences as the sender wrote them, and what lies between.
        let (first, last) = (together[0], together[together.len() - 1]);
        let (a, _) = folded.original_range(first.0, first.1);
        let (_, d) = folded.original_range(last.0, last.1);
        let phrase = sentence_text(&text[a..d]);
        let mut added = false;
        for mut evidence in read.evidence {
            let kind = evidence.kind;
            if findings.kinds.contains(&kind)
                || findings.suppressed_kinds.contains(&kind)
                || read.suppressed_kinds.contains(&kind)
            {
                continue;
            }
            findings.kinds.push(kind);
            evidence.rule = Evidence::read_together_rule(&evidence.rule);
            evidence.phrase = phrase.clone();
            findings.evidence.push(evidence);
            added = true;
        }
        if added {
            findings.attributed.push(last);
            // It is no longer a sentence no right explains.
            findings.unattributed.retain(|&(from, _)| from != last.0);
        }
        added
    }
}

/// What the second reader's models read of a text: the subject when it is read (as written
/// and folded), the body, the sentences of the body and those of them the rules read a
/// right in, and the rights an `unless` cancelled, which they never add.
#[derive(Clone, Copy)]
struct Unread<'a> {
    subject: Option<(&'a str, &'a Folded)>,
    body: &'a str,
    folded_body: &'a Folded,
    spans: &'a [(usize, usize)],
    attributed: &'a [(usize, usize)],
    held_back: &'a [RequestKind],
    cancelled_at: &'a [(RequestKind, usize, usize)],
    /// What both models read in the subject (when read) and the body's sentences.
    reading: &'a model::Reading,
}

impl Unread<'_> {
    /// Whether an `unless` cancelled `kind` in the body's sentence `span`.
    fn cancelled_in(&self, kind: RequestKind, span: (usize, usize)) -> bool {
        self.cancelled_at
            .iter()
            .any(|&(k, start, end)| k == kind && (start, end) == span)
    }
}

/// A sentence the sentence model reads: folded, as the sender wrote it, the bar a right
/// must pass there, and where it is in the body (none for the subject).
type ReadSentence<'a> = (&'a [u8], &'a str, f32, Option<(usize, usize)>);

/// What the rules found in one text.
#[derive(Default)]
struct Findings {
    kinds: Vec<RequestKind>,
    /// Kinds found by at least one `match` (or `soft`) phrase, not only `weak` ones.
    strong: Vec<RequestKind>,
    evidence: Vec<Evidence>,
    request_like: bool,
    /// The text follows up an earlier request ("any news?", "vieläkään ei ole kuulunut").
    followup: bool,
    /// Some phrase was cancelled by an `unless`: a person may want to look.
    suppressed: bool,
    /// The rights whose phrases an `unless` cancelled ("en halua poistaa tietojani"), or a
    /// later sentence took back.
    suppressed_kinds: Vec<RequestKind>,
    /// Where an `unless` cancelled a right: the right and the sentence (start and end in
    /// this text), one for each of its entries in `suppressed_kinds`.
    cancelled_at: Vec<(RequestKind, usize, usize)>,
    /// Where the sentences are that some right was attributed to (in this text only).
    attributed: Vec<(usize, usize)>,
    /// A later sentence took back a right asked before it ("scratch that").
    retracted: bool,
    /// The rights taken back so: the subject's are taken back with them.
    retracted_kinds: Vec<RequestKind>,
    /// The text's first request-like sentence takes something back: the subject's rights.
    retracts_subject: bool,
    /// The mail is someone else's business (a vendor's pitch), whatever rights it names.
    not_a_request: bool,
    /// Sentences that ask about the sender's data with no right attributed (the net), as
    /// staff read them, each with where it starts in the folded text.
    unattributed: Vec<(usize, String)>,
    /// The text's sentences (start and end in the folded text).
    spans: Vec<(usize, usize)>,
}

impl Findings {
    fn merge(&mut self, other: Findings) {
        self.kinds.extend(other.kinds);
        self.strong.extend(other.strong);
        self.evidence.extend(other.evidence);
        self.request_like |= other.request_like;
        self.followup |= other.followup;
        self.suppressed |= other.suppressed;
        self.suppressed_kinds.extend(other.suppressed_kinds);
        self.retracted |= other.retracted;
        self.not_a_request |= other.not_a_request;
    }
}

/// The mail model and the sentence model, with their rows by key in one table.
fn joined_models(
    model: Result<Model, RuleError>,
    sentence_model: Result<Model, RuleError>,
) -> Result<(Model, Model, model::Joint), RuleError> {
    let (model, sentence_model) = (model?, sentence_model?);
    let joint = model::Joint::new(&model, &sentence_model);
    Ok((model, sentence_model, joint))
}

/// The text of a mail the classifier reads: its new text, or all of it when it has none of
/// its own.
fn text_to_read(mail: &Mail) -> &str {
    if mail.new_text.trim().is_empty() {
        &mail.text
    } else {
        &mail.new_text
    }
}

/// Whether a sentence only gives an e-mail address ("Adressen är karin@example.test", "My
/// e-mail: a@b.test"): identification, which the sentence model would read as a change of
/// address. A change asked in words is the rules' to find.
fn gives_an_address(sentence: &str) -> bool {
    sentence.contains('@')
        && sentence
            .split_whitespace()
            .filter(|word| !word.contains('@'))
            .count()
            <= 3
}

/// What the sender wrote below their signature, if anything: `own_text` past `new_text`.
fn below_signature(mail: &Mail) -> Option<&str> {
    if mail.new_text.trim().is_empty() {
        return None;
    }
    let below = mail.own_text.strip_prefix(mail.new_text.as_str())?.trim();
    (!below.is_empty()).then_some(below)
}

/// The subject the second reader reads: none for a reply with a text of its own, whose
/// subject repeats what it answers ("Re: Tietojen poisto").
fn subject_to_read<'a>(subject: &'a str, body: &str) -> &'a str {
    if is_reply_subject(subject) && !body.trim().is_empty() {
        ""
    } else {
        subject
    }
}

/// A sentence as staff should read it: list marks and line wrapping removed.
fn sentence_text(original: &str) -> String {
    let words: Vec<&str> = original.split_whitespace().collect();
    let text = words.join(" ");
    let text = text.trim_start_matches(['-', '*', '>', '\u{2022}', ' ']);
    // "2) then delete it", "3. no newsletters", "b) delete my number", "(c) stop the texts".
    let text = match text.split_once([')', '.']) {
        Some((number, rest))
            if (1..=2).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit()) =>
        {
            rest.trim_start()
        }
        Some((mark, rest)) if text[mark.len()..].starts_with(')') && is_item_letter(mark) => {
            rest.trim_start()
        }
        _ => text,
    };
    text.to_string()
}

/// A list item's letter, as in "b)" or "(b)".
fn is_item_letter(mark: &str) -> bool {
    let letter = mark.strip_prefix('(').unwrap_or(mark);
    letter.len() == 1 && letter.bytes().all(|b| b.is_ascii_alphabetic())
}

/// The part of `text` that is not `new_text`: the quoted history, with quote marks removed.
fn quoted_history(text: &str, new_text: &str) -> String {
    let rest = text
        .find(new_text)
        .map_or(text, |at| &text[at + new_text.len()..]);
    rest.lines()
        .map(|line| line.trim_start_matches(['>', ' ']))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reply and forward prefixes in the languages customers' mail clients use.
fn is_reply_subject(subject: &str) -> bool {
    let lower = subject.trim_start().to_lowercase();
    [
        "re:", "re :", "sv:", "vs:", "vs :", "aw:", "vl:", "fw:", "fwd:", "vb:", "ant:", "r:",
        "res:", "antw:",
    ]
    .iter()
    .any(|prefix| lower.starts_with(prefix))
}

/// Splits folded text into sentences: at `.`, `!`, `?`, `;`, blank lines and list items.
/// Other line breaks are not boundaries, because mail clients wrap lines mid-sentence. A period
/// between digits ("2.11.2026", "Art. 15") does not end a sentence.
fn sentences(text: &[u8]) -> Vec<(usize, usize)> {
    // The bytes that can end a sentence, as a table: every byte of the text is looked up.
    static ENDS: [bool; 256] = {
        let mut table = [false; 256];
        table[b'!' as usize] = true;
        table[b'?' as usize] = true;
        table[b';' as usize] = true;
        table[b'.' as usize] = true;
        table[b'\n' as usize] = true;
        table
    };
    let mut out = Vec::with_capacity(text.len() / 64 + 4);
    let mut start = 0;
    let mut index = 0;
    while index < text.len() {
        match text[index..].iter().position(|&b| ENDS[usize::from(b)]) {
            Some(skip) => index += skip,
            None => break,
        }
        let byte = text[index];
        let boundary = match byte {
            b'!' | b'?' | b';' => true,
            b'.' => {
                // Not in "3.5" or "example.test", nor after an abbreviation the sentence
                // goes on from: "(pisteet, syntymäpäivä ym.) hävitetään", "e.g., my phone".
                let next = text.get(index + 1).copied().unwrap_or(b' ');
                let next_non_space = text[index + 1..].iter().find(|b| **b != b' ').copied();
                !(next.is_ascii_alphanumeric()
                    || matches!(next, b')' | b',')
                    || next_non_space.is_some_and(|b| b.is_ascii_digit())
                    || (next == b' ' && abbreviated(&text[..index])))
            }
            b'\n' => {
                // A blank line, a list item ("- no newsletters", "2) …", "b) …", "(c) …")
                // or the line after a colon starts a new sentence; a plain line break does
                // not.
                let rest = &text[index + 1..];
                let indent = rest
                    .iter()
                    .take_while(|b| **b == b' ' || **b == b'\t' || **b == b'\r')
                    .count();
                let next = rest.get(indent).copied();
                let after = rest.get(indent + 1).copied();
                let lettered = |at: usize| {
                    rest.get(at).is_some_and(u8::is_ascii_lowercase)
                        && rest.get(at + 1) == Some(&b')')
                };
                // A pasted form's options: "[x] Delete my account", "[ ] Get a copy", "( )".
                let checkbox = next == Some(b'[')
                    || (next == Some(b'(') && rest.get(indent + 2) == Some(&b')'));
                let bullet = checkbox
                    || matches!(next, Some(b'-' | b'*' | b'>'))
                    || (next.is_some_and(|b| b.is_ascii_digit())
                        && matches!(after, Some(b')' | b'.')))
                    || lettered(indent)
                    || (next == Some(b'(') && lettered(indent + 1));
                let after_colon = text[..index]
                    .iter()
                    .rev()
                    .find(|b| !b.is_ascii_whitespace())
                    == Some(&b':');
                next == Some(b'\n') || bullet || after_colon
            }
            _ => false,
        };
        if boundary {
            if index > start && !unticked(&text[start..index]) {
                out.push((start, index));
            }
            start = index + 1;
        }
        index += 1;
    }
    if start < text.len() && !unticked(&text[start..]) {
        out.push((start, text.len()));
    }
    out
}

/// Whether `before` (folded text up to a full stop) ends in a date ("12.3") or an
/// abbreviation a sentence goes on from ("phone no", "puh", "esim"): "syntymäpäiväni on
/// teillä 12.3. vaikka oikeasti …", "phone no. is wrong, fix it" are one sentence each.
fn abbreviated(before: &[u8]) -> bool {
    const ABBREVIATIONS: &[&[u8]] = &[
        b"no", b"nr", b"nro", b"puh", b"tel", b"esim", b"ns", b"mm", b"jne", b"yms", b"tms", b"ym",
        b"vrt", b"ks", b"ts", b"bl", b"ev", b"ca", b"resp", b"approx", b"vs", b"etc",
    ];
    let word_start = before
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'.'))
        .map_or(0, |at| at + 1);
    let word = &before[word_start..];
    if ABBREVIATIONS.contains(&word) {
        return true;
    }
    // A day and month: one or two digits, a full stop, one or two digits.
    let mut parts = word.split(|b| *b == b'.');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(day), Some(month), None) => {
            (1..=2).contains(&day.len())
                && (1..=2).contains(&month.len())
                && day.iter().chain(month).all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// A form option the sender did not tick ("[ ] Delete my account", "( ) Get a copy"): not
/// something they ask, whatever it says.
fn unticked(sentence: &[u8]) -> bool {
    let text = sentence.trim_ascii_start();
    let Some((&open, rest)) = text.split_first() else {
        return false;
    };
    let close = match open {
        b'[' => b']',
        b'(' => b')',
        _ => return false,
    };
    let inside = rest.iter().take_while(|&&b| b != close).count();
    inside < rest.len() && inside <= 3 && rest[..inside].iter().all(|&b| b == b' ' || b == b'_')
}

#[cfg(test)]
mod tests;
