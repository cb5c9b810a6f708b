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

mod frames;

/// `OCR_*` settings.
#[derive(Debug, Clone)]
pub struct OcrSettings {
    /// The program (`OCR_TESSERACT`, default `tesseract` on the PATH).
    pub program: String,
    /// Tesseract's language list (`OCR_LANGUAGES`, default `rus+kaz+eng+uzb+uzb_cyrl+ara`).
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
            languages: "rus+kaz+eng+uzb+uzb_cyrl+ara".to_string(),
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
        Ocr::with(settings, version)
    }

    /// An engine that never runs Tesseract (tests of the "not installed" answer).
    pub fn unavailable(settings: OcrSettings) -> Ocr {
        Ocr::with(settings, None)
    }

    fn with(settings: OcrSettings, version: Option<String>) -> Ocr {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ocr {
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

    /// Reads the text of an image (raw, before [`clean`]), in a slot of its own.
    pub async fn read(&self, image: &[u8]) -> Result<String, OcrError> {
        if self.version.is_none() {
            return Err(OcrError::Unavailable);
        }
        let slot = self.slot().await?;
        self.read_in(&slot, image).await
    }

    /// Reads the text of an image in a slot already held.
    pub async fn read_in(&self, _slot: &Slot, image: &[u8]) -> Result<String, OcrError> {
        if self.version.is_none() {
            return Err(OcrError::Unavailable);
        }
        if image.len() as u64 > self.settings.max_bytes {
            return Err(OcrError::TooLarge);
        }
        let image = frames::first_frame(image, self.settings.max_pixels)?;
        let run = async {
            let mut child = tesseract(&self.settings)
                .args([
                    "stdin",
                    "stdout",
                    "-l",
                    &self.settings.languages,
                    "--psm",
                    "3",
                ])
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
            let mut text = Vec::new();
            stdout
                .read_to_end(&mut text)
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
            Ok(String::from_utf8_lossy(&text).into_owned())
        };
        match tokio::time::timeout(self.settings.timeout, run).await {
            Ok(result) => result,
            Err(_) => Err(OcrError::Timeout),
        }
    }
}

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
