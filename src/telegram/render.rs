//! Telegram HTML, built in one place. Every character that came from a user or an ad is
//! escaped here; nothing else builds markup.

use fluent_bundle::FluentValue;

use crate::extract::{Bound, EntityKind, Lang, Period};
use crate::guidance::Guidance;
use crate::i18n::{t, tr};
use crate::service::Submitted;

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
    let x = &s.extraction;
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

/// The whole reply to a submitted ad.
pub fn reply(lang: Lang, text: &str, s: &Submitted, guidance: Option<&Guidance>) -> String {
    let mut sections = findings(lang, text, s);
    if let Some(g) = guidance {
        sections.extend(guidance_sections(lang, g));
    }
    fit(sections)
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
    fn dollars_are_grouped() {
        assert_eq!(usd(5300), "≈ $5,300");
        assert_eq!(usd(999), "≈ $999");
        assert_eq!(usd(1_234_567), "≈ $1,234,567");
    }
}
