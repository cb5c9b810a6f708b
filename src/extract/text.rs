//! Character classes and the lower-case shadow of a text.
//!
//! Architecture invariant: [`Lowered`] has exactly the byte length of the text it shadows, and
//! every char boundary of the text is a char boundary of the shadow. Matchers search the shadow
//! and report spans that are valid in the original text without any mapping.

/// The text in lower case, byte for byte the same length as the original.
pub struct Lowered {
    pub text: String,
}

impl Lowered {
    pub fn new(text: &str) -> Lowered {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
                continue;
            }
            // Fast paths for the scripts of our languages: Russian capitals, and Arabic,
            // which has no case.
            match c {
                '\u{0410}'..='\u{042F}' => {
                    out.push(char::from_u32(c as u32 + 0x20).unwrap_or(c));
                    continue;
                }
                '\u{0430}'..='\u{045F}' | '\u{0600}'..='\u{06FF}' => {
                    out.push(c);
                    continue;
                }
                _ => {}
            }
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) if l.len_utf8() == c.len_utf8() => out.push(l),
                _ => out.push(c),
            }
        }
        debug_assert_eq!(out.len(), text.len());
        Lowered { text: out }
    }
}

/// A letter, with fast paths for the scripts adwatch reads most.
#[inline]
pub fn is_letter(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' => true,
        '\u{0000}'..='\u{007F}' => false,
        '\u{0410}'..='\u{044F}' | '\u{0621}'..='\u{064A}' => true,
        _ => c.is_alphabetic(),
    }
}

/// A letter or digit: what may not stand next to a whole word.
#[inline]
pub fn is_word_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | '_' => true,
        '\u{0000}'..='\u{007F}' => false,
        _ => is_letter(c) || c.is_numeric(),
    }
}

/// Spaces that may stand between two words of a phrase or two groups of a number.
#[inline]
pub fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{2007}' | '\u{2002}'..='\u{2006}'
    )
}

/// Any white space, line breaks included.
#[inline]
pub fn is_blank(c: char) -> bool {
    is_space(c) || c == '\n' || c == '\r'
}

#[inline]
pub fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// The char that ends just before `pos`, if any.
#[inline]
pub fn char_before(text: &str, pos: usize) -> Option<char> {
    text[..pos].chars().next_back()
}

/// The char that starts at `pos`, if any.
#[inline]
pub fn char_at(text: &str, pos: usize) -> Option<char> {
    text[pos..].chars().next()
}

/// Position after skipping spaces (not line breaks) from `pos`, at most `max` chars.
pub fn skip_spaces(text: &str, mut pos: usize, max: usize) -> usize {
    let mut n = 0;
    while let Some(c) = char_at(text, pos) {
        if !is_space(c) || n == max {
            break;
        }
        pos += c.len_utf8();
        n += 1;
    }
    pos
}

/// Position before the spaces (not line breaks) that end at `pos`, at most `max` chars.
pub fn skip_spaces_back(text: &str, mut pos: usize, max: usize) -> usize {
    let mut n = 0;
    while let Some(c) = char_before(text, pos) {
        if !is_space(c) || n == max {
            break;
        }
        pos -= c.len_utf8();
        n += 1;
    }
    pos
}

/// The value of a decimal digit in ASCII, Arabic-Indic or Extended Arabic-Indic form.
#[inline]
pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '\u{0660}'..='\u{0669}' => Some(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => Some(c as u32 - 0x06F0),
        _ => None,
    }
}

/// Snap a byte offset down to the nearest char boundary of `text`.
pub fn floor_boundary(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowered_keeps_byte_length() {
        for s in ["Сахалинской ОБЛАСТИ", "İstanbul ẞ", "ǅ", "ΣΑΣ", "ABC$5 000"]
        {
            assert_eq!(Lowered::new(s).text.len(), s.len(), "{s}");
        }
        assert_eq!(Lowered::new("МИНОБОРОНЫ РФ").text, "минобороны рф");
    }

    #[test]
    fn digits_of_three_scripts() {
        assert_eq!(digit_value('7'), Some(7));
        assert_eq!(digit_value('٧'), Some(7));
        assert_eq!(digit_value('۷'), Some(7));
        assert_eq!(digit_value('a'), None);
    }
}
