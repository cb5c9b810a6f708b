//! Screenshots: generated images of real ad texts read by Tesseract, real OCR outputs as
//! fixtures, and the bot's answers to photos and albums.

use crate::screens::{render, system_font, Look};

/// Tesseract with the settings the bot uses, or `None` (the test skips) where it is not
/// installed; with `ADWATCH_REQUIRE_SERVICES=1` (as in `.ci/run`) its absence fails.
pub async fn tesseract() -> Option<adwatch::ocr::Ocr> {
    let ocr = adwatch::ocr::Ocr::probe(adwatch::ocr::OcrSettings::default()).await;
    if ocr.available() {
        return Some(ocr);
    }
    if std::env::var("ADWATCH_REQUIRE_SERVICES").is_ok_and(|v| v == "1") {
        panic!("ADWATCH_REQUIRE_SERVICES=1 but Tesseract is not installed");
    }
    eprintln!("skipped: Tesseract is not installed");
    None
}

pub fn font_or_skip() -> Option<ab_glyph::FontVec> {
    let font = system_font();
    if font.is_none() && std::env::var("ADWATCH_REQUIRE_SERVICES").is_ok_and(|v| v == "1") {
        panic!("ADWATCH_REQUIRE_SERVICES=1 but no system font (fonts-dejavu-core) is installed");
    }
    font
}

/// Real ad texts (from `tests/fixtures/real.jsonl` and the brief) with the amount and the
/// phone a reader must find.
pub const ADS: [(&str, &str, &str); 3] = [
    (
        "Служба по контракту! Единовременная выплата 495 000 рублей, ежемесячно от 190 000 ₽. \
         Пункт отбора Сахалинской области. Звоните: +7 924 185-40-20",
        "495000",
        "+79241854020",
    ),
    (
        "Келісімшарт бойынша қызмет. Бір жолғы төлем 1 200 000 теңге, айына 450 000 теңге. \
         Байланыс: +7 701 555 12 34",
        "1200000",
        "+77015551234",
    ),
    (
        "Work in Russia: security guard, salary 3000 USD per month, free housing. \
         Call or WhatsApp +7 999 555 44 33",
        "3000",
        "+79995554433",
    ),
];

/// The looks every ad is rendered in: a phone screenshot, a smaller one, a wide coloured
/// banner, and a photographed-looking one.
fn looks() -> [(&'static str, Look); 4] {
    [
        ("phone", Look::banner(1080, 1920, 54.0)),
        ("small", Look::banner(720, 1280, 30.0)),
        (
            "banner",
            Look {
                background: [250, 225, 60],
                ..Look::banner(1200, 500, 30.0)
            },
        ),
        (
            "photo",
            Look {
                photographed: true,
                ..Look::banner(1080, 1920, 54.0)
            },
        ),
    ]
}

/// Does the engine find the amount and the phone in this OCR text?
fn finds(raw: &str, amount: &str, phone: &str) -> Result<(), String> {
    let text = adwatch::ocr::clean(raw);
    let x = adwatch::extract::extract(&text);
    let json = adwatch::extract::to_json(None, &text, &x);
    let amounts: Vec<String> = json["amounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["value"].to_string())
        .collect();
    let phones: Vec<&str> = x
        .entities
        .iter()
        .filter(|e| e.kind == adwatch::extract::EntityKind::Phone)
        .map(|e| e.normalized.as_str())
        .collect();
    if !amounts.iter().any(|a| a == amount) {
        return Err(format!("no {amount} in {amounts:?}: {text}"));
    }
    if !phones.contains(&phone) {
        return Err(format!("no {phone} in {phones:?}: {text}"));
    }
    Ok(())
}

#[tokio::test]
async fn screenshots_of_real_ads_are_read_at_several_sizes_and_through_noise() {
    let (Some(ocr), Some(font)) = (tesseract().await, font_or_skip()) else {
        return;
    };
    let mut jobs = Vec::new();
    for (ad, amount, phone) in ADS {
        for (name, look) in looks() {
            let image = render(&font, ad, look);
            let ocr = ocr.clone();
            jobs.push(async move {
                let raw = ocr.read(&image).await.expect("Tesseract reads it");
                finds(&raw, amount, phone).map_err(|e| format!("{name}: {e}"))
            });
        }
    }
    let failures: Vec<String> = futures::future::join_all(jobs)
        .await
        .into_iter()
        .filter_map(Result::err)
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn real_tesseract_outputs_keep_their_amounts_and_phones() {
    // tests/fixtures/ocr/<ad>_<look>.txt: what Tesseract 5.3 printed for the screenshots above.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ocr");
    let mut checked = 0;
    for (i, (_, amount, phone)) in ADS.iter().enumerate() {
        for (name, _) in looks() {
            let path = dir.join(format!("{i}_{name}.txt"));
            let raw = std::fs::read_to_string(&path).expect("an OCR fixture");
            finds(&raw, amount, phone).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
}
