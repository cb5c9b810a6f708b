//! The weekly digest as messages.

use super::*;

/// An amount as a person reads it: `495 000 RUB` (thin groups, the code after).
pub(super) fn amount(value: f64, currency: &str) -> String {
    format!("{} {currency}", grouped(value.round() as i64, '\u{a0}'))
}

pub(super) fn typical_line(lang: Lang, key: &str, t: &crate::digest::Typical) -> String {
    let mut shown = amount(t.value, &t.currency);
    if let (Some(u), false) = (t.usd, t.currency == "USD") {
        shown.push_str(&format!(" ({})", usd(u)));
    }
    escape(&tr(lang, key, &[("amount", shown.into())]))
}

/// A recruiter's contact as a digest may print it: never clickable, phones masked unless
/// `show_phones`.
pub(super) fn digest_entity(kind: &str, value: &str, show_phones: bool) -> String {
    let shown = match kind {
        "phone" if !show_phones => crate::digest::mask_phone(value),
        "domain" | "url" => crate::digest::defang(value),
        "telegram" => format!("@{}", value.trim_start_matches('@')),
        "handle" if value.contains('.') => crate::digest::defang(value),
        _ => value.to_string(),
    };
    // <code> is never turned into a link or a mention by Telegram clients.
    format!("<code>{}</code>", escape(&truncate(&shown, SHOWN_VALUE)))
}

/// A weekly digest: one message, or numbered parts when it is longer than Telegram allows.
pub fn digest(lang: Lang, d: &crate::digest::Digest, show_phones: bool, bot: &str) -> Vec<String> {
    let local = |ms: i64| {
        chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
            .map(|t| t.with_timezone(&d.tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let mut sections = vec![format!(
        "📰 <b>{}</b>\n{}\n\n{}\n{}",
        escape(&t(lang, "digest-title")),
        escape(&tr(
            lang,
            "digest-period",
            &[
                ("from", local(d.period.start).into()),
                ("to", local(d.period.end).into()),
                ("tz", d.tz.name().to_string().into()),
            ],
        )),
        escape(&tr(
            lang,
            "digest-count",
            &[
                ("ads", FluentValue::from(d.ads as i64)),
                ("citizens", FluentValue::from(d.citizens)),
            ],
        )),
        escape(&tr(
            lang,
            "digest-new",
            &[
                ("new", FluentValue::from(d.new as i64)),
                ("recurring", FluentValue::from(d.recurring as i64)),
            ],
        )),
    )];
    if !d.top_entities.is_empty() {
        let lines: Vec<String> = d
            .top_entities
            .iter()
            .map(|(kind, value, n)| {
                format!(
                    "• {}: {} ×{n}",
                    escape(&t(lang, &format!("kind-{kind}"))),
                    digest_entity(kind, value, show_phones)
                )
            })
            .collect();
        sections.push(format!(
            "<b>{}</b>\n{}",
            escape(&t(lang, "digest-top")),
            lines.join("\n")
        ));
    }
    let mut offers = Vec::new();
    if let Some(t1) = &d.median_one_time {
        offers.push(typical_line(lang, "digest-median-one-time", t1));
    }
    if let Some(m) = &d.median_monthly {
        offers.push(typical_line(lang, "digest-median-monthly", m));
    }
    if !d.largest.is_empty() {
        offers.push(escape(&t(lang, "digest-largest")));
        for o in &d.largest {
            let mut line = format!("• <code>{}</code>", escape(&truncate(&o.text, SHOWN_VALUE)));
            if let Some(p) = o.period.as_deref() {
                let key = format!("period-{p}");
                line.push_str(&format!(", {}", escape(&t(lang, &key))));
            }
            if let (Some(u), false) = (o.usd, o.currency == "USD") {
                line.push_str(&format!(" ({})", usd(u)));
            }
            offers.push(line);
        }
    }
    if !offers.is_empty() {
        sections.push(format!(
            "<b>{}</b>\n{}",
            escape(&t(lang, "digest-offers")),
            offers.join("\n")
        ));
    }
    let languages: Vec<String> = d
        .languages
        .iter()
        .map(|(code, n)| format!("{} {n}", escape(&code.to_uppercase())))
        .collect();
    sections.push(format!(
        "<b>{}</b> {}",
        escape(&t(lang, "digest-languages")),
        languages.join(" · ")
    ));
    let ads: Vec<String> = d
        .lines
        .iter()
        .map(|l| {
            let mut parts = vec![format!("#{}", l.id)];
            if !l.offers.is_empty() {
                parts.push(
                    l.offers
                        .iter()
                        .map(|o| escape(&truncate(o, SHOWN_VALUE)))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
            if !l.names.is_empty() {
                let names: Vec<String> = l.names.iter().map(|n| truncate(n, SHOWN_VALUE)).collect();
                parts.push(escape(&names.join(", ")));
            }
            format!("• {}", parts.join(" — "))
        })
        .collect();
    if !ads.is_empty() {
        sections.push(format!(
            "<b>{}</b>\n{}",
            escape(&t(lang, "digest-ads")),
            ads.join("\n")
        ));
    }
    sections.push(format!(
        "ℹ️ {}",
        escape(&tr(
            lang,
            "digest-how",
            &[("bot", format!("@{bot}").into())]
        ))
    ));
    split(lang, sections)
}
