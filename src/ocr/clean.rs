//! The repair of OCR noise that hides amounts and phone numbers in ads.

/// Letters Tesseract puts for digits inside a number.
fn digit_for(c: char) -> Option<char> {
    match c {
        'O' | 'o' | 'О' | 'о' | 'D' => Some('0'),
        'l' | 'I' | '|' => Some('1'),
        'З' => Some('3'),
        'б' => Some('6'),
        'B' => Some('8'),
        _ => None,
    }
}

/// Repairs OCR noise that hides amounts: in a word made of digits and digit-like letters (with
/// at least two real digits), the letters become digits (`49O 000` → `490 000`, while `ООО`
/// stays a company form); a lone `P` or `Р` after a number is the rouble sign; words
/// hyphenated across lines are joined, and lines into paragraphs.
pub fn clean(raw: &str) -> String {
    // Line breaks are the picture's layout, not the ad's: lines join into paragraphs (a phone
    // number wrapped across two lines is one number again); blank lines stay.
    let unhyphenated = raw.replace('\u{c}', "\n").replace("-\n", "");
    let joined = unhyphenated
        .split("\n\n")
        .map(|p| {
            p.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = String::with_capacity(joined.len());
    let mut previous_number = false;
    for (i, line) in joined.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let words: Vec<&str> = line.split(' ').collect();
        for (w, word) in words.iter().copied().enumerate() {
            if w > 0 {
                out.push(' ');
            }
            // `--7 701 555 12 34`: the plus of a phone number read as dashes.
            let code = word.trim_start_matches(['-', '–', '—', '~']);
            let dashes = word.len() - code.len();
            let next_is_number = words
                .get(w + 1)
                .is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()));
            if dashes > 0
                && dashes <= 6
                && (1..=3).contains(&code.len())
                && code.chars().all(|c| c.is_ascii_digit())
                && next_is_number
                && (w == 0 || !words[w - 1].ends_with(|c: char| c.is_ascii_digit()))
            {
                out.push('+');
                out.push_str(code);
                previous_number = false;
                continue;
            }
            let core = word.trim_end_matches(['.', ',', ';', ':', '!', ')']);
            let tail = &word[core.len()..];
            let digits = core.chars().filter(char::is_ascii_digit).count();
            let fixable = digits >= 2
                && core
                    .chars()
                    .all(|c| c.is_ascii_digit() || digit_for(c).is_some() || c == '.' || c == ',');
            if fixable {
                out.extend(core.chars().map(|c| digit_for(c).unwrap_or(c)));
                out.push_str(tail);
                previous_number = true;
                continue;
            }
            if previous_number && matches!(core, "P" | "Р" | "P." | "Р.") {
                out.push('₽');
                out.push_str(tail);
                previous_number = false;
                continue;
            }
            // `190000P`: the sign stuck to the number.
            if let Some(number) = core.strip_suffix('P').or_else(|| core.strip_suffix('Р')) {
                if number.len() >= 3 && number.chars().all(|c| c.is_ascii_digit()) {
                    out.push_str(number);
                    out.push('₽');
                    out.push_str(tail);
                    previous_number = false;
                    continue;
                }
            }
            previous_number = !core.is_empty() && core.chars().all(|c| c.is_ascii_digit());
            out.push_str(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocr_noise_in_amounts_is_repaired() {
        assert_eq!(clean("выплата 49O 000 P"), "выплата 490 000 ₽");
        assert_eq!(clean("от 19O 00O Р в месяц"), "от 190 000 ₽ в месяц");
        assert_eq!(clean("оплата 250000P."), "оплата 250000₽.");
        assert_eq!(clean("еди-\nновременно"), "единовременно");
        assert_eq!(clean("+7 701 555\n1234\n\nдалее"), "+7 701 555 1234\nдалее");
        assert_eq!(
            clean("Байланыс: --7 701 555 12 34"),
            "Байланыс: +7 701 555 12 34"
        );
        assert_eq!(clean("с 10 -17 часов"), "с 10 -17 часов");
        assert_eq!(
            clean("звоните 8 (924) l23-45-67"),
            "звоните 8 (924) l23-45-67"
        );
    }

    #[test]
    fn words_are_left_alone() {
        for text in [
            "ООО Ромашка",
            "Отдел кадров",
            "PO Box",
            "Р. Казахстан",
            "OOO 2024",
        ] {
            assert_eq!(clean(text), text);
        }
    }
}
