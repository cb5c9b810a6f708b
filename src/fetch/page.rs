//! What a person would see on a page: title, Open Graph title and description, and the visible
//! text of the body (no scripts, styles, templates or hidden inputs), decoded with the charset
//! the server or the page names.
//!
//! Pages are written by the people the bot reports on, so reading one must cost time, memory
//! and stack in proportion to its size whatever its markup. html5ever does not promise that on
//! its own: its tree builder checks scopes by walking its stack of open elements at every tag
//! (50,000 nested `<div>` cost it quadratic time), its tokenizer compares every attribute of a
//! tag with the ones before it, and it merges repeated `<html>` attributes one by one. So:
//! - [`cap_attributes`] ends any tag at [`MAX_ATTRIBUTES`] attributes before html5ever sees it;
//! - [`Limited`] stands between html5ever's tokenizer and its tree builder and hands the builder
//!   no start tag while it holds [`MAX_DEPTH`] elements: deeper content is read flat (its tags
//!   dropped, its text kept), or dropped whole when it is hidden;
//! - the visible text is collected by walking the tree without recursion, and the tree
//!   (ego-tree's vector of nodes) is dropped without recursion.

use std::cell::{Cell, RefCell};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::tree_builder::{Tracer, TreeBuilder, TreeBuilderOpts, TreeSink};
use html5ever::{LocalName, TokenizerResult};
use scraper::{ElementRef, Html, HtmlTreeSink, Node, Selector};

/// Elements (open, and formatting ones waiting to be reopened) the tree builder may hold before
/// further start tags are read flat. Browsers nest no deeper than 512; real pages rarely pass 60.
pub const MAX_DEPTH: usize = 256;

/// Attributes a tag may have; the tag is ended where one more would start.
pub const MAX_ATTRIBUTES: usize = 64;

mod attributes;

pub use attributes::cap_attributes;

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

/// Elements whose content no visitor reads.
const HIDDEN: [&str; 8] = [
    "script", "style", "template", "noscript", "head", "svg", "iframe", "object",
];

/// Elements that never stay open (WHATWG 13.1.2, void elements).
const VOID: [&str; 19] = [
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
];

/// Formatting elements (WHATWG "list of active formatting elements"). The tree builder clones
/// and compares their attributes each time one opens, so they keep only those read here
/// (hidden) or by the tree builder (`<font color>` leaves an `<svg>`).
const FORMATTING: [&str; 14] = [
    "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
];
const FORMATTING_KEEPS: [&str; 5] = ["hidden", "aria-hidden", "color", "face", "size"];

/// Elements that start a line of their own in the text.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div" | "br" | "li" | "h1" | "h2" | "h3" | "h4" | "tr" | "section" | "article"
    )
}

/// No visitor reads this element's content: by its name, an `<input type="hidden">`, or the
/// `hidden` and `aria-hidden="true"` attributes (`attr` reads one).
fn is_hidden<'a>(name: &str, attr: impl Fn(&str) -> Option<&'a str>) -> bool {
    let hidden_input =
        name == "input" && attr("type").is_some_and(|t| t.eq_ignore_ascii_case("hidden"));
    HIDDEN.contains(&name)
        || hidden_input
        || attr("hidden").is_some()
        || attr("aria-hidden") == Some("true")
}

/// How the tokenizer reads the content of an element of this name, as the tree builder would
/// tell it (in HTML content); `None` for markup.
fn raw_content(name: &str) -> Option<TokenSinkResult<Handle>> {
    match name {
        "script" => Some(TokenSinkResult::RawData(RawKind::ScriptData)),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
            Some(TokenSinkResult::RawData(RawKind::Rawtext))
        }
        "title" | "textarea" => Some(TokenSinkResult::RawData(RawKind::Rcdata)),
        "plaintext" => Some(TokenSinkResult::Plaintext),
        _ => None,
    }
}

type Handle = <HtmlTreeSink as TreeSink>::Handle;

/// Counts the handles the tree builder holds: its open elements and active formatting ones.
#[derive(Default)]
struct Held(Cell<usize>);

impl Tracer for Held {
    type Handle = Handle;

    fn trace_handle(&self, _: &Handle) {
        self.0.set(self.0.get() + 1);
    }
}

/// Hands html5ever's tree builder the tokens of a page, but no start tag while the builder
/// holds [`MAX_DEPTH`] elements. Those start tags are dropped (their text stays, read flat at
/// the depth reached, with a space or a line break where the tag was); a hidden element that
/// starts there is dropped with its content. The builder's work per tag is in proportion to
/// what it holds, so it stays bounded, and so does the tree's depth.
struct Limited {
    builder: TreeBuilder<Handle, HtmlTreeSink>,
    /// The builder held `MAX_DEPTH` elements at a start tag and no end tag came since (only an
    /// end tag frees room for certain; counting again at every start tag would cost as much as
    /// the scope checks this avoids).
    full: Cell<bool>,
    /// A hidden element that started past the limit: its name and how many elements of that
    /// name are open in it. Every token up to its end is dropped.
    skipping: RefCell<Option<(LocalName, usize)>>,
}

impl Limited {
    fn new() -> Limited {
        let sink = HtmlTreeSink::new(Html::new_document());
        Limited {
            builder: TreeBuilder::new(sink, TreeBuilderOpts::default()),
            full: Cell::new(false),
            skipping: RefCell::new(None),
        }
    }

    fn is_full(&self) -> bool {
        if !self.full.get() {
            let held = Held::default();
            self.builder.trace_handles(&held);
            self.full.set(held.0.get() >= MAX_DEPTH);
        }
        self.full.get()
    }

    fn forward(&self, token: Token, line: u64) -> TokenSinkResult<Handle> {
        self.builder.process_token(token, line)
    }

    fn start_tag(&self, mut tag: Tag, line: u64) -> TokenSinkResult<Handle> {
        let name = tag.name.clone();
        if matches!(&*name, "html" | "body") {
            // Attributes of a repeated <html> or <body> are merged one by one into a sorted
            // list; nothing here reads them.
            tag.attrs.clear();
        } else if FORMATTING.contains(&&*name) {
            tag.attrs
                .retain(|a| FORMATTING_KEEPS.contains(&&*a.name.local));
        }
        if VOID.contains(&&*name) || !self.is_full() {
            return self.forward(Token::TagToken(tag), line);
        }
        let foreign = self
            .builder
            .adjusted_current_node_present_but_not_in_html_namespace();
        // <svg/> and every tag in SVG or MathML may close itself.
        let closes_itself = tag.self_closing && (foreign || matches!(&*name, "svg" | "math"));
        let attr = |n: &str| {
            tag.attrs
                .iter()
                .find(|a| &*a.name.local == n)
                .map(|a| &*a.value)
        };
        // A <head> there is one the tree builder ignores: only its tag is dropped.
        if is_hidden(&name, attr) && &*name != "head" {
            if closes_itself {
                return TokenSinkResult::Continue;
            }
            let raw = if foreign { None } else { raw_content(&name) };
            *self.skipping.borrow_mut() = Some((name, 1));
            // The words on either side stay apart, as the element kept them.
            self.gap(" ", line);
            return raw.unwrap_or(TokenSinkResult::Continue);
        }
        if let (false, Some(raw)) = (foreign, raw_content(&name)) {
            // A title or textarea past the limit: its text is read flat, as text.
            return raw;
        }
        self.gap(if is_block(&name) { "\n" } else { " " }, line);
        TokenSinkResult::Continue
    }

    /// Text that stands for a tag read flat, so that the words around it stay apart.
    fn gap(&self, text: &str, line: u64) {
        let token = Token::CharacterTokens(StrTendril::from_slice(text));
        // Characters never ask the tokenizer to change state.
        let _ = self.forward(token, line);
    }

    /// A token while a hidden element past the limit is dropped.
    fn skip(&self, token: Token, line: u64) -> TokenSinkResult<Handle> {
        let mut skipping = self.skipping.borrow_mut();
        let Some((name, open)) = skipping.as_mut() else {
            return TokenSinkResult::Continue;
        };
        match token {
            Token::EOFToken => {
                *skipping = None;
                drop(skipping);
                return self.forward(Token::EOFToken, line);
            }
            Token::TagToken(tag) if tag.name == *name => match tag.kind {
                TagKind::StartTag if tag.self_closing && matches!(&*tag.name, "svg" | "math") => {}
                TagKind::StartTag => *open += 1,
                TagKind::EndTag => {
                    *open -= 1;
                    if *open == 0 {
                        *skipping = None;
                    }
                }
            },
            // Inside a hidden element, a script is still read as a script, so that its text
            // cannot end the element early.
            Token::TagToken(tag) if tag.kind == TagKind::StartTag && &**name != "svg" => {
                if let Some(raw) = raw_content(&tag.name) {
                    return raw;
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

impl TokenSink for Limited {
    type Handle = Handle;

    fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<Handle> {
        if self.skipping.borrow().is_some() {
            return self.skip(token, line);
        }
        match token {
            Token::TagToken(tag) if tag.kind == TagKind::StartTag => self.start_tag(tag, line),
            Token::TagToken(tag) => {
                if self.full.replace(false) {
                    // Maybe the end of a tag read flat.
                    self.gap(" ", line);
                }
                self.forward(Token::TagToken(tag), line)
            }
            // Not kept: scraper would keep every one, and nothing reads them.
            Token::ParseError(_) => TokenSinkResult::Continue,
            other => self.forward(other, line),
        }
    }

    fn end(&self) {
        self.builder.end();
    }

    fn adjusted_current_node_present_but_not_in_html_namespace(&self) -> bool {
        match &*self.skipping.borrow() {
            // Inside a dropped <svg>, `<![CDATA[` still opens a CDATA section.
            Some((name, _)) => &**name == "svg",
            None => self
                .builder
                .adjusted_current_node_present_but_not_in_html_namespace(),
        }
    }
}

/// Parses a page as scraper would, through [`cap_attributes`] and [`Limited`].
fn parse(html: &str) -> Html {
    let html = cap_attributes(html);
    let tokenizer = Tokenizer::new(Limited::new(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(&html));
    while let TokenizerResult::Script(_) = tokenizer.feed(&input) {}
    tokenizer.end();
    tokenizer.sink.builder.sink.finish()
}

/// Appends a text node's words, a space apart from what came before.
fn push_text(out: &mut String, text: &str) {
    let t = text.trim();
    if !t.is_empty() {
        if !out.is_empty() && !out.ends_with(['\n', ' ']) {
            out.push(' ');
        }
        out.push_str(t);
    }
}

/// The visible text under `root`, in document order, with a line break before each block.
/// The tree is walked in a loop over child, sibling and parent links (no recursion, each node
/// once), stepping over hidden subtrees.
fn collect_text(root: ElementRef<'_>, out: &mut String) {
    let mut next = root.first_child();
    while let Some(node) = next {
        let mut enter = true;
        match node.value() {
            Node::Text(t) => push_text(out, t),
            Node::Element(e) if is_hidden(e.name(), |n| e.attr(n)) => enter = false,
            Node::Element(e) if is_block(e.name()) && !out.is_empty() && !out.ends_with('\n') => {
                out.push('\n');
            }
            _ => {}
        }
        next = node.first_child().filter(|_| enter);
        // Done with this subtree: on to the next sibling of it or of its nearest ancestor.
        let mut up = Some(node);
        while next.is_none() {
            match up {
                Some(n) if n.id() != root.id() => {
                    next = n.next_sibling();
                    up = n.parent();
                }
                _ => break,
            }
        }
    }
}

/// Reads a page's HTML (already decoded).
pub fn read_html(html: &str) -> PageText {
    let doc = parse(html);
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

    /// What scraper alone reads from a page (the reading before the limits), to compare.
    fn read_plainly(html: &str) -> (Option<String>, String) {
        let doc = Html::parse_document(html);
        let title = Selector::parse("title")
            .ok()
            .and_then(|s| doc.select(&s).next())
            .map(|t| t.text().collect::<String>().trim().to_string())
            .filter(|t| !t.is_empty());
        let mut body = String::new();
        if let Some(root) = doc.select(&Selector::parse("body").unwrap()).next() {
            collect_text(root, &mut body);
        }
        (title, body)
    }

    /// The depth of the deepest node of the tree, counted without recursion.
    fn depth(doc: &Html) -> usize {
        doc.tree
            .nodes()
            .filter(|n| n.first_child().is_none())
            .map(|n| n.ancestors().count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn within_the_limits_a_page_reads_as_scraper_reads_it() {
        let pages = [
            r#"<html><head><title>Контракт</title></head><body><h1>Служба</h1><p>Ежемесячно от <b>210 000 ₽</b><script>x()</script></p></body></html>"#,
            "<table><tr><td>Выплата<td>495 000 рублей<tr><td>Подъёмные</table><p>После таблицы",
            "<ul><li>один<li>два<ul><li>три</ul></ul><dl><dt>срок<dd>год</dl>",
            "<p><b>жирный <i>оба</b> курсив</i> текст</p><a href=x>ссылка <a href=y>вторая</a>",
            "<div hidden>333</div><span aria-hidden=true>444</span><svg><title>555</title></svg><template><p>666</template><noscript>777</noscript><p>видно</p>",
            "<select><option>Москва<option>Казань</select><textarea>пиши <b>здесь</b></textarea>",
            "<p>&amp; &lt;b&gt; &nbsp;неразрывный &#1072;</p><!-- <p>комментарий --><p>после",
            "<body><font color=red><svg><g><font color=blue>вышел из svg</font></g></svg>",
        ];
        for html in pages {
            let page = read_html(html);
            assert_eq!((page.title, page.body), read_plainly(html), "{html}");
        }
    }

    #[test]
    fn content_past_the_depth_limit_is_read_flat() {
        let deep = "<div>".repeat(MAX_DEPTH + 100);
        let html = format!("<body>{deep}<p>Выплата</p><span>495 000</span>рублей<div>звоните<h1>сейчас</h1></div></body>");
        let page = read_html(&html);
        let words: Vec<&str> = page.body.split_whitespace().collect();
        assert_eq!(
            words,
            ["Выплата", "495", "000", "рублей", "звоните", "сейчас"]
        );
        assert!(page.body.contains("Выплата\n"), "{:?}", page.body);
        assert!(
            depth(&parse(&html)) <= MAX_DEPTH + 8,
            "{}",
            depth(&parse(&html))
        );
    }

    #[test]
    fn hidden_content_past_the_depth_limit_is_dropped_with_its_element() {
        let deep = "<span>".repeat(MAX_DEPTH + 10);
        let html = format!(
            "<body>{deep}до<script>var a = \"</div></span> 999 999\";</script>\
             <div hidden>333 333 <div>444 444</div> <script>\"</div>\"</script> 444 445</div>\
             <template><template>555</template>556</template><svg><title>666</title><svg/></svg>\
             <noscript>777</noscript><style>p::after{{content:'888'}}</style>\
             <input type=hidden value=111><span aria-hidden=true>222</span><head>после</body>"
        );
        let body = read_html(&html).body;
        assert_eq!(body.split_whitespace().collect::<Vec<_>>(), ["до", "после"]);
    }

    #[test]
    fn two_hundred_thousand_nested_spans_are_read_without_a_crash() {
        // Ten times the page that overflowed the stack (a million take 20 s in a debug build).
        let html = format!("{}Выплата 495 000 рублей", "<span>".repeat(200_000));
        assert_eq!(read_html(&html).body, "Выплата 495 000 рублей");
    }

    #[test]
    fn nesting_tricks_leave_a_shallow_tree() {
        let n = 2_000;
        // Each with whether its last words are visible (not inside <svg> or <object>).
        let shapes = [
            ("<div>".repeat(n), true),
            ("<span><div></span>".repeat(n), true),
            ("<div><object></div>".repeat(n), false),
            ("<li><ul></li>".repeat(n), true),
            ("<form><div></form>".repeat(n), true),
            ("<table><td>".repeat(n), true),
            ("<svg>".to_string() + &"<g>".repeat(n), false),
            ("<math>".to_string() + &"<mi>".repeat(n), true),
            (
                format!(
                    "<div>{}</div>{}",
                    "<b><i><u><s>".repeat(n),
                    "x<p>".repeat(n)
                ),
                true,
            ),
            ("<b><div>x</b>".repeat(n), true),
            ("<a><p><a>".repeat(n), true),
        ];
        for (shape, visible) in shapes {
            let html = format!("{shape}Выплата");
            let deepest = depth(&parse(&html));
            assert!(deepest <= 2 * MAX_DEPTH, "{}: {deepest}", &shape[..40]);
            let read = read_html(&html).joined().contains("Выплата");
            assert_eq!(read, visible, "{}", &shape[..40]);
        }
    }

    #[test]
    fn the_text_of_a_deep_tree_is_collected_and_the_tree_dropped_without_recursion() {
        // Built by hand, as deep as no parse here makes it.
        let mut doc = Html::parse_document("<body></body>");
        let body = doc
            .select(&Selector::parse("body").unwrap())
            .next()
            .unwrap()
            .id();
        let mut id = body;
        for _ in 0..200_000 {
            id = doc.tree.get_mut(id).unwrap().append(Node::Fragment).id();
        }
        let text = scraper::node::Text {
            text: "Выплата 495 000 рублей".into(),
        };
        doc.tree.get_mut(id).unwrap().append(Node::Text(text));
        let mut out = String::new();
        collect_text(
            ElementRef::wrap(doc.tree.get(body).unwrap()).unwrap(),
            &mut out,
        );
        assert_eq!(out, "Выплата 495 000 рублей");
        drop(doc);
    }
}
