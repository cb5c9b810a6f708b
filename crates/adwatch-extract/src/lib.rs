#![doc = include_str!("../README.md")]
//! The extraction engine: text in, findings out.
//!
//! Architecture invariant: this module is pure. It imports no teloxide, sqlx, tokio, reqwest or
//! axum, reads no clock, does no I/O, and never fails: [`extract`] returns an [`Extraction`]
//! for any input, with whatever it could not read described in `diagnostics`. All word lists are
//! data files under `data/` (see `data/README.md`), so a new language is a new file.

mod classify;
mod entities;
mod lexicon;
mod lower;
mod money;
mod phrase;
mod text;

pub use lexicon::{lexicon, SignalDef};

use serde::{Deserialize, Serialize};

/// The languages adwatch reads and answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ru,
    Kk,
    Ar,
    En,
    Uz,
    Ky,
    Tg,
    Hy,
    Ne,
    Hi,
}

impl Lang {
    pub const ALL: [Lang; 10] = [
        Lang::Ru,
        Lang::Kk,
        Lang::Ar,
        Lang::En,
        Lang::Uz,
        Lang::Ky,
        Lang::Tg,
        Lang::Hy,
        Lang::Ne,
        Lang::Hi,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::Kk => "kk",
            Lang::Ar => "ar",
            Lang::En => "en",
            Lang::Uz => "uz",
            Lang::Ky => "ky",
            Lang::Tg => "tg",
            Lang::Hy => "hy",
            Lang::Ne => "ne",
            Lang::Hi => "hi",
        }
    }

    /// Reads an ISO 639-1 code or an IETF tag such as Telegram's `language_code` ("uz-Cyrl").
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The codes of every language, for messages that list them ("ru, kk, ar, …").
    pub fn codes() -> String {
        Lang::ALL.map(Lang::code).join(", ")
    }
}

/// How often an offer is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    OneTime,
    Monthly,
    Daily,
    Yearly,
}

/// "от", "at least" (min) or "до", "up to" (max); the two ends of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bound {
    Min,
    Max,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    MilitaryRecruitment,
    ScamJob,
    Benign,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::MilitaryRecruitment => "military_recruitment",
            Label::ScamJob => "scam_job",
            Label::Benign => "benign",
        }
    }

    pub fn parse(s: &str) -> Option<Label> {
        [Label::MilitaryRecruitment, Label::ScamJob, Label::Benign]
            .into_iter()
            .find(|l| l.as_str() == s)
    }
}

/// An amount of money in hundredths of its currency's unit: floats never hold money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money {
    pub minor: i64,
}

impl Money {
    /// The value in whole units for JSON: an integer when it is whole.
    pub fn to_json(self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.minor % 100 == 0 {
            s.serialize_i64(self.minor / 100)
        } else {
            s.serialize_f64(self.minor as f64 / 100.0)
        }
    }
}

/// A payment offer as the ad wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentOffer {
    pub value: Money,
    /// ISO 4217 (USDT for the stablecoin).
    pub currency: &'static str,
    pub period: Option<Period>,
    pub bound: Option<Bound>,
    /// Approximate value in whole US dollars, from the dated table in `data/rates.toml`.
    pub usd: Option<i64>,
    /// Byte span of the amount in the text.
    pub start: usize,
    pub end: usize,
    /// The offer this one converts ("495 тыс. руб. ($5 300)": the dollars point to the roubles).
    pub equivalent_of: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Phone,
    Url,
    Domain,
    Telegram,
    Email,
    Handle,
    Org,
    Region,
    Country,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Phone => "phone",
            EntityKind::Url => "url",
            EntityKind::Domain => "domain",
            EntityKind::Telegram => "telegram",
            EntityKind::Email => "email",
            EntityKind::Handle => "handle",
            EntityKind::Org => "org",
            EntityKind::Region => "region",
            EntityKind::Country => "country",
        }
    }

    pub fn parse(s: &str) -> Option<EntityKind> {
        use EntityKind::*;
        [
            Phone, Url, Domain, Telegram, Email, Handle, Org, Region, Country,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A recruiter's trace in the text: who, where, how to reach them.
#[derive(Debug, Clone, PartialEq)]
pub struct RecruitingEntity {
    pub kind: EntityKind,
    pub start: usize,
    pub end: usize,
    /// E.164 for phones, lower case for domains and accounts, an English name for bodies and places.
    pub normalized: String,
    /// For `handle`: the platform ("instagram", "whatsapp", ...).
    pub platform: Option<&'static str>,
}

/// A reason for the label, explainable in one sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub id: &'static str,
    pub weight: i32,
    /// The English sentence; other languages are in `data/signals.toml`.
    pub explain: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// Something the engine could not read, or an input that was odd.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub level: Level,
    pub code: &'static str,
    pub message: String,
}

impl Diagnostic {
    pub fn info(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Info,
            code,
            message: message.into(),
        }
    }
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Warning,
            code,
            message: message.into(),
        }
    }
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Error,
            code,
            message: message.into(),
        }
    }
}

/// Everything the engine found in one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    pub language: Lang,
    pub label: Label,
    /// 0-100.
    pub risk: u8,
    pub signals: Vec<Signal>,
    pub amounts: Vec<PaymentOffer>,
    pub entities: Vec<RecruitingEntity>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Extraction {
    fn empty(language: Lang) -> Extraction {
        Extraction {
            language,
            label: Label::Benign,
            risk: 0,
            signals: Vec::new(),
            amounts: Vec::new(),
            entities: Vec::new(),
            diagnostics: Vec::new(),
        }
    }
}

/// The longest text the engine reads; Telegram allows 4096 UTF-16 units, web pages are cut here.
pub const MAX_TEXT_BYTES: usize = 256 * 1024;

/// Reads a text. Never panics, never fails.
pub fn extract(text: &str) -> Extraction {
    let lex = match lexicon::lexicon() {
        Ok(lex) => lex,
        Err(e) => {
            let mut x = Extraction::empty(Lang::En);
            x.diagnostics
                .push(Diagnostic::error("data_error", e.to_string()));
            return x;
        }
    };
    let mut diagnostics = Vec::new();
    let text = if text.len() > MAX_TEXT_BYTES {
        diagnostics.push(Diagnostic::warning(
            "text_truncated",
            format!(
                "the text has {} bytes; only the first {MAX_TEXT_BYTES} were read",
                text.len()
            ),
        ));
        &text[..text::floor_boundary(text, MAX_TEXT_BYTES)]
    } else {
        text
    };
    if text.trim().is_empty() {
        diagnostics.push(Diagnostic::warning("empty_text", "the text is empty"));
    }
    if text.contains('\u{FFFD}') {
        diagnostics.push(Diagnostic::info(
            "replacement_characters",
            "the text has characters that were not valid where it came from (shown as \u{FFFD})",
        ));
    }
    let low = text::Lowered::with_word_starts(text, &lex.letters, lex.free.word_start_bytes());
    // About one hit in 32 bytes of text is usual: room for them from the start.
    let mut hits = Vec::with_capacity(low.text.len() / 32 + 8);
    lex.free
        .scan_with_starts(&low.text, &low.word_starts, &mut hits);

    let mut x = Extraction::empty(classify::language(&low, &hits, lex));
    x.amounts = money::find(text, &low.text, &hits, lex, x.language, &mut diagnostics);
    if x.language == Lang::Ne {
        money::rupees_of_nepali(text, &mut x.amounts, lex);
    }
    x.entities = entities::find(text, &low.text, &hits, lex, &x.amounts);
    // What a link or an address spells (`voenkomat-sakh.ru`) is no word of the text.
    let hits = entities::outside_links(&hits, &x.entities);
    classify::classify(&hits, lex, &mut x);
    x.diagnostics = diagnostics;
    x
}

/// Builds the lexicon and the phone-number metadata now, both at once, instead of on the
/// first text: a start-up cost a long-running process or a stream pays once.
pub fn warm_up() {
    std::thread::scope(|s| {
        s.spawn(entities::warm_up_phones);
        let _ = lexicon::lexicon();
    });
}

/// The approximate USD value of an amount, from the dated table (`None` for unknown currencies).
pub fn usd_value(value: Money, currency: &str) -> Option<i64> {
    lexicon::lexicon()
        .ok()
        .and_then(|lex| money::usd_value(value, currency, lex))
}

/// The sentence that explains a signal in a language (English when that one is missing).
pub fn explain_signal(id: &str, lang: Lang) -> Option<&'static str> {
    let lex = lexicon::lexicon().ok()?;
    let s = &lex.signals[lex.signal(id)?];
    s.explain
        .get(lang.code())
        .or_else(|| s.explain.get("en"))
        .map(String::as_str)
}

/// The date and source of the exchange-rate table.
pub fn rates_as_of() -> Option<(&'static str, &'static str)> {
    lexicon::lexicon()
        .ok()
        .map(|l| (l.rates_date.as_str(), l.rates_source.as_str()))
}

/// The JSON form of an extraction, with the field names of `tests/fixtures/README.md`.
pub fn to_json(id: Option<&serde_json::Value>, text: &str, x: &Extraction) -> serde_json::Value {
    serde_json::to_value(json_view(id, text, x)).unwrap_or(serde_json::Value::Null)
}

/// A borrowed, serialisable view of an extraction: what `adwatch analyze` writes.
pub fn json_view<'a>(
    id: Option<&'a serde_json::Value>,
    text: &'a str,
    x: &'a Extraction,
) -> ExtractionJson<'a> {
    ExtractionJson { id, text, x }
}

pub struct ExtractionJson<'a> {
    id: Option<&'a serde_json::Value>,
    text: &'a str,
    x: &'a Extraction,
}

impl Serialize for ExtractionJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (text, x) = (self.text, self.x);
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("language", &x.language)?;
        m.serialize_entry("label", &x.label)?;
        m.serialize_entry("risk", &x.risk)?;
        let signals: Vec<SignalJson> = x
            .signals
            .iter()
            .map(|s| SignalJson {
                id: s.id,
                weight: s.weight,
                explain: s.explain,
            })
            .collect();
        m.serialize_entry("signals", &signals)?;
        let amounts: Vec<AmountJson> = x
            .amounts
            .iter()
            .map(|a| AmountJson {
                value: a.value,
                currency: a.currency,
                period: a.period,
                bound: a.bound,
                usd: a.usd,
                text: text.get(a.start..a.end).unwrap_or(""),
                start: a.start,
                end: a.end,
                equivalent_of: a.equivalent_of,
            })
            .collect();
        m.serialize_entry("amounts", &amounts)?;
        let entities: Vec<EntityJson> = x
            .entities
            .iter()
            .map(|e| EntityJson {
                kind: e.kind,
                text: text.get(e.start..e.end).unwrap_or(""),
                normalized: &e.normalized,
                start: e.start,
                end: e.end,
                platform: e.platform,
            })
            .collect();
        m.serialize_entry("entities", &entities)?;
        m.serialize_entry("diagnostics", &x.diagnostics)?;
        m.end()
    }
}

#[derive(Serialize)]
struct SignalJson {
    id: &'static str,
    weight: i32,
    explain: &'static str,
}

#[derive(Serialize)]
struct AmountJson<'a> {
    value: Money,
    currency: &'static str,
    period: Option<Period>,
    bound: Option<Bound>,
    usd: Option<i64>,
    text: &'a str,
    start: usize,
    end: usize,
    equivalent_of: Option<usize>,
}

#[derive(Serialize)]
struct EntityJson<'a> {
    kind: EntityKind,
    text: &'a str,
    normalized: &'a str,
    start: usize,
    end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<&'static str>,
}

/// The normalised names of the entities of `kind` found in `text`, in order (unit tests).
#[cfg(test)]
fn found_names(text: &str, kind: EntityKind) -> Vec<String> {
    extract(text)
        .entities
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.normalized)
        .collect()
}

#[cfg(test)]
mod org_names_tests;
#[cfg(test)]
mod vocabulary_tests;
