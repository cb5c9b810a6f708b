//! Payment offers: numbers, multipliers, currencies, bounds, ranges, equivalents and periods.
//!
//! A number becomes money only with a currency: its own, or one carried from the other end of a
//! range. That one rule keeps years, dates, ages, counts, percentages and phone numbers out.

use super::lexicon::{After, Before, Lexicon, Tag};
use super::phrase::PhraseHit;
use super::text::{
    char_at, char_before, digit_value, is_blank, is_space, is_word_char, skip_spaces,
    skip_spaces_back,
};
use super::{Bound, Diagnostic, Lang, Money, PaymentOffer, Period};

mod numbers;
mod periods;
mod ranges;
mod rupees;
#[cfg(test)]
mod tests15;

pub(crate) use numbers::digit_bytes_at;
use numbers::*;
use periods::*;
use ranges::*;
use rupees::rupee_of_country;
pub(crate) use rupees::{rupees_of_nepali, Rupees};

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
    /// Written with a lakh or a crore ("१५ लाख", "२ करोड"), which news in Nepali and Hindi
    /// use for sums of money far more than for counts.
    indian_unit: bool,
}

const MAX_MINOR: i128 = i64::MAX as i128;

/// Finds the payment offers of a text. `hits` are the free-text phrase hits, in order.
pub(crate) fn find(
    text: &str,
    low: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    lang: Lang,
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
    link_ranges(text, hits, &mut cands, lex);
    changes_are_not_bounds(text, hits, lex, &mut cands);
    link_equivalents(text, &mut cands);
    carry_currency(text, low, hits, lex, &mut cands);
    pay_noun_amounts(text, hits, lex, lang, &mut cands);

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
            a.indian_unit |= b.indian_unit;
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

/// `b` is the smaller unit of `a`'s amount: "1 млн 600 тысяч", or a bare number below `a`'s
/// unit written right after it: "१ हजार २०० रिंगेट", "644 հազար 100 դրամ", "26 ҳазору 880".
fn merges(text: &str, a: &Candidate, b: &Candidate) -> bool {
    let adjacent = || a.end <= b.outer_start && text[a.end..b.outer_start].chars().all(is_blank);
    match (a.multiplier, b.multiplier, a.currency) {
        (Some(ma), Some(mb), None) => mb < ma && adjacent(),
        // A whole number of units smaller than `a`'s, not grouped, with no word of its own
        // before it ("от", "about").
        (Some(ma), None, None) => {
            ma >= 1000
                && b.outer_start == b.start
                && char_at(text, b.start).and_then(digit_value).is_some()
                && !b.grouped
                && b.raw > 0
                && b.raw % 100 == 0
                && b.raw < (ma as i128) * 100
                && adjacent()
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

/// «मासिक डेढ लाख तलब», «कमाइ १७ हजार», «айлыгы 30 миң»: an amount written with a thousand
/// word and no currency, right next to a pay noun (salary, earnings; the `service_pay` phrases),
/// is money: in the currency named last before it, else the next one named after it, else the
/// language's own (`local_currency`; languages without one are left alone). Counts ("15 हजार जना") stand next to no pay noun. One
/// pass back for the next currency, one forward; each amount looks at the hits around it only.
fn pay_noun_amounts(
    text: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    lang: Lang,
    cands: &mut [Candidate],
) {
    let Some(pay) = lex.ids.service_pay else {
        return;
    };
    let is_pay = |h: &PhraseHit| matches!(*lex.free.payload(h.id), Tag::Signal(i) if i == pay);
    let ids = &lex.ids;
    let money = [
        ids.pay,
        ids.fees,
        ids.deception,
        ids.wages_withheld,
        ids.high_pay,
    ];
    let is_money = |h: &PhraseHit| matches!(*lex.free.payload(h.id), Tag::Signal(i) if i == pay || money.contains(&Some(i)));
    // Only in the languages that name their own currency: Russian, English, Arabic, Kazakh
    // and Uzbek news write "80 тысяч" of anything.
    let Some(local) = lex
        .langs
        .iter()
        .find(|i| i.lang == lang)
        .and_then(|i| i.local_currency)
    else {
        return;
    };
    let mut next: Vec<Option<&'static str>> = vec![None; cands.len()];
    let mut seen = None;
    for i in (0..cands.len()).rev() {
        next[i] = seen;
        if cands[i].currency.is_some() {
            seen = cands[i].currency;
        }
    }
    let mut last = None;
    for i in 0..cands.len() {
        if cands[i].currency.is_some() {
            last = cands[i].currency;
            continue;
        }
        let c = &cands[i];
        if c.raw <= 0 || c.multiplier.is_none_or(|m| m < 1000) || c.range_with.is_some() {
            continue;
        }
        // A pay noun ending right before the amount (blanks between), or starting right after.
        let first = hits.partition_point(|h| h.start < c.outer_start);
        let before = hits[..first]
            .iter()
            .rev()
            .take_while(|h| h.start + 64 >= c.outer_start)
            .any(|h| {
                is_pay(h)
                    && h.end <= c.outer_start
                    && text[h.end..c.outer_start].chars().all(is_blank)
            });
        let at = skip_spaces(text, c.end, 2);
        let from = hits.partition_point(|h| h.start < at);
        let after = hits[from..]
            .iter()
            .take_while(|h| h.start == at)
            .any(is_pay);
        let sum = || {
            c.indian_unit
                && !counts_people(text, hits, lex, at)
                && money_in_sentence(text, hits, &is_money, c)
        };
        if !(before || after || sum()) {
            continue;
        }
        cands[i].currency = Some(last.or(next[i]).unwrap_or(local));
    }
}

/// A count of people follows at `at`: the classifiers «जना» (Nepali) and «लोग» (Hindi), a
/// demonym or a country («१५ लाख नेपाली»), workers or soldiers («३ लाख श्रमिक»).
fn counts_people(text: &str, hits: &[PhraseHit], lex: &Lexicon, at: usize) -> bool {
    const CLASSIFIERS: [&str; 3] = ["जना", "लोग", "व्यक्ति"];
    if CLASSIFIERS.iter().any(|w| text[at..].starts_with(w)) {
        return true;
    }
    let people = [lex.ids.job_offer, lex.ids.armed_service];
    let first = hits.partition_point(|h| h.start < at);
    hits[first..]
        .iter()
        .take_while(|h| h.start == at)
        .any(|h| match *lex.free.payload(h.id) {
            Tag::Country(_) | Tag::CountryHint(_) => true,
            Tag::Signal(i) => people.contains(&Some(i)),
            _ => false,
        })
}

/// A word of money (pay, a fee, a fraud, withheld wages) in the sentence of `c`: a bare «१५
/// लाख» there is a sum, not a count («१५ लाख नेपाली»). The sentence is read to its stops
/// (full stops, dandas, line breaks), at most 200 bytes either way.
fn money_in_sentence(
    text: &str,
    hits: &[PhraseHit],
    is_money: &impl Fn(&PhraseHit) -> bool,
    c: &Candidate,
) -> bool {
    let stop = |ch: char| matches!(ch, '।' | '॥' | '.' | '!' | '?' | '\n');
    let lo = crate::text::floor_boundary(text, c.outer_start.saturating_sub(200));
    let from = text[lo..c.outer_start]
        .rfind(stop)
        .map_or(lo, |b| lo + b + 1);
    let hi = crate::text::floor_boundary(text, (c.end + 200).min(text.len()));
    let to = text[c.end..hi].find(stop).map_or(hi, |b| c.end + b);
    let first = hits.partition_point(|h| h.start < from);
    hits[first..]
        .iter()
        .take_while(|h| h.start < to)
        .any(|h| h.end <= to && is_money(h))
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
    fn digits_read_from_bytes_are_the_digits_of_every_char() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let s = format!("{c}9");
            let want = crate::text::digit_value(c).is_some();
            assert_eq!(super::digit_bytes_at(s.as_bytes(), 0), want, "{c:?}");
        }
    }

    #[test]
    fn fast_alphanumeric_is_unicode_alphanumeric() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(super::is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }
}
