//! Screenshots: reading an ad from an image with Tesseract.
//!
//! The `tesseract` program is run with a time limit, not linked through the library binding:
//! the build needs no C headers or clang, the limit is enforced by killing the process, and a
//! crash or a runaway allocation inside OCR cannot take the bot down. The image goes in on
//! standard input and the text comes out on standard output; nothing touches the disk.
//!
//! Tesseract parses hostile pictures, so it is given as little as possible: an environment
//! with nothing but `PATH`, `OMP_THREAD_LIMIT` and `TESSDATA_PREFIX` (never the bot's token,
//! key or database address), one frame of an image whose every frame is within the pixel
//! limit ([`frames`]), and a slot of its own, taken before the image is even downloaded.
//!
//! [`clean`] repairs what Tesseract really gets wrong in ads (a letter O in a number, `₽` read as
//! `P`, words hyphenated across lines) before the text goes to the extraction engine.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

mod clean;
mod frames;

pub use clean::clean;

/// Every model the bot reads with, by default.
pub const DEFAULT_MODELS: &str = "rus+kaz+kir+tgk+uzb_cyrl+uzb+eng+ara+hye+nep+hin";

/// Tesseract's models by the script they read, under the names its `osd` model gives scripts.
const SCRIPTS: [(&str, &[&str]); 5] = [
    ("Cyrillic", &["rus", "kaz", "kir", "tgk", "uzb_cyrl"]),
    ("Latin", &["eng", "uzb"]),
    ("Arabic", &["ara"]),
    ("Armenian", &["hye"]),
    ("Devanagari", &["hin", "nep"]),
];

/// The models for one of the bot's languages (a citizen's, by its code).
fn models_of(code: &str) -> &'static [&'static str] {
    match code {
        "ru" => &["rus"],
        "kk" => &["kaz"],
        "ky" => &["kir"],
        "tg" => &["tgk"],
        "uz" => &["uzb", "uzb_cyrl"],
        "ar" => &["ara"],
        "hy" => &["hye"],
        "ne" => &["nep"],
        "hi" => &["hin"],
        _ => &["eng"],
    }
}

/// A pass whose words Tesseract is on average this sure of (0-100) is not read again: on a
/// screenshot, the right script's model gives 90-97 and a wrong one 25-60.
const SURE: f64 = 80.0;

/// `OCR_*` settings.
#[derive(Debug, Clone)]
pub struct OcrSettings {
    /// The program (`OCR_TESSERACT`, default `tesseract` on the PATH).
    pub program: String,
    /// The Tesseract models the bot may use (`OCR_LANGUAGES`, default all eleven of its
    /// languages: `rus+kaz+kir+tgk+uzb_cyrl+uzb+eng+ara+hye+nep+hin`). A picture is not read with
    /// all of them at once: see [`Ocr::read_in`].
    pub languages: String,
    /// Time for one image (`OCR_TIMEOUT` seconds, default 30).
    pub timeout: Duration,
    /// Largest image read, in pixels (`OCR_MAX_PIXELS`, default 12 million).
    pub max_pixels: u64,
    /// Largest file downloaded, in bytes (`OCR_MAX_BYTES`, default 10 MB; the Bot API serves
    /// files up to 20 MB).
    pub max_bytes: u64,
    /// Where Tesseract's language data is (`TESSDATA_PREFIX`, Tesseract's own variable), passed
    /// on when set; otherwise Tesseract looks where it was built to.
    pub tessdata: Option<PathBuf>,
}

impl Default for OcrSettings {
    fn default() -> Self {
        OcrSettings {
            program: "tesseract".to_string(),
            languages: DEFAULT_MODELS.to_string(),
            timeout: Duration::from_secs(30),
            max_pixels: 12_000_000,
            max_bytes: 10_000_000,
            tessdata: std::env::var_os("TESSDATA_PREFIX")
                .filter(|d| !d.is_empty())
                .map(PathBuf::from),
        }
    }
}

/// The program with the only environment it gets: `PATH` (to find what it runs), one thread
/// (`OMP_THREAD_LIMIT`: several images at once use the cores better) and where its language
/// data is. Nothing else of the bot's environment, whose secrets it must never hold.
fn tesseract(settings: &OcrSettings) -> Command {
    let mut command = Command::new(&settings.program);
    command.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command.env("OMP_THREAD_LIMIT", "1");
    if let Some(dir) = &settings.tessdata {
        command.env("TESSDATA_PREFIX", dir);
    }
    command.kill_on_drop(true);
    command
}

/// Why an image was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OcrError {
    /// Tesseract is not installed here.
    Unavailable,
    Timeout,
    /// More pixels or bytes than allowed.
    TooLarge,
    /// The bytes are not an image Tesseract reads.
    NotAnImage,
    /// A format or an animation that is not read (TIFF, animated WebP, …).
    Unsupported,
    Failed(String),
}

/// A place to run Tesseract, held while an image is downloaded and read: no image waits in
/// memory for a slot.
pub struct Slot(#[allow(dead_code)] OwnedSemaphorePermit);

/// The OCR engine of this process: whether Tesseract is here, and how many may run at once.
#[derive(Clone)]
pub struct Ocr {
    settings: Arc<OcrSettings>,
    version: Option<String>,
    /// `OCR_LANGUAGES` that Tesseract has (all of them when it could not say).
    usable: Arc<Vec<String>>,
    /// Whether Tesseract has its `osd` model, which names a picture's script.
    osd: bool,
    slots: Arc<Semaphore>,
}

impl Ocr {
    /// Looks for Tesseract (and the languages asked for) once, at start.
    pub async fn probe(settings: OcrSettings) -> Ocr {
        let listed = tokio::time::timeout(
            Duration::from_secs(10),
            tesseract(&settings)
                .arg("--list-langs")
                .stdin(Stdio::null())
                .output(),
        )
        .await;
        let mut installed = None;
        let version = match listed {
            Ok(Ok(out)) if out.status.success() => {
                let text = String::from_utf8_lossy(&out.stdout).to_string()
                    + &String::from_utf8_lossy(&out.stderr);
                let have: Vec<&str> = text.lines().map(str::trim).collect();
                let missing: Vec<&str> = settings
                    .languages
                    .split('+')
                    .filter(|l| !have.contains(l))
                    .collect();
                if !missing.is_empty() {
                    tracing::warn!(?missing, "Tesseract lacks some OCR_LANGUAGES; install their tesseract-ocr-* packages");
                }
                installed = Some(have.iter().map(|l| l.to_string()).collect::<Vec<_>>());
                Some(format!(
                    "tesseract ({} languages)",
                    have.len().saturating_sub(1)
                ))
            }
            _ => {
                tracing::warn!(program = %settings.program, "Tesseract was not found: images will be kept but not read");
                None
            }
        };
        Ocr::with(settings, version, installed.as_deref())
    }

    /// An engine that never runs Tesseract (tests of the "not installed" answer).
    pub fn unavailable(settings: OcrSettings) -> Ocr {
        Ocr::with(settings, None, None)
    }

    fn with(settings: OcrSettings, version: Option<String>, installed: Option<&[String]>) -> Ocr {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let asked = settings.languages.split('+').map(str::to_string);
        let usable: Vec<String> = match installed {
            Some(have) => asked.filter(|l| have.contains(l)).collect(),
            None => asked.collect(),
        };
        Ocr {
            osd: installed.is_some_and(|have| have.iter().any(|l| l == "osd")),
            usable: Arc::new(usable),
            settings: Arc::new(settings),
            version,
            slots: Arc::new(Semaphore::new(cores)),
        }
    }

    pub fn available(&self) -> bool {
        self.version.is_some()
    }

    pub fn settings(&self) -> &OcrSettings {
        &self.settings
    }

    /// Waits for a free slot to read an image in.
    pub async fn slot(&self) -> Result<Slot, OcrError> {
        self.slots
            .clone()
            .acquire_owned()
            .await
            .map(Slot)
            .map_err(|_| OcrError::Failed("shutting down".into()))
    }

    /// Reads the text of an image (raw, before [`clean`]), in a slot of its own; `hint` is the
    /// code of the citizen's language.
    pub async fn read(&self, image: &[u8], hint: &str) -> Result<String, OcrError> {
        if self.version.is_none() {
            return Err(OcrError::Unavailable);
        }
        let slot = self.slot().await?;
        self.read_in(&slot, image, hint).await
    }

    /// The models of the first pass: the citizen's language's, Russian (most of these ads are
    /// in Russian) and English, as far as `OCR_LANGUAGES` allows; all of them if none is.
    fn first_models(&self, hint: &str) -> Vec<&str> {
        self.pick(models_of(hint).iter().chain(&["rus", "eng"]).copied())
    }

    /// The usable models among `wanted`, in order, once each; all usable ones if none is.
    fn pick<'a>(&'a self, wanted: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
        let mut models: Vec<&str> = Vec::new();
        for m in wanted {
            if self.usable.iter().any(|u| u == m) && !models.contains(&m) {
                models.push(m);
            }
        }
        if models.is_empty() {
            models = self.usable.iter().map(String::as_str).collect();
        }
        models
    }

    /// Reads the text of an image in a slot already held; `hint` is the code of the citizen's
    /// language.
    ///
    /// Each model Tesseract runs costs time, so a picture is not read with all eleven: first with
    /// the citizen's language, Russian and English. When Tesseract is not sure of that reading
    /// (the picture is in another script), its `osd` model names the script, and the picture is
    /// read again with that script's models; the surer reading is kept. The time limit covers
    /// all the passes.
    pub async fn read_in(
        &self,
        _slot: &Slot,
        image: &[u8],
        hint: &str,
    ) -> Result<String, OcrError> {
        if self.version.is_none() {
            return Err(OcrError::Unavailable);
        }
        if image.len() as u64 > self.settings.max_bytes {
            return Err(OcrError::TooLarge);
        }
        let image = frames::first_frame(image, self.settings.max_pixels)?;
        let passes = async {
            let first_models = self.first_models(hint);
            let first = self.pass(&image, &first_models).await?;
            if first.confidence >= SURE || !self.osd {
                return Ok(first.text);
            }
            let Some(script) = self.script(&image).await else {
                return Ok(first.text);
            };
            let Some((_, of_script)) = SCRIPTS.iter().find(|(name, _)| *name == script) else {
                return Ok(first.text);
            };
            let second_models = self.pick(of_script.iter().copied());
            if second_models.iter().all(|m| first_models.contains(m)) {
                return Ok(first.text);
            }
            let second = self.pass(&image, &second_models).await?;
            Ok(if second.confidence > first.confidence {
                second.text
            } else {
                first.text
            })
        };
        match tokio::time::timeout(self.settings.timeout, passes).await {
            Ok(result) => result,
            Err(_) => Err(OcrError::Timeout),
        }
    }

    /// One run of Tesseract: its standard output.
    async fn run(&self, image: &[u8], args: &[&str]) -> Result<Vec<u8>, OcrError> {
        let mut child = tesseract(&self.settings)
            .args(["stdin", "stdout"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|_| OcrError::Unavailable)?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| OcrError::Failed("no stdin".into()))?;
        let mut stdout = child
            .stdout
            .take()
            .ok_or_else(|| OcrError::Failed("no stdout".into()))?;
        let bytes = image.to_vec();
        let writer = tokio::spawn(async move {
            let _ = stdin.write_all(&bytes).await;
            drop(stdin);
        });
        let mut out = Vec::new();
        stdout
            .read_to_end(&mut out)
            .await
            .map_err(|e| OcrError::Failed(e.to_string()))?;
        let _ = writer.await;
        let status = child
            .wait()
            .await
            .map_err(|e| OcrError::Failed(e.to_string()))?;
        if !status.success() {
            return Err(OcrError::NotAnImage);
        }
        Ok(out)
    }

    /// One reading with the given models, as words with Tesseract's confidence (`tsv`).
    async fn pass(&self, image: &[u8], models: &[&str]) -> Result<Pass, OcrError> {
        let models = models.join("+");
        let out = self
            .run(image, &["-l", &models, "--psm", "3", "tsv"])
            .await?;
        Ok(Pass::from_tsv(&String::from_utf8_lossy(&out)))
    }

    /// The script Tesseract's `osd` model sees in the picture, if it sees enough text to say.
    async fn script(&self, image: &[u8]) -> Option<String> {
        let out = self.run(image, &["-l", "osd", "--psm", "0"]).await.ok()?;
        String::from_utf8_lossy(&out)
            .lines()
            .find_map(|l| l.strip_prefix("Script:"))
            .map(|s| s.trim().to_string())
    }
}

/// What one pass read: the text, lines and paragraphs as Tesseract found them, and how sure it
/// was of its words on average.
#[derive(Debug, PartialEq)]
struct Pass {
    text: String,
    confidence: f64,
}

impl Pass {
    /// From Tesseract's `tsv` output: one row per page, block, paragraph, line and word; words
    /// (level 5) carry a confidence and their text.
    fn from_tsv(tsv: &str) -> Pass {
        // A program that does not answer in TSV (a wrapper named by OCR_TESSERACT) is taken at
        // its word.
        if !tsv.starts_with("level\t") && !tsv.trim().is_empty() {
            return Pass {
                text: tsv.to_string(),
                confidence: 100.0,
            };
        }
        let mut text = String::new();
        let (mut sum, mut words) = (0.0, 0usize);
        let mut last: Option<(&str, &str, &str, &str)> = None;
        for row in tsv.lines().skip(1) {
            let cols: Vec<&str> = row.split('\t').collect();
            if cols.len() < 12 || cols[0] != "5" || cols[11].trim().is_empty() {
                continue;
            }
            let at = (cols[1], cols[2], cols[3], cols[4]);
            if let Some(prev) = last {
                if (prev.0, prev.1, prev.2) != (at.0, at.1, at.2) {
                    text.push_str("\n\n");
                } else if prev.3 != at.3 {
                    text.push('\n');
                } else {
                    text.push(' ');
                }
            }
            last = Some(at);
            text.push_str(cols[11]);
            if let Ok(c) = cols[10].parse::<f64>() {
                if c >= 0.0 {
                    sum += c;
                    words += 1;
                }
            }
        }
        text.push('\n');
        let confidence = if words == 0 { 0.0 } else { sum / words as f64 };
        Pass { text, confidence }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_keeps_lines_and_paragraphs_and_averages_its_words() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            1\t1\t0\t0\t0\t0\t0\t0\t1080\t1920\t-1\t\n\
            5\t1\t1\t1\t1\t1\t43\t70\t211\t52\t96\tВыплата\n\
            5\t1\t1\t1\t1\t2\t281\t80\t61\t32\t90\t495\n\
            5\t1\t1\t1\t2\t1\t43\t140\t61\t32\t84\t000\n\
            5\t1\t2\t1\t1\t1\t43\t400\t61\t32\t70\tзвоните\n\
            5\t1\t2\t1\t1\t2\t43\t400\t61\t32\t-1\t \n";
        let pass = Pass::from_tsv(tsv);
        assert_eq!(pass.text, "Выплата 495\n000\n\nзвоните\n");
        assert_eq!(pass.confidence, 85.0);
        assert_eq!(clean(&pass.text), "Выплата 495 000\nзвоните");
        assert_eq!(Pass::from_tsv("").confidence, 0.0);
        assert_eq!(Pass::from_tsv("level\tgarbage\n5\tx").text, "\n");
        let plain = Pass::from_tsv("Salary 5000$ a month\n");
        assert_eq!(
            (plain.text.as_str(), plain.confidence),
            ("Salary 5000$ a month\n", 100.0)
        );
    }

    #[test]
    fn the_first_pass_is_the_citizens_language_russian_and_english_as_allowed() {
        let settings = OcrSettings::default();
        let have: Vec<String> = "eng\nkir\nosd\nrus\nhin"
            .lines()
            .map(String::from)
            .collect();
        let ocr = Ocr::with(settings, Some("test".into()), Some(&have));
        assert_eq!(ocr.first_models("ky"), ["kir", "rus", "eng"]);
        assert_eq!(ocr.first_models("ru"), ["rus", "eng"]);
        // Not installed: left out, and the rest still read.
        assert_eq!(ocr.first_models("hy"), ["rus", "eng"]);
        assert!(ocr.osd);
        let only_hindi = OcrSettings {
            languages: "hin".into(),
            ..OcrSettings::default()
        };
        let ocr = Ocr::with(only_hindi, Some("test".into()), Some(&have));
        assert_eq!(ocr.first_models("ru"), ["hin"]);
    }

    #[test]
    fn every_language_of_the_bot_has_a_model_of_a_known_script() {
        for code in ["ru", "kk", "ky", "tg", "uz", "ar", "en", "hy", "ne", "hi"] {
            for model in models_of(code) {
                assert!(
                    DEFAULT_MODELS.split('+').any(|m| m == *model),
                    "{code}: {model}"
                );
                assert!(
                    SCRIPTS.iter().any(|(_, ms)| ms.contains(model)),
                    "{code}: {model}"
                );
            }
        }
    }
}
