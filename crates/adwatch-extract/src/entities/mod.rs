//! Recruiting entities: links, domains, Telegram accounts, other platforms' handles, e-mails,
//! phone numbers, organisations, regions and countries.

use std::borrow::Cow;

use super::lexicon::Lexicon;
use super::phrase::{self, PhraseHit};
use super::{EntityKind, PaymentOffer, RecruitingEntity};

mod kinds;
mod links;
mod names;
mod phones;
#[cfg(test)]
mod tests15;

use links::{handles, links};
use names::gazetteer;
use phones::phones;

/// Reads one Russian number the way a text's numbers are read: parsing, validating and
/// formatting compile the phone-number library's patterns for +7, the code most texts' phones
/// have, at start-up instead of on the first text that holds a phone.
pub(crate) fn warm_up_phones() {
    let _ = phones::normalize_phone("+79161234567");
}

pub(crate) fn find(
    text: &str,
    low: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    amounts: &[PaymentOffer],
) -> Vec<RecruitingEntity> {
    let mut out = Vec::new();
    let longest = phrase::longest(hits);
    links(text, low, &mut out);
    handles(text, hits, longest, lex, &mut out);
    // A word inside a link, an address or a handle (`voenkomat-sakh.ru`) names nothing.
    let words = outside_links(hits, &out);
    phones(text, hits, longest, lex, amounts, &mut out);
    gazetteer(text, &words, lex, &mut out);
    // A country named in a currency ("АКШ долларын", "ԱՄՆ դոլար") is the money's, not a place.
    let money = Spans::new(amounts.iter().map(|a| (a.start, a.end)));
    out.retain(|e| e.kind != EntityKind::Country || !money.any_overlaps(e.start, e.end));
    // One entity a name: the first place it is written. The later ones are found by sorting
    // the entities' numbers by name (no name copied or hashed).
    out.sort_by_key(|e| (e.start, e.end, e.kind));
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by(|&a, &b| {
        (out[a].kind, out[a].normalized.as_str(), a).cmp(&(
            out[b].kind,
            out[b].normalized.as_str(),
            b,
        ))
    });
    let mut later = vec![false; out.len()];
    for pair in order.windows(2) {
        let (a, b) = (&out[pair[0]], &out[pair[1]]);
        later[pair[1]] = a.kind == b.kind && a.normalized == b.normalized;
    }
    let mut i = 0;
    out.retain(|_| {
        i += 1;
        !later[i - 1]
    });
    out
}

/// The hits that are not inside a link, domain, e-mail or handle among `entities`: what the
/// words of the text say, for the gazetteer and for the label.
pub(crate) fn outside_links<'h>(
    hits: &'h [PhraseHit],
    entities: &[RecruitingEntity],
) -> Cow<'h, [PhraseHit]> {
    use EntityKind::*;
    let is_link =
        |e: &&RecruitingEntity| matches!(e.kind, Url | Domain | Email | Telegram | Handle);
    if !entities.iter().any(|e| is_link(&e)) {
        return Cow::Borrowed(hits);
    }
    let links = Spans::new(entities.iter().filter(is_link).map(|e| (e.start, e.end)));
    hits.iter()
        .filter(|h| !links.any_overlaps(h.start, h.end))
        .copied()
        .collect()
}

fn entity(kind: EntityKind, start: usize, end: usize, normalized: String) -> RecruitingEntity {
    RecruitingEntity {
        kind,
        start,
        end,
        normalized,
        platform: None,
    }
}

/// Spans that may overlap each other, asked in logarithmic time whether any overlaps a span
/// or holds a position (a scan of every span, for every candidate, is quadratic).
struct Spans {
    /// `(start, end)` in order of start.
    spans: Vec<(usize, usize)>,
    /// `reach[i]`: the greatest end among `spans[..=i]`.
    reach: Vec<usize>,
}

impl Spans {
    fn new(spans: impl IntoIterator<Item = (usize, usize)>) -> Spans {
        let mut spans: Vec<(usize, usize)> = spans.into_iter().collect();
        spans.sort_unstable();
        let mut max = 0;
        let reach = spans
            .iter()
            .map(|&(_, e)| {
                max = max.max(e);
                max
            })
            .collect();
        Spans { spans, reach }
    }

    /// Some span has `start < e` and `s < end`.
    fn any_overlaps(&self, s: usize, e: usize) -> bool {
        let n = self.spans.partition_point(|&(start, _)| start < e);
        n > 0 && self.reach[n - 1] > s
    }

    /// Some span has `start <= at < end`.
    fn any_holds(&self, at: usize) -> bool {
        let n = self.spans.partition_point(|&(start, _)| start <= at);
        n > 0 && self.reach[n - 1] > at
    }
}
