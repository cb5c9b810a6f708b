//! The compiled-in word lists (`data/`), parsed once into phrase sets.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

use serde::Deserialize;

use super::phrase::PhraseSet;
use super::{Lang, Period};

const LANG_FILES: [(Lang, &str); 10] = [
    (Lang::Ru, include_str!("../../data/lang/ru.toml")),
    (Lang::Kk, include_str!("../../data/lang/kk.toml")),
    (Lang::Ar, include_str!("../../data/lang/ar.toml")),
    (Lang::En, include_str!("../../data/lang/en.toml")),
    (Lang::Uz, include_str!("../../data/lang/uz.toml")),
    (Lang::Ky, include_str!("../../data/lang/ky.toml")),
    (Lang::Tg, include_str!("../../data/lang/tg.toml")),
    (Lang::Hy, include_str!("../../data/lang/hy.toml")),
    (Lang::Ne, include_str!("../../data/lang/ne.toml")),
    (Lang::Hi, include_str!("../../data/lang/hi.toml")),
];
const SIGNALS: &str = include_str!("../../data/signals.toml");
const RATES: &str = include_str!("../../data/rates.toml");
const REGIONS: &str = include_str!("../../data/gazetteer/regions.toml");
const COUNTRIES: &str = include_str!("../../data/gazetteer/countries.toml");
const ORGS: &str = include_str!("../../data/gazetteer/orgs.toml");
/// Cities and subdivisions built by `scripts/build_places.py` from GeoNames and iso-codes.
const PLACES: &str = include_str!("../../data/gazetteer/places.toml");
const COUNTRIES_ISO: &str = include_str!("../../data/gazetteer/countries_iso.toml");
/// Words that name an organisation written next to them («ООО «…»», "… agentligi").
const ORG_PATTERNS: &str = include_str!("../../data/gazetteer/org_patterns.toml");

#[derive(Deserialize)]
struct LangFile {
    script: String,
    letters: String,
    words: Vec<String>,
    #[serde(default)]
    approx: Vec<String>,
    #[serde(default)]
    legal_forms: Vec<String>,
    #[serde(default)]
    org_heads: Vec<String>,
    currency: CurrencyWords,
    multiplier: BTreeMap<String, u64>,
    period: PeriodWords,
    bound: BoundWords,
    range: RangeWords,
    #[serde(default)]
    numbers: BTreeMap<String, f64>,
    /// Words before a number that add a fraction to it: "साढे १७ लाख" is 17.5 lakh.
    #[serde(default)]
    plus_before: BTreeMap<String, f64>,
    phone_context: PhoneContext,
    #[serde(default)]
    platforms: BTreeMap<String, String>,
    #[serde(default)]
    signals: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct CurrencyWords {
    after: BTreeMap<String, String>,
    #[serde(default)]
    after_thousands: BTreeMap<String, String>,
    before: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct PeriodWords {
    one_time: Vec<String>,
    monthly: Vec<String>,
    daily: Vec<String>,
    yearly: Vec<String>,
    /// Pay by a period adwatch does not name ("per hour", "в неделю"): the amount has none.
    #[serde(default)]
    other: Vec<String>,
}

#[derive(Deserialize)]
struct BoundWords {
    min_before: Vec<String>,
    max_before: Vec<String>,
    min_after: Vec<String>,
    max_after: Vec<String>,
}

#[derive(Deserialize)]
struct RangeWords {
    joiners: Vec<String>,
}

#[derive(Deserialize)]
struct PhoneContext {
    words: Vec<String>,
}

#[derive(Deserialize)]
struct SignalFile {
    signal: Vec<SignalDef>,
}

/// A risk signal as `data/signals.toml` defines it.
#[derive(Deserialize, Debug, Clone)]
pub struct SignalDef {
    pub id: String,
    pub weight: i32,
    /// The evidence family: military, offer, job, lure, deceit, news or context.
    pub family: String,
    /// Signals with the same sign count once ("offers money" and "a one-time payment").
    #[serde(default)]
    pub sign: Option<String>,
    /// The families one of which must be found within `within` bytes for this signal to count.
    #[serde(default)]
    pub near: Vec<String>,
    #[serde(default)]
    pub within: usize,
    pub explain: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RateFile {
    date: String,
    source: String,
    per_usd: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
struct GazetteerFile {
    entry: Vec<GazetteerEntry>,
}

/// One named place or body with the forms it is written in.
#[derive(Deserialize, Debug, Clone)]
pub struct GazetteerEntry {
    pub name: String,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    /// A country's currency, to tell rupees apart ("Rs" in a text about Nepal is NPR).
    #[serde(default)]
    pub currency: Option<String>,
    /// Demonyms and adjectives that point to the country without naming it.
    #[serde(default)]
    pub hints: Vec<String>,
    #[serde(default)]
    pub military: bool,
    /// A body that signs people up (agency, selection point, commissariat).
    #[serde(default)]
    pub recruiter: bool,
    /// A body often named with its region ("военкомат Волгоградской области").
    #[serde(default)]
    pub takes_region: bool,
    /// A one-word form counts only when the text writes it with a capital letter (generated
    /// places, many of which are also words or names somewhere).
    #[serde(default)]
    pub cased: bool,
    pub forms: Vec<String>,
}

/// `data/gazetteer/org_patterns.toml`: words that name an organisation next to them.
#[derive(Deserialize)]
struct OrgPatternFile {
    /// Before a quoted or capitalised name: «ООО «Ромашка»», "recruitment agency Global Staff".
    legal_forms: Vec<String>,
    /// Before a quoted name: «батальон «Тайга»».
    before_name: Vec<String>,
    /// After a quoted or capitalised name: «Ромашка» МЧЖ, "Nur" agentligi, Acme LLC.
    after_name: Vec<String>,
}

/// What a phrase found in free text means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tag {
    Period(Period),
    /// "per hour", "в неделю": a period the offers do not name.
    OtherPeriod,
    Signal(usize),
    Org(usize),
    Region(usize),
    Country(usize),
    /// A word for a country's people ("Nepali"): context, not an entity.
    CountryHint(usize),
    PhoneContext,
    Platform(&'static str),
    NumberWord(f64),
    LangWord(Lang),
    LegalForm,
    OrgHead,
    /// A legal form or head word before a quoted name, or (`capitalised`) before capitalised
    /// words: «ООО «Ромашка»», "recruitment agency Global Staff".
    NameBefore {
        capitalised: bool,
    },
    /// A legal form or head word written after the name ("… agentligi", "Acme LLC").
    NameAfter,
}

/// What a phrase right after a number means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum After {
    Currency(&'static str),
    /// "т.р.": a currency that also multiplies by a thousand.
    CurrencyThousands(&'static str),
    Multiplier(u64),
    BoundMin,
    BoundMax,
}

/// What a phrase right before a number means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Before {
    Currency(&'static str),
    BoundMin,
    BoundMax,
    Approx,
    /// Adds this many hundredths to the number ("साढे" adds a half).
    Plus(i64),
}

/// A language's script and its tell-tale letters, for detection.
pub struct LangInfo {
    pub lang: Lang,
    pub scripts: Vec<String>,
    pub letters: Vec<char>,
}

pub struct Lexicon {
    pub langs: Vec<LangInfo>,
    /// Tell-tale letters: for each char from U+0000 to U+04FF, a bit per language.
    pub letters: Vec<u16>,
    pub free: PhraseSet<Tag>,
    pub after: PhraseSet<After>,
    pub before: PhraseSet<Before>,
    pub joiners: HashSet<String>,
    pub signals: Vec<SignalDef>,
    pub signal_index: HashMap<String, usize>,
    pub orgs: Vec<GazetteerEntry>,
    pub regions: Vec<GazetteerEntry>,
    pub countries: Vec<GazetteerEntry>,
    pub(crate) rupees: super::money::Rupees,
    pub rates: HashMap<String, f64>,
    pub rates_date: String,
    pub rates_source: String,
}

/// Tell-tale letters are looked up in a table up to the end of the Cyrillic block.
pub const LETTER_TABLE: usize = 0x0500;

static LEXICON: LazyLock<Result<Lexicon, String>> = LazyLock::new(Lexicon::load);

/// The lexicon, or why the compiled-in data could not be read.
pub fn lexicon() -> Result<&'static Lexicon, &'static str> {
    LEXICON.as_ref().map_err(|e| e.as_str())
}

fn leak(s: &str) -> &'static str {
    // Lexicon strings live as long as the process: the lexicon is built once.
    Box::leak(s.to_owned().into_boxed_str())
}

impl Lexicon {
    fn load() -> Result<Lexicon, String> {
        let signal_file: SignalFile =
            toml::from_str(SIGNALS).map_err(|e| format!("data/signals.toml: {e}"))?;
        let signals = signal_file.signal;
        let signal_index: HashMap<String, usize> = signals
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let gazetteer = |name: &str, src: &str| -> Result<Vec<GazetteerEntry>, String> {
            toml::from_str::<GazetteerFile>(src)
                .map(|f| f.entry)
                .map_err(|e| format!("data/gazetteer/{name}: {e}"))
        };
        let orgs = gazetteer("orgs.toml", ORGS)?;
        let mut regions = gazetteer("regions.toml", REGIONS)?;
        regions.extend(gazetteer("places.toml", PLACES)?);
        let org_patterns: OrgPatternFile = toml::from_str(ORG_PATTERNS)
            .map_err(|e| format!("data/gazetteer/org_patterns.toml: {e}"))?;
        let mut countries = gazetteer("countries.toml", COUNTRIES)?;
        // Every ISO 3166-1 country, generated (scripts/build_countries.py); the hand list wins
        // for a form it has, and the generated forms it lacks are added (a country the hand
        // list gained after the file was built keeps its generated names and cases).
        let hand: HashSet<String> = countries
            .iter()
            .flat_map(|c| c.forms.iter().cloned())
            .collect();
        countries.extend(
            gazetteer("countries_iso.toml", COUNTRIES_ISO)?
                .into_iter()
                .map(|mut c| {
                    c.forms.retain(|f| !hand.contains(f));
                    c
                })
                .filter(|c| !c.forms.is_empty()),
        );
        let rate_file: RateFile =
            toml::from_str(RATES).map_err(|e| format!("data/rates.toml: {e}"))?;

        let mut free: Vec<(String, Tag)> = Vec::new();
        let mut after: Vec<(String, After)> = Vec::new();
        let mut before: Vec<(String, Before)> = Vec::new();
        let mut joiners = HashSet::new();
        let mut langs = Vec::new();

        for (i, e) in orgs.iter().enumerate() {
            free.extend(e.forms.iter().map(|f| (f.clone(), Tag::Org(i))));
        }
        free.extend(
            org_patterns
                .legal_forms
                .iter()
                .map(|w| (w.clone(), Tag::NameBefore { capitalised: true })),
        );
        free.extend(
            org_patterns
                .before_name
                .iter()
                .map(|w| (w.clone(), Tag::NameBefore { capitalised: false })),
        );
        free.extend(
            org_patterns
                .after_name
                .iter()
                .map(|w| (w.clone(), Tag::NameAfter)),
        );
        for (i, e) in regions.iter().enumerate() {
            free.extend(e.forms.iter().map(|f| (f.clone(), Tag::Region(i))));
        }
        for (i, e) in countries.iter().enumerate() {
            free.extend(e.forms.iter().map(|f| (f.clone(), Tag::Country(i))));
            free.extend(e.hints.iter().map(|f| (f.clone(), Tag::CountryHint(i))));
        }

        for (lang, src) in LANG_FILES {
            let f: LangFile =
                toml::from_str(src).map_err(|e| format!("data/lang/{}.toml: {e}", lang.code()))?;
            let scripts = f.script.split(',').map(|s| s.trim().to_string()).collect();
            langs.push(LangInfo {
                lang,
                scripts,
                letters: f.letters.chars().collect(),
            });
            free.extend(f.words.iter().map(|w| (w.clone(), Tag::LangWord(lang))));
            let periods = [
                (Period::OneTime, &f.period.one_time),
                (Period::Monthly, &f.period.monthly),
                (Period::Daily, &f.period.daily),
                (Period::Yearly, &f.period.yearly),
            ];
            for (p, words) in periods {
                free.extend(words.iter().map(|w| (w.clone(), Tag::Period(p))));
            }
            free.extend(f.period.other.iter().map(|w| (w.clone(), Tag::OtherPeriod)));
            for (id, phrases) in &f.signals {
                let Some(&i) = signal_index.get(id) else {
                    return Err(format!(
                        "data/lang/{}.toml: signal `{id}` is not in data/signals.toml",
                        lang.code()
                    ));
                };
                free.extend(phrases.iter().map(|p| (p.clone(), Tag::Signal(i))));
            }
            free.extend(
                f.phone_context
                    .words
                    .iter()
                    .map(|w| (w.clone(), Tag::PhoneContext)),
            );
            for (word, platform) in &f.platforms {
                free.push((word.clone(), Tag::Platform(leak(platform))));
            }
            for (word, value) in &f.numbers {
                free.push((word.clone(), Tag::NumberWord(*value)));
            }
            free.extend(f.legal_forms.iter().map(|w| (w.clone(), Tag::LegalForm)));
            free.extend(f.org_heads.iter().map(|w| (w.clone(), Tag::OrgHead)));

            for (word, code) in &f.currency.after {
                after.push((word.clone(), After::Currency(leak(code))));
            }
            for (word, code) in &f.currency.after_thousands {
                after.push((word.clone(), After::CurrencyThousands(leak(code))));
            }
            for (word, m) in &f.multiplier {
                after.push((word.clone(), After::Multiplier(*m)));
            }
            after.extend(
                f.bound
                    .min_after
                    .iter()
                    .map(|w| (w.clone(), After::BoundMin)),
            );
            after.extend(
                f.bound
                    .max_after
                    .iter()
                    .map(|w| (w.clone(), After::BoundMax)),
            );

            for (word, code) in &f.currency.before {
                before.push((word.clone(), Before::Currency(leak(code))));
            }
            before.extend(
                f.bound
                    .min_before
                    .iter()
                    .map(|w| (w.clone(), Before::BoundMin)),
            );
            before.extend(
                f.bound
                    .max_before
                    .iter()
                    .map(|w| (w.clone(), Before::BoundMax)),
            );
            before.extend(f.approx.iter().map(|w| (w.clone(), Before::Approx)));
            for (word, fraction) in &f.plus_before {
                before.push((
                    word.clone(),
                    Before::Plus((fraction * 100.0).round() as i64),
                ));
            }
            joiners.extend(f.range.joiners.iter().map(|j| j.to_lowercase()));
        }

        let mut letters = vec![0u16; LETTER_TABLE];
        for l in &langs {
            for &c in &l.letters {
                for c in c.to_uppercase().chain([c]) {
                    if let Some(slot) = letters.get_mut(c as usize) {
                        *slot |= 1 << l.lang as u16;
                    }
                }
            }
        }
        Ok(Lexicon {
            letters,
            langs,
            free: PhraseSet::new(free)?,
            after: PhraseSet::new(after)?,
            before: PhraseSet::new(before)?,
            joiners,
            signals,
            signal_index,
            orgs,
            rupees: super::money::Rupees::new(&countries, &regions),
            regions,
            countries,
            rates: rate_file.per_usd.into_iter().collect(),
            rates_date: rate_file.date,
            rates_source: rate_file.source,
        })
    }

    pub fn signal(&self, id: &str) -> Option<usize> {
        self.signal_index.get(id).copied()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn data_files_parse() {
        let lex = super::lexicon().expect("the data files parse");
        assert!(lex.free.len() > 1000, "free phrases: {}", lex.free.len());
        assert!(lex.rates.contains_key("RUB"));
        assert!(!lex.rates_date.is_empty() && lex.rates_source.starts_with("http"));
    }
}
