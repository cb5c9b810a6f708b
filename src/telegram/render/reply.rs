//! The answer to a citizen's report: what the ad offers and who is behind it, the guidance of their country, and the citizens' keyboards.

use super::*;

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
pub(super) fn analysis(lang: Lang, text: &str, x: &Extraction) -> Vec<String> {
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
    let section = |key: &str, body: String| format!("<b>{}</b>\n{body}", escape(&t(lang, key)));
    vec![
        format!(
            "<b>{} — {}</b>\n{}",
            escape(&t(lang, "law")),
            escape(&g.country_name),
            escape(&g.country.law)
        ),
        section("where-to-report", list(&g.country.report)),
        section("if-contacted", escape(&g.country.if_contacted)),
        section("evidence", list(&g.common.evidence)),
        section("safety", list(&g.common.safety)),
        section("platforms", list(&g.common.platforms)),
        section("sources", source_links(&g.sources)),
    ]
}

/// The sources as links named by their host ("adilet.zan.kz"), one line each.
pub(super) fn source_links(urls: &[String]) -> String {
    urls.iter()
        .filter_map(|u| {
            let parsed = url::Url::parse(u).ok()?;
            let host = parsed.host_str()?.trim_start_matches("www.").to_string();
            Some(format!(
                "• <a href=\"{}\">{}</a>",
                escape(parsed.as_str()),
                escape(&host)
            ))
        })
        .collect::<Vec<_>>()
        .join("\n")
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

/// The button under a group's `/report` that opens the bot on the report for its citizen.
pub fn open_bot_keyboard(lang: Lang, url: url::Url) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::url(
        t(lang, "open-bot"),
        url,
    )]])
}

pub fn country_keyboard(lang: Lang) -> InlineKeyboardMarkup {
    let buttons: Vec<InlineKeyboardButton> = guidance::COUNTRY_CODES
        .iter()
        .map(|c| InlineKeyboardButton::callback(guidance::country_name(c, lang), format!("c:{c}")))
        .collect();
    InlineKeyboardMarkup::new(buttons.chunks(3).map(|r| r.to_vec()).collect::<Vec<_>>())
}

/// Buttons that send a country's guidance again in its other languages ("g:KG:ru").
pub fn guidance_keyboard(country: &str, lang: Lang) -> InlineKeyboardMarkup {
    let buttons: Vec<InlineKeyboardButton> = guidance::other_languages(country, lang)
        .into_iter()
        .map(|l| {
            InlineKeyboardButton::callback(language_name(l), format!("g:{country}:{}", l.code()))
        })
        .collect();
    InlineKeyboardMarkup::new(vec![buttons])
}

pub fn language_keyboard() -> InlineKeyboardMarkup {
    let buttons: Vec<InlineKeyboardButton> = Lang::ALL
        .iter()
        .map(|l| InlineKeyboardButton::callback(language_name(*l), format!("l:{}", l.code())))
        .collect();
    InlineKeyboardMarkup::new(buttons.chunks(5).map(|r| r.to_vec()).collect::<Vec<_>>())
}

/// A language's name in itself, for the /language buttons.
pub(super) fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => "Русский",
        Lang::Kk => "Қазақша",
        Lang::Uz => "O‘zbekcha",
        Lang::Ar => "العربية",
        Lang::En => "English",
        Lang::Ky => "Кыргызча",
        Lang::Tg => "Тоҷикӣ",
        Lang::Hy => "Հայերեն",
        Lang::Ne => "नेपाली",
        Lang::Hi => "हिन्दी",
    }
}
