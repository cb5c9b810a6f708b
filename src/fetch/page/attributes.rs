//! The attribute cap: every tag ended at [`MAX_ATTRIBUTES`] attributes before html5ever sees
//! it, by a linear scan that follows the tokenizer's states inside a tag.

use std::borrow::Cow;

use super::MAX_ATTRIBUTES;

/// Where html5ever's tokenizer can be inside a tag (WHATWG 13.2.5, "end tag open" to
/// "self-closing start tag"). Every other state (text, comments, scripts…) is "outside".
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum InTag {
    EndTagOpen,
    Name,
    BeforeAttrName,
    AttrName,
    AfterAttrName,
    BeforeValue,
    DoubleQuoted,
    SingleQuoted,
    Unquoted,
    AfterQuoted,
    SelfClosing,
}

const IN_TAG: [InTag; 11] = [
    InTag::EndTagOpen,
    InTag::Name,
    InTag::BeforeAttrName,
    InTag::AttrName,
    InTag::AfterAttrName,
    InTag::BeforeValue,
    InTag::DoubleQuoted,
    InTag::SingleQuoted,
    InTag::Unquoted,
    InTag::AfterQuoted,
    InTag::SelfClosing,
];

/// What one byte does inside a tag.
#[derive(Debug, PartialEq)]
enum Step {
    To(InTag),
    /// A new attribute starts here (the first byte of its name).
    NewAttribute,
    /// The tag ends.
    Out,
}

fn is_html_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// The tokenizer's transitions, "reconsume in" followed to the state that takes the byte.
/// The bytes of non-ASCII chars all act as "anything else", as the chars do.
fn step(state: InTag, b: u8) -> Step {
    use InTag::*;
    let space = is_html_space(b);
    match (state, b) {
        (EndTagOpen, _) => Step::To(Name),
        (DoubleQuoted, b'"') | (SingleQuoted, b'\'') => Step::To(AfterQuoted),
        (DoubleQuoted | SingleQuoted, _) => Step::To(state),
        // Outside a quoted value, `>` ends the tag from every state.
        (_, b'>') => Step::Out,
        (Name | Unquoted, _) if space => Step::To(BeforeAttrName),
        (Name, b'/') => Step::To(SelfClosing),
        (Name | Unquoted, _) => Step::To(state),
        (BeforeValue, _) if space => Step::To(BeforeValue),
        (BeforeValue, b'"') => Step::To(DoubleQuoted),
        (BeforeValue, b'\'') => Step::To(SingleQuoted),
        (BeforeValue, _) => Step::To(Unquoted),
        (AttrName | AfterAttrName, _) if space => Step::To(AfterAttrName),
        (AttrName | AfterAttrName, b'=') => Step::To(BeforeValue),
        (AttrName, b'/') => Step::To(SelfClosing),
        (AttrName, _) => Step::To(AttrName),
        (BeforeAttrName | AfterQuoted | SelfClosing, _) if space => Step::To(BeforeAttrName),
        (BeforeAttrName | AfterAttrName | AfterQuoted | SelfClosing, b'/') => Step::To(SelfClosing),
        (BeforeAttrName | AfterAttrName | AfterQuoted | SelfClosing, _) => Step::NewAttribute,
    }
}

/// Inserted where a tag would get one attribute too many. From every state inside a tag it
/// ends the tag (`"` or `'` closes an open value, `>` ends); outside one it is five characters
/// of text, comment or script: it holds no `<`, `-`, `!` or `]`, so it opens nothing and ends
/// no comment or CDATA section.
const TAG_END: &str = "\">'\">";

/// The page with every tag ended at [`MAX_ATTRIBUTES`] attributes (the rest of such a tag
/// is then read as text). html5ever checks each attribute of a tag against the ones before it,
/// so a tag with 300,000 attributes would cost it 4.5·10¹⁰ comparisons.
///
/// Whether a `<` opens a tag depends on what came before (a comment, a script, a quoted
/// value), which a scan this cheap cannot know. So the scan follows every reading at once: each
/// `<` and letter, and `</` and letter, may open a tag, every open reading is followed byte by
/// byte through the tokenizer's rules, and readings in the same state are merged, keeping the
/// most attributes. Whatever html5ever's real reading is, it is one of them: no tag it sees has
/// more than `MAX_ATTRIBUTES + 1` attributes. Eleven states, so the scan is linear.
pub fn cap_attributes(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    // For each state, the most attributes of a tag open in it, by any reading.
    let mut open: [Option<usize>; IN_TAG.len()] = [None; IN_TAG.len()];
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if open.iter().all(Option::is_none) {
            // Outside every tag: skip to where one may open.
            match memchr::memchr(b'<', &bytes[i..]) {
                Some(o) => i += o,
                None => break,
            }
        }
        let b = bytes[i];
        let mut next = [None; IN_TAG.len()];
        let mut cut = false;
        for state in IN_TAG {
            let Some(n) = open[state as usize] else {
                continue;
            };
            match step(state, b) {
                Step::To(to) => keep_most(&mut next, to, n),
                Step::NewAttribute if n >= MAX_ATTRIBUTES => cut = true,
                Step::NewAttribute => keep_most(&mut next, InTag::AttrName, n + 1),
                Step::Out => {}
            }
        }
        if cut {
            let out = out.get_or_insert_with(|| String::with_capacity(html.len() + 64));
            out.push_str(&html[copied..i]);
            out.push_str(TAG_END);
            copied = i;
            // Every reading is outside a tag after the cut.
            next = [None; IN_TAG.len()];
        }
        if b == b'<' {
            let end_tag = bytes.get(i + 1) == Some(&b'/');
            let name_at = if end_tag { i + 2 } else { i + 1 };
            if bytes.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
                let state = if end_tag {
                    InTag::EndTagOpen
                } else {
                    InTag::Name
                };
                keep_most(&mut next, state, 0);
            }
        }
        open = next;
        i += 1;
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut out) => {
            out.push_str(&html[copied..]);
            Cow::Owned(out)
        }
    }
}

fn keep_most(states: &mut [Option<usize>; IN_TAG.len()], state: InTag, n: usize) {
    let slot = &mut states[state as usize];
    *slot = Some(slot.map_or(n, |m| m.max(n)));
}

#[cfg(test)]
mod tests {
    use super::super::{parse, read_html};
    use super::*;
    use scraper::Selector;

    #[test]
    fn a_tag_is_ended_at_the_attribute_cap() {
        let attrs: String = (0..100_000).map(|i| format!(" a{i}=\"{i}\"")).collect();
        let html = format!("<body><p{attrs}>Выплата</p>");
        let capped = cap_attributes(&html);
        let doc = parse(&html);
        let p = doc.select(&Selector::parse("p").unwrap()).next().unwrap();
        assert!(p.value().attrs().count() <= MAX_ATTRIBUTES + 1);
        assert!(capped.len() < html.len() + 10);
        assert!(read_html(&html).body.ends_with("Выплата"));
        // At the cap, nothing changes.
        let attrs: String = (0..MAX_ATTRIBUTES).map(|i| format!(" a{i}")).collect();
        let html = format!("<p{attrs}>x</p>");
        assert!(matches!(cap_attributes(&html), Cow::Borrowed(_)));
        let html = format!("<p{attrs} one-more>x</p>");
        assert_eq!(
            cap_attributes(&html),
            format!("<p{attrs} {TAG_END}one-more>x</p>")
        );
    }

    #[test]
    fn no_reading_of_the_page_escapes_the_attribute_cap() {
        // A quote that opens a value in one reading (a tag inside a script) and is text in
        // another must not hide a heavy tag; nor may a comment, or a value holding `<`.
        let heavy: String = (0..10_000).map(|i| format!(" a{i}")).collect();
        for before in [
            "<script>x<a b=\"</script>",
            "<!-- <a title=\" -->",
            "<p title=\"<x>\"",
            "<style><!--</style>",
            "<textarea><a b='</textarea>",
        ] {
            let html = format!("{before}<p{heavy}>text</p>\"'");
            let doc = parse(&html);
            for p in doc.select(&Selector::parse("*").unwrap()) {
                assert!(p.value().attrs().count() <= MAX_ATTRIBUTES + 2, "{before}");
            }
        }
    }

    #[test]
    fn the_cut_ends_a_tag_from_every_state_inside_it() {
        for start in IN_TAG.into_iter().filter(|s| *s != InTag::EndTagOpen) {
            let mut states = vec![start];
            for b in TAG_END.bytes() {
                states = states
                    .into_iter()
                    .filter_map(|s| match step(s, b) {
                        Step::To(to) => Some(to),
                        Step::NewAttribute => Some(InTag::AttrName),
                        Step::Out => None,
                    })
                    .collect();
            }
            assert!(states.is_empty(), "{start:?} stays in {states:?}");
        }
        assert!(!TAG_END.contains(['<', '-', '!', ']']));
    }
}
