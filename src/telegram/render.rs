//! Telegram HTML, built in one place. Every character that came from a user or an ad is
//! escaped here; nothing else builds markup.

use fluent_bundle::FluentValue;

use crate::extract::{Bound, EntityKind, Extraction, Label, Lang, Period};
use crate::fetch::Failure;
use crate::guidance::Guidance;
use crate::i18n::{t, tr};
use crate::service::{shown_host, LinkOutcome, LinkResult, Submitted};

/// Telegram's limit for one message, in UTF-16 units.
pub const MAX_MESSAGE: usize = 4096;

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
    let digits = v.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("≈ ${grouped}")
}

/// The summary of what was found: label, risk, offers, entities, reasons, count, reference.
pub fn findings(lang: Lang, text: &str, s: &Submitted) -> Vec<String> {
    let mut parts = analysis(lang, text, &s.extraction);
    parts.push(format!(
        "{}\n{}",
        escape(&tr(
            lang,
            "others",
            &[("count", FluentValue::from(s.stored.report_count as i64))]
        )),
        escape(&tr(
            lang,
            "reference",
            &[("id", FluentValue::from(format!("#{}", s.stored.report_id)))]
        ))
    ));
    parts
}

/// What an extraction found in `text`: label and risk, offers as written, entities, reasons.
fn analysis(lang: Lang, text: &str, x: &Extraction) -> Vec<String> {
    let mut parts = vec![format!(
        "<b>{}</b>\n{}",
        escape(&t(lang, &format!("label-{}", x.label.as_str()))),
        escape(&tr(
            lang,
            "risk",
            &[("risk", FluentValue::from(x.risk as i64))]
        ))
    )];
    if !x.amounts.is_empty() {
        let mut lines = vec![format!("<b>{}</b>", escape(&t(lang, "offers")))];
        for a in x.amounts.iter().take(8) {
            let written = text.get(a.start..a.end).unwrap_or_default();
            let mut line = String::from("• ");
            match a.bound {
                Some(Bound::Min) => line.push_str(&format!("{} ", escape(&t(lang, "bound-min")))),
                Some(Bound::Max) => line.push_str(&format!("{} ", escape(&t(lang, "bound-max")))),
                None => {}
            }
            line.push_str(&format!("<code>{}</code>", escape(written)));
            if let Some(p) = a.period {
                line.push_str(&format!(", {}", escape(&t(lang, period_key(p)))));
            }
            if let (Some(u), false) = (a.usd, a.currency == "USD") {
                line.push_str(&format!(" ({})", usd(u)));
            }
            lines.push(line);
        }
        parts.push(lines.join("\n"));
    }
    let shown: Vec<_> = x
        .entities
        .iter()
        .filter(|e| !matches!(e.kind, EntityKind::Country | EntityKind::Url))
        .take(10)
        .collect();
    if !shown.is_empty() {
        let mut lines = vec![format!("<b>{}</b>", escape(&t(lang, "entities")))];
        for e in shown {
            lines.push(format!(
                "• {}: <code>{}</code>",
                escape(&t(lang, &format!("kind-{}", e.kind.as_str()))),
                escape(&e.normalized)
            ));
        }
        parts.push(lines.join("\n"));
    }
    let reasons: Vec<String> = x
        .signals
        .iter()
        .filter(|sig| sig.weight > 0)
        .take(5)
        .filter_map(|sig| crate::extract::explain_signal(sig.id, lang))
        .map(|e| format!("• {}", escape(e)))
        .collect();
    if !reasons.is_empty() {
        parts.push(format!(
            "<b>{}</b>\n{}",
            escape(&t(lang, "reasons")),
            reasons.join("\n")
        ));
    }
    parts
}

/// The guidance sections, most important first.
pub fn guidance_sections(lang: Lang, g: &Guidance) -> Vec<String> {
    let list = |items: &[String]| {
        items
            .iter()
            .map(|i| format!("• {}", escape(i)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    vec![
        format!(
            "<b>{} — {}</b>\n{}",
            escape(&t(lang, "law")),
            escape(&g.country_name),
            escape(&g.country.law)
        ),
        format!(
            "<b>{}</b>\n{}",
            escape(&t(lang, "where-to-report")),
            list(&g.country.report)
        ),
        format!(
            "<b>{}</b>\n{}",
            escape(&t(lang, "if-contacted")),
            escape(&g.country.if_contacted)
        ),
        format!(
            "<b>{}</b>\n{}",
            escape(&t(lang, "evidence")),
            list(&g.common.evidence)
        ),
        format!(
            "<b>{}</b>\n{}",
            escape(&t(lang, "safety")),
            list(&g.common.safety)
        ),
        format!(
            "<b>{}</b>\n{}",
            escape(&t(lang, "platforms")),
            list(&g.common.platforms)
        ),
    ]
}

/// Joins sections with blank lines, dropping the last ones that do not fit in one message.
pub fn fit(sections: Vec<String>) -> String {
    let mut out = String::new();
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
    out
}

/// The whole reply to a submitted ad; `reading` says its links are being read.
pub fn reply(
    lang: Lang,
    text: &str,
    s: &Submitted,
    guidance: Option<&Guidance>,
    reading: bool,
) -> String {
    let mut sections = findings(lang, text, s);
    // A bare link has no verdict of its own yet: the page's comes in a moment.
    if reading && s.extraction.amounts.is_empty() && s.extraction.label == Label::Benign {
        sections.remove(0);
    }
    if reading {
        sections.push(format!("🔗 {}", escape(&t(lang, "reading-links"))));
    }
    if let Some(g) = guidance {
        sections.extend(guidance_sections(lang, g));
    }
    fit(sections)
}

/// "2 MB", "500 KB": a byte limit as people say it.
fn size(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        format!("{} MB", (bytes as f64 / 1e6 * 10.0).round() / 10.0)
    } else {
        format!("{} KB", bytes.div_ceil(1000))
    }
}

/// Why a link could not be read, in plain words.
fn failure_words(lang: Lang, f: &Failure) -> String {
    match f {
        Failure::Scheme => t(lang, "page-scheme"),
        Failure::Port(p) => tr(lang, "page-port", &[("port", FluentValue::from(*p as i64))]),
        Failure::Blocked(_) => t(lang, "page-blocked"),
        Failure::Unreachable => t(lang, "page-unreachable"),
        Failure::Timeout => t(lang, "page-timeout"),
        Failure::TooManyRedirects => t(lang, "page-redirects"),
        Failure::NotAPage(kind) => tr(lang, "page-not-a-page", &[("type", kind.clone().into())]),
        Failure::Http(status) => tr(
            lang,
            "page-http",
            &[("status", FluentValue::from(*status as i64))],
        ),
        Failure::Disabled => t(lang, "page-disabled"),
    }
}

/// What the pages of a report's links show, one section each; `None` when there is nothing
/// to tell (every link is being read by another message).
pub fn pages(lang: Lang, outcomes: &[LinkOutcome], max_bytes: usize) -> Option<String> {
    let mut sections = Vec::new();
    for o in outcomes {
        let site = format!("<code>{}</code>", escape(&shown_host(&o.url)));
        match &o.result {
            LinkResult::Reading => continue,
            LinkResult::Failed(f) => sections.push(format!(
                "🔗 {site}\n{}\n{}",
                escape(&failure_words(lang, f)),
                escape(&t(lang, "page-kept"))
            )),
            LinkResult::Page(read) => {
                let (snapshot, extraction) = (&read.snapshot, &read.extraction);
                let mut head = vec![format!(
                    "🔗 <b>{}</b> {site}",
                    escape(&t(lang, "page-shows"))
                )];
                let final_url = url::Url::parse(&snapshot.final_url).ok();
                if final_url
                    .as_ref()
                    .is_some_and(|f| shown_host(f) != shown_host(&o.url))
                {
                    head.push(format!(
                        "{} <code>{}</code>",
                        escape(&t(lang, "page-led-to")),
                        escape(&snapshot.final_url)
                    ));
                }
                if let Some(title) = snapshot.title.as_deref() {
                    head.push(format!("<i>{}</i>", escape(&truncate(title, 200))));
                }
                if snapshot.truncated {
                    head.push(escape(&tr(
                        lang,
                        "page-cut",
                        &[("limit", size(max_bytes).into())],
                    )));
                }
                sections.push(head.join("\n"));
                if extraction.amounts.is_empty() && extraction.entities.is_empty() {
                    sections.push(escape(&t(lang, "page-nothing")));
                } else {
                    sections.extend(analysis(lang, &snapshot.text, extraction));
                }
            }
        }
    }
    (!sections.is_empty()).then(|| fit(sections))
}

/// At most `max` characters, with an ellipsis when cut.
fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// A plain message in a language, escaped.
pub fn plain(lang: Lang, key: &str) -> String {
    escape(&t(lang, key))
}

#[cfg(test)]
mod tests {
    use super::*;

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
