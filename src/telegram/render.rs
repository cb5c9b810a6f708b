//! Telegram HTML, built in one place. Every character that came from a user or an ad is
//! escaped here; nothing else builds markup.

use fluent_bundle::FluentValue;

use crate::extract::{Bound, EntityKind, Extraction, Label, Lang, Period};
use crate::fetch::Failure;
use crate::guidance::Guidance;
use crate::i18n::{t, tr};
use crate::service::{
    shown_host, AuditEntry, Card, Correction, Decision, LinkOutcome, LinkRecord, LinkResult,
    ReportLine, ReportStatus, ReviewAction, Stats, Submitted,
};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

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

/// Cuts markup built here to at most `limit` UTF-16 units (counted on the HTML sent, which is
/// never less than what Telegram counts after parsing it). The cut falls only between
/// characters of text, never inside a tag or an entity (`&lt;` stays whole), ends with `…`,
/// and closes the tags left open, so the result is still markup Telegram accepts. Text that
/// fits comes back unchanged. Two linear passes, no recursion.
pub fn cut_html(html: &str, limit: usize) -> String {
    if utf16_len(html) <= limit {
        return html.to_string();
    }
    const MORE: &str = "…";
    let more = utf16_len(MORE);
    // First pass: the longest prefix that fits with `…` and the closing tags it needs.
    let (mut used, mut open) = (0usize, Tags::default());
    let mut best = None;
    for (at, atom) in atoms(html) {
        if used + more > limit {
            break;
        }
        if used + more + open.closing <= limit {
            best = Some(at);
        }
        used += utf16_len(atom);
        open.follow(atom);
    }
    let Some(end) = best else {
        return String::new();
    };
    // Second pass over the prefix: the tags open where it ends.
    let mut open = Tags::default();
    for (_, atom) in atoms(&html[..end]) {
        open.follow(atom);
    }
    let mut out = String::with_capacity(end + 16);
    out.push_str(&html[..end]);
    out.push_str(MORE);
    for name in open.names.iter().rev() {
        out.push_str(&format!("</{name}>"));
    }
    out
}

/// The pieces of markup with their byte offsets: a whole tag, a whole entity, or one character.
fn atoms(html: &str) -> impl Iterator<Item = (usize, &str)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let rest = html.get(at..).filter(|r| !r.is_empty())?;
        let len = match rest.as_bytes()[0] {
            b'<' => tag_len(rest),
            b'&' => entity_len(rest),
            _ => None,
        }
        .unwrap_or_else(|| rest.chars().next().map_or(1, char::len_utf8));
        let start = at;
        at += len;
        Some((start, &rest[..len]))
    })
}

/// The tags open at a point of the markup, and the UTF-16 units that would close them.
#[derive(Default)]
struct Tags<'a> {
    names: Vec<&'a str>,
    closing: usize,
}

impl<'a> Tags<'a> {
    fn follow(&mut self, atom: &'a str) {
        if atom.len() < 3 || !atom.starts_with('<') {
            return;
        }
        let name = tag_name(atom);
        if atom.starts_with("</") {
            if let Some(at) = self.names.iter().rposition(|t| *t == name) {
                for t in self.names.drain(at..) {
                    self.closing -= t.len() + 3;
                }
            }
        } else if !name.is_empty() {
            self.names.push(name);
            self.closing += name.len() + 3;
        }
    }
}

/// The length of the tag `s` starts with (`<b>`, `</code>`, `<a href="…">`), or `None` when
/// no `>` closes it within [`MAX_TAG`] bytes (a lone `<` in malformed markup costs no scan to
/// the end).
fn tag_len(s: &str) -> Option<usize> {
    s.bytes()
        .take(MAX_TAG)
        .skip(1)
        .position(|b| b == b'>' || b == b'<')
        .filter(|&at| s.as_bytes()[at + 1] == b'>')
        .map(|at| at + 2)
}

/// The longest tag taken as one (ours are `<blockquote>` and the like).
const MAX_TAG: usize = 512;

/// The name of a tag: `b` in `<b>` and `</b>`, `a` in `<a href="…">`.
fn tag_name(tag: &str) -> &str {
    let inner = tag.trim_start_matches('<').trim_start_matches('/');
    let end = inner
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(inner.len());
    &inner[..end]
}

/// The length of the entity `s` starts with (`&lt;`, `&#128;`), or `None` for a lone `&`.
fn entity_len(s: &str) -> Option<usize> {
    let body = s.as_bytes().iter().skip(1).take(10);
    let mut len = 1;
    for &b in body {
        len += 1;
        if b == b';' {
            return (len > 2).then_some(len);
        }
        if !(b.is_ascii_alphanumeric() || b == b'#') {
            return None;
        }
    }
    None
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
        format!(
            "<b>{}</b>\n{}",
            escape(&t(lang, "sources")),
            source_links(&g.sources)
        ),
    ]
}

/// The sources as links named by their host ("adilet.zan.kz"), one line each.
fn source_links(urls: &[String]) -> String {
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
        Failure::TooComplex => t(lang, "page-too-complex"),
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

/// A time in Unix milliseconds as a UTC date and time.
fn when(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn status_word(lang: Lang, status: ReportStatus) -> String {
    t(lang, &format!("status-{}", status.as_str()))
}

/// Where a report came from, in a few words.
fn source_line(origin: &serde_json::Value) -> String {
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
        escape(&t(lang, &format!("label-{}", c.label)))
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
fn page_entities(lang: Lang, entities: &[(String, String)]) -> Option<String> {
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

fn button(lang: Lang, key: &str, data: String) -> InlineKeyboardButton {
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

/// `/history`: every action on a report, oldest first.
pub fn history(lang: Lang, id: i64, entries: &[AuditEntry]) -> String {
    let mut lines = vec![format!(
        "<b>{}</b>",
        escape(&tr(
            lang,
            "history-title",
            &[("id", format!("#{id}").into())]
        ))
    )];
    let title = lines.remove(0);
    if entries.is_empty() {
        lines.push(escape(&t(lang, "history-empty")));
    }
    for e in entries {
        let mut line = format!(
            "• {} · {} · <code>{}</code>",
            escape(&when(e.at)),
            escape(&t(lang, &format!("action-{}", e.action))),
            e.moderator_id
        );
        if let Some(d) = &e.detail {
            line.push_str(&format!(" — {}", escape(&truncate(d, 500))));
        }
        lines.push(line);
    }
    fit_lines(title, lines)
}

/// `/find`: the reports that share an entity.
pub fn found(lang: Lang, query: &str, lines: &[ReportLine]) -> String {
    let q: FluentValue = query.to_string().into();
    if lines.is_empty() {
        return escape(&tr(lang, "find-none", &[("query", q)]));
    }
    let title = format!(
        "<b>{}</b>",
        escape(&tr(lang, "find-title", &[("query", q)]))
    );
    let mut out = Vec::new();
    for l in lines {
        out.push(format!(
            "• #{} · {} · {} · {}/100 · ×{}\n  {}",
            l.id,
            escape(&status_word(lang, l.status)),
            escape(&l.label),
            l.risk,
            l.report_count,
            escape(&truncate(l.text.as_deref().unwrap_or("…"), 90).replace('\n', " "))
        ));
    }
    fit_lines(title, out)
}

/// `/stats`.
pub fn stats(lang: Lang, s: &Stats) -> String {
    let count = |status: ReportStatus| {
        FluentValue::from(
            s.decided
                .iter()
                .find(|(st, _)| *st == status)
                .map_or(0, |(_, n)| *n),
        )
    };
    let mut lines = vec![
        format!("<b>{}</b>", escape(&t(lang, "stats-title"))),
        escape(&tr(
            lang,
            "stats-pending",
            &[("count", FluentValue::from(s.pending))],
        )),
        escape(&tr(
            lang,
            "stats-week",
            &[
                ("approved", count(ReportStatus::Approved)),
                ("rejected", count(ReportStatus::Rejected)),
                ("duplicate", count(ReportStatus::Duplicate)),
            ],
        )),
    ];
    if !s.top_entities.is_empty() {
        lines.push(format!("<b>{}</b>", escape(&t(lang, "stats-top"))));
        for (kind, value, n) in &s.top_entities {
            lines.push(format!(
                "• {}: <code>{}</code> ×{n}",
                escape(&t(lang, &format!("kind-{kind}"))),
                escape(&truncate(value, SHOWN_VALUE))
            ));
        }
    }
    let title = lines.remove(0);
    fit_lines(title, lines)
}

/// The message a citizen gets when moderators decide on their report.
pub fn outcome(lang: Lang, id: i64, status: ReportStatus) -> String {
    let key = if status == ReportStatus::Approved {
        "outcome-approved"
    } else {
        "outcome-rejected"
    };
    escape(&tr(lang, key, &[("id", format!("#{id}").into())]))
}

/// What a moderator hears of their decision (plain text: a button's answer, or escaped for
/// a message).
pub fn decided<E>(
    lang: Lang,
    id: i64,
    action: ReviewAction,
    decision: Result<&Decision, E>,
) -> String {
    match decision {
        Ok(Decision::Decided) => match action {
            ReviewAction::Approve => plain(lang, "decided-approved"),
            ReviewAction::Reject => plain(lang, "decided-rejected"),
            ReviewAction::Duplicate(of) => tr(
                lang,
                "decided-duplicate",
                &[("of", format!("#{of}").into())],
            ),
        },
        Ok(Decision::AlreadyDecided { status, .. }) => tr(
            lang,
            "already-decided",
            &[("status", status_word(lang, *status).into())],
        ),
        Ok(Decision::NotFound) => tr(lang, "report-not-found", &[("id", format!("#{id}").into())]),
        Err(_) => t(lang, "store-failed"),
    }
}

/// A plain message with one `$id` argument.
pub fn with_id(lang: Lang, key: &str, id: i64) -> String {
    escape(&tr(lang, key, &[("id", format!("#{id}").into())]))
}

/// An amount as a person reads it: `495 000 RUB` (thin groups, the code after).
fn amount(value: f64, currency: &str) -> String {
    format!("{} {currency}", grouped(value.round() as i64, '\u{a0}'))
}

fn typical_line(lang: Lang, key: &str, t: &crate::digest::Typical) -> String {
    let mut shown = amount(t.value, &t.currency);
    if let (Some(u), false) = (t.usd, t.currency == "USD") {
        shown.push_str(&format!(" ({})", usd(u)));
    }
    escape(&tr(lang, key, &[("amount", shown.into())]))
}

/// A recruiter's contact as a digest may print it: never clickable, phones masked unless
/// `show_phones`.
fn digest_entity(kind: &str, value: &str, show_phones: bool) -> String {
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

/// Packs sections into messages within Telegram's limit: one when it fits, else numbered
/// parts. A section too long for one message is cut between its lines.
pub fn split(lang: Lang, sections: Vec<String>) -> Vec<String> {
    let whole = sections.join("\n\n");
    if utf16_len(&whole) <= MAX_MESSAGE {
        return vec![whole];
    }
    // Room for the "Part n of m" header.
    let room = MAX_MESSAGE - 64;
    let mut pieces: Vec<String> = Vec::new();
    for s in sections {
        if utf16_len(&s) <= room {
            pieces.push(s);
            continue;
        }
        let mut current = String::new();
        // A line longer than a message is cut (its tags closed), never sent whole.
        for line in s.lines().map(|l| cut_html(l, room)) {
            let line = line.as_str();
            let candidate = if current.is_empty() {
                line.to_string()
            } else {
                format!("{current}\n{line}")
            };
            if utf16_len(&candidate) > room && !current.is_empty() {
                pieces.push(std::mem::take(&mut current));
                current = line.to_string();
            } else {
                current = candidate;
            }
        }
        if !current.is_empty() {
            pieces.push(current);
        }
    }
    let mut parts: Vec<String> = Vec::new();
    for p in pieces {
        match parts.last_mut() {
            Some(last) if utf16_len(last) + 2 + utf16_len(&p) <= room => {
                last.push_str("\n\n");
                last.push_str(&p);
            }
            _ => parts.push(p),
        }
    }
    let of = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let head = tr(
                lang,
                "digest-part",
                &[
                    ("n", FluentValue::from(i as i64 + 1)),
                    ("of", FluentValue::from(of as i64)),
                ],
            );
            format!("<i>{}</i>\n{p}", escape(&head))
        })
        .collect()
}

/// A plain message in a language, escaped.
pub fn plain(lang: Lang, key: &str) -> String {
    escape(&t(lang, key))
}

#[cfg(test)]
mod tests {
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
