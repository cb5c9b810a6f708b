//! A report's card for moderators and its buttons.

use super::*;

/// Where a report came from, in a few words.
pub(super) fn source_line(origin: &serde_json::Value) -> String {
    let field = |k: &str| origin.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let kind = field("kind").unwrap_or_default();
    let name = field("username")
        .map(|u| format!("@{u}"))
        .or_else(|| field("title"))
        .or_else(|| field("name"))
        .unwrap_or_default();
    match field("link") {
        Some(link) => format!("{kind} {name} {link}"),
        None => format!("{kind} {name}"),
    }
    .trim()
    .to_string()
}

/// Everything a moderator needs on one report.
pub struct CardView<'a> {
    pub card: &'a Card,
    /// The engine's reading of the text (none when the text was purged).
    pub extraction: Option<&'a Extraction>,
    pub linked: &'a [i64],
    pub links: &'a [LinkRecord],
    pub corrections: &'a [Correction],
    /// Announced in the moderators' chat as new.
    pub announce: bool,
}

/// A moderator's card: the ad, where it came from, what was found, who sent it, and links.
pub fn card(lang: Lang, v: &CardView<'_>) -> String {
    let c = v.card;
    let mut head = String::new();
    if v.announce {
        head.push_str(&format!("🚨 <b>{}</b>\n", escape(&t(lang, "card-new"))));
    }
    head.push_str(&format!(
        "📋 <b>{}</b> · {} · {}",
        escape(&tr(
            lang,
            "card-title",
            &[("id", format!("#{}", c.id).into())]
        )),
        escape(&status_word(lang, c.status)),
        escape(&tr(
            lang,
            "risk",
            &[("risk", FluentValue::from(c.risk as i64))]
        ))
    ));
    head.push_str(&format!(
        "\n<b>{}</b>",
        escape(&t(lang, &format!("label-{}", c.label.as_str())))
    ));
    // The ad always shows: its quote is cut after escaping (a `"` is six units once escaped),
    // to what is left beside the head.
    let room = MAX_MESSAGE
        .saturating_sub(utf16_len(&head))
        .saturating_sub("\n\n<blockquote></blockquote>".len());
    let mut sections = vec![head];
    match c.text.as_deref() {
        Some(text) => sections.push(format!(
            "<blockquote>{}</blockquote>",
            cut_html(&escape(&truncate(text, 700)), room)
        )),
        None => sections.push(format!("<i>{}</i>", escape(&t(lang, "card-text-purged")))),
    }
    if !c.origins.is_empty() {
        let lines: Vec<String> = c
            .origins
            .iter()
            .take(3)
            .map(|o| format!("• {}", escape(&source_line(o))))
            .collect();
        sections.push(format!(
            "<b>{}</b>\n{}",
            escape(&t(lang, "card-source")),
            lines.join("\n")
        ));
    }
    if let (Some(x), Some(text)) = (v.extraction, c.text.as_deref()) {
        // Offers, entities and reasons; the label and risk above are the stored ones.
        sections.extend(analysis(lang, text, x).into_iter().skip(1));
    }
    let pages: Vec<String> = v
        .links
        .iter()
        .map(|l| {
            let detail = match (&l.snapshot, &l.failure) {
                (Some(s), _) => format!(
                    "HTTP {} · {}",
                    s.status,
                    &s.sha256[..s.sha256.len().min(12)]
                ),
                (None, Some(f)) => f.clone(),
                // A snapshot dropped for newer ones of the link says so (`superseded`).
                (None, None) => match &l.detail {
                    Some(d) => format!("{} · {d}", l.state),
                    None => l.state.clone(),
                },
            };
            format!("• <code>{}</code> {}", escape(&l.url), escape(&detail))
        })
        .collect();
    if !pages.is_empty() {
        sections.push(format!(
            "<b>{}</b>\n{}",
            escape(&t(lang, "card-pages")),
            pages.join("\n")
        ));
    }
    sections.extend(page_entities(lang, &c.page_entities));
    let mut facts = vec![
        escape(&tr(
            lang,
            "card-count",
            &[("count", FluentValue::from(c.report_count as i64))],
        )),
        escape(&tr(
            lang,
            "card-seen",
            &[
                ("first", when(c.first_seen).into()),
                ("last", when(c.last_seen).into()),
            ],
        )),
    ];
    if !v.linked.is_empty() {
        let ids: Vec<String> = v.linked.iter().take(15).map(|i| format!("#{i}")).collect();
        facts.push(format!(
            "{} {}",
            escape(&t(lang, "card-linked")),
            ids.join(", ")
        ));
    }
    sections.push(facts.join("\n"));
    if !v.corrections.is_empty() {
        let lines: Vec<String> = v
            .corrections
            .iter()
            .map(|c| {
                format!(
                    "• {}: <code>{}</code>",
                    escape(&c.field),
                    escape(&c.value.to_string())
                )
            })
            .collect();
        sections.push(format!(
            "<b>{}</b>\n{}",
            escape(&t(lang, "card-corrections")),
            lines.join("\n")
        ));
    }
    fit(sections)
}

/// The card's section of entities found only on linked pages, each marked 🔗: the page's
/// author wrote them, not the ad's, so the moderator sees them apart before approving.
pub(super) fn page_entities(lang: Lang, entities: &[(String, String)]) -> Option<String> {
    const SHOWN: usize = 20;
    if entities.is_empty() {
        return None;
    }
    let mut lines = vec![format!("<b>{}</b>", escape(&t(lang, "card-page-entities")))];
    for (kind, value) in entities.iter().take(SHOWN) {
        lines.push(format!(
            "• 🔗 {}: <code>{}</code>",
            escape(&t(lang, &format!("kind-{kind}"))),
            escape(value)
        ));
    }
    if entities.len() > SHOWN {
        lines.push(format!("… +{}", entities.len() - SHOWN));
    }
    Some(lines.join("\n"))
}

pub(super) fn button(lang: Lang, key: &str, data: String) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(t(lang, key), data)
}

/// The card's buttons. Callback data holds only the action and the report id (well within
/// Telegram's 64 bytes); the server checks the presser's role whatever it says.
pub fn card_keyboard(lang: Lang, id: i64) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![
        vec![
            button(lang, "btn-approve", format!("m:a:{id}")),
            button(lang, "btn-reject", format!("m:r:{id}")),
        ],
        vec![
            button(lang, "btn-duplicate", format!("m:d:{id}")),
            button(lang, "btn-skip", format!("m:s:{id}")),
        ],
        vec![button(lang, "btn-label", format!("m:l:{id}"))],
    ])
}

/// Candidates for "duplicate of": the linked reports.
pub fn duplicate_keyboard(lang: Lang, id: i64, candidates: &[i64]) -> InlineKeyboardMarkup {
    let mut rows: Vec<Vec<InlineKeyboardButton>> = candidates
        .chunks(3)
        .map(|chunk| {
            chunk
                .iter()
                .map(|c| {
                    InlineKeyboardButton::callback(format!("🔁 #{c}"), format!("m:D:{id}:{c}"))
                })
                .collect()
        })
        .collect();
    rows.push(vec![button(lang, "btn-back", format!("m:c:{id}"))]);
    InlineKeyboardMarkup::new(rows)
}

/// The labels a moderator may set instead of the automatic one.
pub fn label_keyboard(lang: Lang, id: i64) -> InlineKeyboardMarkup {
    let choices = [
        ("m", "label-military_recruitment"),
        ("s", "label-scam_job"),
        ("b", "label-benign"),
    ];
    let mut rows: Vec<Vec<InlineKeyboardButton>> = choices
        .iter()
        .map(|(code, key)| vec![button(lang, key, format!("m:L:{id}:{code}"))])
        .collect();
    rows.push(vec![button(lang, "btn-back", format!("m:c:{id}"))]);
    InlineKeyboardMarkup::new(rows)
}
