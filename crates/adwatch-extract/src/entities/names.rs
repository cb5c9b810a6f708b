//! Names from the gazetteers and patterns: organisations, regions and cities, countries.

use crate::lexicon::{Lexicon, Tag};
use crate::lower::{lower_ends_with, lower_starts_with};
use crate::phrase::{self, PhraseHit};
use crate::text::{char_at, char_before, is_blank, is_space, is_word_char};
use crate::{EntityKind, RecruitingEntity};

use super::kinds::{kind_name, plural_form};
use super::{entity, Spans};

/// Organisations, regions and countries from the gazetteers, organisations written with a
/// legal form («ООО «СтройИнвест»»), and named bodies ("Agency for ...").
pub(super) fn gazetteer(
    text: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    out: &mut Vec<RecruitingEntity>,
) {
    let mut orgs: Vec<(usize, usize, String)> = Vec::new();
    let mut regions: Vec<(usize, usize, usize)> = Vec::new();
    let mut countries: Vec<(usize, usize, usize)> = Vec::new();
    let country = text_country(hits, lex);
    let longest = phrase::longest(hits);
    for h in hits {
        match *lex.free.payload(h.id) {
            Tag::Org(i) => {
                let country = if lex.orgs[i].bare {
                    country_beside(text, hits, longest, lex, h).or(country)
                } else {
                    country
                };
                orgs.push((h.start, h.end, org_name(lex, i, country)))
            }
            Tag::Region(i)
                if written_as_name(text, h, lex.regions[i].cased)
                    && !in_longer_name(text, hits, longest, lex, h, lex.regions[i].cased) =>
            {
                regions.push((h.start, h.end, i))
            }
            Tag::Country(i)
                if written_as_name(text, h, lex.countries[i].cased)
                    && !(lex.countries[i].cased
                        && in_longer_name(text, hits, longest, lex, h, true))
                    && !attributive(text, hits, lex, h) =>
            {
                countries.push((h.start, h.end, i))
            }
            _ => {}
        }
    }
    let regions = longest_first(regions);
    // "военкомат Волгоградской области": a body named with its region.
    for h in hits {
        if let Tag::Org(i) = *lex.free.payload(h.id) {
            if !lex.orgs[i].takes_region {
                continue;
            }
            let after = regions.partition_point(|&(rs, _, _)| rs < h.end);
            let next = regions[after..]
                .iter()
                .take_while(|&&(rs, _, _)| rs - h.end <= 16)
                .find(|&&(rs, _, _)| place_gap(&text[h.end..rs]))
                .map(|&(_, rend, ri)| (h.start, rend, ri));
            // "the Tashkent military commissariat", «Toshkent shahar harbiy komissariati»:
            // English, Kazakh and Uzbek put the place first.
            let before = regions[..after]
                .last()
                .filter(|&&(_, rend, _)| rend <= h.start && h.start - rend <= 16)
                .filter(|&&(_, rend, _)| place_gap(&text[rend..h.start]))
                .map(|&(rs, _, ri)| (rs, h.end, ri));
            if let Some((s, e, ri)) = next.or(before) {
                let org = &lex.orgs[i];
                let name = match &org.plural {
                    Some(plural) if plural_form(&text[h.start..h.end]) => plural,
                    _ => &org.name,
                };
                orgs.push((s, e, format!("{name} of {}", lex.regions[ri].name)));
            }
        }
    }
    // Bodies named by a legal form or a head word count only where no gazetteer name stands.
    let known = Spans::new(orgs.iter().map(|(s, e, _)| (*s, *e)));
    let mut named: Vec<(usize, usize, String)> = Vec::new();
    for h in hits {
        let (start, end) = match *lex.free.payload(h.id) {
            // An abbreviated legal form is written in capitals: «АҚ» is a company, «ақ» white.
            Tag::NameBefore { capitalised: true } | Tag::NameAfter { .. }
                if h.end - h.start <= 8 && !written_as_name(text, h, true) =>
            {
                (h.start, None)
            }
            Tag::NameBefore { capitalised } => {
                let end = quoted_name_end(text, h.end).or_else(|| {
                    capitalised.then(|| capitalised_name_end(text, hits, lex, h.end))?
                });
                (h.start, end)
            }
            Tag::NameAfter { .. } => {
                let start = quoted_name_start(text, h.start)
                    .or_else(|| capitalised_name_start(text, h.start));
                (start.unwrap_or(h.start), start.map(|_| h.end))
            }
            _ => (h.start, None),
        };
        let end = end.filter(|_| start <= h.start);
        let end = match lex.free.payload(h.id) {
            Tag::NameBefore { .. } | Tag::NameAfter { .. } => end,
            Tag::LegalForm => quoted_name_end(text, h.end),
            Tag::OrgHead => quoted_name_end(text, h.end).or_else(|| {
                // A named body ends with the place it serves ("... миграции Узбекистана"),
                // or after a few words.
                let clause = clause_end(text, h.end, 6);
                let after = hits.partition_point(|p| p.start < h.end);
                let place_end = hits[after..]
                    .iter()
                    .take_while(|p| p.start < clause)
                    .filter(|p| matches!(lex.free.payload(p.id), Tag::Region(_) | Tag::Country(_)))
                    .find(|p| p.end <= clause)
                    .map(|p| p.end);
                let end = place_end.unwrap_or_else(|| clause_end(text, h.end, 4));
                (end > h.end + 2).then_some(end)
            }),
            _ => None,
        };
        if let Some(end) = end {
            if !known.any_overlaps(start, end) {
                let name = match *lex.free.payload(h.id) {
                    Tag::NameAfter { kind: Some(kind) } => {
                        kind_name(text, hits, lex, start, h.start, kind)
                    }
                    _ => None,
                };
                named.push((
                    start,
                    end,
                    name.unwrap_or_else(|| text[start..end].to_string()),
                ));
            }
        }
    }
    orgs.extend(named);
    let orgs = longest_first(orgs);
    for (s, e, name) in &orgs {
        out.push(entity(EntityKind::Org, *s, *e, name.clone()));
    }
    for &(s, e, i) in &regions {
        let mut r = entity(EntityKind::Region, s, e, lex.regions[i].name.clone());
        r.platform = None;
        out.push(r);
    }
    // Both lists hold spans that do not overlap, in order: only the last one starting before
    // a country can hold it or overlap it.
    let inside = |s: usize, e: usize| {
        let org = orgs.partition_point(|(os, _, _)| *os <= s);
        let region = regions.partition_point(|&(rs, _, _)| rs < e);
        (org > 0 && e <= orgs[org - 1].1) || (region > 0 && regions[region - 1].1 > s)
    };
    for (s, e, i) in longest_first(countries) {
        if !inside(s, e) {
            out.push(entity(
                EntityKind::Country,
                s,
                e,
                lex.countries[i].name.clone(),
            ));
        }
    }
}

/// A country's bare name before a word that makes it an attribute ("Rossiya fuqaroligi",
/// Russian citizenship; "Oʻzbekiston tomoni", the Uzbek side; "Oʻzbekiston, Tojikiston va
/// Qirgʻiziston fuqarolari"): no more the country than an adjective would be. A genitive
/// («Rossiyaning fuqarolari») still names it. Reads the longest name at the hit, then at most
/// a few more names joined by a comma or "and".
pub(super) fn attributive(text: &str, hits: &[PhraseHit], lex: &Lexicon, h: &PhraseHit) -> bool {
    let is_country = |p: &PhraseHit| matches!(lex.free.payload(p.id), Tag::Country(_));
    let at_start = |pos: usize| {
        let from = hits.partition_point(|p| p.start < pos);
        hits[from..].iter().take_while(move |p| p.start == pos)
    };
    let mut end = at_start(h.start)
        .filter(|p| is_country(p))
        .map(|p| p.end)
        .max()
        .unwrap_or(h.end);
    for _ in 0..MAX_COORDINATED {
        let tail = &text[crate::text::floor_boundary(text, end.saturating_sub(16))..end];
        if lex.genitives.iter().any(|g| lower_ends_with(tail, g)) {
            return false;
        }
        let next = crate::text::skip_spaces(text, end, 2);
        if at_start(next).any(|p| *lex.free.payload(p.id) == Tag::Attributive) {
            return true;
        }
        // ", Tojikiston", " va Qirgʻiziston": another name of the list.
        let rest = &text[next..crate::text::floor_boundary(text, next + 8)];
        let skip = if rest.starts_with(',') {
            1
        } else {
            COORDINATORS
                .iter()
                .find(|c| lower_starts_with(rest, c) && rest[c.len()..].starts_with(is_space))
                .map_or(0, |c| c.len())
        };
        if skip == 0 {
            return false;
        }
        let name = crate::text::skip_spaces(text, next + skip, 2);
        match at_start(name)
            .filter(|p| is_country(p))
            .map(|p| p.end)
            .max()
        {
            Some(e) => end = e,
            None => return false,
        }
    }
    false
}

/// How many names joined by commas or "and" are read after a country for an attributive head.
pub(super) const MAX_COORDINATED: usize = 6;
/// "And" between names of a list, in the languages that put an attributive name first.
pub(super) const COORDINATORS: [&str; 4] = ["va", "ва", "және", "мен"];

/// The country the text is about: the one its names, places, demonyms and bodies point to
/// most often, if one does more often than any other.
pub(super) fn text_country<'l>(hits: &[PhraseHit], lex: &'l Lexicon) -> Option<&'l str> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for h in hits {
        let code = match *lex.free.payload(h.id) {
            Tag::Country(i) | Tag::CountryHint(i) => lex.countries[i].code.as_deref(),
            Tag::Region(i) => lex.regions[i].country.as_deref(),
            Tag::Org(i) if !lex.orgs[i].bare => lex.orgs[i].country.as_deref(),
            _ => None,
        };
        if let Some(code) = code {
            match counts.iter_mut().find(|(c, _)| *c == code) {
                Some((_, n)) => *n += 1,
                None => counts.push((code, 1)),
            }
        }
    }
    counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    match counts.as_slice() {
        [(code, _)] => Some(code),
        [(code, a), (_, b), ..] if a > b => Some(code),
        _ => None,
    }
}

/// The country a demonym or name right beside a body names: "the Uzbek Ministry of Defence",
/// "Kazakhstan's Ministry of Defence", «وزارة الدفاع البريطانية» (Arabic puts it after).
pub(super) fn country_beside<'l>(
    text: &str,
    hits: &[PhraseHit],
    longest: usize,
    lex: &'l Lexicon,
    h: &PhraseHit,
) -> Option<&'l str> {
    let before = crate::text::skip_spaces_back(text, h.start, 2);
    let before = ["'s", "’s"]
        .iter()
        .find(|s| text[..before].ends_with(*s))
        .map_or(before, |s| before - s.len());
    let after = crate::text::skip_spaces(text, h.end, 2);
    phrase::hits_between(hits, longest, before, after)
        .iter()
        .filter(|p| p.end == before || p.start == after)
        .find_map(|p| match *lex.free.payload(p.id) {
            Tag::Country(i) | Tag::CountryHint(i) => lex.countries[i].code.as_deref(),
            _ => None,
        })
}

/// The name of body `i`; one named without its country is the body of its kind of the
/// country the text is about, when that country has one in the gazetteer.
pub(super) fn org_name(lex: &Lexicon, i: usize, country: Option<&str>) -> String {
    let e = &lex.orgs[i];
    let of_country = match (e.bare, &e.of, country) {
        (true, Some(of), Some(code)) => lex
            .org_of_country
            .get(of.as_str())
            .and_then(|m| m.get(code))
            .map(|&j| &lex.orgs[j]),
        _ => None,
    };
    of_country.unwrap_or(e).name.clone()
}

/// A place hit that reads as a name: a form of several words, or one written with a capital
/// (or in a script without case) when its entry is `cased`.
pub(super) fn written_as_name(text: &str, h: &PhraseHit, cased: bool) -> bool {
    !cased
        || text[h.start..h.end].contains(is_blank)
        || char_at(text, h.start).is_some_and(|c| !c.is_lowercase())
}

/// A one-word place that is part of a longer proper name ("Rajasthan Royals", "NIT
/// Puducherry"): a capitalised word next to it that is no place or body of its own, the one
/// before it not the first of a sentence. A hand-listed place (not `cased`) is read so only
/// in Latin letters ("Delhi Daredevils", "Punjab Congress"): in Russian a capital after a
/// place is as often a person («губернатора Югры Алексея Шипилова»). In quotes alone, any
/// place names something else («Атырау» футбол клубы).
pub(super) fn in_longer_name(
    text: &str,
    hits: &[PhraseHit],
    longest: usize,
    lex: &Lexicon,
    h: &PhraseHit,
    cased: bool,
) -> bool {
    if text[h.start..h.end].contains(is_blank) {
        return false;
    }
    let quote = |c: Option<char>| c.is_some_and(|c| matches!(c, '«' | '»' | '"' | '“' | '”' | '„'));
    if quote(char_before(text, h.start)) && quote(char_at(text, h.end)) {
        return true;
    }
    if !cased && !text[h.start..h.end].is_ascii() {
        return false;
    }
    // "Катайского района": the adjective of a town names its district, not the town (a
    // town called so, Полевской, is lost with it).
    const ADJECTIVE: [&str; 9] = [
        "ского",
        "скому",
        "ской",
        "ский",
        "скую",
        "ских",
        "ская",
        "ские",
        "скими",
    ];
    if ADJECTIVE
        .iter()
        .any(|e| lower_ends_with(&text[h.start..h.end], e))
    {
        return true;
    }
    let capital = |at: usize| char_at(text, at).is_some_and(char::is_uppercase);
    let next = crate::text::skip_spaces(text, h.end, 1);
    // A word that a place, country or body starts or covers ("Federatsiyasi" of "Rossiya
    // Federatsiyasi"). The hits looked at start at most `longest` bytes before it.
    let named = |at: usize| {
        phrase::hits_between(hits, longest, at, at).iter().any(|p| {
            p.start <= at
                && at < p.end
                && matches!(
                    lex.free.payload(p.id),
                    Tag::Region(_) | Tag::Country(_) | Tag::Org(_)
                )
        })
    };
    if next > h.end && capital(next) && !named(next) {
        return true;
    }
    let before = crate::text::skip_spaces_back(text, h.start, 1);
    if before == h.start {
        return false;
    }
    let Some(len) = name_word_len(text[..before].chars().rev()) else {
        return false;
    };
    let word = before - len;
    let sentence_start = text[..word]
        .trim_end_matches(is_space)
        .chars()
        .next_back()
        .is_none_or(|c| {
            matches!(
                c,
                '.' | '!' | '?' | '\n' | ':' | '«' | '"' | '(' | '—' | '-'
            )
        });
    capital(word) && !sentence_start && !named(word)
}

/// What may stand between a body and the place it serves: blanks, and "г." / "города".
pub(super) fn place_gap(gap: &str) -> bool {
    let words: Vec<&str> = gap.split(is_blank).filter(|w| !w.is_empty()).collect();
    gap.starts_with(is_blank)
        && match words.as_slice() {
            [] => true,
            [w] => [
                "г.",
                "города",
                "city",
                "shahri",
                "shahar",
                "шаҳар",
                "шаҳри",
                "қаласы",
                "қалалық",
            ]
            .iter()
            .any(|p| crate::lower::lower_eq(w, p)),
            _ => false,
        }
}

/// The most chars of one word of a name: a longer run is no name, and a bound keeps the
/// reading of a name next to each legal form linear on hostile text.
pub(super) const MAX_NAME_WORD_CHARS: usize = 40;

/// The length in bytes of the word the chars start with, if it is short enough for a name.
pub(super) fn name_word_len(chars: impl Iterator<Item = char>) -> Option<usize> {
    let mut len = 0;
    for (n, c) in chars.enumerate() {
        // An apostrophe inside a word is part of it: "O‘zbekiston", "O'Brien".
        let apostrophe = n > 0 && matches!(c, '\'' | '’' | '‘' | 'ʻ');
        if !(is_word_char(c) || c == '-' || c == '&' || apostrophe) {
            break;
        }
        if n == MAX_NAME_WORD_CHARS {
            return None;
        }
        len += c.len_utf8();
    }
    (len > 0).then_some(len)
}

/// The most capitalised words read as an organisation's name ("ООО Ромашка Плюс").
pub(super) const MAX_NAME_WORDS: usize = 3;

/// The end of up to three capitalised words right after `pos` ("ООО Ромашка"), on the same
/// line; none when the first is a place or country (an «агентство России» is no name).
pub(super) fn capitalised_name_end(
    text: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    pos: usize,
) -> Option<usize> {
    let mut at = crate::text::skip_spaces(text, pos, 2);
    if at == pos {
        return None;
    }
    let first = at;
    let mut end = None;
    for _ in 0..MAX_NAME_WORDS {
        if !char_at(text, at).is_some_and(|c| c.is_uppercase()) {
            break;
        }
        let len = name_word_len(text[at..].chars())?;
        end = Some(at + len);
        let next = crate::text::skip_spaces(text, at + len, 1);
        if next == at + len {
            break;
        }
        at = next;
    }
    let after = hits.partition_point(|p| p.start < first);
    let place = hits[after..]
        .iter()
        .take_while(|p| p.start == first)
        .any(|p| matches!(lex.free.payload(p.id), Tag::Region(_) | Tag::Country(_)));
    end.filter(|_| !place)
}

/// The start of up to three capitalised words that end right before `pos` ("Acme Staff LLC").
pub(super) fn capitalised_name_start(text: &str, pos: usize) -> Option<usize> {
    let mut at = crate::text::skip_spaces_back(text, pos, 2);
    if at == pos {
        return None;
    }
    let mut start = None;
    for _ in 0..MAX_NAME_WORDS {
        let Some(len) = name_word_len(text[..at].chars().rev()) else {
            break;
        };
        let word_start = at - len;
        if !char_at(text, word_start).is_some_and(|c| c.is_uppercase()) {
            break;
        }
        start = Some(word_start);
        let before = crate::text::skip_spaces_back(text, word_start, 1);
        if before == word_start {
            break;
        }
        at = before;
    }
    start
}

/// The start of «Name» or "Name" that ends right before `pos` (spaces allowed after it).
pub(super) fn quoted_name_start(text: &str, pos: usize) -> Option<usize> {
    let at = crate::text::skip_spaces_back(text, pos, 2);
    let close = char_before(text, at)?;
    let open: &[char] = match close {
        '»' => &['«'],
        '"' => &['"'],
        '”' | '“' => &['“', '„'],
        // Nepali and Hindi news quote a name in single quotes: ‘साइनो’ म्यानपावर.
        '’' => &['‘'],
        _ => return None,
    };
    let body_end = at - close.len_utf8();
    let from = crate::text::floor_boundary(text, body_end.saturating_sub(120));
    let body = &text[from..body_end];
    let open_at = body.rfind(open)?;
    (open_at + open[0].len_utf8() < body.len() && !body[open_at..].contains('\n'))
        .then_some(from + open_at)
}

/// Keeps the longest of overlapping spans (none empty), then the earliest; in order of start.
pub(super) fn longest_first<T>(mut spans: Vec<(usize, usize, T)>) -> Vec<(usize, usize, T)> {
    spans.sort_by_key(|(s, e, _)| (std::cmp::Reverse(e - s), *s));
    // Kept spans do not overlap, so only the one that starts last before a span's end can
    // overlap it.
    let mut kept: std::collections::BTreeMap<usize, (usize, T)> = Default::default();
    for (s, e, value) in spans {
        if kept
            .range(..e)
            .next_back()
            .is_none_or(|(_, (ke, _))| *ke <= s)
        {
            kept.insert(s, (e, value));
        }
    }
    kept.into_iter()
        .map(|(s, (e, value))| (s, e, value))
        .collect()
}

/// The end of «Name» or "Name" starting after `pos` (spaces allowed before the quote).
pub(super) fn quoted_name_end(text: &str, pos: usize) -> Option<usize> {
    let at = crate::text::skip_spaces(text, pos, 2);
    let open = char_at(text, at)?;
    let close: &[char] = match open {
        '«' => &['»'],
        '"' => &['"'],
        '“' | '„' => &['”', '“'],
        '\'' => &['\''],
        '‘' => &['’'],
        _ => return None,
    };
    let body = at + open.len_utf8();
    let rest = &text[body..crate::text::floor_boundary(text, body + 120)];
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        if c == '\n' {
            return None;
        }
        if c == '«' {
            depth += 1;
        } else if close.contains(&c) {
            if depth == 0 {
                return (i > 0).then_some(body + i + c.len_utf8());
            }
            depth -= 1;
        }
    }
    None
}

/// The end of the clause after `pos`, at most `max_words` words on.
pub(super) fn clause_end(text: &str, pos: usize, max_words: usize) -> usize {
    let mut words = 0;
    let mut in_word = false;
    let mut end = pos;
    for (i, c) in text[pos..].char_indices() {
        if matches!(
            c,
            ',' | '.' | ';' | ':' | '\n' | '،' | '(' | ')' | '!' | '?' | '«' | '»' | '"'
        ) {
            break;
        }
        if c.is_alphanumeric() {
            if !in_word {
                words += 1;
                if words > max_words {
                    break;
                }
            }
            in_word = true;
            end = pos + i + c.len_utf8();
        } else {
            in_word = false;
        }
    }
    end
}
