//! What a person would see on a page: title, Open Graph title and description, and the visible
//! text of the body (no scripts, styles, templates or hidden inputs), decoded with the charset
//! the server or the page names.

use scraper::{ElementRef, Html, Node, Selector};

/// The readable parts of a page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageText {
    pub title: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub body: String,
}

impl PageText {
    /// Everything a person reads, joined for the extraction engine.
    pub fn joined(&self) -> String {
        [
            self.title.as_deref(),
            self.og_title.as_deref(),
            self.og_description.as_deref(),
            Some(self.body.as_str()),
        ]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
    }
}

/// Elements whose content no visitor reads.
const HIDDEN: [&str; 8] = [
    "script", "style", "template", "noscript", "head", "svg", "iframe", "object",
];

/// Decodes bytes with the charset of the `Content-Type` header, else of `<meta charset>`, else
/// UTF-8 (with replacement characters where the bytes are not UTF-8).
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> String {
    let from_header = content_type.and_then(charset_param);
    let from_meta = || {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
        let at = head.find("charset=")?;
        let rest = head[at + 8..].trim_start_matches(['"', '\'']);
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        Some(rest[..end].to_string())
    };
    let label = from_header.or_else(from_meta);
    let encoding = label
        .and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()))
        .unwrap_or(encoding_rs::UTF_8);
    let (text, _, _) = encoding.decode(bytes);
    text.into_owned()
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn meta(doc: &Html, property: &str) -> Option<String> {
    let sel = Selector::parse(&format!(
        "meta[property=\"{property}\"], meta[name=\"{property}\"]"
    ))
    .ok()?;
    doc.select(&sel)
        .find_map(|m| m.value().attr("content"))
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
}

fn collect_text(el: ElementRef<'_>, out: &mut String) {
    for child in el.children() {
        match child.value() {
            Node::Text(t) => {
                let t = t.trim();
                if !t.is_empty() {
                    if !out.is_empty() && !out.ends_with(['\n', ' ']) {
                        out.push(' ');
                    }
                    out.push_str(t);
                }
            }
            Node::Element(e) => {
                let name = e.name();
                let hidden_input = name == "input"
                    && e.attr("type")
                        .is_some_and(|t| t.eq_ignore_ascii_case("hidden"));
                let hidden_attr =
                    e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true");
                if HIDDEN.contains(&name) || hidden_input || hidden_attr {
                    continue;
                }
                if let Some(child_el) = ElementRef::wrap(child) {
                    let block = matches!(
                        name,
                        "p" | "div"
                            | "br"
                            | "li"
                            | "h1"
                            | "h2"
                            | "h3"
                            | "h4"
                            | "tr"
                            | "section"
                            | "article"
                    );
                    if block && !out.is_empty() && !out.ends_with('\n') {
                        out.push('\n');
                    }
                    collect_text(child_el, out);
                }
            }
            _ => {}
        }
    }
}

/// Reads a page's HTML (already decoded).
pub fn read_html(html: &str) -> PageText {
    let doc = Html::parse_document(html);
    let title = Selector::parse("title")
        .ok()
        .and_then(|s| {
            doc.select(&s)
                .next()
                .map(|t| t.text().collect::<String>().trim().to_string())
        })
        .filter(|t| !t.is_empty());
    let mut body = String::new();
    if let Some(root) = Selector::parse("body")
        .ok()
        .and_then(|s| doc.select(&s).next())
    {
        collect_text(root, &mut body);
    }
    PageText {
        title,
        og_title: meta(&doc, "og:title"),
        og_description: meta(&doc, "og:description"),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_styles_and_hidden_inputs_are_not_read() {
        let html = r#"<html><head><title>Контракт</title><meta property="og:description" content="Выплата 495 000 рублей">
            <script>var pay = "900 000 рублей";</script><style>.x{}</style></head>
            <body><h1>Служба по контракту</h1><p>Ежемесячно от 210 000 ₽</p>
            <script>alert("1 000 000 рублей")</script><input type="hidden" value="777 000 рублей">
            <template><p>555 000 рублей</p></template><div hidden>333 000 рублей</div></body></html>"#;
        let page = read_html(html);
        assert_eq!(page.title.as_deref(), Some("Контракт"));
        assert_eq!(
            page.og_description.as_deref(),
            Some("Выплата 495 000 рублей")
        );
        assert!(page.body.contains("210 000 ₽"), "{}", page.body);
        for hidden in ["900 000", "1 000 000", "777 000", "555 000", "333 000"] {
            assert!(
                !page.joined().contains(hidden),
                "{hidden} leaked: {}",
                page.joined()
            );
        }
    }

    #[test]
    fn windows_1251_is_decoded_from_the_header_or_the_meta_tag() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("<html><head><meta charset=\"windows-1251\"></head><body>Выплата 495 000 рублей</body></html>");
        assert!(decode(&bytes, None).contains("Выплата 495 000 рублей"));
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("<p>Оплата 190 000 руб.</p>");
        assert!(
            decode(&bytes, Some("text/html; charset=windows-1251")).contains("Оплата 190 000 руб.")
        );
    }
}
