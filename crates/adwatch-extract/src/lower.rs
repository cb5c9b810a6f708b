//! Comparisons with the lower case of a stretch of text, as `str::to_lowercase` gives it,
//! without building that string: each char is lower-cased as it is compared. A char whose lower
//! case is not one char (`İ`) or depends on its neighbours (`Σ`, final or not) sends the
//! comparison to `to_lowercase` itself, so that the answer is always the same.

/// The lower case of `c` when it is one char whatever stands around it.
#[inline]
fn lower_char(c: char) -> Option<char> {
    match c {
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        '\u{0000}'..='\u{007F}' => Some(c),
        '\u{0410}'..='\u{042F}' => char::from_u32(c as u32 + 0x20),
        '\u{0430}'..='\u{045F}' | '\u{0600}'..='\u{06FF}' | '\u{0900}'..='\u{097F}' => Some(c),
        'Σ' => None,
        _ => {
            let mut lower = c.to_lowercase();
            match (lower.next(), lower.next()) {
                (Some(l), None) => Some(l),
                _ => None,
            }
        }
    }
}

/// What comparing the chars of `a` (lower-cased) and `b` one by one found.
enum Compared {
    Same,
    Differ,
    /// A char of `a` whose lower case is not one char on its own was met.
    Unsure,
}

/// Compares the chars of `a`, lower-cased, with those of `b` until `b` ends (`prefix`) or both
/// do.
fn compare(
    mut a: impl Iterator<Item = char>,
    b: impl Iterator<Item = char>,
    prefix: bool,
) -> Compared {
    for want in b {
        let Some(c) = a.next() else {
            return Compared::Differ;
        };
        match lower_char(c) {
            None => return Compared::Unsure,
            Some(l) if l != want => return Compared::Differ,
            Some(_) => {}
        }
    }
    if prefix {
        return Compared::Same;
    }
    match a.next() {
        None => Compared::Same,
        // More chars of `a`: its lower case is longer than `b`, unless this char's lower case is
        // no char at all, which no char has; a char of several is longer still.
        Some(_) => Compared::Differ,
    }
}

/// `s.to_lowercase().ends_with(suffix)`.
pub fn lower_ends_with(s: &str, suffix: &str) -> bool {
    match compare(s.chars().rev(), suffix.chars().rev(), true) {
        Compared::Same => true,
        Compared::Differ => false,
        Compared::Unsure => s.to_lowercase().ends_with(suffix),
    }
}

/// `s.to_lowercase().starts_with(prefix)`.
pub fn lower_starts_with(s: &str, prefix: &str) -> bool {
    match compare(s.chars(), prefix.chars(), true) {
        Compared::Same => true,
        Compared::Differ => false,
        Compared::Unsure => s.to_lowercase().starts_with(prefix),
    }
}

/// `s.to_lowercase() == t`.
pub fn lower_eq(s: &str, t: &str) -> bool {
    match compare(s.chars(), t.chars(), false) {
        Compared::Same => true,
        Compared::Differ => false,
        Compared::Unsure => s.to_lowercase() == t,
    }
}

/// `s.to_lowercase().chars().count()`.
pub fn lower_len_chars(s: &str) -> usize {
    let mut n = 0;
    for c in s.chars() {
        if lower_char(c).is_none() {
            return s.to_lowercase().chars().count();
        }
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_char_lowers_as_to_lowercase_does() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if let Some(l) = lower_char(c) {
                assert_eq!(c.to_string().to_lowercase(), l.to_string(), "{c:?}");
                // Alone, before and after a letter: no context changes it.
                let s = format!("a{c}b");
                assert_eq!(s.to_lowercase(), format!("a{l}b"), "{c:?}");
            }
        }
    }

    #[test]
    fn comparisons_are_those_of_the_lowered_string() {
        let words = [
            "",
            "a",
            "A",
            "ab",
            "AB",
            "ва",
            "ВА",
            "Ва ",
            "ского",
            "СКОГО",
            "Σ",
            "ΣΑΣ",
            "σας",
            "ας",
            "ς",
            "İ",
            "i̇",
            "İstanbul",
            "i̇stanbul",
            "K",
            "k",
            "Ω",
            "ω",
            "ß",
            "ẞ",
            "ǅ",
            "ǆ",
            "ning",
            "NING",
            "Rossiyaning",
            "ниң",
            "НИҢ",
            "रुपैयाँसम्म",
            "सम्म",
            "dan",
            "DollarDan",
            "ﬀ",
            "ff",
            "ԱՄՆ",
            "ամն",
            " va ",
            "va",
        ];
        for s in words {
            for t in words {
                let low = s.to_lowercase();
                assert_eq!(lower_ends_with(s, t), low.ends_with(t), "{s:?} {t:?}");
                assert_eq!(lower_starts_with(s, t), low.starts_with(t), "{s:?} {t:?}");
                assert_eq!(lower_eq(s, t), low == t, "{s:?} {t:?}");
            }
            assert_eq!(
                lower_len_chars(s),
                s.to_lowercase().chars().count(),
                "{s:?}"
            );
        }
    }
}
