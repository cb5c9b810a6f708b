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
    if crate::db::services_required() {
        panic!("ADWATCH_REQUIRE_SERVICES=1 but Tesseract is not installed");
    }
    eprintln!("skipped: Tesseract is not installed");
    None
}

pub fn font_or_skip() -> Option<ab_glyph::FontVec> {
    let font = system_font();
    if font.is_none() && crate::db::services_required() {
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
                let raw = ocr.read(&image, "ru").await.expect("Tesseract reads it");
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

mod through_the_bot {
    use super::*;
    use adwatch::config::Config;
    use adwatch::fetch::FetchSettings;
    use adwatch::store::ExportFilter;
    use adwatch_fake_bot_api::FakeBotApi;
    use serde_json::{json, Value};

    use crate::bot::{private_message, RunningBot};

    fn config(tesseract: &str) -> Config {
        let mut config = Config {
            fetch: FetchSettings {
                enabled: false,
                ..FetchSettings::default()
            },
            user_rate_per_minute: 100,
            ..Config::default()
        };
        config.ocr.program = tesseract.to_string();
        config
    }

    /// A photo message as Telegram sends it: the sizes of one picture.
    fn photo(update_id: i64, user: i64, file_id: &str, extra: Value) -> Value {
        let mut fields = json!({
            "photo": [
                {"file_id": format!("{file_id}-thumb"), "file_unique_id": format!("{file_id}-t"), "file_size": 900, "width": 90, "height": 160},
                {"file_id": file_id, "file_unique_id": format!("u-{file_id}"), "file_size": 200_000, "width": 1080, "height": 1920},
            ],
        });
        for (k, v) in extra.as_object().unwrap() {
            fields[k] = v.clone();
        }
        private_message(update_id, user, "ru", fields)
    }

    /// The texts the "reading…" messages were turned into.
    async fn answers(api: &FakeBotApi, n: usize) -> Vec<String> {
        api.wait_for("editMessageText", n)
            .await
            .iter()
            .map(|c| c.body["text"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    async fn start(tesseract: &str) -> (RunningBot, crate::db::TestDb) {
        let db = crate::db::sqlite().await;
        let bot = RunningBot::start_configured(
            db.store.clone(),
            FakeBotApi::start().await,
            config(tesseract),
        )
        .await;
        (bot, db)
    }

    #[tokio::test]
    async fn a_screenshot_is_answered_with_its_amount_and_phone_and_kept_as_evidence() {
        let (Some(_), Some(font)) = (tesseract().await, font_or_skip()) else {
            return;
        };
        let (bot, _db) = start("tesseract").await;
        let image = render(&font, ADS[0].0, Look::banner(1080, 1920, 54.0));
        bot.api.add_file("shot1", image.clone());
        bot.api.push(photo(1, 42, "shot1", json!({})));
        let reading = bot.api.wait_for("sendMessage", 1).await;
        assert!(reading[0].body["text"].as_str().unwrap().contains("Читаю"));
        let answer = &answers(&bot.api, 1).await[0];
        assert!(answer.contains("495 000"), "{answer}");
        assert!(answer.contains("+79241854020"), "{answer}");
        // A second citizen sends the same picture: the same report, counted twice, no new OCR.
        bot.api.push(photo(2, 43, "shot1", json!({})));
        let again = &answers(&bot.api, 2).await[1];
        assert!(again.contains("2 человек"), "{again}");
        assert_eq!(
            bot.api.downloads(),
            1,
            "the known picture is not downloaded again"
        );
        let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].report_count, 2);
        let images = &rows[0].images;
        assert_eq!(images.len(), 1);
        assert_eq!(images[0].file_unique_id, "u-shot1");
        assert_eq!(images[0].sha256.len(), 64);
        bot.stop().await;
    }

    #[tokio::test]
    async fn an_album_of_two_is_one_report_and_one_reply() {
        let (Some(_), Some(font)) = (tesseract().await, font_or_skip()) else {
            return;
        };
        let (bot, _db) = start("tesseract").await;
        let first = "Служба по контракту. Единовременная выплата 495 000 рублей.";
        let second = "Пункт отбора Сахалинской области. Звоните: +7 924 185-40-20";
        bot.api
            .add_file("a1", render(&font, first, Look::banner(1080, 1920, 54.0)));
        bot.api
            .add_file("a2", render(&font, second, Look::banner(1080, 1920, 54.0)));
        bot.api.push(photo(
            1,
            42,
            "a1",
            json!({"media_group_id": "g1", "caption": "Прислали в чате"}),
        ));
        bot.api
            .push(photo(2, 42, "a2", json!({"media_group_id": "g1"})));
        let answer = &answers(&bot.api, 1).await[0];
        assert!(answer.contains("495 000"), "{answer}");
        assert!(answer.contains("+79241854020"), "{answer}");
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(bot.api.calls("sendMessage").len(), 1, "one reply");
        assert_eq!(bot.api.calls("editMessageText").len(), 1);
        let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].images.len(), 2);
        assert!(rows[0].text.as_deref().unwrap().contains("Прислали в чате"));
        bot.stop().await;
    }

    #[tokio::test]
    async fn a_photo_with_no_text_gets_a_plain_answer() {
        let (Some(_), Some(font)) = (tesseract().await, font_or_skip()) else {
            return;
        };
        let (bot, _db) = start("tesseract").await;
        bot.api
            .add_file("blank", render(&font, "", Look::banner(800, 600, 30.0)));
        bot.api.push(photo(1, 42, "blank", json!({})));
        let answer = &answers(&bot.api, 1).await[0];
        assert!(answer.contains("не нашёл текста"), "{answer}");
        assert!(bot
            .store
            .export(&ExportFilter::default())
            .await
            .unwrap()
            .is_empty());
        bot.stop().await;
    }

    #[tokio::test]
    async fn without_tesseract_the_bot_says_so_and_keeps_the_photo() {
        let Some(font) = font_or_skip() else { return };
        let (bot, db) = start("/nonexistent/tesseract").await;
        bot.api
            .add_file("p1", render(&font, ADS[0].0, Look::banner(720, 1280, 30.0)));
        bot.api.push(photo(1, 42, "p1", json!({})));
        let answer = &answers(&bot.api, 1).await[0];
        assert!(answer.contains("не умею читать картинки"), "{answer}");
        let kept = db
            .store
            .image_seen("u-p1", None)
            .await
            .unwrap()
            .expect("kept");
        assert_eq!(kept.ocr_error.as_deref(), Some("unavailable"));
        assert_eq!(kept.sha256.len(), 64);
        // With a caption, the caption is still analysed.
        bot.api
            .add_file("p2", render(&font, "x", Look::banner(200, 100, 20.0)));
        bot.api.push(photo(
            2,
            42,
            "p2",
            json!({"caption": "Выплата 495 000 рублей за контракт с Минобороны"}),
        ));
        let answer = &answers(&bot.api, 2).await[1];
        assert!(answer.contains("495 000 рублей"), "{answer}");
        assert!(answer.contains("не умею читать картинки"), "{answer}");
        bot.stop().await;
    }
}

/// What the OCR program is given: an environment without the bot's secrets, one frame of an
/// image within the limits, a slot before the download, and no second run for an image that
/// failed. A stand-in `tesseract` (tests/fixtures/fake-tesseract) records what it got.
mod what_tesseract_gets {
    use std::path::Path;
    use std::time::Duration;

    use adwatch::config::Config;
    use adwatch::fetch::FetchSettings;
    use adwatch_fake_bot_api::FakeBotApi;
    use serde_json::{json, Value};

    use crate::bot::{private_message, RunningBot};

    /// A directory with the stand-in linked into it as `tesseract`, and the link's path.
    fn fake_tesseract() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("tesseract");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fake-tesseract");
        // A link, not a copy: no file this process wrote is executed (no "text file busy").
        std::os::unix::fs::symlink(script, &link).unwrap();
        (dir, link.display().to_string())
    }

    /// The contents of the stand-in's files named `<prefix>-<pid>`.
    fn left(dir: &Path, prefix: &str) -> Vec<Vec<u8>> {
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("{prefix}-"))
            })
            .map(|e| std::fs::read(e.path()).unwrap())
            .collect()
    }

    /// How many images the stand-in was given to read.
    fn runs(dir: &Path) -> usize {
        left(dir, "stdin").len()
    }

    /// The arguments of the stand-in's reads (not its probe), in the order it was started.
    fn reads(dir: &Path) -> Vec<String> {
        let mut runs: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("args-"))
            .map(|e| {
                let at = e.metadata().unwrap().modified().unwrap();
                (
                    at,
                    std::fs::read_to_string(e.path())
                        .unwrap()
                        .trim()
                        .to_string(),
                )
            })
            .filter(|(_, args)| args != "--list-langs")
            .collect();
        runs.sort();
        runs.into_iter().map(|(_, args)| args).collect()
    }

    /// The environments the stand-in was started with, as (name, value) pairs.
    fn environments(dir: &Path) -> Vec<Vec<(String, String)>> {
        left(dir, "env")
            .iter()
            .map(|raw| {
                raw.split(|b| *b == 0)
                    .filter(|v| !v.is_empty())
                    .map(|v| {
                        let v = String::from_utf8_lossy(v);
                        let (name, value) = v.split_once('=').unwrap_or((&v, ""));
                        (name.to_string(), value.to_string())
                    })
                    .collect()
            })
            .collect()
    }

    /// A small PNG of one grey level.
    fn png(level: u8) -> Vec<u8> {
        let image = image::GrayImage::from_pixel(64, 48, image::Luma([level]));
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    /// A GIF with a two-colour table and these frames (width, height); only headers matter.
    fn gif(frames: &[(u16, u16)]) -> Vec<u8> {
        let mut g = b"GIF89a".to_vec();
        g.extend_from_slice(&[100, 0, 100, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
        for (w, h) in frames {
            g.extend_from_slice(&[0x21, 0xF9, 4, 0, 10, 0, 0, 0, 0x2C, 0, 0, 0, 0]);
            g.extend_from_slice(&w.to_le_bytes());
            g.extend_from_slice(&h.to_le_bytes());
            g.extend_from_slice(&[0, 2, 2, 0x4C, 0x01, 0]);
        }
        g.push(0x3B);
        g
    }

    fn photo(update_id: i64, user: i64, file_id: &str) -> Value {
        private_message(
            update_id,
            user,
            "ru",
            json!({"photo": [{"file_id": file_id, "file_unique_id": format!("u-{file_id}"),
                "file_size": 2_000, "width": 64, "height": 48}]}),
        )
    }

    fn document(update_id: i64, user: i64, file_id: &str, mime: &str) -> Value {
        private_message(
            update_id,
            user,
            "ru",
            json!({"document": {"file_id": file_id, "file_unique_id": format!("u-{file_id}"),
                "file_size": 2_000, "mime_type": mime, "file_name": "ad"}}),
        )
    }

    async fn answers(api: &FakeBotApi, n: usize) -> Vec<String> {
        api.wait_for("editMessageText", n)
            .await
            .iter()
            .map(|c| c.body["text"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    async fn start(program: &str) -> (RunningBot, crate::db::TestDb) {
        let mut config = Config {
            fetch: FetchSettings {
                enabled: false,
                ..FetchSettings::default()
            },
            user_rate_per_minute: 100,
            ..Config::default()
        };
        config.ocr.program = program.to_string();
        let db = crate::db::sqlite().await;
        let bot =
            RunningBot::start_configured(db.store.clone(), FakeBotApi::start().await, config).await;
        (bot, db)
    }

    #[tokio::test]
    async fn the_program_and_its_probe_get_no_secrets_only_path_threads_and_tessdata() {
        let (dir, program) = fake_tesseract();
        let api = FakeBotApi::start().await;
        let db = format!("sqlite://{}", dir.path().join("bot.db").display());
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_adwatch"))
            .arg("run")
            .env_clear()
            .env("TELOXIDE_TOKEN", "42:SECRET-TOKEN-VALUE")
            .env("TELOXIDE_API_URL", &api.url)
            .env("DATABASE_URL", &db)
            .env("REPORTER_SECRET", "reporter-SECRET-of-some-length")
            .env("OCR_TESSERACT", &program)
            .env("TESSDATA_PREFIX", "/opt/tessdata-for-the-test")
            .env("PATH", &path)
            .env("HOME", "/root")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        api.add_file("env1", png(255));
        api.push(photo(1, 42, "env1"));
        let answered = answers(&api, 1).await;
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let _ = tokio::task::spawn_blocking(move || child.wait()).await;
        assert_eq!(answered.len(), 1, "the photo was answered");
        assert_eq!(runs(dir.path()), 1, "the photo was read");
        let started = environments(dir.path());
        assert_eq!(started.len(), 2, "the probe and the read");
        for env in &started {
            for (name, value) in env {
                assert!(
                    ["PATH", "OMP_THREAD_LIMIT", "TESSDATA_PREFIX"].contains(&name.as_str()),
                    "{name} reached the OCR program: {env:?}"
                );
                assert!(
                    !value.contains("SECRET") && !value.contains("sqlite"),
                    "{env:?}"
                );
            }
            let get = |n: &str| env.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
            assert_eq!(get("PATH"), Some(path.as_str()));
            assert_eq!(get("OMP_THREAD_LIMIT"), Some("1"));
            assert_eq!(get("TESSDATA_PREFIX"), Some("/opt/tessdata-for-the-test"));
        }
    }

    #[tokio::test]
    async fn a_picture_is_read_first_with_the_citizens_language_russian_and_english_only() {
        let (dir, program) = fake_tesseract();
        let (bot, _db) = start(&program).await;
        bot.api.add_file("lang1", png(10));
        bot.api.push(private_message(
            1,
            42,
            "ar",
            json!({"photo": [{"file_id": "lang1", "file_unique_id": "u-lang1",
                "file_size": 2_000, "width": 64, "height": 48}]}),
        ));
        let answer = &answers(&bot.api, 1).await[0];
        assert!(answer.contains("495"), "{answer}");
        assert_eq!(
            reads(dir.path()),
            ["stdin stdout -l ara+rus+eng --psm 3 tsv"]
        );
        bot.stop().await;
    }

    #[tokio::test]
    async fn an_unsure_reading_asks_the_script_and_reads_again_with_its_models() {
        let (dir, program) = fake_tesseract();
        std::fs::write(dir.path().join("conf"), "40").unwrap();
        std::fs::write(dir.path().join("script"), "Devanagari").unwrap();
        let (bot, _db) = start(&program).await;
        bot.api.add_file("lang2", png(20));
        bot.api.push(photo(1, 42, "lang2"));
        let answer = &answers(&bot.api, 1).await[0];
        assert!(answer.contains("495"), "{answer}");
        assert_eq!(
            reads(dir.path()),
            [
                "stdin stdout -l rus+eng --psm 3 tsv",
                "stdin stdout -l osd --psm 0",
                "stdin stdout -l hin+nep --psm 3 tsv",
            ]
        );
        // Cyrillic but not only Russian: read again with every Cyrillic model.
        std::fs::write(dir.path().join("script"), "Cyrillic").unwrap();
        bot.api.add_file("lang3", png(30));
        bot.api.push(photo(2, 43, "lang3"));
        answers(&bot.api, 2).await;
        let after = reads(dir.path());
        assert_eq!(after.len(), 6, "{after:?}");
        assert_eq!(
            after[5],
            "stdin stdout -l rus+kaz+kir+tgk+uzb_cyrl --psm 3 tsv"
        );
        bot.stop().await;
    }

    #[tokio::test]
    async fn a_failed_image_sent_twice_runs_the_program_once_and_gets_the_same_answer() {
        let (dir, program) = fake_tesseract();
        std::fs::write(dir.path().join("fail"), "").unwrap();
        let (bot, db) = start(&program).await;
        bot.api.add_file("bad1", png(200));
        bot.api.push(photo(1, 42, "bad1"));
        let first = answers(&bot.api, 1).await[0].clone();
        bot.api.push(photo(2, 43, "bad1"));
        let second = answers(&bot.api, 2).await[1].clone();
        assert_eq!(first, second);
        assert_eq!(runs(dir.path()), 1, "read once");
        assert_eq!(bot.api.downloads(), 1, "downloaded once");
        let kept = db.store.image_seen("u-bad1", None).await.unwrap().unwrap();
        assert_eq!(kept.ocr_error.as_deref(), Some("not_an_image"));
        // The same bytes under another id: downloaded to be recognised, not read again.
        bot.api.add_file("bad2", png(200));
        bot.api.push(photo(3, 44, "bad2"));
        assert_eq!(answers(&bot.api, 3).await[2], first);
        assert_eq!(runs(dir.path()), 1);
        assert_eq!(bot.api.downloads(), 2);
        bot.stop().await;
    }

    #[tokio::test]
    async fn a_gif_with_a_huge_later_frame_never_reaches_the_program() {
        let (dir, program) = fake_tesseract();
        let (bot, db) = start(&program).await;
        bot.api.add_file("gif1", gif(&[(100, 100), (65535, 65535)]));
        bot.api.push(document(1, 42, "gif1", "image/gif"));
        let answer = &answers(&bot.api, 1).await[0];
        assert!(!answer.contains("495"), "{answer}");
        assert_eq!(runs(dir.path()), 0);
        let kept = db.store.image_seen("u-gif1", None).await.unwrap().unwrap();
        assert_eq!(kept.ocr_error.as_deref(), Some("too_large"));
        // Sent again: no download, no run, the same answer.
        bot.api.push(document(2, 43, "gif1", "image/gif"));
        assert_eq!(&answers(&bot.api, 2).await[1], answer);
        assert_eq!(bot.api.downloads(), 1);
        bot.stop().await;
    }

    #[tokio::test]
    async fn a_gif_of_several_frames_reaches_the_program_as_its_first() {
        let (dir, program) = fake_tesseract();
        let (bot, _db) = start(&program).await;
        bot.api
            .add_file("gif2", gif(&[(100, 100), (90, 90), (80, 80)]));
        bot.api.push(document(1, 42, "gif2", "image/gif"));
        let answer = &answers(&bot.api, 1).await[0];
        assert!(answer.contains("495 000"), "{answer}");
        assert_eq!(left(dir.path(), "stdin"), vec![gif(&[(100, 100)])]);
        bot.stop().await;
    }

    #[tokio::test]
    async fn an_image_is_downloaded_only_once_an_ocr_slot_is_free() {
        let (dir, program) = fake_tesseract();
        std::fs::write(dir.path().join("hold"), "").unwrap();
        let (bot, _db) = start(&program).await;
        let slots = std::thread::available_parallelism().map_or(2, |n| n.get());
        let images = slots + 2;
        for i in 0..images {
            let id = format!("slot{i}");
            bot.api.add_file(&id, png(i as u8));
            bot.api.push(photo(i as i64 + 1, 100 + i as i64, &id));
        }
        for _ in 0..500 {
            if runs(dir.path()) >= slots {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Every slot busy: the other images wait at Telegram, not in memory.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(runs(dir.path()), slots);
        assert_eq!(bot.api.downloads(), slots);
        std::fs::remove_file(dir.path().join("hold")).unwrap();
        let all = answers(&bot.api, images).await;
        assert_eq!(all.len(), images);
        assert_eq!(bot.api.downloads(), images);
        bot.stop().await;
    }
}
