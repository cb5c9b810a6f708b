//! Ranges and bounds: two amounts joined into a range, "from"/"to" words, verbs of change, and
//! a currency carried from the context to the bare numbers after it.

use super::*;
use crate::lexicon::FastSet;
use crate::lower::{lower_ends_with, lower_len_chars};

/// "от 204 000 до 250 000 руб.", "150-200 тыс.", "من 1000 إلى 1200 دولار".
pub(super) fn link_ranges(text: &str, hits: &[PhraseHit], cands: &mut [Candidate], lex: &Lexicon) {
    // "between" right before the first amount, or «аралығында» right after the second.
    let between_at = |at: usize, before: bool| {
        let first = hits.partition_point(|h| h.start < at.saturating_sub(MAX_BETWEEN));
        hits[first..].iter().take_while(|h| h.start <= at).any(|h| {
            *lex.free.payload(h.id) == Tag::Between { before }
                && if before {
                    h.end <= at && text[h.end..at].chars().all(is_blank)
                } else {
                    h.start == at
                }
        })
    };
    for i in 1..cands.len() {
        let (a, b) = (&cands[i - 1], &cands[i]);
        if a.range_with.is_some() || a.end > b.outer_start {
            continue;
        }
        if a.currency.is_none() && b.currency.is_none() {
            continue;
        }
        if a.currency.is_some() && b.currency.is_some() && a.currency != b.currency {
            continue;
        }
        let between = text[a.end..b.outer_start].trim_matches(is_blank);
        // Lower-cased only when it may be a joiner: no char lower-cases to less than a third of
        // its bytes, so a longer stretch is none.
        let lowered = (between.len() <= 3 * lex.longest_joiner).then(|| between.to_lowercase());
        let is_in = |set: &FastSet<String>| lowered.as_deref().is_some_and(|l| set.contains(l));
        let opens_range = || {
            let written = &text[a.start..a.end];
            a.currency.is_some()
                && lex
                    .range_suffixes
                    .iter()
                    .any(|s| lower_ends_with(written, s))
        };
        let conjunction = is_in(&lex.conjunctions)
            && (between_at(a.outer_start, true) || between_at(skip_spaces(text, b.end, 2), false));
        let joined = is_in(&lex.joiners)
            || conjunction
            || (between.is_empty()
                && b.bound == Some(Bound::Max)
                && (b.outer_start < b.start || opens_range()))
            || (between.is_empty()
                && (b.multiplier.is_some() || b.currency.is_some())
                && glued_joiner(&text[a.start..a.end], lex));
        if !joined {
            continue;
        }
        let (a_raw, b_raw) = (a.raw, b.raw);
        let (a_mult, b_mult) = (a.multiplier, b.multiplier);
        let currency = a.currency.or(b.currency);
        let a = &mut cands[i - 1];
        a.currency = currency;
        a.bound = Some(Bound::Min);
        if a_mult.is_none() && b_mult.is_some() && a_raw < b_raw {
            a.multiplier = b_mult;
        }
        a.range_with = Some(i);
        let b = &mut cands[i];
        b.currency = currency;
        b.bound = Some(Bound::Max);
        if b_mult.is_none() && a_mult.is_some() && b_raw > a_raw && b_raw < 1000 * 100 {
            b.multiplier = a_mult;
        }
        b.range_with = Some(i - 1);
    }
}

/// The last word of `s`, as written (compared in lower case with `crate::lower`).
pub(super) fn last_word(s: &str) -> &str {
    s.rsplit(|c: char| !is_word_char(c)).next().unwrap_or("")
}

/// "from" glued to the unit or currency word of the lower amount: «50 миңден 60 миң сомго
/// чейин», «५० हजारदेखि ६० हजार». Only joiners of three letters or more, not ASCII ("thousand"
/// ends in "and"), ending a longer word, before an amount with its own unit or currency.
pub(super) fn glued_joiner(a_text: &str, lex: &Lexicon) -> bool {
    let word = last_word(a_text);
    let letters = lower_len_chars(word);
    lex.glued_joiners
        .iter()
        .any(|(j, n)| *n < letters && lower_ends_with(word, j))
}

/// The longest "between" word looked for before a range, in bytes.
pub(super) const MAX_BETWEEN: usize = 64;

/// How far before an amount a verb of change is looked for, and after it (Kazakh and Uzbek put
/// the verb last).
pub(super) const CHANGE_BEFORE: usize = 400;
pub(super) const CHANGE_AFTER: usize = 48;

/// «Цены подорожали на 25%, с 20 до 24 тыс. рублей», «увеличена до 2 млн рублей», "rose to
/// $500", «رفع الحد الأدنى للأجور إلى 3500 جنيه»: after a verb of change in its clause (or just
/// after the amount), a "до"/"to" names the new value, and a range without a "from" word of
/// its own is the old and the new value; neither is a bound. One pass with a pointer into the
/// hits; each amount looks at most a fixed stretch around it.
pub(super) fn changes_are_not_bounds(
    text: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    cands: &mut [Candidate],
) {
    let is_change = |h: &PhraseHit| *lex.free.payload(h.id) == Tag::Change;
    let mut last_change: Option<usize> = None;
    let mut next_hit = 0usize;
    for i in 0..cands.len() {
        let (outer, end) = (cands[i].outer_start, cands[i].end);
        while let Some(h) = hits.get(next_hit).filter(|h| h.start < outer) {
            if h.end <= outer && is_change(h) {
                last_change = Some(h.end);
            }
            next_hit += 1;
        }
        if cands[i].bound != Some(Bound::Max) {
            continue;
        }
        let before = last_change
            .is_some_and(|at| outer - at <= CHANGE_BEFORE && sentence_ends(&text[at..outer]) == 0);
        let after = || {
            let to = crate::text::floor_boundary(text, end + CHANGE_AFTER);
            let to = text[end..to].find(is_clause_break).map_or(to, |b| end + b);
            let first = hits.partition_point(|h| h.start < end);
            hits[first..]
                .iter()
                .take_while(|h| h.start < to)
                .any(|h| h.end <= to && is_change(h))
        };
        if !(before || after()) {
            continue;
        }
        match cands[i].range_with.filter(|&r| r < i) {
            Some(r) if cands[r].outer_start == cands[r].start => {
                cands[r].bound = None;
                cands[i].bound = None;
            }
            Some(_) => {}
            None => cands[i].bound = None,
        }
    }
}

/// «85 тысяч рублей … от 150 тысяч», «млн руб. … 400 тыс.»: the last currency named is carried
/// to the bare amounts after it. Only money-shaped numbers take it (`money_shaped`); it lasts for
/// its sentence, or two more for a number written with a thousand word ("150 тысяч"), which is
/// rarer outside money. One pass: each stretch of text between two numbers is read once.
pub(super) fn carry_currency(
    text: &str,
    low: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    cands: &mut [Candidate],
) {
    let mut carry: Option<(&'static str, usize)> = None;
    let mut sentences = 0usize;
    let mut read_to = 0usize;
    for i in 0..cands.len() {
        let from = read_to.min(cands[i].outer_start);
        sentences += sentence_ends(&text[from..cands[i].outer_start]);
        read_to = read_to.max(cands[i].end);
        if let Some(cur) = cands[i].currency {
            carry = Some((cur, cands[i].end));
            sentences = 0;
            continue;
        }
        let Some((cur, carried_end)) = carry else {
            continue;
        };
        let c = &cands[i];
        let in_words = c.multiplier.is_some_and(|m| m >= 1000);
        let distance = c.start.saturating_sub(carried_end);
        let near = if in_words {
            sentences <= 2 && distance <= 600
        } else {
            sentences == 0 && distance <= 200
        };
        if near && money_shaped(text, low, hits, lex, c) {
            cands[i].currency = Some(cur);
            carry = Some((cur, cands[i].end));
            sentences = 0;
        }
    }
}
