//! Phone numbers, read with the phone-number metadata and the words around them.

use crate::lexicon::{Lexicon, Tag};
use crate::phrase::{self, PhraseHit};
use crate::text::{char_at, char_before, digit_value, is_space, is_word_char};
use crate::{EntityKind, PaymentOffer, RecruitingEntity};

use super::{entity, Spans};

/// Phone numbers, written any way people write them, in E.164; short service numbers (117,
/// 112) only where the text says they are numbers.
pub(super) fn phones(
    text: &str,
    hits: &[PhraseHit],
    longest: usize,
    lex: &Lexicon,
    amounts: &[PaymentOffer],
    out: &mut Vec<RecruitingEntity>,
) {
    let money = Spans::new(amounts.iter().map(|a| (a.start, a.end)));
    let overlaps_money = |s: usize, e: usize| money.any_overlaps(s, e);
    let bytes = text.as_bytes();
    let mut pos = 0;
    while pos < text.len() {
        // Only '+', '(' and digits (ASCII, Arabic-Indic behind lead bytes D9/DB, Devanagari
        // behind E0 A5) start a number; all those bytes start a char.
        match bytes[pos..]
            .iter()
            .position(|&b| MAY_START_PHONE[usize::from(b)])
        {
            Some(skip) => pos += skip,
            None => break,
        }
        if bytes[pos] >= 0x80 && !crate::money::digit_bytes_at(bytes, pos) {
            // A lead byte of a char that is no digit: its other bytes start nothing.
            pos += 1;
            continue;
        }
        let Some(c) = char_at(text, pos) else { break };
        let starts = (c == '+' || digit_value(c).is_some() || c == '(')
            && !char_before(text, pos)
                .is_some_and(|p| is_word_char(p) || matches!(p, '.' | ',' | '/' | '-' | ':'));
        if !starts {
            pos += c.len_utf8();
            continue;
        }
        let (end, digits) = phone_run(text, pos);
        if end <= pos {
            pos += c.len_utf8();
            continue;
        }
        let next = char_at(text, end);
        let glued = next.is_some_and(|n| is_word_char(n) || matches!(n, '%' | '.' | ','))
            && !next.is_some_and(|n| {
                matches!(n, '.' | ',') && char_at(text, end + 1).is_none_or(|a| !a.is_ascii_digit())
            });
        if !glued && !overlaps_money(pos, end) {
            let raw = &text[pos..end];
            let digits = digits.as_str();
            if let Some(e164) = phone_from_digits(raw.trim_start().starts_with('+'), digits) {
                out.push(entity(EntityKind::Phone, pos, end, e164));
            } else if (2..=4).contains(&digits.len())
                && !raw.contains(|c: char| !c.is_ascii_digit() && digit_value(c).is_none())
                && phone_context_near(text, hits, longest, lex, pos, end)
            {
                out.push(entity(EntityKind::Phone, pos, end, digits.to_string()));
            }
        }
        pos = end.max(pos + c.len_utf8());
    }
}

/// The bytes a phone number may start with: '+', '(', ASCII digits and the lead bytes of
/// Arabic-Indic (D9, DB) and Devanagari (E0) digits.
pub(super) const MAY_START_PHONE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = b'0';
    while b <= b'9' {
        t[b as usize] = true;
        b += 1;
    }
    t[b'+' as usize] = true;
    t[b'(' as usize] = true;
    t[0xD9] = true;
    t[0xDB] = true;
    t[0xE0] = true;
    t
};

/// Separators a phone number may have in a row ("+7 (924) 123-45-67" has two). A longer run
/// ends it, so that a page of "( ( ( (" is not read to its end from each bracket.
pub(super) const MAX_SEPARATORS: usize = 8;

/// The ASCII digits of a phone-like run, at most 16 (the run ends after the 16th), kept in
/// place: every number of a text is read as a possible phone.
pub(super) struct Digits {
    buf: [u8; 16],
    len: usize,
}

impl Digits {
    fn push(&mut self, c: char) {
        self.buf[self.len] = c as u8;
        self.len += 1;
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn as_str(&self) -> &str {
        // Only ASCII digits are pushed.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// The end of a phone-like run at `start` and its digits (ASCII).
pub(super) fn phone_run(text: &str, start: usize) -> (usize, Digits) {
    let mut digits = Digits {
        buf: [0; 16],
        len: 0,
    };
    let mut end = start;
    let mut last_digit_end = start;
    let mut spaces_in_a_row = 0;
    let mut separators = 0;
    for (i, c) in text[start..].char_indices() {
        if let Some(d) = digit_value(c) {
            digits.push(char::from(b'0' + d as u8));
            last_digit_end = start + i + c.len_utf8();
            spaces_in_a_row = 0;
            separators = 0;
        } else if separators == MAX_SEPARATORS {
            break;
        } else if (c == '+' && i == 0) || matches!(c, '(' | ')' | '-' | '‒' | '–') {
            spaces_in_a_row = 0;
            separators += 1;
        } else if is_space(c) && spaces_in_a_row == 0 {
            spaces_in_a_row += 1;
            separators += 1;
        } else {
            break;
        }
        end = start + i + c.len_utf8();
        if digits.len() > 15 {
            break;
        }
    }
    let _ = end;
    (last_digit_end, digits)
}

/// E.164 for a number written with or without its country code.
pub(super) fn phone_from_digits(plus: bool, digits: &str) -> Option<String> {
    if digits.len() < 9 || digits.len() > 15 {
        return None;
    }
    let candidates: Vec<String> = if plus {
        vec![format!("+{digits}")]
    } else {
        match (digits.len(), digits.as_bytes()[0]) {
            (11, b'8') | (11, b'7') => vec![format!("+7{}", &digits[1..])],
            (10, b'9') => vec![format!("+7{digits}")],
            (10, b'0') => vec![format!("+996{}", &digits[1..])],
            (9, _) => vec![format!("+998{digits}")],
            (12.., _) => vec![format!("+{digits}")],
            _ => vec![],
        }
    };
    candidates.iter().find_map(|c| normalize_phone(c))
}

/// Parses and validates a `+…` number; `None` if it is not a real number.
pub(super) fn normalize_phone(candidate: &str) -> Option<String> {
    let number = phonenumber::parse(None, candidate).ok()?;
    if phonenumber::is_valid(&number) {
        return Some(number.format().mode(phonenumber::Mode::E164).to_string());
    }
    // Russian and Kazakh numbers not yet in the metadata: +7 and ten digits of a known range.
    let digits: String = candidate.chars().filter(char::is_ascii_digit).collect();
    (digits.len() == 11
        && digits.starts_with('7')
        && matches!(digits.as_bytes()[1], b'3' | b'4' | b'7' | b'8' | b'9'))
    .then(|| format!("+{digits}"))
}

pub(super) fn phone_context_near(
    text: &str,
    hits: &[PhraseHit],
    longest: usize,
    lex: &Lexicon,
    start: usize,
    end: usize,
) -> bool {
    let near = phrase::hits_between(hits, longest, start.saturating_sub(20), end + 6);
    near.iter().any(|h| {
        matches!(lex.free.payload(h.id), Tag::PhoneContext)
            && ((h.end <= start && start - h.end <= 20 && !text[h.end..start].contains('\n'))
                || (h.start >= end && h.start - end <= 6))
    })
}
