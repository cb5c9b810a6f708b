//! Recruiting entities: links, domains, Telegram accounts, other platforms' handles, e-mails,
//! phone numbers, organisations, regions and countries.

use linkify::{LinkFinder, LinkKind};
use url::Url;

use super::lexicon::{Lexicon, Tag};
use super::phrase::{self, PhraseHit};
use super::text::{char_at, char_before, digit_value, is_blank, is_space, is_word_char};
use super::{EntityKind, PaymentOffer, RecruitingEntity};

/// Hosts whose first path segment names an account on another platform.
const PLATFORM_HOSTS: &[(&str, &str)] = &[
    ("instagram.com", "instagram"),
    ("tiktok.com", "tiktok"),
    ("vk.com", "vk"),
    ("vk.ru", "vk"),
    ("facebook.com", "facebook"),
    ("fb.com", "facebook"),
    ("ok.ru", "ok"),
    ("youtube.com", "youtube"),
    ("x.com", "x"),
    ("twitter.com", "x"),
];
const TELEGRAM_HOSTS: &[&str] = &["t.me", "telegram.me", "telegram.dog"];
/// t.me paths that are not accounts.
const TELEGRAM_RESERVED: &[&str] = &[
    "joinchat",
    "share",
    "addstickers",
    "addemoji",
    "proxy",
    "socks",
    "iv",
    "c",
    "boost",
    "addlist",
];
/// Top-level domains in Cyrillic and other scripts that linkify does not see.
const IDN_TLDS: &[&str] = &[
    ".рф",
    ".рус",
    ".қаз",
    ".укр",
    ".бел",
    ".срб",
    ".москва",
    ".онлайн",
    ".сайт",
    ".дети",
];

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
    // One entity a name: the first place it is written.
    out.sort_by_key(|e| (e.start, e.end, e.kind));
    let mut seen = std::collections::HashSet::new();
    out.retain(|e| seen.insert((e.kind, e.normalized.clone())));
    out
}

/// The hits that are not inside a link, domain, e-mail or handle among `entities`: what the
/// words of the text say, for the gazetteer and for the label.
pub(crate) fn outside_links(hits: &[PhraseHit], entities: &[RecruitingEntity]) -> Vec<PhraseHit> {
    use EntityKind::*;
    let links = Spans::new(
        entities
            .iter()
            .filter(|e| matches!(e.kind, Url | Domain | Email | Telegram | Handle))
            .map(|e| (e.start, e.end)),
    );
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

fn links(text: &str, low: &str, out: &mut Vec<RecruitingEntity>) {
    let mut finder = LinkFinder::new();
    finder.url_must_have_scheme(false);
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut urls = Urls::new(text);
    for link in finder.links(text) {
        let (start, end) = (link.start(), link.end());
        match link.kind() {
            LinkKind::Email => {
                out.push(entity(
                    EntityKind::Email,
                    start,
                    end,
                    text[start..end].to_lowercase(),
                ));
                spans.push((start, end));
            }
            LinkKind::Url if urls.read(start, end, out) => spans.push((start, end)),
            _ => {}
        }
    }
    let dots: Vec<usize> = memchr::memchr_iter(b'.', low.as_bytes())
        .filter(|&d| matches!(low.as_bytes().get(d + 1), Some(0xD0..=0xD2)))
        .collect();
    for tld in IDN_TLDS {
        // Is a dot inside a link already found? The spans of earlier passes are fixed for this
        // one; those of this pass each start before the (earlier) dot that found them.
        let earlier = Spans::new(spans.iter().copied());
        let mut reach = 0;
        let mut name = NameRun::default();
        for found in dots.iter().copied().filter(|&d| low[d..].starts_with(tld)) {
            let tld_end = found + tld.len();
            if char_at(text, tld_end).is_some_and(is_word_char)
                || found < reach
                || earlier.any_holds(found)
            {
                continue;
            }
            let Some(start) = name.start(text, found) else {
                continue;
            };
            let mut end = tld_end;
            if text[end..].starts_with('/') {
                let path = &text[end..super::text::floor_boundary(text, end + MAX_PATH)];
                end += path
                    .find(|c: char| c.is_whitespace() || matches!(c, '»' | '"' | ')' | '<' | '>'))
                    .unwrap_or(path.len());
                while text[..end].ends_with(['.', ',', ';', ':', '!', '?']) {
                    end -= 1;
                }
            }
            if urls.read(start, end, out) {
                spans.push((start, end));
                reach = reach.max(end);
            }
        }
    }
}

/// The longest name DNS allows, in chars (RFC 1035): a longer run of letters and dots before a
/// top-level domain is not one name.
const MAX_NAME_CHARS: usize = 253;
/// The most of a link's path read after a Cyrillic top-level domain.
const MAX_PATH: usize = 2048;

fn is_name_char(c: char) -> bool {
    // Russian letters first: Unicode's table lookup for other scripts is slow.
    matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё' | '-' | '.') || c.is_alphanumeric()
}

/// The run of name chars (letters, digits, `-`, `.`) that ends at a dot, walked once per run:
/// a pass meets its dots in order, and a dot in the same run as the one before has the same
/// start. So each byte of the text is looked at a bounded number of times per pass.
#[derive(Default)]
struct NameRun {
    /// The dot asked about last; `text[run..dot]` is name chars.
    dot: Option<usize>,
    run: usize,
    /// The first letter or digit of the run, once there is one.
    first: Option<usize>,
}

impl NameRun {
    /// Where the name that ends at `dot` starts: its first letter or digit, if it has one and
    /// is not too long to be a name.
    fn start(&mut self, text: &str, dot: usize) -> Option<usize> {
        let from = match self.dot {
            Some(last) if last <= dot && text[last..dot].chars().all(is_name_char) => last,
            _ => {
                self.run = dot;
                while let Some(c) = char_before(text, self.run).filter(|&c| is_name_char(c)) {
                    self.run -= c.len_utf8();
                }
                self.first = None;
                self.run
            }
        };
        self.dot = Some(dot);
        if self.first.is_none() {
            self.first = text[from..dot]
                .find(char::is_alphanumeric)
                .map(|o| from + o);
        }
        let start = self.first?;
        let short =
            dot - start <= 4 * MAX_NAME_CHARS && text[start..dot].chars().count() <= MAX_NAME_CHARS;
        short.then_some(start)
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

/// [`url_entities`] once per distinct link text. What a later copy of a link would record
/// is what its first copy recorded, and only an entity's first place is kept, so a page with
/// one link written 40,000 times parses it once.
struct Urls<'t> {
    text: &'t str,
    /// Each link text read, where it was first read, and whether it was a link.
    read: std::collections::HashMap<&'t str, (usize, bool)>,
}

impl<'t> Urls<'t> {
    fn new(text: &'t str) -> Urls<'t> {
        Urls {
            text,
            read: std::collections::HashMap::new(),
        }
    }

    fn read(&mut self, start: usize, end: usize, out: &mut Vec<RecruitingEntity>) -> bool {
        let raw = &self.text[start..end];
        match self.read.get(raw) {
            Some(&(first, is_link)) if first < start => is_link,
            _ => {
                let is_link = url_entities(self.text, start, end, out);
                self.read.insert(raw, (start, is_link));
                is_link
            }
        }
    }
}

/// Records a URL (and its domain, Telegram account or platform handle); false if it is not one.
fn url_entities(text: &str, start: usize, end: usize, out: &mut Vec<RecruitingEntity>) -> bool {
    let raw = &text[start..end];
    let has_scheme = raw.contains("://");
    let Ok(url) = Url::parse(&if has_scheme {
        raw.to_string()
    } else {
        format!("https://{raw}")
    }) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    let Some(host_ascii) = url.host_str().map(str::to_lowercase) else {
        return false;
    };
    let is_ip = url
        .host()
        .is_some_and(|h| !matches!(h, url::Host::Domain(_)));
    if !is_ip {
        let Some(suffix) = psl::suffix(host_ascii.as_bytes()) else {
            return false;
        };
        if !suffix.is_known() || psl::domain(host_ascii.as_bytes()).is_none() {
            return false;
        }
    }
    // The domain as a person reads it: Unicode, lower case, without "www.".
    let host_shown = {
        let (unicode, _) = idna::domain_to_unicode(&host_ascii);
        unicode
            .strip_prefix("www.")
            .map(str::to_string)
            .unwrap_or(unicode)
    };
    let host_in_text = raw
        .to_lowercase()
        .find(&host_shown)
        .map(|o| (start + o, start + o + host_shown.len()));
    let (dstart, dend) = host_in_text.unwrap_or((start, end));
    let path: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let bare = !has_scheme && path.is_empty() && url.query().is_none();
    if !bare {
        out.push(entity(EntityKind::Url, start, end, url.to_string()));
    }
    out.push(entity(EntityKind::Domain, dstart, dend, host_shown.clone()));

    if TELEGRAM_HOSTS.contains(&host_shown.as_str()) {
        let name = match path.as_slice() {
            ["s", name, ..] => Some(*name),
            [name, ..] if !TELEGRAM_RESERVED.contains(name) => Some(*name),
            _ => None,
        };
        if let Some(name) = name.filter(|n| is_account_name(n, 4)) {
            out.push(entity(
                EntityKind::Telegram,
                start,
                end,
                name.to_lowercase(),
            ));
        }
    } else if host_shown == "wa.me" || host_shown == "api.whatsapp.com" {
        let number = path.first().map(|s| s.to_string()).or_else(|| {
            url.query_pairs()
                .find(|(k, _)| k == "phone")
                .map(|(_, v)| v.to_string())
        });
        if let Some(e164) =
            number.and_then(|n| normalize_phone(&format!("+{}", n.trim_start_matches('+'))))
        {
            let mut h = entity(EntityKind::Handle, start, end, e164.clone());
            h.platform = Some("whatsapp");
            out.push(h);
            out.push(entity(EntityKind::Phone, start, end, e164));
        }
    } else if let Some((_, platform)) = PLATFORM_HOSTS
        .iter()
        .find(|(h, _)| host_shown == *h || host_shown.ends_with(&format!(".{h}")))
    {
        if let Some(name) = path
            .first()
            .map(|n| n.trim_start_matches('@'))
            .filter(|n| is_account_name(n, 2))
        {
            let mut h = entity(EntityKind::Handle, start, end, name.to_lowercase());
            h.platform = Some(platform);
            out.push(h);
        }
    }
    true
}

fn is_account_name(name: &str, min: usize) -> bool {
    (min..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// `@name`: a Telegram account, or another platform's when the text names that platform.
fn handles(
    text: &str,
    hits: &[PhraseHit],
    longest: usize,
    lex: &Lexicon,
    out: &mut Vec<RecruitingEntity>,
) {
    for at in memchr::memchr_iter(b'@', text.as_bytes()) {
        if char_before(text, at).is_some_and(|c| is_word_char(c) || c == '.' || c == '/') {
            continue;
        }
        let name_len = text[at + 1..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.')
            .count();
        let mut name = &text[at + 1..at + 1 + name_len];
        name = name.trim_end_matches('.');
        let end = at + 1 + name.len();
        if name.len() < 3 || name.len() > 32 || name.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        if char_at(text, end).is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        let platform = platform_near(text, hits, longest, lex, at, end);
        match platform {
            Some(p) if p != "telegram" => {
                let mut h = entity(EntityKind::Handle, at, end, name.to_lowercase());
                h.platform = Some(p);
                out.push(h);
            }
            _ if name.len() >= 4 && !name.contains('.') => {
                out.push(entity(EntityKind::Telegram, at, end, name.to_lowercase()));
            }
            _ => {}
        }
    }
}

/// A platform named within a few words of `start..end` on the same line. Only the hits near
/// it are looked at, so thousands of handles on one line cost no more than thousands of lines.
fn platform_near(
    text: &str,
    hits: &[PhraseHit],
    longest: usize,
    lex: &Lexicon,
    start: usize,
    end: usize,
) -> Option<&'static str> {
    phrase::hits_between(hits, longest, start.saturating_sub(24), end + 16)
        .iter()
        .filter(|h| {
            (h.end <= start && start - h.end <= 24) || (h.start >= end && h.start - end <= 16)
        })
        // On the same line: no line break between the hit and the handle (which has none).
        .filter(|h| !text[h.start.min(start)..h.end.max(end)].contains('\n'))
        .filter_map(|h| match lex.free.payload(h.id) {
            Tag::Platform(p) => Some((h, *p)),
            _ => None,
        })
        .min_by_key(|(h, _)| {
            if h.end <= start {
                start - h.end
            } else {
                h.start - end
            }
        })
        .map(|(_, p)| p)
}

/// Phone numbers, written any way people write them, in E.164; short service numbers (117,
/// 112) only where the text says they are numbers.
fn phones(
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
        if bytes[pos] == 0xE0 && bytes.get(pos + 1) != Some(&0xA5) {
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
            if let Some(e164) = phone_from_digits(raw.trim_start().starts_with('+'), &digits) {
                out.push(entity(EntityKind::Phone, pos, end, e164));
            } else if (2..=4).contains(&digits.len())
                && !raw.contains(|c: char| !c.is_ascii_digit() && digit_value(c).is_none())
                && phone_context_near(text, hits, longest, lex, pos, end)
            {
                out.push(entity(EntityKind::Phone, pos, end, digits.clone()));
            }
        }
        pos = end.max(pos + c.len_utf8());
    }
}

/// The bytes a phone number may start with: '+', '(', ASCII digits and the lead bytes of
/// Arabic-Indic (D9, DB) and Devanagari (E0) digits.
const MAY_START_PHONE: [bool; 256] = {
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
const MAX_SEPARATORS: usize = 8;

/// The end of a phone-like run at `start` and its digits (ASCII).
fn phone_run(text: &str, start: usize) -> (usize, String) {
    let mut digits = String::new();
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
fn phone_from_digits(plus: bool, digits: &str) -> Option<String> {
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
fn normalize_phone(candidate: &str) -> Option<String> {
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

fn phone_context_near(
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

/// Organisations, regions and countries from the gazetteers, organisations written with a
/// legal form («ООО «СтройИнвест»»), and named bodies ("Agency for ...").
fn gazetteer(text: &str, hits: &[PhraseHit], lex: &Lexicon, out: &mut Vec<RecruitingEntity>) {
    let mut orgs: Vec<(usize, usize, String)> = Vec::new();
    let mut regions: Vec<(usize, usize, usize)> = Vec::new();
    let mut countries: Vec<(usize, usize, usize)> = Vec::new();
    for h in hits {
        match *lex.free.payload(h.id) {
            Tag::Org(i) => orgs.push((h.start, h.end, lex.orgs[i].name.clone())),
            Tag::Region(i)
                if written_as_name(text, h, lex.regions[i].cased)
                    && !(lex.regions[i].cased && in_longer_name(text, hits, lex, h)) =>
            {
                regions.push((h.start, h.end, i))
            }
            Tag::Country(i)
                if written_as_name(text, h, lex.countries[i].cased)
                    && !(lex.countries[i].cased && in_longer_name(text, hits, lex, h)) =>
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
            if let Some(&(_, rend, ri)) = regions[after..]
                .iter()
                .take_while(|&&(rs, _, _)| rs - h.end <= 16)
                .find(|&&(rs, _, _)| place_gap(&text[h.end..rs]))
            {
                orgs.push((
                    h.start,
                    rend,
                    format!("{} of {}", lex.orgs[i].name, lex.regions[ri].name),
                ));
            }
        }
    }
    // Bodies named by a legal form or a head word count only where no gazetteer name stands.
    let known = Spans::new(orgs.iter().map(|(s, e, _)| (*s, *e)));
    let mut named: Vec<(usize, usize, String)> = Vec::new();
    for h in hits {
        let (start, end) = match *lex.free.payload(h.id) {
            // An abbreviated legal form is written in capitals: «АҚ» is a company, «ақ» white.
            Tag::NameBefore { capitalised: true } | Tag::NameAfter
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
            Tag::NameAfter => {
                let start = quoted_name_start(text, h.start)
                    .or_else(|| capitalised_name_start(text, h.start));
                (start.unwrap_or(h.start), start.map(|_| h.end))
            }
            _ => (h.start, None),
        };
        let end = end.filter(|_| start <= h.start);
        let end = match lex.free.payload(h.id) {
            Tag::NameBefore { .. } | Tag::NameAfter => end,
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
                named.push((start, end, text[start..end].to_string()));
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

/// A place hit that reads as a name: a form of several words, or one written with a capital
/// (or in a script without case) when its entry is `cased`.
fn written_as_name(text: &str, h: &PhraseHit, cased: bool) -> bool {
    !cased
        || text[h.start..h.end].contains(is_blank)
        || char_at(text, h.start).is_some_and(|c| !c.is_lowercase())
}

/// A one-word place that is part of a longer proper name ("Rajasthan Royals", "NIT
/// Puducherry"): a capitalised word next to it that is no place or body of its own, the one
/// before it not the first of a sentence.
fn in_longer_name(text: &str, hits: &[PhraseHit], lex: &Lexicon, h: &PhraseHit) -> bool {
    if text[h.start..h.end].contains(is_blank) {
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
    let low = text[h.start..h.end].to_lowercase();
    if ADJECTIVE.iter().any(|e| low.ends_with(e)) {
        return true;
    }
    // «Зайсан» шекара басқармасы: a place alone in quotes names something else.
    let quote = |c: Option<char>| c.is_some_and(|c| matches!(c, '«' | '»' | '"' | '“' | '”' | '„'));
    if quote(char_before(text, h.start)) && quote(char_at(text, h.end)) {
        return true;
    }
    let capital = |at: usize| char_at(text, at).is_some_and(char::is_uppercase);
    let next = super::text::skip_spaces(text, h.end, 1);
    let named = |at: usize| {
        let from = hits.partition_point(|p| p.start < at);
        hits[from..].iter().take_while(|p| p.start == at).any(|p| {
            matches!(
                lex.free.payload(p.id),
                Tag::Region(_) | Tag::Country(_) | Tag::Org(_)
            )
        })
    };
    if next > h.end && capital(next) && !named(next) {
        return true;
    }
    let before = super::text::skip_spaces_back(text, h.start, 1);
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
fn place_gap(gap: &str) -> bool {
    let words: Vec<&str> = gap.split(is_blank).filter(|w| !w.is_empty()).collect();
    gap.starts_with(is_blank)
        && match words.as_slice() {
            [] => true,
            [w] => matches!(
                w.to_lowercase().as_str(),
                "г." | "города" | "city" | "shahri"
            ),
            _ => false,
        }
}

/// The most chars of one word of a name: a longer run is no name, and a bound keeps the
/// reading of a name next to each legal form linear on hostile text.
const MAX_NAME_WORD_CHARS: usize = 40;

/// The length in bytes of the word the chars start with, if it is short enough for a name.
fn name_word_len(chars: impl Iterator<Item = char>) -> Option<usize> {
    let mut len = 0;
    for (n, c) in chars.enumerate() {
        if !(is_word_char(c) || c == '-' || c == '&') {
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
const MAX_NAME_WORDS: usize = 3;

/// The end of up to three capitalised words right after `pos` ("ООО Ромашка"), on the same
/// line; none when the first is a place or country (an «агентство России» is no name).
fn capitalised_name_end(
    text: &str,
    hits: &[PhraseHit],
    lex: &Lexicon,
    pos: usize,
) -> Option<usize> {
    let mut at = super::text::skip_spaces(text, pos, 2);
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
        let next = super::text::skip_spaces(text, at + len, 1);
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
fn capitalised_name_start(text: &str, pos: usize) -> Option<usize> {
    let mut at = super::text::skip_spaces_back(text, pos, 2);
    if at == pos {
        return None;
    }
    let mut start = None;
    for _ in 0..MAX_NAME_WORDS {
        let word_start = at - name_word_len(text[..at].chars().rev())?;
        if !char_at(text, word_start).is_some_and(|c| c.is_uppercase()) {
            break;
        }
        start = Some(word_start);
        let before = super::text::skip_spaces_back(text, word_start, 1);
        if before == word_start {
            break;
        }
        at = before;
    }
    start
}

/// The start of «Name» or "Name" that ends right before `pos` (spaces allowed after it).
fn quoted_name_start(text: &str, pos: usize) -> Option<usize> {
    let at = super::text::skip_spaces_back(text, pos, 2);
    let close = char_before(text, at)?;
    let open: &[char] = match close {
        '»' => &['«'],
        '"' => &['"'],
        '”' | '“' => &['“', '„'],
        _ => return None,
    };
    let body_end = at - close.len_utf8();
    let from = super::text::floor_boundary(text, body_end.saturating_sub(120));
    let body = &text[from..body_end];
    let open_at = body.rfind(open)?;
    (open_at + open[0].len_utf8() < body.len() && !body[open_at..].contains('\n'))
        .then_some(from + open_at)
}

/// Keeps the longest of overlapping spans (none empty), then the earliest; in order of start.
fn longest_first<T>(mut spans: Vec<(usize, usize, T)>) -> Vec<(usize, usize, T)> {
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
fn quoted_name_end(text: &str, pos: usize) -> Option<usize> {
    let at = super::text::skip_spaces(text, pos, 2);
    let open = char_at(text, at)?;
    let close: &[char] = match open {
        '«' => &['»'],
        '"' => &['"'],
        '“' | '„' => &['”', '“'],
        '\'' => &['\''],
        _ => return None,
    };
    let body = at + open.len_utf8();
    let rest = &text[body..super::text::floor_boundary(text, body + 120)];
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
fn clause_end(text: &str, pos: usize, max_words: usize) -> usize {
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
