//! Payment offers: numbers, multipliers, currencies, bounds, ranges, equivalents and periods.
//!
//! A number becomes money only with a currency: its own, or one carried from the other end of a
//! range. That one rule keeps years, dates, ages, counts, percentages and phone numbers out.

use super::lexicon::{After, Before, GazetteerEntry, Lexicon, Tag};
use super::phrase::PhraseHit;
use super::text::{
    char_at, char_before, digit_value, is_blank, is_space, is_word_char, skip_spaces,
    skip_spaces_back,
};
use super::{Bound, Diagnostic, Money, PaymentOffer, Period};

/// A number as written, before any word around it is read.
#[derive(Debug, Clone, Copy)]
struct Number {
    start: usize,
    end: usize,
    /// The value in hundredths.
    minor: i128,
    /// Thousands grouping as written: `400 000`, `2,00,000` (a carried currency needs it).
    grouped: bool,
    /// The separator of a number with one group of three after a comma ("33,996"): before
    /// "тыс." it is a decimal comma, 33.996 thousand.
    lone_comma_group: bool,
}

#[derive(Debug, Clone)]
struct Candidate {
    /// Where the amount's text starts (a prefix currency included).
    start: usize,
    /// Where the amount's text ends (multiplier and currency included).
    end: usize,
    /// Where the words that qualify it start ("от", "не менее", "about").
    outer_start: usize,
    raw: i128,
    grouped: bool,
    multiplier: Option<u64>,
    currency: Option<&'static str>,
    bound: Option<Bound>,
    equivalent_of: Option<usize>,
    range_with: Option<usize>,
}

const MAX_MINOR: i128 = i64::MAX as i128;

/// Finds the payment offers of a text. `hits` are the free-text phrase hits, in order.
pub(crate) fn find(
    text: &str,
    low: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<PaymentOffer> {
    let mut numbers = scan_numbers(text, low, lex, diagnostics);
    numbers.extend(spelled_numbers(text, hits, lex));
    numbers.sort_by_key(|n| n.start);
    let mut cands: Vec<Candidate> = numbers
        .iter()
        .map(|n| read_around(text, low, n, lex))
        .collect();
    // Two readings of the same place (digits inside a spelled number) keep the first.
    cands.dedup_by(|b, a| b.start < a.end);
    merge_compounds(text, &mut cands);
    link_ranges(text, &mut cands, lex);
    link_equivalents(text, &mut cands);
    carry_currency(text, low, hits, lex, &mut cands);

    let rupee = rupee_of_country(hits, lex);
    for c in cands.iter_mut() {
        if let (Some("INR"), Some(r)) = (c.currency, rupee) {
            c.currency = Some(r);
        }
    }
    let keep: Vec<usize> = (0..cands.len())
        .filter(|&i| cands[i].currency.is_some() && cands[i].raw > 0)
        .collect();
    let mut offers = Vec::with_capacity(keep.len());
    let mut index_of = vec![usize::MAX; cands.len()];
    for &i in &keep {
        let c = &cands[i];
        let minor = c.raw.saturating_mul(c.multiplier.unwrap_or(1) as i128);
        if minor > MAX_MINOR {
            diagnostics.push(Diagnostic::warning(
                "amount_too_large",
                format!(
                    "the amount at byte {} is too large to hold and was left out",
                    c.start
                ),
            ));
            continue;
        }
        index_of[i] = offers.len();
        let currency = c.currency.unwrap_or_default();
        let value = Money {
            minor: minor as i64,
        };
        offers.push(PaymentOffer {
            value,
            currency,
            period: None,
            bound: c.bound,
            usd: usd_value(value, currency, lex),
            start: c.start,
            end: c.end,
            equivalent_of: None,
        });
    }
    for &i in &keep {
        if let (Some(e), true) = (cands[i].equivalent_of, index_of[i] != usize::MAX) {
            if index_of[e] != usize::MAX {
                offers[index_of[i]].equivalent_of = Some(index_of[e]);
                if offers[index_of[i]].bound.is_none() {
                    offers[index_of[i]].bound = offers[index_of[e]].bound;
                }
            }
        }
    }
    assign_periods(text, hits, lex, &mut offers, &cands, &index_of);
    offers
}

/// Rupees in a text written in Nepali are Nepalese, unless the amount itself says Indian
/// ("₹", "INR", "भारु", "भारतीय रुपैयाँ").
pub(crate) fn rupees_of_nepali(text: &str, offers: &mut [PaymentOffer], lex: &Lexicon) {
    const INDIAN: [&str; 5] = ["₹", "inr", "भारु", "भा.रु", "भारतीय"];
    for o in offers.iter_mut().filter(|o| o.currency == "INR") {
        let written = text.get(o.start..o.end).unwrap_or("").to_lowercase();
        if !INDIAN.iter().any(|w| written.contains(w)) {
            o.currency = "NPR";
            o.usd = usd_value(o.value, "NPR", lex);
        }
    }
}

/// Rupees are Indian unless the text names one other rupee country (Nepal, Pakistan, Sri Lanka)
/// or a place in one ("Kathmandu").
fn rupee_of_country(hits: &[PhraseHit], lex: &Lexicon) -> Option<&'static str> {
    let mut found: Option<&'static str> = None;
    for h in hits {
        let rupee = match *lex.free.payload(h.id) {
            Tag::Country(i) | Tag::CountryHint(i) => lex.rupees.of_country[i],
            Tag::Region(i) => lex.rupees.of_region[i],
            _ => None,
        };
        match (rupee, found) {
            (None, _) => {}
            (Some("INR"), _) => return None,
            (Some(r), Some(f)) if f != r => return None,
            (Some(r), _) => found = Some(r),
        }
    }
    found
}

/// The rupee each country and each region's country pays in, if any: read for every text
/// that names one, so worked out once with the lexicon.
pub(crate) struct Rupees {
    pub of_country: Vec<Option<&'static str>>,
    pub of_region: Vec<Option<&'static str>>,
}

impl Rupees {
    pub(crate) fn new(countries: &[GazetteerEntry], regions: &[GazetteerEntry]) -> Rupees {
        const RUPEES: [&str; 4] = ["INR", "NPR", "PKR", "LKR"];
        let rupee = |currency: Option<&str>| RUPEES.iter().find(|&&r| Some(r) == currency).copied();
        let of_country: Vec<Option<&'static str>> = countries
            .iter()
            .map(|c| rupee(c.currency.as_deref()))
            .collect();
        // A region's country is the first rupee country with its code.
        let rupee_countries: Vec<(&str, &'static str)> = countries
            .iter()
            .zip(&of_country)
            .filter_map(|(c, r)| Some((c.code.as_deref()?, (*r)?)))
            .collect();
        let of_region = regions
            .iter()
            .map(|r| {
                let code = r.country.as_deref()?;
                rupee_countries
                    .iter()
                    .find(|(c, _)| *c == code)
                    .map(|&(_, r)| r)
            })
            .collect();
        Rupees {
            of_country,
            of_region,
        }
    }
}

/// "1 млн 600 тысяч рублей", "2 млн 877 минг сўм": a larger unit, then a smaller one.
/// Merged in one pass that moves the survivors down in place (removing each merged candidate
/// from the middle would make a text of thousands of them quadratic).
fn merge_compounds(text: &str, cands: &mut Vec<Candidate>) {
    let mut kept = 0;
    for i in 0..cands.len() {
        if kept > 0 && merges(text, &cands[kept - 1], &cands[i]) {
            let b = cands[i].clone();
            let a = &mut cands[kept - 1];
            let ma = a.multiplier.unwrap_or(1) as i128;
            let mb = b.multiplier.unwrap_or(1) as i128;
            (a.raw, a.multiplier) = in_smaller_unit(a.raw, ma, b.raw, mb);
            a.currency = b.currency;
            a.end = b.end;
            if a.bound.is_none() {
                a.bound = b.bound;
            }
        } else {
            cands.swap(kept, i);
            kept += 1;
        }
    }
    cands.truncate(kept);
}

/// The sum of `a` units of `ma` and `b` units of `mb`, counted in the smaller unit when the
/// larger is a whole number of it, so that a third, smaller unit can follow: "९ लाख ३१ हजार ५
/// सय" is 931 thousands, then 9315 hundreds.
fn in_smaller_unit(a: i128, ma: i128, b: i128, mb: i128) -> (i128, Option<u64>) {
    if mb > 0 && ma % mb == 0 {
        let unit = u64::try_from(mb).ok();
        (a.saturating_mul(ma / mb).saturating_add(b), unit)
    } else {
        (
            a.saturating_mul(ma).saturating_add(b.saturating_mul(mb)),
            None,
        )
    }
}

/// `b` is the smaller unit of `a`'s amount.
fn merges(text: &str, a: &Candidate, b: &Candidate) -> bool {
    match (a.multiplier, b.multiplier, a.currency) {
        (Some(ma), Some(mb), None) => {
            mb < ma && a.end <= b.outer_start && text[a.end..b.outer_start].chars().all(is_blank)
        }
        _ => false,
    }
}

/// The approximate value in whole US dollars, from the dated rate table.
pub(crate) fn usd_value(value: Money, currency: &str, lex: &Lexicon) -> Option<i64> {
    let rate = *lex.rates.get(currency)?;
    if rate <= 0.0 {
        return None;
    }
    Some(((value.minor as f64 / 100.0) / rate).round() as i64)
}

fn is_group_separator(c: char) -> bool {
    is_space(c) || matches!(c, '.' | ',' | '’' | '\'' | '٬')
}

fn is_decimal_separator(c: char) -> bool {
    matches!(c, '.' | ',' | '٫')
}

/// A run of digits: where it ends, how many digits, their value (saturating).
#[derive(Clone, Copy)]
struct DigitRun {
    end: usize,
    len: usize,
    value: i128,
}

fn digit_run(text: &str, pos: usize) -> DigitRun {
    let mut run = DigitRun {
        end: pos,
        len: 0,
        value: 0,
    };
    for c in text[pos..].chars() {
        let Some(d) = digit_value(c) else { break };
        run.value = run.value.saturating_mul(10).saturating_add(d as i128);
        run.len += 1;
        run.end += c.len_utf8();
    }
    run
}

/// Every number in the text with its value: `495 000`, `2.500.000`, `45 000,50`, `1,5`, `٢٠٠٠`.
fn scan_numbers(
    text: &str,
    low: &str,
    lex: &Lexicon,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Number> {
    let mut out = Vec::new();
    let mut pos = 0;
    let bytes = text.as_bytes();
    while pos < text.len() {
        // ASCII digits, Arabic-Indic ones behind lead bytes D9/DB, Devanagari ones behind E0 A5.
        match bytes[pos..]
            .iter()
            .position(|&b| MAY_START_DIGIT[usize::from(b)])
        {
            Some(skip) => pos += skip,
            None => break,
        }
        if bytes[pos] == 0xE0 && bytes.get(pos + 1) != Some(&0xA5) {
            pos += 1;
            continue;
        }
        let Some(c) = char_at(text, pos) else { break };
        if digit_value(c).is_none() {
            pos += c.len_utf8();
            continue;
        }
        // A number glued to letters is part of a word or a code (bars2021, A4), unless the
        // letters are a currency ("RM9,662", "USD5000").
        let glued = char_before(text, pos).is_some_and(|p| p.is_alphabetic())
            && !arabic_prefix_before(text, pos);
        if glued
            && !lex
                .before
                .match_ending_at(low, pos)
                .iter()
                .any(|h| matches!(lex.before.payload(h.id), Before::Currency(_)))
        {
            pos = digit_run(text, pos).end;
            continue;
        }
        let number = read_number(text, pos);
        if number.minor > MAX_MINOR {
            diagnostics.push(Diagnostic::info(
                "number_too_long",
                format!("a number of more than 17 digits at byte {pos} was not read"),
            ));
        }
        pos = number.end;
        out.push(number);
    }
    out
}

/// The bytes a digit may start with: ASCII digits and the lead bytes of Arabic-Indic (D9, DB)
/// and Devanagari (E0) ones; every one of them starts a char.
const MAY_START_DIGIT: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = b'0';
    while b <= b'9' {
        t[b as usize] = true;
        b += 1;
    }
    t[0xD9] = true;
    t[0xDB] = true;
    t[0xE0] = true;
    t
};

/// «و600 دولار», «ب500»: one Arabic conjunction or preposition glued to the number, itself
/// standing alone (not the last letter of a word).
fn arabic_prefix_before(text: &str, pos: usize) -> bool {
    let Some(p) = char_before(text, pos) else {
        return false;
    };
    matches!(p, 'و' | 'ب' | 'ل' | 'ف' | 'ك')
        && !char_before(text, pos - p.len_utf8()).is_some_and(is_word_char)
}

fn read_number(text: &str, start: usize) -> Number {
    if let Some(n) = indian_grouping(text, start) {
        return n;
    }
    let first = digit_run(text, start);
    let mut end = first.end;
    let mut int_value = first.value;
    // Hundredths from a decimal part of one or two digits.
    let mut frac_minor = 0i128;
    let mut group_sep: Option<char> = None;
    let mut groups = 0;
    while let Some(sep) = char_at(text, end) {
        let next = end + sep.len_utf8();
        if !(is_group_separator(sep) || is_decimal_separator(sep))
            || char_at(text, next).and_then(digit_value).is_none()
        {
            break;
        }
        let run = digit_run(text, next);
        let same_grouping = match group_sep {
            None => true,
            Some(g) => g == sep || (is_space(g) && is_space(sep)),
        };
        // Thousands: groups of exactly three after a lead of one to three digits
        // ("495 000", "2.500.000", "204,000"). "2023 500" is a year and an amount.
        if run.len == 3 && first.len <= 3 && same_grouping {
            int_value = int_value.saturating_mul(1000).saturating_add(run.value);
            group_sep = Some(sep);
            groups += 1;
            end = run.end;
            continue;
        }
        // A decimal part: "1,5 млн", "45 000,50", "195,0 тыс.".
        if is_decimal_separator(sep) && run.len <= 2 && group_sep != Some(sep) {
            frac_minor = if run.len == 1 {
                run.value * 10
            } else {
                run.value
            };
            end = run.end;
        }
        break;
    }
    Number {
        start,
        end,
        minor: int_value.saturating_mul(100).saturating_add(frac_minor),
        grouped: groups > 0,
        lone_comma_group: groups == 1 && group_sep == Some(','),
    }
}

/// Indian grouping: a lead of one or two digits, groups of two, a last group of three, all
/// with commas ("2,00,000", "31,40,000", "9,00,00,000"). Read in one pass.
fn indian_grouping(text: &str, start: usize) -> Option<Number> {
    let lead = digit_run(text, start);
    if lead.len > 2 {
        return None;
    }
    let (mut end, mut value, mut pairs) = (lead.end, lead.value, 0);
    loop {
        if char_at(text, end) != Some(',') {
            return None;
        }
        let run = digit_run(text, end + 1);
        match run.len {
            // Seven pairs would pass 10^16: no amount is written so.
            2 if pairs < 7 => {
                value = value.saturating_mul(100).saturating_add(run.value);
                pairs += 1;
                end = run.end;
            }
            3 if pairs > 0 => {
                let more = char_at(text, run.end) == Some(',')
                    && char_at(text, run.end + 1).and_then(digit_value).is_some();
                if more {
                    return None;
                }
                return Some(Number {
                    start,
                    end: run.end,
                    minor: value
                        .saturating_mul(1000)
                        .saturating_add(run.value)
                        .saturating_mul(100),
                    grouped: true,
                    lone_comma_group: false,
                });
            }
            _ => return None,
        }
    }
}

/// Spelled-out numbers ("двести тысяч рублей"): runs of number words, summed.
fn spelled_numbers(text: &str, hits: &[PhraseHit], lex: &Lexicon) -> Vec<Number> {
    let mut out: Vec<Number> = Vec::new();
    for h in hits {
        let Tag::NumberWord(v) = *lex.free.payload(h.id) else {
            continue;
        };
        let minor = (v * 100.0).round() as i128;
        if let Some(last) = out.last_mut() {
            if h.start < last.end {
                continue;
            }
            if text[last.end..h.start].chars().all(is_blank) && h.start - last.end <= 4 {
                last.end = h.end;
                last.minor = last.minor.saturating_add(minor);
                continue;
            }
        }
        out.push(Number {
            start: h.start,
            end: h.end,
            minor,
            grouped: false,
            lone_comma_group: false,
        });
    }
    out
}

/// Reads the words around a number: multiplier and currency after, currency, bound and
/// "about" before.
fn read_around(text: &str, low: &str, n: &Number, lex: &Lexicon) -> Candidate {
    let mut c = Candidate {
        start: n.start,
        end: n.end,
        outer_start: n.start,
        raw: n.minor,
        grouped: n.grouped,
        multiplier: None,
        currency: None,
        bound: None,
        equivalent_of: None,
        range_with: None,
    };
    // "$1,500 or more": a currency written before the number lets a bound after it count.
    let prefix_currency = {
        let at = skip_spaces_back(text, n.start, 2);
        lex.before
            .match_ending_at(low, at)
            .iter()
            .any(|h| matches!(lex.before.payload(h.id), Before::Currency(_)))
    };
    let mut pos = n.end;
    for _ in 0..4 {
        let at = skip_spaces(text, pos, 2);
        let spaced = at > pos;
        let Some(hit) = lex.after.match_at(low, at).into_iter().find(|h| {
            let attached_only = low[h.start..h.end].chars().count() == 1
                && matches!(lex.after.payload(h.id), After::Multiplier(_));
            !(attached_only && spaced)
        }) else {
            break;
        };
        match *lex.after.payload(hit.id) {
            After::Multiplier(m) if c.multiplier.is_none() && c.currency.is_none() => {
                c.multiplier = Some(m)
            }
            After::Currency(code) if c.currency.is_none() => c.currency = Some(code),
            After::CurrencyThousands(code) if c.currency.is_none() && c.multiplier.is_none() => {
                c.currency = Some(code);
                c.multiplier = Some(1000);
            }
            After::BoundMin if (c.currency.is_some() || prefix_currency) && c.bound.is_none() => {
                c.bound = Some(Bound::Min);
                pos = hit.end;
                break;
            }
            After::BoundMax if (c.currency.is_some() || prefix_currency) && c.bound.is_none() => {
                c.bound = Some(Bound::Max);
                pos = hit.end;
                break;
            }
            _ => break,
        }
        pos = hit.end;
        c.end = hit.end;
    }
    let _ = pos;
    // "33,996 тыс. рублей": before a thousand written in words, one comma group is a decimal
    // comma (English writes "1.5 million", and "1,500 million" stays 1.5 billion).
    if let Some(m) = c.multiplier {
        let word = &low[n.end..c.end];
        if n.lone_comma_group && m >= 1000 && !word.is_ascii() {
            c.multiplier = Some(m / 1000);
            c.grouped = false;
        }
    }

    let mut at = skip_spaces_back(text, n.start, 2);
    for _ in 0..3 {
        let Some(hit) = lex.before.match_ending_at(low, at).into_iter().next() else {
            break;
        };
        match *lex.before.payload(hit.id) {
            Before::Currency(code) if c.start == n.start => {
                if c.currency.is_none() {
                    c.currency = Some(code);
                }
                c.start = hit.start;
            }
            Before::BoundMin if c.bound.is_none() => c.bound = Some(Bound::Min),
            Before::BoundMax if c.bound.is_none() => c.bound = Some(Bound::Max),
            Before::Approx => {}
            // "साढे १७ लाख": the word is part of the number, so it must stand right before it.
            Before::Plus(hundredths) if c.start == n.start && c.outer_start == n.start => {
                c.raw = c.raw.saturating_add(hundredths as i128);
                c.start = hit.start;
            }
            _ => break,
        }
        c.outer_start = hit.start;
        at = skip_spaces_back(text, hit.start, 2);
    }
    c
}

/// "от 204 000 до 250 000 руб.", "150-200 тыс.", "من 1000 إلى 1200 دولار".
fn link_ranges(text: &str, cands: &mut [Candidate], lex: &Lexicon) {
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
        let between = text[a.end..b.outer_start]
            .trim_matches(is_blank)
            .to_lowercase();
        let joined = lex.joiners.contains(&between)
            || (between.is_empty() && b.outer_start < b.start && b.bound == Some(Bound::Max));
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

/// «85 тысяч рублей … от 150 тысяч», «млн руб. … 400 тыс.»: the last currency named is carried
/// to the bare amounts after it. Only money-shaped numbers take it (`money_shaped`); it lasts for
/// its sentence, or two more for a number written with a thousand word ("150 тысяч"), which is
/// rarer outside money. One pass: each stretch of text between two numbers is read once.
fn carry_currency(
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

/// How many sentences end in `s`: a `!`, `?` or line break, or a full stop before a capital
/// (or a letter without case, as in Arabic); "тыс. руб." and "17.07" end none.
fn sentence_ends(s: &str) -> usize {
    // The bytes a sentence end may start with: ASCII marks, and the lead bytes of "؟", "؛"
    // (D8) and "…" (E2). Until one is met, no other char changes the count.
    const MAY_END: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        let marks = [b'.', b'!', b'?', b'\n', b';', 0xD8, 0xE2];
        while i < marks.len() {
            t[marks[i] as usize] = true;
            i += 1;
        }
        t
    };
    let bytes = s.as_bytes();
    let mut n = 0;
    let mut pending: Option<char> = None;
    let mut at = 0;
    while at < bytes.len() {
        if pending.is_none() {
            match bytes[at..].iter().position(|&b| MAY_END[usize::from(b)]) {
                Some(skip) => at += skip,
                None => break,
            }
        }
        // `at` is at a char boundary: an ASCII byte, a lead byte, or past a whole char.
        let Some(c) = s[at..].chars().next() else {
            break;
        };
        at += c.len_utf8();
        match c {
            '.' | '!' | '?' | '\n' | ';' | '؟' | '؛' | '…' if pending.is_none() || c != '.' => {
                pending = Some(c);
            }
            '.' => {}
            _ if is_alphanumeric(c) => {
                if let Some(p) = pending.take() {
                    if p != '.' || !(c.is_lowercase() || c.is_ascii_digit()) {
                        n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    n + usize::from(pending.is_some_and(|p| p != '.'))
}

/// `char::is_alphanumeric`, without Unicode's table search for the letters of the scripts
/// adwatch reads most (it is asked of every char between two numbers).
#[inline]
fn is_alphanumeric(c: char) -> bool {
    match c {
        '\u{0000}'..='\u{007F}' => c.is_ascii_alphanumeric(),
        '\u{0400}'..='\u{0481}' | '\u{048A}'..='\u{052F}' | '\u{0621}'..='\u{064A}' => true,
        '\u{0080}'..='\u{00A9}' | '\u{2000}'..='\u{206F}' => false,
        _ => c.is_alphanumeric(),
    }
}

/// A number that may be money when a currency is carried to it: written with a thousand word
/// or grouped in thousands (`400 000`), and not part of a phone, date, time, id or count:
/// nothing numeric or `+` stands just before it, no digit, dash-digit, `%` or `/` just after,
/// and after it comes no word but a period or bound word ("в месяц", "и более", "больше").
fn money_shaped(text: &str, low: &str, hits: &[PhraseHit], lex: &Lexicon, c: &Candidate) -> bool {
    let in_words = c.multiplier.is_some_and(|m| m >= 1000);
    if c.raw <= 0 || !(in_words || (c.grouped && c.raw >= 1000 * 100)) {
        return false;
    }
    let numeric_mark = |p: char| {
        p.is_numeric() || matches!(p, '+' | ')' | '№' | '#' | '-' | '–' | '/' | ':' | '.' | '=')
    };
    let mut before = skip_spaces_back(text, c.outer_start, 2);
    if char_before(text, before) == Some('(') {
        // "+7 (924) …" is a phone; "(от 150 тысяч)" is not.
        before = skip_spaces_back(text, before - 1, 2);
    }
    if char_before(text, before).is_some_and(numeric_mark) {
        return false;
    }
    let at = skip_spaces(text, c.end, 2);
    let Some(next) = char_at(text, at) else {
        return true;
    };
    let after_next = char_at(text, skip_spaces(text, at + next.len_utf8(), 2));
    if next.is_numeric()
        || matches!(next, '%' | '‰' | '/' | ':' | '+' | '×' | 'x')
        || (matches!(next, '-' | '–' | '.' | ',') && after_next.is_some_and(|d| d.is_numeric()))
    {
        return false;
    }
    if !is_word_char(next) {
        return true;
    }
    let first = hits.partition_point(|h| h.start < at);
    let period_next = hits[first..]
        .iter()
        .take_while(|h| h.start == at)
        .any(|h| period_word(lex, h).is_some());
    period_next
        || lex
            .after
            .match_at(low, at)
            .iter()
            .any(|h| matches!(lex.after.payload(h.id), After::BoundMin | After::BoundMax))
        || lex.before.match_at(low, at).iter().any(|h| {
            matches!(
                lex.before.payload(h.id),
                Before::BoundMin | Before::BoundMax
            )
        })
}

/// "495 тыс. руб. ($5 300)", "204,000 roubles a month [about £1,900]".
fn link_equivalents(text: &str, cands: &mut [Candidate]) {
    for i in 1..cands.len() {
        let (a, b) = (&cands[i - 1], &cands[i]);
        if a.currency.is_none() || b.currency.is_none() || a.end > b.outer_start {
            continue;
        }
        let between = text[a.end..b.outer_start].trim_matches(is_blank);
        let after_b = text[b.end..].trim_start_matches(is_blank);
        let opened = matches!(between, "(" | "[")
            || between.ends_with(['(', '['])
                && between.len() <= 24
                && !between.contains(|c: char| c.is_ascii_digit());
        if opened && (after_b.starts_with([')', ']']) || after_b.is_empty()) {
            let target = a.equivalent_of.unwrap_or(i - 1);
            cands[i].equivalent_of = Some(target);
        }
    }
}

fn is_clause_break(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ';' | '\n' | '،' | '؛' | '؟' | '•')
}

/// A period word: `Some(None)` for a period the offers do not name ("per hour").
fn period_word(lex: &Lexicon, h: &PhraseHit) -> Option<Option<Period>> {
    match *lex.free.payload(h.id) {
        Tag::Period(p) => Some(Some(p)),
        Tag::OtherPeriod => Some(None),
        _ => None,
    }
}

fn period_hits<'a>(
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
fn assign_periods(
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
    let mut read_to = 0usize;
    let mut next_hit = 0usize;
    for (gi, group) in groups.iter().enumerate() {
        let (outer, _start, end) = spans[gi];
        let next_start = spans.get(gi + 1).map_or(text.len(), |s| s.0);
        let from = read_to.min(outer);
        let mut clause_start = from;
        if let Some(b) = text[from..outer].rfind(is_clause_break) {
            governing = None;
            clause_start = from + b + 1;
        }
        while let Some(h) = hits.get(next_hit).filter(|h| h.start < outer) {
            next_hit += 1;
            if h.start < clause_start || h.end > outer {
                continue;
            }
            if let Some(p) = period_word(lex, h) {
                governing = Some(p);
            }
        }
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
                    None => (None, end),
                },
            },
        };
        read_to = read_to.max(taken_to).max(end);
        for &i in group {
            offers[index_of[i]].period = period;
        }
    }
}

fn immediate_period(
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

fn right_period(
    text: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    end: usize,
    next_start: usize,
) -> Option<(Option<Period>, usize)> {
    let mut to = super::text::floor_boundary(text, (end + 48).min(next_start));
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

#[cfg(test)]
mod tests {
    /// `sentence_ends` as it read every char, before it skipped to the marks.
    fn sentence_ends_char_by_char(s: &str) -> usize {
        let mut n = 0;
        let mut pending: Option<char> = None;
        for c in s.chars() {
            match c {
                '.' | '!' | '?' | '\n' | ';' | '؟' | '؛' | '…' if pending.is_none() || c != '.' =>
                {
                    pending = Some(c);
                }
                '.' => {}
                _ if c.is_alphanumeric() => {
                    if let Some(p) = pending.take() {
                        if p != '.' || !(c.is_lowercase() || c.is_ascii_digit()) {
                            n += 1;
                        }
                    }
                }
                _ => {}
            }
        }
        n + usize::from(pending.is_some_and(|p| p != '.'))
    }

    #[test]
    fn sentence_ends_skips_to_the_marks_and_counts_alike() {
        let texts = [
            "",
            "тыс. руб. и 17.07 — Да. нет! Ещё? да\n",
            "Оплата… Далее; потом. 5 раз. А",
            "الراتب 600 دولار؟ نعم؛ و. ثم… ك",
            "a.b.c. D e! f? g\n\n.",
            "ends with a mark.",
            "ends with a mark!",
            "… ... ؟؟ ;;",
            "ǅ. Σ. ß. ¹. ٣. ३. x",
        ];
        for t in texts {
            for (cut, _) in t.char_indices().chain([(t.len(), ' ')]) {
                for piece in [&t[..cut], &t[cut..]] {
                    assert_eq!(
                        super::sentence_ends(piece),
                        sentence_ends_char_by_char(piece),
                        "{piece:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn fast_alphanumeric_is_unicode_alphanumeric() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(super::is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }
}
