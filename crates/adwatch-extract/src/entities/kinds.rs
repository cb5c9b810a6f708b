//! Bodies found by pattern, normalised as the annotations name them: in English, the kind
//! first ("Embassy of Russia in Uzbekistan", "Military Commissariats of Tomsk Oblast").

use crate::lexicon::{Lexicon, Tag};
use crate::lower::{lower_ends_with, lower_len_chars};
use crate::phrase::PhraseHit;
use crate::text::is_blank;

use super::names::{longest_first, name_word_len};

/// Endings of a plural noun: Russian oblique plurals («военкоматов», «комиссариатах»; not «-ы»,
/// which in Kazakh and Kyrgyz ends a singular, «комиссариаты»), English "-s", Uzbek «-lar(i)»,
/// Kazakh and Kyrgyz «-тары/-дары/-лары».
const PLURAL_ENDINGS: [&str; 13] = [
    "ов", "ам", "ами", "ах", "s", "lar", "lari", "лар", "лари", "тары", "дары", "лары", "тері",
];

/// Whether a body's form names several: one of its words has a plural ending.
pub(super) fn plural_form(form: &str) -> bool {
    form.split(is_blank)
        .any(|w| lower_len_chars(w) > 4 && PLURAL_ENDINGS.iter().any(|e| lower_ends_with(w, e)))
}

/// Locative endings of a name in the languages that put a body's country and place before it
/// (Uzbek «O‘zbekistondagi», Kazakh «Ресейдегі», Kyrgyz «Орусиядагы»): the place it is in.
const LOCATIVE_ENDINGS: [&str; 12] = [
    "dagi", "tagi", "даги", "таги", "дағы", "дегі", "тағы", "тегі", "дагы", "деги", "тагы", "теги",
];

/// "Embassy of Russia in Uzbekistan": a body of `kind` named after its country and the place
/// it is in, from the countries and places of the gazetteer between `start` and `end`. The one
/// with a locative ending is the place; the other, the country. None without a country.
pub(super) fn kind_name(
    text: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    start: usize,
    end: usize,
    kind: &str,
) -> Option<String> {
    let from = hits.partition_point(|p| p.start < start);
    let names: Vec<(usize, usize, &str)> = hits[from..]
        .iter()
        .take_while(|p| p.start < end)
        .filter(|p| p.end <= end)
        .filter_map(|p| match *lex.free.payload(p.id) {
            Tag::Country(i) => Some((p.start, p.end, lex.countries[i].name.as_str())),
            Tag::Region(i) => Some((p.start, p.end, lex.regions[i].name.as_str())),
            _ => None,
        })
        .collect();
    let (mut of, mut place) = (None, None);
    for (_, e, name) in longest_first(names) {
        let word_end = e + name_word_len(text[e..].chars()).unwrap_or(0);
        let word = &text[..word_end];
        if LOCATIVE_ENDINGS.iter().any(|l| lower_ends_with(word, l)) {
            place = place.or(Some(name));
        } else {
            of = of.or(Some(name));
        }
    }
    let of = of?;
    Some(match place {
        Some(place) => format!("{kind} of {of} in {place}"),
        None => format!("{kind} of {of}"),
    })
}
