//! Periods by clause: a period word governs the amounts of its clause and its appositions,
//! a heading or a list head the lines after it, a pay noun implies a month where a language
//! says so.

use super::*;

pub(super) fn is_clause_break(c: char) -> bool {
    if c.is_ascii() {
        matches!(c, '.' | '!' | '?' | ';' | '\n')
    } else {
        // Arabic comma, semicolon and question mark, a bullet, the Devanagari dandas and the
        // Armenian full stop.
        matches!(c, '،' | '؛' | '؟' | '•' | '।' | '॥' | '։')
    }
}

/// A period word: `Some(None)` for a period the offers do not name ("per hour").
pub(super) fn period_word(lex: &Lexicon, h: &PhraseHit) -> Option<Option<Period>> {
    match *lex.free.payload(h.id) {
        Tag::Period(p) => Some(Some(p)),
        Tag::OtherPeriod => Some(None),
        _ => None,
    }
}

/// A noun that implies a period by convention («зарплата», «жалақы»).
pub(super) fn implied_word(lex: &Lexicon, h: &PhraseHit) -> Option<Period> {
    match *lex.free.payload(h.id) {
        Tag::ImpliedPeriod(p) => Some(p),
        _ => None,
    }
}

pub(super) fn period_hits<'a>(
    hits: &'a [PhraseHit],
    lex: &'a Lexicon,
    from: usize,
    to: usize,
) -> impl Iterator<Item = (PhraseHit, Option<Period>)> + 'a {
    let first = hits.partition_point(|h| h.start < from);
    hits[first..]
        .iter()
        .take_while(move |h| h.start < to)
        .filter(move |h| h.end <= to)
        .filter_map(move |h| Some((*h, period_word(lex, h)?)))
}

/// Gives each group of offers (an amount, its range partner and its equivalents) the period
/// its words say: right after it ("/мес", "в месяц"), else before it in the same clause
/// ("Единовременная выплата"), else a little after it in the same clause.
pub(super) fn assign_periods(
    text: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    offers: &mut [PaymentOffer],
    cands: &[Candidate],
    index_of: &[usize],
) {
    // Groups of candidate indices, in text order.
    let mut group_of = vec![usize::MAX; cands.len()];
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..cands.len() {
        if index_of[i] == usize::MAX {
            continue;
        }
        let root = cands[i]
            .equivalent_of
            .or(cands[i].range_with.filter(|&r| r < i))
            .filter(|&r| group_of[r] != usize::MAX);
        match root {
            Some(r) => {
                let g = group_of[r];
                groups[g].push(i);
                group_of[i] = g;
            }
            None => {
                group_of[i] = groups.len();
                groups.push(vec![i]);
            }
        }
    }
    let spans: Vec<(usize, usize, usize)> = groups
        .iter()
        .map(|g| {
            let outer = g.iter().map(|&i| cands[i].outer_start).min().unwrap_or(0);
            let start = g.iter().map(|&i| cands[i].start).min().unwrap_or(0);
            let mut end = g.iter().map(|&i| cands[i].end).max().unwrap_or(0);
            let rest = &text[end..];
            let trimmed = rest.trim_start_matches(is_blank);
            if trimmed.starts_with([')', ']']) {
                end += rest.len() - trimmed.len() + 1;
            }
            (outer.min(start), start, end)
        })
        .collect();
    // One pass over the groups and the period words: `governing` is the last period word of
    // the current clause that no amount has taken as its own ("Единовременная выплата в
    // размере 400 000 рублей", "a signing bonus paid on arrival of $2,000"). A word right after
    // an amount, or a little after it, is that amount's and governs nothing further.
    let mut governing: Option<Option<Period>> = None;
    // The last noun of the clause whose amount has a period by convention («Средняя зарплата
    // составляет …»); weaker than any period word.
    let mut implied: Option<Period> = None;
    // The period of the last amount, or of the last period word no amount took, and where it
    // ended (`Carry`): an amount no word gives a period may take it (`carried`).
    let mut carry: Option<Carry> = None;
    let pay = lex.ids.pay;
    // A line that ends with a colon and names a period heads the list of lines after it
    // ("Visa Fees are as follows:⏎⏎Multiple entry – US $ 25⏎Multiple entry – US $ 40").
    let mut list: Option<ListHead> = None;
    let mut read_to = 0usize;
    let mut next_hit = 0usize;
    for (gi, group) in groups.iter().enumerate() {
        let (outer, _start, end) = spans[gi];
        let next_start = spans.get(gi + 1).map_or(text.len(), |s| s.0);
        let from = read_to.min(outer);
        let mut clause_start = from;
        if let Some(b) = text[from..outer].rfind(is_clause_break) {
            governing = None;
            implied = None;
            clause_start = from + b + 1;
        }
        while let Some(h) = hits.get(next_hit).filter(|h| h.start < outer) {
            next_hit += 1;
            // A period word right after a number that is no amount counts that number: an
            // age ("25-50 տարեկան", "aged 30 years"), a count of years.
            let after_number = text[..h.start]
                .trim_end_matches(is_blank)
                .ends_with(|c: char| c.is_numeric());
            // A period word no amount took is carried like an amount's ("айлық алатын санат
            // бар. 1-2 млн теңге …"), unless it counts something else ("12 часов в день").
            if h.end <= outer && !after_number && carry.is_none_or(|c| c.at <= h.start) {
                let word = period_word(lex, h)
                    .filter(|_| !counts_other(text, h.start))
                    .or_else(|| implied_word(lex, h).map(Some));
                if let Some(period) = word {
                    carry = Some(Carry {
                        period,
                        at: h.end,
                        from_amount: false,
                    });
                    if let Some(at) = heads_list(text, h.end) {
                        list = Some(ListHead {
                            period,
                            at,
                            first: true,
                        });
                    }
                }
            }
            if h.start < clause_start || h.end > outer || after_number {
                continue;
            }
            if let Some(p) = period_word(lex, h) {
                governing = Some(p);
            } else if let Some(p) = implied_word(lex, h) {
                implied = Some(p);
            }
        }
        let listed = list.and_then(|l| in_list(text, l, outer));
        let own = group
            .iter()
            .find_map(|&i| immediate_period(text, hits, lex, cands[i].end, next_start))
            .or_else(|| immediate_period(text, hits, lex, end, next_start));
        let (period, taken_to) = match own {
            Some((p, to)) => (p, to),
            None => match governing {
                Some(p) => (p, end),
                None => match right_period(text, hits, lex, end, next_start) {
                    Some((p, to)) => (p, to),
                    None => match listed {
                        Some(p) => (p, end),
                        None => (
                            implied
                                .or_else(|| implied_after(text, hits, lex, end, next_start))
                                .or_else(|| carried(text, hits, lex, pay, carry, outer)),
                            end,
                        ),
                    },
                },
            },
        };
        list = listed.and(list).map(|l| ListHead {
            at: taken_to.max(end),
            first: false,
            ..l
        });
        // A noun of implied period leads the one amount after it; the others of its clause
        // have it only by `carried`.
        implied = None;
        carry = Some(Carry {
            period,
            at: taken_to.max(end),
            from_amount: true,
        });
        read_to = read_to.max(taken_to).max(end);
        for &i in group {
            offers[index_of[i]].period = period;
        }
    }
}

/// A number just before a period word that is not an amount's ("12 часов в день", "8 hours a
/// day"): the period belongs to that count.
pub(super) fn counts_other(text: &str, at: usize) -> bool {
    let from = crate::text::floor_boundary(text, at.saturating_sub(16));
    text[from..at].chars().any(|c| c.is_numeric())
}

/// The period of a list's heading line, and where its last line read ended.
#[derive(Clone, Copy)]
pub(super) struct ListHead {
    period: Option<Period>,
    at: usize,
    /// No item read yet: blank lines may stand between the heading and the first.
    first: bool,
}

/// Where the line ends when the rest of it after `at` is a heading's end: no clause break,
/// then a colon ("Visa Fees are as follows:", «Ежемесячные выплаты:»). Reads at most a
/// short line.
pub(super) fn heads_list(text: &str, at: usize) -> Option<usize> {
    let limit = crate::text::floor_boundary(text, at + 120);
    let line_end = at + text[at..limit].find('\n')?;
    let rest = text[at..line_end].trim_end_matches(is_blank);
    let body = rest.strip_suffix(':')?;
    (!body.contains(is_clause_break)).then_some(line_end)
}

/// The list's period for an amount that opens the next line of the list (after blank lines,
/// for the first): an item of it.
pub(super) fn in_list(text: &str, l: ListHead, outer: usize) -> Option<Option<Period>> {
    if l.at > outer || outer - l.at > CARRY_REACH {
        return None;
    }
    let between = &text[l.at..outer];
    let lines = between.matches('\n').count();
    let item_line = &between[between.rfind('\n').map_or(0, |i| i + 1)..];
    let ok = if l.first { lines >= 1 } else { lines == 1 };
    (ok && !item_line.contains(is_clause_break)).then_some(l.period)
}

/// How far a period is carried to a later amount, in bytes.
pub(super) const CARRY_REACH: usize = 300;

/// A period that may pass to a later amount, and where its amount or word ended.
#[derive(Clone, Copy)]
pub(super) struct Carry {
    period: Option<Period>,
    at: usize,
    from_amount: bool,
}

/// The carried period of an amount no word gives one. An amount's period passes to the next
/// amounts of its sentence («до 25 тыс. рублей в месяц), Москве (на 42%, до 85 тыс.
/// рублей)»), unless a pay word of their own leads them («…в месяц, премия 50 000 рублей»).
/// A line's period word no amount took passes to the amounts that open the next line (a
/// heading: «Базалық зейнетақы⏎Ең төменгі мөлшері – 35 596 теңге»). Never past a paragraph.
pub(super) fn carried(
    text: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    pay: Option<usize>,
    carry: Option<Carry>,
    outer: usize,
) -> Option<Period> {
    let c = carry?;
    if c.at > outer || outer - c.at > CARRY_REACH {
        return None;
    }
    let between = &text[c.at..outer];
    let ends = sentence_ends(between);
    let passes = if c.from_amount {
        // A line broken after a comma goes on with its sentence.
        let ends = ends - usize::from(ends == 1 && between.contains(",\n"));
        // The amount's own lead: the words since the last comma, dash or bracket.
        let lead = c.at
            + between
                .rfind([',', '(', '—', '–', ':', '،'])
                .map_or(0, |i| i + 1);
        let first = hits.partition_point(|h| h.start < lead);
        let own_pay = hits[first..]
            .iter()
            .take_while(|h| h.start < outer)
            .any(|h| pay.is_some_and(|p| *lex.free.payload(h.id) == Tag::Signal(p)));
        ends == 0 && !own_pay
    } else {
        let lines = between.matches('\n').count();
        ends == 1 && lines == 1
    };
    if passes {
        c.period
    } else {
        None
    }
}

pub(super) fn immediate_period(
    text: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    end: usize,
    next_start: usize,
) -> Option<(Option<Period>, usize)> {
    let limit = (end + 12).min(next_start);
    // Only hits that start by `limit` can be immediate; the rest are not looked at (an amount
    // with thousands of equivalents would otherwise read every hit up to the next amount for
    // each of them).
    let first = hits.partition_point(|h| h.start < end);
    hits[first..]
        .iter()
        .take_while(|h| h.start <= limit && h.start < next_start)
        .filter(|h| h.end <= next_start)
        .filter_map(|h| Some((h, period_word(lex, h)?)))
        .find_map(|(h, p)| {
            text[end..h.start]
                .chars()
                .all(|c| is_blank(c) || matches!(c, '/' | '.' | ')' | ']'))
                .then_some((p, h.end))
        })
}

/// A noun of implied period a little after the amount, in its clause («700 мың теңге жалақы
/// алдым»), that does not lead into the next amount.
pub(super) fn implied_after(
    text: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    end: usize,
    next_start: usize,
) -> Option<Period> {
    let mut to = crate::text::floor_boundary(text, (end + 32).min(next_start));
    if let Some(b) = text[end..to].find(is_clause_break) {
        to = end + b;
    }
    let first = hits.partition_point(|h| h.start < end);
    hits[first..]
        .iter()
        .take_while(|h| h.start < to)
        .filter(|h| h.end <= to)
        .filter(|h| {
            !(next_start < text.len()
                && next_start.saturating_sub(h.end) <= 40
                && !text[h.end..next_start].contains(is_clause_break))
        })
        .find_map(|h| implied_word(lex, h))
}

pub(super) fn right_period(
    text: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    end: usize,
    next_start: usize,
) -> Option<(Option<Period>, usize)> {
    let mut to = crate::text::floor_boundary(text, (end + 48).min(next_start));
    if let Some(b) = text[end..to].find(is_clause_break) {
        to = end + b;
    }
    period_hits(hits, lex, end, to)
        .find(|(h, _)| {
            // A period word that leads into the next amount belongs to it.
            !(next_start < text.len()
                && next_start.saturating_sub(h.end) <= 40
                && !text[h.end..next_start].contains(is_clause_break))
        })
        .map(|(h, p)| (p, h.end))
        .filter(|_| !text[end..to].contains(|c: char| is_word_char(c) && c.is_ascii_digit()))
}
