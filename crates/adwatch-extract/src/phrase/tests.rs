use super::*;

fn set(phrases: &[&str]) -> PhraseSet<usize> {
    PhraseSet::new(phrases.iter().enumerate().map(|(i, p)| (p.to_string(), i))).unwrap()
}

fn found(set: &PhraseSet<usize>, text: &str) -> Vec<String> {
    let mut hits = Vec::new();
    set.scan(text, &mut hits);
    // The word starts found while lower-casing give the same hits.
    let low = crate::text::Lowered::with_word_starts(text, &[], set.word_start_bytes());
    if low.text == text {
        let mut again = Vec::new();
        set.scan_with_starts(text, &low.word_starts, &mut again);
        assert_eq!(again, hits, "{text}");
    }
    hits.iter()
        .map(|h| text[h.start..h.end].to_string())
        .collect()
}

#[test]
fn stems_take_inflections_but_not_longer_words() {
    let s = set(&["сахалинск* област*"]);
    assert_eq!(
        found(&s, "в сахалинской области есть"),
        ["сахалинской области"]
    );
    assert_eq!(
        found(&s, "сахалинская\u{a0}область"),
        ["сахалинская\u{a0}область"]
    );
    assert!(found(&s, "сахалинскоеееееее областью").is_empty());
}

#[test]
fn whole_words_need_boundaries() {
    let s = set(&["р", "в месяц"]);
    assert!(found(&s, "работа").is_empty());
    assert_eq!(found(&s, "100р в месяц"), ["р", "в месяц"]);
    assert!(found(&s, "в месяца").is_empty());
}

#[test]
fn arabic_phrases_match_after_glued_prefixes() {
    let s = set(&["سخالين"]);
    assert_eq!(found(&s, "وسخالين"), ["سخالين"]);
}

#[test]
fn matching_ending_at_a_position() {
    let s = set(&["не менее", "от", "$"]);
    let t = "не менее 5";
    let hits = s.match_ending_at(t, t.find(" 5").unwrap());
    assert_eq!(hits.len(), 1);
    assert_eq!(&t[hits[0].start..hits[0].end], "не менее");
    assert!(s.match_ending_at("вот", 6).is_empty());
}
