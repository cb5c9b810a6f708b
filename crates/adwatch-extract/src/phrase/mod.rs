//! Phrase matching over the lower-case shadow of a text, with stems and word boundaries.
//!
//! The phrase syntax is described in `data/README.md`. One Aho-Corasick automaton finds the
//! literal first word of every phrase; each hit is then verified word by word, which keeps the
//! automaton free of Unicode word boundaries (they cost 10-50x in regex engines).

use std::collections::HashMap;

use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};

use super::text::{
    char_at, char_before, is_arabic, is_blank, is_letter as is_text_letter, is_word_char,
};

mod trie;

use trie::{CharHasher, KeyTrie};

/// How many letters a stem (`word*`) may add.
const STEM_SLACK: usize = 5;
/// How many chars of a phrase the automaton looks for; the rest is verified.
const KEY_CHARS: usize = 5;

fn truncate_chars(mut s: String, n: usize) -> String {
    if let Some((cut, _)) = s.char_indices().nth(n) {
        s.truncate(cut);
    }
    s
}

/// How many blank chars may stand between two words of a phrase.
const GAP_SLACK: usize = 4;

#[derive(Debug, Clone)]
struct Word {
    text: String,
    stem: bool,
    /// The last char is a letter or digit: a whole word must not go on after it.
    word_end: bool,
}

#[derive(Debug, Clone)]
struct Phrase {
    words: Vec<Word>,
    /// The same number for phrases whose first words are alike (text and stem), so that one
    /// reading of the text serves them all.
    first: u32,
    /// Up to two bytes of the first word after its key (`after_key.0` bytes in), compared
    /// before the whole word is: most first words that share a key differ there.
    after_key: (usize, [u8; 2], usize),
    /// False for Arabic phrases (glued prefixes) and for phrases that start with a symbol.
    start_boundary: bool,
}

impl Phrase {
    fn parse(src: &str) -> Option<Phrase> {
        let words: Vec<Word> = src
            .split_whitespace()
            .map(|w| {
                let (text, stem) = match w.strip_suffix('*') {
                    Some(stem) if !stem.is_empty() => (stem.to_lowercase(), true),
                    _ => (w.to_lowercase(), false),
                };
                let word_end = text.chars().next_back().is_some_and(is_word_char);
                Word {
                    text,
                    stem,
                    word_end,
                }
            })
            .collect();
        let first = words.first()?.text.chars().next()?;
        Some(Phrase {
            start_boundary: is_word_char(first) && !is_arabic(first),
            words,
            first: 0,
            after_key: (0, [0; 2], 0),
        })
    }
}

/// A match of phrase number `id` over `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhraseHit {
    pub start: usize,
    pub end: usize,
    pub id: usize,
}

/// A set of phrases, each with a payload `P`.
pub struct PhraseSet<P> {
    phrases: Vec<Phrase>,
    payloads: Vec<P>,
    /// The keys some of whose phrases may start inside a word (Arabic with its glued
    /// prefixes, symbols), searched everywhere; with the key index of each of its patterns.
    automaton: Option<(DFA, Vec<usize>)>,
    /// The bytes that start a key of `automaton`: in its start state, the others are passed
    /// over without a transition (they lead back to the start state).
    starts_unanchored: [bool; 256],
    /// The keys whose phrases all start at a word boundary (nearly all), searched only where a
    /// word may start: one anchored search there reads at most a key's few chars, where an
    /// unanchored one reports every key inside every word. With the key index of each pattern.
    at_word_start: KeyTrie,
    /// The bytes that start a key of `at_word_start`: other word starts are passed over.
    starts_key: [bool; 256],
    /// For each key, the phrases whose first word it is.
    by_key: Vec<Vec<usize>>,
    /// For each automaton pattern, whether all its phrases must start at a word boundary.
    all_need_boundary: Vec<bool>,
    /// Phrases by their first char, for anchored matching after a position; those with
    /// alike first words next to each other.
    by_first_char: CharMap<Vec<usize>>,
    /// Whole-word phrases by their last char, for matching that ends at a position.
    by_last_char: CharMap<Vec<usize>>,
}

impl<P> PhraseSet<P> {
    /// Builds the set; phrases that are empty after parsing are skipped.
    pub fn new(entries: impl IntoIterator<Item = (String, P)>) -> Result<PhraseSet<P>, String> {
        let mut phrases = Vec::new();
        let mut payloads = Vec::new();
        let mut first_words: HashMap<(String, bool), u32> = HashMap::new();
        for (src, payload) in entries {
            if let Some(mut p) = Phrase::parse(&src) {
                let n = first_words.len() as u32;
                p.first = *first_words
                    .entry((p.words[0].text.clone(), p.words[0].stem))
                    .or_insert(n);
                phrases.push(p);
                payloads.push(payload);
            }
        }
        let mut keys: Vec<String> = Vec::new();
        let mut key_index: HashMap<String, usize> = HashMap::new();
        let mut by_key: Vec<Vec<usize>> = Vec::new();
        let mut by_first_char: CharMap<Vec<usize>> = CharMap::default();
        let mut by_last_char: CharMap<Vec<usize>> = CharMap::default();
        let mut quick: Vec<(usize, [u8; 2], usize)> = Vec::with_capacity(phrases.len());
        for (id, p) in phrases.iter().enumerate() {
            let key = p.words[0].text.clone();
            // Short first words ("в месяц", "a month", "في الشهر") would hit everywhere: key
            // them with the next word, once for each way the two may be separated.
            let short = !p.words[0].stem && key.chars().count() < 3 && p.words.len() > 1;
            let from = if short {
                0
            } else {
                truncate_chars(key.clone(), KEY_CHARS).len()
            };
            let rest = &key.as_bytes()[from..];
            let n = rest.len().min(2);
            let mut after = [0u8; 2];
            after[..n].copy_from_slice(&rest[..n]);
            quick.push((from, after, n));
            let automaton_keys: Vec<String> = if short {
                [" ", "\u{a0}", "\n"]
                    .iter()
                    .map(|sep| format!("{key}{sep}{}", p.words[1].text))
                    .collect()
            } else {
                vec![key.clone()]
            };
            // Keys are cut to a few chars: a small automaton stays in cache, and verification
            // reads the whole phrase anyway.
            for k in automaton_keys
                .into_iter()
                .map(|k| truncate_chars(k, KEY_CHARS))
            {
                let index = *key_index.entry(k.clone()).or_insert_with(|| {
                    keys.push(k);
                    by_key.push(Vec::new());
                    keys.len() - 1
                });
                if !by_key[index].contains(&id) {
                    by_key[index].push(id);
                }
            }
            if let Some(c) = key.chars().next() {
                by_first_char.entry(c).or_default().push(id);
            }
            let last = p.words.last().expect("a parsed phrase has a word");
            if !p.words.iter().any(|w| w.stem) {
                if let Some(c) = last.text.chars().next_back() {
                    by_last_char.entry(c).or_default().push(id);
                }
            }
        }
        for (p, q) in phrases.iter_mut().zip(quick) {
            p.after_key = q;
        }
        // Phrases with alike first words next to each other (in order of id among them).
        for ids in by_key.iter_mut().chain(by_first_char.values_mut()) {
            ids.sort_by_key(|&id| (phrases[id].first, id));
        }
        let all_need_boundary: Vec<bool> = by_key
            .iter()
            .map(|ids| ids.iter().all(|&id| phrases[id].start_boundary))
            .collect();
        let build = |bounded: bool| -> Result<Option<(DFA, Vec<usize>)>, String> {
            let chosen: Vec<usize> = (0..keys.len())
                .filter(|&k| all_need_boundary[k] == bounded)
                .collect();
            if chosen.is_empty() {
                return Ok(None);
            }
            let start = if bounded {
                StartKind::Anchored
            } else {
                StartKind::Unanchored
            };
            // The DFA itself, walked byte by byte in `scan`: no prefilter, no search set-up
            // for each of the thousands of word starts of a text.
            let dfa = DFA::builder()
                .match_kind(MatchKind::Standard)
                .start_kind(start)
                .prefilter(false)
                .build(chosen.iter().map(|&k| &keys[k]))
                .map_err(|e| format!("phrase automaton: {e}"))?;
            Ok(Some((dfa, chosen)))
        };
        let automaton = build(false)?;
        let at_word_start = KeyTrie::new(
            keys.iter()
                .enumerate()
                .filter(|&(k, _)| all_need_boundary[k])
                .map(|(k, key)| (key.as_str(), k)),
        );
        let mut starts_key = [false; 256];
        let mut starts_unanchored = [false; 256];
        for (k, key) in keys.iter().enumerate() {
            if let Some(&b) = key.as_bytes().first() {
                if all_need_boundary[k] {
                    starts_key[usize::from(b)] = true;
                } else {
                    starts_unanchored[usize::from(b)] = true;
                }
            }
        }
        Ok(PhraseSet {
            all_need_boundary,
            phrases,
            payloads,
            automaton,
            starts_unanchored,
            at_word_start,
            starts_key,
            by_key,
            by_first_char,
            by_last_char,
        })
    }

    pub fn payload(&self, id: usize) -> &P {
        &self.payloads[id]
    }

    pub fn len(&self) -> usize {
        self.phrases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.phrases.is_empty()
    }

    /// Every phrase occurrence in `low` (a lower-case text), overlapping ones included,
    /// in order of start.
    pub fn scan(&self, low: &str, out: &mut Vec<PhraseHit>) {
        let bytes = low.as_bytes();
        if let Some((dfa, key_of)) = &self.automaton {
            self.walk(dfa, key_of, Anchored::No, low, 0, out);
        }
        // Word starts: where no letter stands before. Read by bytes, the letters of two bytes
        // looked up in a table.
        let letters: &[bool] = &LETTERS_OF_TWO_BYTES;
        let mut after_letter = false;
        let mut at = 0;
        while at < bytes.len() {
            let b = bytes[at];
            if !after_letter && self.starts_key[usize::from(b)] {
                self.walk_word_start(low, at, out);
            }
            if b < 0x80 {
                after_letter = b == b'_' || b.is_ascii_alphabetic();
                at += 1;
            } else if let (0xC2..=0xDF, Some(&next)) = (b, bytes.get(at + 1)) {
                after_letter = letters[usize::from(b & 0x1F) << 6 | usize::from(next & 0x3F)];
                at += 2;
            } else {
                let Some(c) = low[at..].chars().next() else {
                    break;
                };
                after_letter = is_letter(c);
                at += c.len_utf8();
            }
        }
        out.sort_unstable_by_key(|h| (h.start, std::cmp::Reverse(h.end), h.id));
    }

    /// [`PhraseSet::scan`] with the word starts that may start a key already found, in order
    /// (by [`crate::text::Lowered::with_word_starts`], in the pass that lower-cased the text).
    pub fn scan_with_starts(&self, low: &str, starts: &[u32], out: &mut Vec<PhraseHit>) {
        if let Some((dfa, key_of)) = &self.automaton {
            self.walk(dfa, key_of, Anchored::No, low, 0, out);
        }
        for &at in starts {
            self.walk_word_start(low, at as usize, out);
        }
        out.sort_unstable_by_key(|h| (h.start, std::cmp::Reverse(h.end), h.id));
    }

    /// The first bytes of the keys that must start a word, for `Lowered::with_word_starts`.
    pub fn word_start_bytes(&self) -> &[bool; 256] {
        &self.starts_key
    }

    /// The keys of `at_word_start` that an anchored Aho-Corasick search from `from` reports:
    /// while the text from `from` spells the start of a key, every key that ends there
    /// (the one spelled and the shorter keys it ends with).
    fn walk_word_start(&self, low: &str, from: usize, out: &mut Vec<PhraseHit>) {
        let mut node = KeyTrie::ROOT;
        for (i, c) in low[from..].char_indices() {
            let Some(next) = self.at_word_start.child(node, c) else {
                return;
            };
            node = next;
            let end = from + i + c.len_utf8();
            for &(key, len) in self.at_word_start.matches(node) {
                self.hits_of_key(low, end - len as usize, key as usize, out);
            }
        }
    }

    /// Runs `dfa` over `low` from `from` (to its end, or until an anchored search dies) and
    /// verifies the phrases of every key it reports, as an overlapping search would report
    /// them: every key ending at each byte, suffixes of a longer key included.
    fn walk(
        &self,
        dfa: &DFA,
        key_of: &[usize],
        anchored: Anchored,
        low: &str,
        from: usize,
        out: &mut Vec<PhraseHit>,
    ) {
        let Ok(start) = dfa.start_state(anchored) else {
            return;
        };
        let bytes = low.as_bytes();
        let mut sid = start;
        let mut at = from;
        while at < bytes.len() {
            if sid == start && anchored == Anchored::No {
                // The start state of an unanchored search stays there on a byte that starts
                // no key: pass over those without a transition.
                match bytes[at..]
                    .iter()
                    .position(|&b| self.starts_unanchored[usize::from(b)])
                {
                    Some(skip) => at += skip,
                    None => return,
                }
            }
            sid = dfa.next_state(anchored, sid, bytes[at]);
            at += 1;
            if !dfa.is_special(sid) {
                continue;
            }
            if dfa.is_dead(sid) {
                return;
            }
            if dfa.is_match(sid) {
                for i in 0..dfa.match_len(sid) {
                    let pattern = dfa.match_pattern(sid, i);
                    let start = at - dfa.pattern_len(pattern);
                    self.hits_of_key(low, start, key_of[pattern.as_usize()], out);
                }
            }
        }
    }

    /// The phrases of key `key` that start at `start` and match there.
    fn hits_of_key(&self, low: &str, start: usize, key: usize, out: &mut Vec<PhraseHit>) {
        // Most hits fall inside words; phrases that need a boundary are refused at once.
        let inside_word = char_before(low, start).is_some_and(is_letter);
        if inside_word && self.all_need_boundary[key] {
            return;
        }
        self.verify_all(low, start, inside_word, &self.by_key[key], out);
    }

    /// The phrases `ids` (alike first words next to each other) that match at `start`, where
    /// `inside_word` says whether a letter stands before it.
    fn verify_all(
        &self,
        low: &str,
        start: usize,
        inside_word: bool,
        ids: &[usize],
        out: &mut Vec<PhraseHit>,
    ) {
        // The end of the last first word read, for the phrases that share it.
        let mut first: Option<(u32, Option<usize>)> = None;
        for &id in ids {
            let phrase = &self.phrases[id];
            if inside_word && phrase.start_boundary {
                continue;
            }
            let end = match first {
                Some((f, end)) if f == phrase.first => end,
                _ => {
                    let (at, after, n) = phrase.after_key;
                    let end = if low.as_bytes().get(start + at..start + at + n) == Some(&after[..n])
                    {
                        word_end(low, start, &phrase.words[0])
                    } else {
                        None
                    };
                    first = Some((phrase.first, end));
                    end
                }
            };
            if let Some(end) = end.and_then(|end| words_end(low, end, &phrase.words[1..])) {
                out.push(PhraseHit { start, end, id });
            }
        }
    }

    /// Phrases that start exactly at `pos`, longest first.
    pub fn match_at(&self, low: &str, pos: usize) -> Vec<PhraseHit> {
        let mut out = Vec::new();
        self.match_at_into(low, pos, &mut out);
        out
    }

    /// [`Self::match_at`] into `out` (cleared first), whose room a caller keeps for the next.
    pub fn match_at_into(&self, low: &str, pos: usize, out: &mut Vec<PhraseHit>) {
        out.clear();
        let Some(c) = char_at(low, pos) else {
            return;
        };
        if let Some(ids) = self.by_first_char.get(&c) {
            let inside_word = char_before(low, pos).is_some_and(is_letter);
            self.verify_all(low, pos, inside_word, ids, out);
        }
        out.sort_unstable_by_key(|h| (std::cmp::Reverse(h.end), h.id));
    }

    /// Whole-word phrases (no stems) that end exactly at `pos`, longest first.
    pub fn match_ending_at(&self, low: &str, pos: usize) -> Vec<PhraseHit> {
        let mut out = Vec::new();
        self.match_ending_at_into(low, pos, &mut out);
        out
    }

    /// [`Self::match_ending_at`] into `out` (cleared first).
    pub fn match_ending_at_into(&self, low: &str, pos: usize, out: &mut Vec<PhraseHit>) {
        out.clear();
        let Some(c) = char_before(low, pos) else {
            return;
        };
        if let Some(ids) = self.by_last_char.get(&c) {
            for &id in ids {
                if let Some(start) = self.verify_back(low, pos, id) {
                    out.push(PhraseHit {
                        start,
                        end: pos,
                        id,
                    });
                }
            }
        }
        out.sort_by_key(|h| h.start);
    }

    /// The start of whole-word phrase `id` if it ends at `end`.
    fn verify_back(&self, low: &str, end: usize, id: usize) -> Option<usize> {
        let phrase = &self.phrases[id];
        let mut pos = end;
        for (i, word) in phrase.words.iter().enumerate().rev() {
            if i + 1 < phrase.words.len() {
                pos = skip_gap_back(low, pos)?;
            }
            if pos < word.text.len()
                || !bytes_at(low.as_bytes(), pos - word.text.len(), word.text.as_bytes())
            {
                return None;
            }
            pos -= word.text.len();
        }
        if phrase.start_boundary && char_before(low, pos).is_some_and(is_letter) {
            return None;
        }
        Some(pos)
    }
}

/// The end of `word` if it is written at `pos`: the word itself, a stem with at most
/// [`STEM_SLACK`] more letters, a whole word not followed by a letter or digit.
fn word_end(low: &str, pos: usize, word: &Word) -> Option<usize> {
    if !bytes_at(low.as_bytes(), pos, word.text.as_bytes()) {
        return None;
    }
    let mut pos = pos + word.text.len();
    if word.stem {
        let mut extra = 0;
        while let Some(c) = char_at(low, pos) {
            if !is_text_letter(c) {
                break;
            }
            if extra == STEM_SLACK {
                return None;
            }
            pos += c.len_utf8();
            extra += 1;
        }
    } else if word.word_end && char_at(low, pos).is_some_and(is_word_char) {
        return None;
    }
    Some(pos)
}

/// Whether `needle` is written in `hay` at `at`: compared in place, words being a few bytes
/// long (a call to `memcmp` costs more than the comparison).
#[inline]
fn bytes_at(hay: &[u8], at: usize, needle: &[u8]) -> bool {
    hay.get(at..at + needle.len())
        .is_some_and(|h| h.iter().zip(needle).all(|(a, b)| a == b))
}

/// The end of `words` after the end `pos` of the word before them, each after a gap.
fn words_end(low: &str, mut pos: usize, words: &[Word]) -> Option<usize> {
    for word in words {
        pos = word_end(low, skip_gap(low, pos)?, word)?;
    }
    Some(pos)
}

/// A map from chars, with a hash that is a multiplication (the keys are a few hundred chars
/// of a trusted word list, looked up for every number of a text).
type CharMap<V> = HashMap<char, V, std::hash::BuildHasherDefault<CharHasher>>;

/// The longest of `hits`, in bytes.
pub fn longest(hits: &[PhraseHit]) -> usize {
    hits.iter().map(|h| h.end - h.start).max().unwrap_or(0)
}

/// The hits, in order of start as [`PhraseSet::scan`] leaves them, that may end at or after
/// `from` and start at or before `to`, none being longer than `longest` bytes. Callers filter
/// these few instead of every hit of the text, which would make their work quadratic.
pub fn hits_between(hits: &[PhraseHit], longest: usize, from: usize, to: usize) -> &[PhraseHit] {
    let first = hits.partition_point(|h| h.start + longest < from);
    let last = hits.partition_point(|h| h.start <= to);
    &hits[first..last.max(first)]
}

/// [`is_letter`] of every char below U+0800 (those written in one or two bytes).
pub(crate) static LETTERS_OF_TWO_BYTES: std::sync::LazyLock<Vec<bool>> =
    std::sync::LazyLock::new(|| {
        (0..0x800u32)
            .map(|c| char::from_u32(c).is_some_and(is_letter))
            .collect()
    });

/// What may not stand just before a phrase: a letter. A digit may ("120000р", "190к").
fn is_letter(c: char) -> bool {
    c == '_' || is_text_letter(c)
}

/// Skips at least one and at most [`GAP_SLACK`] blank chars.
fn skip_gap(low: &str, mut pos: usize) -> Option<usize> {
    let mut n = 0;
    while let Some(c) = char_at(low, pos) {
        if !is_blank(c) || n == GAP_SLACK {
            break;
        }
        pos += c.len_utf8();
        n += 1;
    }
    (n > 0).then_some(pos)
}

fn skip_gap_back(low: &str, mut pos: usize) -> Option<usize> {
    let mut n = 0;
    while let Some(c) = char_before(low, pos) {
        if !is_blank(c) || n == GAP_SLACK {
            break;
        }
        pos -= c.len_utf8();
        n += 1;
    }
    (n > 0).then_some(pos)
}

#[cfg(test)]
mod tests;
