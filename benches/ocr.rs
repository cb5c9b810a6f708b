//! Screenshots: seconds per 1080×1920 screenshot through Tesseract (the bot's own `Ocr`, all six
//! languages, one thread a process), one at a time and two at once, and the peak memory of a
//! Tesseract process.
//!
//! `cargo bench --bench ocr` (needs Tesseract and a system font; skipped without them).

use std::time::{Duration, Instant};

#[path = "../tests/adwatch/screens.rs"]
#[allow(dead_code)]
mod screens;

const AD: &str = "Служба по контракту! Единовременная выплата 495 000 рублей, ежемесячно от \
    190 000 ₽. Бесплатное обучение, проживание и питание. Пункт отбора Сахалинской области, \
    г. Южно-Сахалинск. Звоните: +7 924 185-40-20, пишите в Telegram @kontrakt_sakh. \
    Сайт: sakh-kontrakt.ru";

fn peak_child_rss_mib() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Some(font) = screens::system_font() else {
        eprintln!("ocr bench skipped: no system font");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let ocr = adwatch::ocr::Ocr::probe(adwatch::ocr::OcrSettings::default()).await;
        if !ocr.available() {
            eprintln!("ocr bench skipped: Tesseract is not installed");
            return;
        }
        let image = screens::render(&font, AD, screens::Look::banner(1080, 1920, 54.0));
        let photo = screens::render(
            &font,
            AD,
            screens::Look {
                photographed: true,
                ..screens::Look::banner(1080, 1920, 54.0)
            },
        );
        // One at a time.
        let mut times: Vec<Duration> = Vec::new();
        for i in 0..10 {
            let bytes = if i % 2 == 0 { &image } else { &photo };
            let start = Instant::now();
            let text = ocr.read(bytes, "ru").await.expect("read");
            times.push(start.elapsed());
            assert!(adwatch::ocr::clean(&text).contains("495 000"));
        }
        times.sort();
        let median = times[times.len() / 2];
        let mean: f64 = times.iter().map(Duration::as_secs_f64).sum::<f64>() / times.len() as f64;
        println!(
            "one at a time: median {:.2} s, mean {:.2} s per 1080x1920 screenshot (min {:.2}, max {:.2})",
            median.as_secs_f64(),
            mean,
            times[0].as_secs_f64(),
            times[times.len() - 1].as_secs_f64()
        );
        // As many at once as the bot allows (one per core).
        let n = 10;
        let start = Instant::now();
        let jobs = (0..n).map(|_| ocr.read(&image, "ru"));
        for r in futures::future::join_all(jobs).await {
            r.expect("read");
        }
        let elapsed = start.elapsed().as_secs_f64();
        println!(
            "{n} at once: {:.2} s in all, {:.2} screenshots per second",
            elapsed,
            n as f64 / elapsed
        );
        println!(
            "peak memory of one Tesseract process: {:.0} MiB",
            peak_child_rss_mib()
        );
    });
}
