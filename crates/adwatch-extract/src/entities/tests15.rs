//! Issue 15: Tajik bodies written with the ezafe («…и дохилии Тоҷикистон»), and the Persian
//! «дифоъ» for defence.

use crate::{extract, found_names, EntityKind};

fn orgs(text: &str) -> Vec<String> {
    found_names(text, EntityKind::Org)
}

#[test]
fn tajik_bodies_are_found_with_the_ezafe_of_words_in_i() {
    assert_eq!(
        orgs("Вазорати корҳои дохилии Тоҷикистон дар эъломия гуфт."),
        ["Ministry of Internal Affairs of Tajikistan"]
    );
    assert_eq!(
        orgs("Кумитаи давлатии амнияти миллии Тоҷикистон гурӯҳро боздошт кард."),
        ["State Committee for National Security of Tajikistan (GKNB)"]
    );
    assert_eq!(
        orgs("Ӯро комиссариати ҳарбии ноҳия ба хидмат даъват кард."),
        ["Military Commissariat"]
    );
    assert_eq!(
        orgs("Дар Русия онҳоро ба имзои қарордод бо Вазорати дифоъ маҷбур мекунанд."),
        ["Russian Ministry of Defence"]
    );
    // Hard negatives: the same words about no body.
    for text in [
        "Корҳои дохилии хона зиёданд.",
        "Ин барои дифоъ аз ҳуқуқҳои муҳоҷирон аст.",
        "Амнияти миллии кишвар муҳим аст.",
    ] {
        assert_eq!(orgs(text), Vec::<String>::new(), "{text}");
    }
}

#[test]
fn tajik_signal_phrases_in_i_are_read_with_the_ezafe_too() {
    let signals =
        |t: &str| -> Vec<&'static str> { extract(t).signals.iter().map(|s| s.id).collect() };
    assert!(signals("Ӯ хидмати ҳарбии пулакиро интихоб кард.").contains(&"armed_service"));
    assert!(signals("Онҳоро ба кори маҷбурии бе музд водор карданд.").contains(&"trafficking"));
}

#[test]
fn nepali_places_and_countries_take_their_postpositions() {
    assert_eq!(
        found_names(
            "उनीहरूले युवालाई युएई हुँदै रुससम्म लैजाने गरेको पाइएको छ ।",
            EntityKind::Country
        ),
        ["United Arab Emirates", "Russia"]
    );
    assert_eq!(
        found_names(
            "नेपालगन्जको होटलबाट सात जना पक्राउ परेका छन् ।",
            EntityKind::Region
        ),
        ["Nepalgunj"]
    );
    assert_eq!(
        found_names("काठमाडौँमा बस्ने युवाहरू विदेश गएका छन् ।", EntityKind::Region),
        ["Kathmandu"]
    );
    // Hard negative: a word that only starts like the name.
    assert_eq!(
        found_names("रुसी भाषा सिक्न गाह्रो छ ।", EntityKind::Country),
        Vec::<String>::new()
    );
}

#[test]
fn kyrgyz_and_tajik_names_of_places_in_ukraine_follow_their_spelling_and_harmony() {
    assert_eq!(
        found_names(
            "Мигранттар Запорожьеге барып окоп казышкан.",
            EntityKind::Region
        ),
        ["Zaporizhzhia"]
    );
    assert_eq!(
        found_names("Ал Херсондо жана Донецкте болгон.", EntityKind::Region),
        ["Kherson", "Donetsk"]
    );
    assert_eq!(
        found_names("Ӯ ба вилояти Луҳанск рафтааст.", EntityKind::Region),
        ["Luhansk Oblast"]
    );
    assert_eq!(
        found_names(
            "Дар вилояти Херсони Украина ҷанг идома дорад.",
            EntityKind::Region
        ),
        ["Kherson Oblast"]
    );
}
