//! Telegram HTML, built in one place. Every character that came from a user or an ad is
//! escaped here; nothing else builds markup.

use fluent_bundle::FluentValue;

use crate::extract::{Bound, EntityKind, Extraction, Label, Lang, Period};
use crate::fetch::Failure;
use crate::guidance::{self, Guidance};
use crate::i18n::{t, tr};
use crate::service::{
    shown_host, AuditEntry, Card, Correction, Decision, LinkOutcome, LinkRecord, LinkResult,
    ReportLine, ReportStatus, ReviewAction, Stats, Submitted,
};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

mod card;
mod digest;
mod moderators;
mod pages;
mod reply;
mod split;

pub use card::{card, card_keyboard, duplicate_keyboard, label_keyboard, CardView};
pub use digest::digest;
pub use moderators::{decided, found, history, outcome, stats};
pub use pages::pages;
use reply::*;
pub use reply::{
    country_keyboard, findings, guidance_keyboard, guidance_sections, language_keyboard,
    open_bot_keyboard, reply,
};
pub use split::{cut_html, split};

/// Telegram's limit for one message, in UTF-16 units.
pub const MAX_MESSAGE: usize = 4096;

/// Characters shown of one value an ad wrote (an amount as written, a name, a contact) where
/// many are listed: a line stays a line.
const SHOWN_VALUE: usize = 120;

/// Escapes text for Telegram's HTML parse mode.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn period_key(p: Period) -> &'static str {
    match p {
        Period::OneTime => "period-one_time",
        Period::Monthly => "period-monthly",
        Period::Daily => "period-daily",
        Period::Yearly => "period-yearly",
    }
}

/// "≈ $5,300" with thin grouping that every language reads.
fn usd(v: i64) -> String {
    format!("≈ ${}", grouped(v, ','))
}

/// The digits of `v` (without its sign) in groups of three, joined by `separator`.
fn grouped(v: i64, separator: char) -> String {
    let digits = v.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// Joins sections with blank lines, dropping the last ones that do not fit in one message.
/// Never empty when there is a section: when none fits, the first is cut to the limit.
pub fn fit(sections: Vec<String>) -> String {
    let mut out = String::new();
    let first = sections.first().cloned();
    for s in sections {
        let candidate = if out.is_empty() {
            s.clone()
        } else {
            format!("{out}\n\n{s}")
        };
        if utf16_len(&candidate) > MAX_MESSAGE {
            continue;
        }
        out = candidate;
    }
    match first {
        Some(first) if out.is_empty() => cut_html(&first, MAX_MESSAGE),
        _ => out,
    }
}

/// A title and lines, one message: the lines that no longer fit are left out behind a last
/// `…` (a first line longer than a message is cut). Never empty.
fn fit_lines(title: String, lines: Vec<String>) -> String {
    // Room for the `\n…` that says lines were left out.
    let room = MAX_MESSAGE - 2;
    let mut out = cut_html(&title, room);
    let mut used = utf16_len(&out);
    for (i, line) in lines.into_iter().enumerate() {
        let left = room.saturating_sub(used + 1);
        let line = match utf16_len(&line) {
            len if len <= left => line,
            _ if i == 0 => cut_html(&line, left),
            _ => String::new(),
        };
        if line.is_empty() {
            out.push_str("\n…");
            return out;
        }
        used += 1 + utf16_len(&line);
        out.push('\n');
        out.push_str(&line);
    }
    out
}

/// At most `max` characters, with an ellipsis when cut.
fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// A time in Unix milliseconds as a UTC date and time.
fn when(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn status_word(lang: Lang, status: ReportStatus) -> String {
    t(lang, &format!("status-{}", status.as_str()))
}

/// A plain message with one `$id` argument.
pub fn with_id(lang: Lang, key: &str, id: i64) -> String {
    escape(&tr(lang, key, &[("id", format!("#{id}").into())]))
}

/// A plain message in a language, escaped.
pub fn plain(lang: Lang, key: &str) -> String {
    escape(&t(lang, key))
}

#[cfg(test)]
mod tests {
    use super::pages::size;
    use super::*;
    use proptest::prelude::{any, prop, Strategy};

    #[test]
    fn hostile_markup_is_escaped() {
        assert_eq!(
            escape("<script>&\"x\"</script>"),
            "&lt;script&gt;&amp;&quot;x&quot;&lt;/script&gt;"
        );
    }

    #[test]
    fn sections_that_do_not_fit_are_dropped() {
        let long = "я".repeat(3000);
        let out = fit(vec!["a".into(), long.clone(), long, "b".into()]);
        assert!(utf16_len(&out) <= MAX_MESSAGE);
        assert!(out.starts_with('a') && out.ends_with('b'));
    }

    #[test]
    fn callback_data_fits_in_64_bytes() {
        let id = i64::MAX;
        let mut rows = card_keyboard(Lang::Ru, id).inline_keyboard;
        rows.extend(duplicate_keyboard(Lang::Ru, id, &[i64::MAX]).inline_keyboard);
        rows.extend(label_keyboard(Lang::Ar, id).inline_keyboard);
        for b in rows.iter().flatten() {
            if let teloxide::types::InlineKeyboardButtonKind::CallbackData(d) = &b.kind {
                assert!(d.len() <= 64, "{d}");
            }
        }
    }

    #[test]
    fn long_digests_are_split_into_numbered_parts_within_the_limit() {
        let line = "• #12 — 495 000 рублей, от 190 000 рублей — Russian Ministry of Defence";
        let long = (0..200).map(|_| line).collect::<Vec<_>>().join("\n");
        let parts = split(Lang::En, vec!["<b>Digest</b>".into(), long, "end".into()]);
        assert!(parts.len() > 1);
        for (i, p) in parts.iter().enumerate() {
            assert!(utf16_len(p) <= MAX_MESSAGE);
            assert!(
                p.contains(&format!("Part {} of {}", i + 1, parts.len())),
                "{p}"
            );
        }
        assert_eq!(split(Lang::En, vec!["a".into(), "b".into()]), ["a\n\nb"]);
    }

    /// Is this markup Telegram would take: every `&` starts one of our entities, every `<` one
    /// of our tags, and the tags are balanced?
    fn well_formed(html: &str) -> bool {
        let mut open: Vec<&str> = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find(['<', '&']) {
            rest = &rest[at..];
            if rest.starts_with('&') {
                let Some(entity) = ["&lt;", "&gt;", "&amp;", "&quot;"]
                    .into_iter()
                    .find(|e| rest.starts_with(e))
                else {
                    return false;
                };
                rest = &rest[entity.len()..];
                continue;
            }
            let Some(end) = rest.find('>') else {
                return false;
            };
            let (tag, closing) = match rest[1..end].strip_prefix('/') {
                Some(name) => (name, true),
                None => (&rest[1..end], false),
            };
            if !["b", "i", "code", "blockquote"].contains(&tag) {
                return false;
            }
            if closing {
                if open.pop() != Some(tag) {
                    return false;
                }
            } else {
                open.push(tag);
            }
            rest = &rest[end + 1..];
        }
        open.is_empty()
    }

    /// Markup as this module builds it: escaped text, some of it in tags, some tags nested.
    fn markup() -> impl Strategy<Value = String> {
        let tag = prop::option::of(prop::sample::select(vec!["b", "i", "code", "blockquote"]));
        prop::collection::vec((tag, any::<String>(), any::<bool>()), 0..8).prop_map(|pieces| {
            pieces
                .into_iter()
                .rev()
                .fold(String::new(), |inner, (tag, text, nest)| {
                    match (tag, nest) {
                        (Some(t), true) => format!("<{t}>{}{inner}</{t}>", escape(&text)),
                        (Some(t), false) => format!("<{t}>{}</{t}>{inner}", escape(&text)),
                        (None, _) => format!("{}{inner}", escape(&text)),
                    }
                })
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

        #[test]
        fn any_input_is_cut_within_the_limit(input in ".*", limit in 0usize..400) {
            let out = cut_html(&input, limit);
            proptest::prop_assert!(utf16_len(&out) <= limit);
            if utf16_len(&input) <= limit {
                proptest::prop_assert_eq!(out, input);
            }
        }

        #[test]
        fn markup_is_cut_between_tags_and_entities(html in markup(), limit in 0usize..300) {
            proptest::prop_assert!(well_formed(&html), "{:?}", html);
            let out = cut_html(&html, limit);
            proptest::prop_assert!(utf16_len(&out) <= limit);
            proptest::prop_assert!(well_formed(&out), "{:?} from {:?}", out, html);
            // What is kept is the beginning of the markup, cut at a boundary of its text.
            let kept = out.split('…').next().unwrap_or_default();
            proptest::prop_assert!(html.starts_with(kept));
            proptest::prop_assert!(out.is_empty() || out == html || out.contains('…'));
        }
    }

    #[test]
    fn escaped_text_is_cut_between_entities_and_tags_are_closed() {
        let html = format!("<b>{}</b>", escape(&"<".repeat(100)));
        let out = cut_html(&html, 50);
        assert!(utf16_len(&out) <= 50);
        assert!(
            out.starts_with("<b>&lt;&lt;") && out.ends_with("&lt;…</b>"),
            "{out}"
        );
        assert!(well_formed(&out));
        assert_eq!(cut_html("short", 10), "short");
        assert_eq!(cut_html("longer text", 1), "…");
        assert_eq!(cut_html("longer text", 0), "");
        // Emoji are two UTF-16 units each, never split.
        let out = cut_html(&"😀".repeat(10), 8);
        assert_eq!(out, "😀😀😀…");
    }

    #[test]
    fn history_never_sends_an_empty_message() {
        let entry = |action: &str, detail: Option<String>| AuditEntry {
            moderator_id: 900,
            action: action.to_string(),
            detail,
            at: 1_700_000_000_000,
        };
        let many: Vec<AuditEntry> = (0..500).map(|_| entry("reopen", None)).collect();
        let odd = vec![
            entry("note", Some("<".repeat(5000))),
            entry("no-such-action", Some("&\"".repeat(3000))),
            entry("", Some(String::new())),
        ];
        for entries in [vec![], many, odd] {
            let html = history(Lang::En, 7, &entries);
            assert!(!html.trim().is_empty());
            assert!(utf16_len(&html) <= MAX_MESSAGE, "{}", utf16_len(&html));
            assert!(well_formed(&html), "{html}");
            assert!(html.contains("#7"), "{html}");
        }
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(2_000_000), "2 MB");
        assert_eq!(size(1_500_000), "1.5 MB");
        assert_eq!(size(300_000), "300 KB");
    }

    #[test]
    fn dollars_are_grouped() {
        assert_eq!(usd(5300), "≈ $5,300");
        assert_eq!(usd(999), "≈ $999");
        assert_eq!(usd(1_234_567), "≈ $1,234,567");
    }
}
