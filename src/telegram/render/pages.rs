//! What the pages of a report's links show, or why they could not be read.

use super::*;

/// "2 MB", "500 KB": a byte limit as people say it.
pub(super) fn size(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        format!("{} MB", (bytes as f64 / 1e6 * 10.0).round() / 10.0)
    } else {
        format!("{} KB", bytes.div_ceil(1000))
    }
}

/// Why a link could not be read, in plain words.
pub(super) fn failure_words(lang: Lang, f: &Failure) -> String {
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
