//! Numbers as they are written: digits with their separators, Indian grouping, spelled-out
//! numbers, and the words around a number (currency, multiplier, bound) that make it an amount.

use super::*;

pub(super) fn is_group_separator(c: char) -> bool {
    is_space(c) || matches!(c, '.' | ',' | '’' | '\'' | '٬')
}

pub(super) fn is_decimal_separator(c: char) -> bool {
    matches!(c, '.' | ',' | '٫')
}

/// A run of digits: where it ends, how many digits, their value (saturating).
#[derive(Clone, Copy)]
pub(super) struct DigitRun {
    end: usize,
    len: usize,
    value: i128,
}

pub(super) fn digit_run(text: &str, pos: usize) -> DigitRun {
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
pub(super) fn scan_numbers(
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
        if !digit_bytes_at(bytes, pos) {
            // A lead byte of another char: its other bytes start nothing.
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
pub(super) const MAY_START_DIGIT: [bool; 256] = {
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

/// Whether a digit (ASCII, Arabic-Indic U+0660-0669 and U+06F0-06F9, Devanagari U+0966-096F)
/// is written at `pos`, read from its bytes.
#[inline]
pub(crate) fn digit_bytes_at(bytes: &[u8], pos: usize) -> bool {
    let next = |i: usize| bytes.get(pos + i).copied().unwrap_or(0);
    match bytes[pos] {
        b'0'..=b'9' => true,
        0xD9 => matches!(next(1), 0xA0..=0xA9),
        0xDB => matches!(next(1), 0xB0..=0xB9),
        0xE0 => next(1) == 0xA5 && matches!(next(2), 0xA6..=0xAF),
        _ => false,
    }
}

/// «و600 دولار», «ب500»: one Arabic conjunction or preposition glued to the number, itself
/// standing alone (not the last letter of a word).
pub(super) fn arabic_prefix_before(text: &str, pos: usize) -> bool {
    let Some(p) = char_before(text, pos) else {
        return false;
    };
    matches!(p, 'و' | 'ب' | 'ل' | 'ف' | 'ك')
        && !char_before(text, pos - p.len_utf8()).is_some_and(is_word_char)
}

pub(super) fn read_number(text: &str, start: usize) -> Number {
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
pub(super) fn indian_grouping(text: &str, start: usize) -> Option<Number> {
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
pub(super) fn spelled_numbers(text: &str, hits: &[PhraseHit], lex: &Lexicon) -> Vec<Number> {
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
pub(super) fn read_around(text: &str, low: &str, n: &Number, lex: &Lexicon) -> Candidate {
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
        indian_unit: false,
    };
    // "$1,500 or more": a currency written before the number lets a bound after it count.
    // One buffer for the phrases read around the number.
    let mut found = Vec::new();
    let prefix_currency = {
        let at = skip_spaces_back(text, n.start, 2);
        lex.before.match_ending_at_into(low, at, &mut found);
        found
            .iter()
            .any(|h| matches!(lex.before.payload(h.id), Before::Currency(_)))
    };
    let mut pos = n.end;
    for _ in 0..4 {
        let at = skip_spaces(text, pos, 2);
        let spaced = at > pos;
        lex.after.match_at_into(low, at, &mut found);
        let Some(hit) = found.iter().copied().find(|h| {
            let attached_only = low[h.start..h.end].chars().count() == 1
                && matches!(lex.after.payload(h.id), After::Multiplier(_));
            !(attached_only && spaced)
        }) else {
            break;
        };
        match *lex.after.payload(hit.id) {
            After::Multiplier(m) if c.multiplier.is_none() && c.currency.is_none() => {
                c.multiplier = Some(m);
                // A lakh (10⁵) or a crore (10⁷): no other unit has these values.
                c.indian_unit = matches!(m, 100_000 | 10_000_000);
            }
            After::Currency(code) if c.currency.is_none() => {
                c.currency = Some(code);
                let word = &low[hit.start..hit.end];
                if c.bound.is_none() && lex.max_suffixes.iter().any(|s| word.ends_with(s.as_str()))
                {
                    c.bound = Some(Bound::Max);
                }
            }
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
    // «६० हजार रुपैयाँसम्म»: a bound word glued to the currency or unit word just read.
    if c.bound.is_none() && (c.currency.is_some() || prefix_currency) && c.end > n.end {
        let word = last_word(&text[n.end..c.end]);
        let letters = crate::lower::lower_len_chars(word);
        if let Some((_, max, _)) = lex
            .glued_bounds
            .iter()
            .find(|(w, _, n)| *n < letters && crate::lower::lower_ends_with(word, w))
        {
            c.bound = Some(if *max { Bound::Max } else { Bound::Min });
        }
    }
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
        lex.before.match_ending_at_into(low, at, &mut found);
        let Some(hit) = found.first().copied() else {
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
