//! Cutting and splitting Telegram HTML at Telegram's limit without breaking a tag or an entity.

use super::*;

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
pub(super) fn atoms(html: &str) -> impl Iterator<Item = (usize, &str)> + '_ {
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
pub(super) struct Tags<'a> {
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
pub(super) fn tag_len(s: &str) -> Option<usize> {
    s.bytes()
        .take(MAX_TAG)
        .skip(1)
        .position(|b| b == b'>' || b == b'<')
        .filter(|&at| s.as_bytes()[at + 1] == b'>')
        .map(|at| at + 2)
}

/// The longest tag taken as one (ours are `<blockquote>` and the like).
pub(super) const MAX_TAG: usize = 512;

/// The name of a tag: `b` in `<b>` and `</b>`, `a` in `<a href="…">`.
pub(super) fn tag_name(tag: &str) -> &str {
    let inner = tag.trim_start_matches('<').trim_start_matches('/');
    let end = inner
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(inner.len());
    &inner[..end]
}

/// The length of the entity `s` starts with (`&lt;`, `&#128;`), or `None` for a lone `&`.
pub(super) fn entity_len(s: &str) -> Option<usize> {
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
