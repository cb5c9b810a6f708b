//! Character classes and the lower-case shadow of a text.
//!
//! Architecture invariant: [`Lowered`] has exactly the byte length of the text it shadows, and
//! every char boundary of the text is a char boundary of the shadow. Matchers search the shadow
//! and report spans that are valid in the original text without any mapping.

/// The text in lower case, byte for byte the same length as the original, and what its chars
/// say about its language (counted in the same pass).
pub struct Lowered {
    pub text: String,
    pub latin: usize,
    pub cyrillic: usize,
    pub arabic: usize,
    pub armenian: usize,
    pub devanagari: usize,
    /// Tell-tale letters that only one language lists, per language bit (see
    /// `Lexicon::letters`).
    pub own_letters: [usize; 16],
    /// Tell-tale letters that several languages list ("ң" is Kazakh and Kyrgyz), per bit.
    pub shared_letters: [usize; 16],
    /// Uzbek Latin oʻ and gʻ written with any apostrophe («ko‘ra», «so`m», «o'rtacha»): a
    /// tell-tale of Uzbek that no letter table holds.
    pub turned_og: usize,
    /// Where a char whose first byte (in the shadow) is marked in `starts` stands with no
    /// letter before it, in order (empty for [`Lowered::new`]).
    pub word_starts: Vec<u32>,
}

impl Lowered {
    /// `letter_table` maps a char below its length to a bit set of languages.
    ///
    /// One pass over the bytes: the chars that lower-casing leaves as they are (most of a
    /// text) are copied a stretch at a time, and the two-byte chars of the scripts adwatch
    /// reads most (Cyrillic, Arabic, Armenian, Latin-1) are read without the general decoder.
    #[cfg(test)]
    pub fn new(text: &str, letter_table: &[u16]) -> Lowered {
        Lowered::with_word_starts(text, letter_table, &[false; 256])
    }

    /// [`Lowered::new`] that also finds the word starts of the shadow whose first byte is
    /// marked in `starts` (the scan of a phrase set reads them instead of the text again).
    pub fn with_word_starts(text: &str, letter_table: &[u16], starts: &[bool; 256]) -> Lowered {
        let letters: &[bool] = &crate::phrase::LETTERS_OF_TWO_BYTES;
        // A word in some 7 bytes of text is usual: room for their starts from the start.
        let mut word_starts = Vec::with_capacity(text.len() / 7 + 4);
        let mut after_letter = false;
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        // The text from `copied` on is not in `out` yet.
        let mut copied = 0;
        let (mut latin, mut cyrillic, mut arabic, mut armenian, mut devanagari) = (0, 0, 0, 0, 0);
        let mut own_letters = [0usize; 16];
        let mut shared_letters = [0usize; 16];
        let mut turned = 0;
        let mut at = 0;
        while at < bytes.len() {
            let b = bytes[at];
            if b < 0x80 {
                let mut low = b;
                if b.is_ascii_alphabetic() {
                    latin += 1;
                    if b.is_ascii_uppercase() {
                        low = b.to_ascii_lowercase();
                        out.push_str(&text[copied..at]);
                        out.push(char::from(low));
                        copied = at + 1;
                    }
                } else if b == b'`' {
                    // A backtick for the Uzbek turned comma («so`m») reads as an apostrophe.
                    low = b'\'';
                    out.push_str(&text[copied..at]);
                    out.push('\'');
                    copied = at + 1;
                    turned += usize::from(turned_og(bytes, at, 1, false));
                } else if b == b'\'' {
                    turned += usize::from(turned_og(bytes, at, 1, true));
                }
                if !after_letter && starts[usize::from(low)] {
                    word_starts.push(at as u32);
                }
                after_letter = b == b'_' || b.is_ascii_alphabetic();
                at += 1;
                continue;
            }
            let c = match (b, bytes.get(at + 1)) {
                (0xC2..=0xDF, Some(&next)) => {
                    char::from_u32(u32::from(b & 0x1F) << 6 | u32::from(next & 0x3F))
                }
                _ => text[at..].chars().next(),
            };
            let Some(c) = c else {
                break;
            };
            let len = c.len_utf8();
            if let Some(&mask) = letter_table.get(c as usize) {
                if mask.is_power_of_two() {
                    own_letters[mask.trailing_zeros() as usize] += 1;
                } else if mask != 0 {
                    for (bit, n) in shared_letters.iter_mut().enumerate() {
                        *n += usize::from(mask >> bit & 1 == 1);
                    }
                }
            }
            // Fast paths for the scripts of our languages: Russian capitals, and Arabic,
            // which has no case. `lower` is the char's lower case when it is another char.
            let lower = match c {
                '\u{0410}'..='\u{042F}' => {
                    cyrillic += 1;
                    char::from_u32(c as u32 + 0x20)
                }
                '\u{0430}'..='\u{045F}' => {
                    cyrillic += 1;
                    None
                }
                '\u{0600}'..='\u{06FF}' => {
                    arabic += 1;
                    None
                }
                // The turned comma of Uzbek written as a left quote («Qirg‘iziston») reads as
                // the right one («Qirg’iziston»), the same length: the lexicon folds them too.
                '\u{2018}' => {
                    turned += usize::from(turned_og(bytes, at, len, false));
                    Some('\u{2019}')
                }
                '\u{2019}' => {
                    turned += usize::from(turned_og(bytes, at, len, true));
                    None
                }
                // The Uzbek turned comma itself (modifier letter), which has no case.
                '\u{02BB}' => {
                    turned += usize::from(turned_og(bytes, at, len, false));
                    None
                }
                // Punctuation and symbols (NBSP, «», dashes, quotes, ₽, ₸) have no case.
                '\u{0080}'..='\u{00BF}' | '\u{2000}'..='\u{20FF}' => None,
                // Kazakh and Uzbek letters: capitals pair with the next code point, except the
                // few that the general path handles.
                '\u{0460}'..='\u{0481}' | '\u{048A}'..='\u{04BF}' | '\u{04D0}'..='\u{04FF}' => {
                    cyrillic += 1;
                    if (c as u32) % 2 == 0 {
                        char::from_u32(c as u32 + 1)
                    } else {
                        None
                    }
                }
                '\u{0400}'..='\u{04FF}' => {
                    cyrillic += 1;
                    other_lower(c)
                }
                // Armenian capitals pair with the small letter 0x30 on.
                '\u{0531}'..='\u{0556}' => {
                    armenian += 1;
                    char::from_u32(c as u32 + 0x30)
                }
                '\u{0561}'..='\u{0587}' => {
                    armenian += 1;
                    None
                }
                // Devanagari has no case.
                '\u{0900}'..='\u{097F}' => {
                    devanagari += usize::from(is_devanagari_letter(c));
                    None
                }
                _ => other_lower(c),
            };
            let first = if let Some(lower) = lower {
                out.push_str(&text[copied..at]);
                out.push(lower);
                copied = at + len;
                first_byte(lower)
            } else {
                b
            };
            if !after_letter && starts[usize::from(first)] {
                word_starts.push(at as u32);
            }
            let shadow = lower.unwrap_or(c);
            after_letter = match letters.get(shadow as usize) {
                Some(&l) => l,
                None => is_letter(shadow),
            };
            at += len;
        }
        out.push_str(&text[copied..]);
        debug_assert_eq!(out.len(), text.len());
        Lowered {
            text: out,
            latin,
            cyrillic,
            arabic,
            armenian,
            devanagari,
            own_letters,
            shared_letters,
            turned_og: turned,
            word_starts,
        }
    }
}

/// Whether the apostrophe of `len` bytes at `at` is the Uzbek turned comma of oʻ or gʻ
/// («ko‘ra», «so`m», «oʻrtacha»): after o or g, before a small Latin letter ("O'Brien" is a
/// name). A straight or right quote also ends English words ("Mexico's", "who'll"): after it,
/// two letters that are no English contraction's.
fn turned_og(bytes: &[u8], at: usize, len: usize, straight: bool) -> bool {
    if at == 0 || !matches!(bytes[at - 1], b'o' | b'O' | b'g' | b'G') {
        return false;
    }
    match &bytes[at + len..] {
        [a, ..] if !straight => a.is_ascii_lowercase(),
        [a, b, ..] => {
            a.is_ascii_lowercase()
                && b.is_ascii_alphabetic()
                && !matches!([*a, *b], [b'l', b'l'] | [b'v', b'e'] | [b'r', b'e'])
        }
        _ => false,
    }
}

/// The first byte of `c` in UTF-8.
fn first_byte(c: char) -> u8 {
    let mut buf = [0; 4];
    c.encode_utf8(&mut buf);
    buf[0]
}

/// The lower case of `c` if it is another single char of the same length in UTF-8 (the
/// shadow keeps every byte offset of the text).
fn other_lower(c: char) -> Option<char> {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) if l != c && l.len_utf8() == c.len_utf8() => Some(l),
        _ => None,
    }
}

/// A letter, with fast paths for the scripts adwatch reads most.
#[inline]
pub fn is_letter(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' => true,
        '\u{0000}'..='\u{007F}' => false,
        '\u{0400}'..='\u{0481}' | '\u{048A}'..='\u{04FF}' | '\u{0621}'..='\u{064A}' => true,
        '\u{0900}'..='\u{097F}' => is_devanagari_letter(c),
        _ => c.is_alphabetic(),
    }
}

/// A Devanagari letter or sign that is part of a word: the vowel signs, the virama (which
/// joins consonants, "गर्न") and the nukta are, though Unicode does not call the last two
/// alphabetic; the dandas, digits and the abbreviation sign are not.
#[inline]
pub fn is_devanagari_letter(c: char) -> bool {
    matches!(c, '\u{0900}'..='\u{0963}' | '\u{0971}'..='\u{097F}')
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

/// The value of a decimal digit in ASCII, Arabic-Indic, Extended Arabic-Indic or Devanagari
/// form.
#[inline]
pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '\u{0660}'..='\u{0669}' => Some(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => Some(c as u32 - 0x06F0),
        '\u{0966}'..='\u{096F}' => Some(c as u32 - 0x0966),
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

    /// `Lowered::new` as it read the text char by char, for the test below.
    fn lowered_char_by_char(text: &str, letter_table: &[u16]) -> Lowered {
        let mut out = String::with_capacity(text.len());
        let (mut latin, mut cyrillic, mut arabic, mut armenian, mut devanagari) = (0, 0, 0, 0, 0);
        let mut own_letters = [0usize; 16];
        let mut shared_letters = [0usize; 16];
        let mut turned = 0;
        for (at, c) in text.char_indices() {
            if matches!(c, '`' | '\'' | '\u{2018}' | '\u{2019}' | '\u{02BB}') {
                let straight = matches!(c, '\'' | '\u{2019}');
                turned += usize::from(turned_og(text.as_bytes(), at, c.len_utf8(), straight));
            }
            if c.is_ascii() {
                latin += usize::from(c.is_ascii_alphabetic());
                // A backtick for the Uzbek turned comma («so`m») reads as an apostrophe.
                out.push(if c == '`' {
                    '\''
                } else {
                    c.to_ascii_lowercase()
                });
                continue;
            }
            if let Some(&mask) = letter_table.get(c as usize) {
                if mask.is_power_of_two() {
                    own_letters[mask.trailing_zeros() as usize] += 1;
                } else if mask != 0 {
                    for (bit, n) in shared_letters.iter_mut().enumerate() {
                        *n += usize::from(mask >> bit & 1 == 1);
                    }
                }
            }
            match c {
                // The turned comma written as a left quote reads as the right one.
                '\u{2018}' => {
                    out.push('\u{2019}');
                    continue;
                }
                '\u{0410}'..='\u{042F}' => {
                    cyrillic += 1;
                    out.push(char::from_u32(c as u32 + 0x20).unwrap_or(c));
                    continue;
                }
                '\u{0430}'..='\u{045F}' => {
                    cyrillic += 1;
                    out.push(c);
                    continue;
                }
                '\u{0600}'..='\u{06FF}' => {
                    arabic += 1;
                    out.push(c);
                    continue;
                }
                '\u{0080}'..='\u{00BF}' | '\u{2000}'..='\u{20FF}' => {
                    out.push(c);
                    continue;
                }
                '\u{0460}'..='\u{0481}' | '\u{048A}'..='\u{04BF}' | '\u{04D0}'..='\u{04FF}' => {
                    cyrillic += 1;
                    let lower = if (c as u32) % 2 == 0 {
                        c as u32 + 1
                    } else {
                        c as u32
                    };
                    out.push(char::from_u32(lower).unwrap_or(c));
                    continue;
                }
                '\u{0400}'..='\u{04FF}' => cyrillic += 1,
                '\u{0531}'..='\u{0556}' => {
                    armenian += 1;
                    out.push(char::from_u32(c as u32 + 0x30).unwrap_or(c));
                    continue;
                }
                '\u{0561}'..='\u{0587}' => {
                    armenian += 1;
                    out.push(c);
                    continue;
                }
                '\u{0900}'..='\u{097F}' => {
                    devanagari += usize::from(is_devanagari_letter(c));
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
        Lowered {
            text: out,
            latin,
            cyrillic,
            arabic,
            armenian,
            devanagari,
            own_letters,
            shared_letters,
            turned_og: turned,
            word_starts: Vec::new(),
        }
    }

    #[test]
    fn lowered_by_bytes_is_lowered_char_by_char() {
        // Every char, alone and in runs with others of every length, with a letter table
        // that gives bits to a few letters of each kind.
        let mut table = vec![0u16; 0x500];
        for (i, slot) in table.iter_mut().enumerate() {
            *slot = match i % 7 {
                0 => 1 << (i % 10),
                1 => 0b101,
                _ => 0,
            };
        }
        let all: Vec<char> = (0..=0x10FFFF).filter_map(char::from_u32).collect();
        let mut texts: Vec<String> = all.chunks(64).map(|c| c.iter().collect()).collect();
        texts.push("Сахалинской ОБЛАСТИ, ҚАЗАҚСТАН Ӏ ԱՄՆ İstanbul ẞ ǅ ΣΑΣ $5 000 ₽ рф".into());
        texts.push(String::new());
        for t in &texts {
            let (a, b) = (Lowered::new(t, &table), lowered_char_by_char(t, &table));
            assert_eq!(a.text, b.text, "{t:?}");
            assert_eq!(
                (a.latin, a.cyrillic, a.arabic, a.armenian, a.devanagari),
                (b.latin, b.cyrillic, b.arabic, b.armenian, b.devanagari),
                "{t:?}"
            );
            assert_eq!(a.own_letters, b.own_letters, "{t:?}");
            assert_eq!(a.shared_letters, b.shared_letters, "{t:?}");
            assert_eq!(a.turned_og, b.turned_og, "{t:?}");
        }
    }

    #[test]
    fn word_starts_are_the_chars_after_no_letter() {
        let all = [true; 256];
        for t in [
            "Курьер В МОСКВЕ, 120к/мес; so`m Qirg‘iziston ԱՐՄ_x Σ İstanbul रूस में ১২ 🙂ok",
            "",
            "a",
            "  ЖЖ-Ж'Ж",
        ] {
            let low = Lowered::with_word_starts(t, &[], &all);
            let mut want = Vec::new();
            let mut after_letter = false;
            for (at, c) in low.text.char_indices() {
                if !after_letter {
                    want.push(at as u32);
                }
                after_letter = c == '_' || is_letter(c);
            }
            assert_eq!(low.word_starts, want, "{t}");
            let none = Lowered::with_word_starts(t, &[], &[false; 256]);
            assert!(none.word_starts.is_empty());
        }
    }

    #[test]
    fn lowered_keeps_byte_length() {
        for s in ["Сахалинской ОБЛАСТИ", "İstanbul ẞ", "ǅ", "ΣΑΣ", "ABC$5 000"]
        {
            assert_eq!(Lowered::new(s, &[]).text.len(), s.len(), "{s}");
        }
        assert_eq!(Lowered::new("МИНОБОРОНЫ РФ", &[]).text, "минобороны рф");
        // The Uzbek turned comma written as a left quote or a backtick reads as the right
        // quote or the apostrophe, keeping the length.
        assert_eq!(
            Lowered::new("Qirg‘iziston so`m", &[]).text,
            "qirg’iziston so'm"
        );
    }

    #[test]
    fn digits_of_four_scripts() {
        assert_eq!(digit_value('7'), Some(7));
        assert_eq!(digit_value('٧'), Some(7));
        assert_eq!(digit_value('۷'), Some(7));
        assert_eq!(digit_value('७'), Some(7));
        assert_eq!(digit_value('०'), Some(0));
        assert_eq!(digit_value('a'), None);
        assert_eq!(digit_value('क'), None);
    }

    #[test]
    fn armenian_is_lowered_and_devanagari_kept() {
        let low = Lowered::new("ՌՈՒՍԱՍՏԱՆ रूस में", &[]);
        assert_eq!(low.text, "ռուսաստան रूस में");
        assert_eq!(low.armenian, 9);
        assert!(low.devanagari >= 5);
    }

    #[test]
    fn devanagari_signs_belong_to_their_word() {
        // The virama in "गर्न" and the vowel sign in "में" are inside the word.
        assert!(is_word_char('्') && is_word_char('े') && is_word_char('ं'));
        assert!(!is_word_char('।') && !is_word_char('॥'));
    }
}
