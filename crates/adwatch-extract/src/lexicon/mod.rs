//! The compiled-in word lists (`data/`), parsed once into phrase sets.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::phrase::PhraseSet;
use super::{Lang, Period};

mod files;
mod hash;
mod signals;

use files::*;
pub use files::{GazetteerEntry, SignalDef};
pub use hash::{FastMap, FastSet};
pub use signals::{Families, SignalIds, SignalKey};

/// What a phrase found in free text means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tag {
    Period(Period),
    /// "per hour", "в неделю": a period the offers do not name.
    OtherPeriod,
    /// A noun whose amounts have this period when no period word says one («зарплата»).
    ImpliedPeriod(Period),
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
    /// A legal form or head word written after the name ("… agentligi", "Acme LLC"); with the
    /// English kind of a body named after its country and place ("… elchixonasi", Embassy).
    NameAfter {
        kind: Option<&'static str>,
    },
    /// A verb of change («подорожали», "rose", «ارتفع»): a "до"/"to" in its clause is the new
    /// value, not a maximum.
    Change,
    /// A word after which a country's bare name is an attribute ("Rossiya fuqaroligi").
    Attributive,
    /// "between" before a range joined by "and" (`before`), or «аралығында» after it.
    Between {
        before: bool,
    },
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
    pub local_currency: Option<&'static str>,
}

pub struct Lexicon {
    pub langs: Vec<LangInfo>,
    /// Tell-tale letters: for each char from U+0000 to U+04FF, a bit per language.
    pub letters: Vec<u16>,
    pub free: PhraseSet<Tag>,
    pub after: PhraseSet<After>,
    pub before: PhraseSet<Before>,
    pub joiners: FastSet<String>,
    /// Bound words written after an amount that a language may glue to the unit or currency
    /// word before them («रुपैयाँसम्म»): one word of three letters or more; `true` for a maximum.
    /// With the number of its chars.
    pub glued_bounds: Vec<(String, bool, usize)>,
    /// Joiners that make a range only with a "between" word around it.
    pub conjunctions: FastSet<String>,
    /// The joiners a language may glue to the unit or currency word before them (`glued_joiner`
    /// in `money`): of three letters or more, not ASCII, letters only; with their chars.
    pub glued_joiners: Vec<(String, usize)>,
    /// The longest joiner or conjunction, in bytes.
    pub longest_joiner: usize,
    /// Endings of a currency word that make its amount a maximum («dollargacha»).
    pub max_suffixes: Vec<String>,
    /// Endings of a currency word that open a range with a maximum after it («теңгеден»).
    pub range_suffixes: Vec<String>,
    /// Genitive endings of a country's name, which keep it a country before an attributive
    /// head («Rossiyaning fuqarolari»).
    pub genitives: Vec<String>,
    pub signals: Vec<SignalDef>,
    pub signal_index: FastMap<String, usize>,
    /// Each signal's family, sign and neighbour families by number.
    pub signal_keys: Vec<SignalKey>,
    pub families: Families,
    /// The signals the code names, by number.
    pub ids: SignalIds,
    pub orgs: Vec<GazetteerEntry>,
    /// The body of each kind (`of`) of each country: (kind, country code) to its entry.
    pub org_of_country: FastMap<String, FastMap<String, usize>>,
    pub regions: Vec<GazetteerEntry>,
    pub countries: Vec<GazetteerEntry>,
    pub(crate) rupees: super::money::Rupees,
    pub rates: FastMap<String, f64>,
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
        let signal_index: FastMap<String, usize> = signals
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
        regions.extend(gazetteer("region_cases.toml", REGION_CASES)?);
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
        let mut org_of_country = FastMap::<String, FastMap<String, usize>>::default();
        for (i, e) in orgs.iter().enumerate() {
            if let (false, Some(of), Some(code)) = (e.bare, &e.of, &e.country) {
                org_of_country
                    .entry(of.clone())
                    .or_default()
                    .entry(code.clone())
                    .or_insert(i);
            }
        }
        let rate_file: RateFile =
            toml::from_str(RATES).map_err(|e| format!("data/rates.toml: {e}"))?;

        let mut free: Vec<(String, Tag)> = Vec::new();
        let mut after: Vec<(String, After)> = Vec::new();
        let mut before: Vec<(String, Before)> = Vec::new();
        let mut joiners = FastSet::default();
        let mut glued_bounds = Vec::new();
        let mut conjunctions = FastSet::default();
        let mut max_suffixes: Vec<String> = Vec::new();
        let mut range_suffixes: Vec<String> = Vec::new();
        let mut genitives: Vec<String> = Vec::new();
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
                .map(|w| (w.clone(), Tag::NameAfter { kind: None })),
        );
        for (kind, words) in &org_patterns.kind_after {
            let kind = leak(kind);
            free.extend(
                words
                    .iter()
                    .map(|w| (w.clone(), Tag::NameAfter { kind: Some(kind) })),
            );
        }
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
                local_currency: f.local_currency.as_deref().map(leak),
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
            let implied = [
                (Period::OneTime, &f.period.implied.one_time),
                (Period::Monthly, &f.period.implied.monthly),
                (Period::Yearly, &f.period.implied.yearly),
            ];
            for (p, words) in implied {
                free.extend(words.iter().map(|w| (w.clone(), Tag::ImpliedPeriod(p))));
            }
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
            free.extend(
                f.attributive
                    .heads
                    .iter()
                    .map(|w| (w.clone(), Tag::Attributive)),
            );
            genitives.extend(f.attributive.genitives.iter().map(|w| w.to_lowercase()));

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
            let glued = |w: &String| {
                w.chars().count() >= 3 && !w.is_ascii() && w.chars().all(super::text::is_word_char)
            };
            glued_bounds.extend(
                (f.bound.max_after.iter().filter(|w| glued(w)))
                    .map(|w| (w.to_lowercase(), true))
                    .chain(
                        (f.bound.min_after.iter().filter(|w| glued(w)))
                            .map(|w| (w.to_lowercase(), false)),
                    )
                    .map(|(w, max)| {
                        let n = w.chars().count();
                        (w, max, n)
                    }),
            );
            conjunctions.extend(f.range.conjunctions.iter().map(|j| j.to_lowercase()));
            free.extend(
                f.range
                    .between_before
                    .iter()
                    .map(|w| (w.clone(), Tag::Between { before: true })),
            );
            free.extend(
                f.range
                    .between_after
                    .iter()
                    .map(|w| (w.clone(), Tag::Between { before: false })),
            );
            free.extend(f.bound.change.iter().map(|w| (w.clone(), Tag::Change)));
            max_suffixes.extend(f.bound.max_suffix.iter().map(|w| w.to_lowercase()));
            range_suffixes.extend(f.bound.range_suffix.iter().map(|w| w.to_lowercase()));
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
        // The text's shadow reads a left quote as a right one and a backtick as an apostrophe
        // (`text::Lowered`): so do the phrases, and «so‘m», «Qirg‘iziston» match however the
        // turned comma is written.
        fn fold<P>((phrase, payload): (String, P)) -> (String, P) {
            (
                phrase.replace('\u{2018}', "\u{2019}").replace('`', "'"),
                payload,
            )
        }
        let (signal_keys, families, ids) = signals::index(&signals);
        let glued_joiners = joiners
            .iter()
            .map(|j: &String| (j.clone(), j.chars().count()))
            .filter(|(j, n)| *n >= 3 && !j.is_ascii() && j.chars().all(super::text::is_word_char))
            .collect();
        let longest_joiner = joiners.iter().chain(&conjunctions).map(String::len).max();
        Ok(Lexicon {
            letters,
            langs,
            free: PhraseSet::new(free.into_iter().map(fold))?,
            after: PhraseSet::new(after.into_iter().map(fold))?,
            before: PhraseSet::new(before.into_iter().map(fold))?,
            joiners,
            glued_bounds,
            conjunctions,
            longest_joiner: longest_joiner.unwrap_or(0),
            glued_joiners,
            max_suffixes,
            range_suffixes,
            genitives,
            signals,
            signal_index,
            signal_keys,
            families,
            ids,
            org_of_country,
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
