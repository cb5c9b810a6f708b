//! Links, domains, e-mail addresses, Telegram accounts and other platforms' handles.

use linkify::{LinkFinder, LinkKind};
use url::Url;

use crate::lexicon::{Lexicon, Tag};
use crate::phrase::{self, PhraseHit};
use crate::text::{char_at, char_before, is_word_char};
use crate::{EntityKind, RecruitingEntity};

use super::phones::normalize_phone;
use super::{entity, Spans};

/// Hosts whose first path segment names an account on another platform.
pub(super) const PLATFORM_HOSTS: &[(&str, &str)] = &[
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
pub(super) const TELEGRAM_HOSTS: &[&str] = &["t.me", "telegram.me", "telegram.dog"];
/// t.me paths that are not accounts.
pub(super) const TELEGRAM_RESERVED: &[&str] = &[
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
pub(super) const IDN_TLDS: &[&str] = &[
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

pub(super) fn links(text: &str, low: &str, out: &mut Vec<RecruitingEntity>) {
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
                let path = &text[end..crate::text::floor_boundary(text, end + MAX_PATH)];
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
pub(super) const MAX_NAME_CHARS: usize = 253;
/// The most of a link's path read after a Cyrillic top-level domain.
pub(super) const MAX_PATH: usize = 2048;

pub(super) fn is_name_char(c: char) -> bool {
    // Russian letters first: Unicode's table lookup for other scripts is slow.
    matches!(c, 'а'..='я' | 'А'..='Я' | 'ё' | 'Ё' | '-' | '.') || c.is_alphanumeric()
}

/// The run of name chars (letters, digits, `-`, `.`) that ends at a dot, walked once per run:
/// a pass meets its dots in order, and a dot in the same run as the one before has the same
/// start. So each byte of the text is looked at a bounded number of times per pass.
#[derive(Default)]
pub(super) struct NameRun {
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

/// [`url_entities`] once per distinct link text. What a later copy of a link would record
/// is what its first copy recorded, and only an entity's first place is kept, so a page with
/// one link written 40,000 times parses it once.
pub(super) struct Urls<'t> {
    text: &'t str,
    /// Each link text read, where it was first read, and whether it was a link.
    read: std::collections::HashMap<&'t str, (usize, bool)>,
}

impl<'t> Urls<'t> {
    pub(super) fn new(text: &'t str) -> Urls<'t> {
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
pub(super) fn url_entities(
    text: &str,
    start: usize,
    end: usize,
    out: &mut Vec<RecruitingEntity>,
) -> bool {
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

pub(super) fn is_account_name(name: &str, min: usize) -> bool {
    (min..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

/// `@name`: a Telegram account, or another platform's when the text names that platform.
pub(super) fn handles(
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
pub(super) fn platform_near(
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
