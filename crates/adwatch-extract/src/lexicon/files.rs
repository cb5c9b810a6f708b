//! The data files' formats, as serde reads them, and the files themselves, compiled in.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::Lang;

pub(super) const LANG_FILES: [(Lang, &str); 10] = [
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
pub(super) const SIGNALS: &str = include_str!("../../data/signals.toml");
pub(super) const RATES: &str = include_str!("../../data/rates.toml");
pub(super) const REGIONS: &str = include_str!("../../data/gazetteer/regions.toml");
pub(super) const COUNTRIES: &str = include_str!("../../data/gazetteer/countries.toml");
pub(super) const ORGS: &str = include_str!("../../data/gazetteer/orgs.toml");
/// Cities and subdivisions built by `scripts/build_places.py` from GeoNames and iso-codes.
pub(super) const PLACES: &str = include_str!("../../data/gazetteer/places.toml");
pub(super) const COUNTRIES_ISO: &str = include_str!("../../data/gazetteer/countries_iso.toml");
/// Words that name an organisation written next to them («ООО «…»», "… agentligi").
pub(super) const ORG_PATTERNS: &str = include_str!("../../data/gazetteer/org_patterns.toml");

#[derive(Deserialize)]
pub(super) struct LangFile {
    pub(super) script: String,
    pub(super) letters: String,
    pub(super) words: Vec<String>,
    #[serde(default)]
    pub(super) approx: Vec<String>,
    /// The currency of an amount that names none but stands next to a pay noun ("тлаб ५० हजार").
    #[serde(default)]
    pub(super) local_currency: Option<String>,
    #[serde(default)]
    pub(super) legal_forms: Vec<String>,
    #[serde(default)]
    pub(super) org_heads: Vec<String>,
    /// Words after which a country's bare name is an attribute, not the country ("Rossiya
    /// fuqaroligi", Russian citizenship): as an adjective would be, it is no entity.
    #[serde(default)]
    pub(super) attributive: Attributive,
    pub(super) currency: CurrencyWords,
    pub(super) multiplier: BTreeMap<String, u64>,
    pub(super) period: PeriodWords,
    pub(super) bound: BoundWords,
    pub(super) range: RangeWords,
    #[serde(default)]
    pub(super) numbers: BTreeMap<String, f64>,
    /// Words before a number that add a fraction to it: "साढे १७ लाख" is 17.5 lakh.
    #[serde(default)]
    pub(super) plus_before: BTreeMap<String, f64>,
    pub(super) phone_context: PhoneContext,
    #[serde(default)]
    pub(super) platforms: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) signals: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize, Default)]
pub(super) struct Attributive {
    /// The words that follow the country's name ("fuqaro*", "tomon*").
    #[serde(default)]
    pub(super) heads: Vec<String>,
    /// Endings of a country's name that make it a genitive, which names the country ("of
    /// Russia"): «Rossiyaning fuqarolari» keeps it.
    #[serde(default)]
    pub(super) genitives: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct CurrencyWords {
    pub(super) after: BTreeMap<String, String>,
    #[serde(default)]
    pub(super) after_thousands: BTreeMap<String, String>,
    pub(super) before: BTreeMap<String, String>,
}

#[derive(Deserialize)]
pub(super) struct PeriodWords {
    pub(super) one_time: Vec<String>,
    pub(super) monthly: Vec<String>,
    pub(super) daily: Vec<String>,
    pub(super) yearly: Vec<String>,
    /// Pay by a period adwatch does not name ("per hour", "в неделю"): the amount has none.
    #[serde(default)]
    pub(super) other: Vec<String>,
    /// Nouns whose amounts have a period by the language's convention when no word says one
    /// (Russian «зарплата», Kazakh «жалақы», «зейнетақы» are quoted by the month).
    #[serde(default)]
    pub(super) implied: ImpliedPeriods,
}

#[derive(Deserialize, Default)]
pub(super) struct ImpliedPeriods {
    #[serde(default)]
    pub(super) one_time: Vec<String>,
    #[serde(default)]
    pub(super) monthly: Vec<String>,
    #[serde(default)]
    pub(super) yearly: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct BoundWords {
    pub(super) min_before: Vec<String>,
    pub(super) max_before: Vec<String>,
    pub(super) min_after: Vec<String>,
    pub(super) max_after: Vec<String>,
    /// Verbs of change: "до" after «подорожали», "to" after "rose" names the new value, not a
    /// maximum.
    #[serde(default)]
    pub(super) change: Vec<String>,
    /// Endings glued to a currency word that make it a maximum (Uzbek «12 ming dollargacha»).
    #[serde(default)]
    pub(super) max_suffix: Vec<String>,
    /// Endings glued to a currency word that open a range with a maximum right after it
    /// (Kazakh «150 000 теңгеден 300 000 теңгеге дейін», Uzbek «9 ming dollardan 12 ming
    /// dollargacha»); alone they may mean "each", so they make no bound by themselves.
    #[serde(default)]
    pub(super) range_suffix: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct RangeWords {
    pub(super) joiners: Vec<String>,
    /// "and", «و», «мен»: they join a range only after "between" («بين», "between") or
    /// before «аралығында»; otherwise they list two amounts ("a one-off payment of 195,000
    /// roubles and 204,000 roubles a month").
    #[serde(default)]
    pub(super) conjunctions: Vec<String>,
    #[serde(default)]
    pub(super) between_before: Vec<String>,
    #[serde(default)]
    pub(super) between_after: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct PhoneContext {
    pub(super) words: Vec<String>,
}

#[derive(Deserialize)]
pub(super) struct SignalFile {
    pub(super) signal: Vec<SignalDef>,
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
pub(super) struct RateFile {
    pub(super) date: String,
    pub(super) source: String,
    pub(super) per_usd: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
pub(super) struct GazetteerFile {
    pub(super) entry: Vec<GazetteerEntry>,
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
    /// What kind of body this is in every country ("Ministry of Defence"), for a name written
    /// without its country (`bare`).
    #[serde(default)]
    pub of: Option<String>,
    /// Forms that name the body without its country («Министерство обороны», "Mudofaa
    /// vazirligi»): it is the body of this kind of the country the text is about, when the text
    /// is about one that has it, else this entry.
    #[serde(default)]
    pub bare: bool,
    /// A one-word form counts only when the text writes it with a capital letter (generated
    /// places, many of which are also words or names somewhere).
    #[serde(default)]
    pub cased: bool,
    pub forms: Vec<String>,
}

/// `data/gazetteer/org_patterns.toml`: words that name an organisation next to them.
#[derive(Deserialize)]
pub(super) struct OrgPatternFile {
    /// Before a quoted or capitalised name: «ООО «Ромашка»», "recruitment agency Global Staff".
    pub(super) legal_forms: Vec<String>,
    /// Before a quoted name: «батальон «Тайга»».
    pub(super) before_name: Vec<String>,
    /// After a quoted or capitalised name: «Ромашка» МЧЖ, "Nur" agentligi, Acme LLC.
    pub(super) after_name: Vec<String>,
}
