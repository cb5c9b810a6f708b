//! Issue 14: organisations found by pattern are normalised as the annotations name them (an
//! English canonical name): a plural body named with its region, an embassy of a country in a
//! place.

use crate::{found_names, EntityKind};

fn orgs(text: &str) -> Vec<String> {
    found_names(text, EntityKind::Org)
}

#[test]
fn a_plural_body_named_with_its_region_is_plural() {
    assert_eq!(
        orgs("Запись ведётся в военных комиссариатах Тюменской области."),
        ["Military Commissariats of Tyumen Oblast"]
    );
    assert_eq!(
        orgs("Анкеты принимают в пунктах отбора Свердловской области"),
        ["Selection Points for Contract Military Service of Sverdlovsk Oblast"]
    );
    // Hard negatives: singular forms stay singular, in Russian and in Kazakh («-ы» is singular).
    assert_eq!(
        orgs("Обращайтесь в военный комиссариат Тюменской области."),
        ["Military Commissariat of Tyumen Oblast"]
    );
    assert_eq!(
        orgs("Обратитесь в военкомат Волгоградской области"),
        ["Military Commissariat of Volgograd Oblast"]
    );
}

#[test]
fn an_embassy_named_after_its_country_and_place_is_normalised_in_english() {
    assert_eq!(
        orgs("Rossiya Federatsiyasining O‘zbekistondagi elchixonasi xabar berdi"),
        ["Embassy of Russia in Uzbekistan"]
    );
    assert_eq!(
        orgs("Unga ko‘ra, O‘zbekistonning Avstriyadagi elchixonasi yordam berdi"),
        ["Embassy of Uzbekistan in Austria"]
    );
    // The place first, the country after: the locative ending tells them apart.
    assert_eq!(
        orgs("Toshkentdagi Rossiya elchixonasi ma’lum qildi"),
        ["Embassy of Russia in Tashkent"]
    );
    // Hard negatives: a body named without a country keeps its text; an everyday sentence
    // with a country names no body.
    assert_eq!(orgs("Bahor elchixonasi ochildi"), ["Bahor elchixonasi"]);
    assert!(orgs("O‘zbekistondagi ob-havo bugun issiq bo‘ladi").is_empty());
}
