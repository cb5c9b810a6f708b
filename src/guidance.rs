//! Reporting guidance per country and language, from `data/guidance/` (facts with sources in
//! `data/guidance/SOURCES.md`).

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde::Deserialize;

use crate::extract::Lang;

const COUNTRIES: [(&str, &str); 9] = [
    ("KZ", include_str!("../data/guidance/kz.toml")),
    ("UZ", include_str!("../data/guidance/uz.toml")),
    ("KG", include_str!("../data/guidance/kg.toml")),
    ("TJ", include_str!("../data/guidance/tj.toml")),
    ("AM", include_str!("../data/guidance/am.toml")),
    ("RU", include_str!("../data/guidance/ru.toml")),
    ("NP", include_str!("../data/guidance/np.toml")),
    ("IN", include_str!("../data/guidance/in.toml")),
    ("general", include_str!("../data/guidance/general.toml")),
];
const COMMON: &str = include_str!("../data/guidance/common.toml");

/// The countries a citizen can choose, in the order the buttons show them.
pub const COUNTRY_CODES: [&str; 9] = ["KZ", "UZ", "KG", "TJ", "AM", "RU", "NP", "IN", "general"];

#[derive(Deserialize, Debug, Clone)]
struct CountryFile {
    name: BTreeMap<String, String>,
    /// The country's own languages (none for the general text).
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    sources: Vec<Source>,
    text: BTreeMap<String, CountryText>,
}

#[derive(Deserialize, Debug, Clone)]
struct Source {
    url: String,
}

#[derive(Deserialize, Debug, Clone)]
pub struct CountryText {
    pub law: String,
    pub report: Vec<String>,
    pub if_contacted: String,
}

#[derive(Deserialize, Debug, Clone)]
struct CommonFile {
    text: BTreeMap<String, CommonText>,
}

#[derive(Deserialize, Debug, Clone)]
pub struct CommonText {
    pub evidence: Vec<String>,
    pub platforms: Vec<String>,
    pub safety: Vec<String>,
}

struct Data {
    countries: HashMap<&'static str, CountryFile>,
    common: CommonFile,
}

static DATA: LazyLock<Result<Data, String>> = LazyLock::new(|| {
    let mut countries = HashMap::new();
    for (code, src) in COUNTRIES {
        let f: CountryFile =
            toml::from_str(src).map_err(|e| format!("data/guidance/{code}: {e}"))?;
        countries.insert(code, f);
    }
    let common: CommonFile =
        toml::from_str(COMMON).map_err(|e| format!("data/guidance/common.toml: {e}"))?;
    Ok(Data { countries, common })
});

/// The guidance a citizen of `country` reads in `lang`.
#[derive(Debug, Clone)]
pub struct Guidance {
    pub country_name: String,
    /// The addresses that back the country's text, in the file's order.
    pub sources: Vec<String>,
    pub country: CountryText,
    pub common: CommonText,
}

fn pick<T>(map: &BTreeMap<String, T>, lang: Lang) -> Option<&T> {
    map.get(lang.code()).or_else(|| map.get("en"))
}

/// Guidance for a country code (`KZ`, …, or anything else for the general text).
pub fn guidance(country: &str, lang: Lang) -> Option<Guidance> {
    let data = DATA.as_ref().ok()?;
    let file = data
        .countries
        .get(country)
        .or_else(|| data.countries.get("general"))?;
    Some(Guidance {
        country_name: pick(&file.name, lang)
            .cloned()
            .unwrap_or_else(|| country.to_string()),
        sources: file.sources.iter().map(|s| s.url.clone()).collect(),
        country: pick(&file.text, lang)?.clone(),
        common: pick(&data.common.text, lang)?.clone(),
    })
}

/// The other languages a country's guidance is offered in, besides `lang`: the country's own,
/// then Russian and English (recruiters and migrants read Russian; English is the fallback).
pub fn other_languages(country: &str, lang: Lang) -> Vec<Lang> {
    let own = DATA
        .as_ref()
        .ok()
        .and_then(|d| d.countries.get(country))
        .map(|f| f.languages.as_slice())
        .unwrap_or_default();
    let mut out: Vec<Lang> = Vec::new();
    for l in own
        .iter()
        .filter_map(|c| Lang::from_code(c))
        .chain([Lang::Ru, Lang::En])
    {
        if l != lang && !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// The name of a country in a language, for buttons.
pub fn country_name(code: &str, lang: Lang) -> String {
    DATA.as_ref()
        .ok()
        .and_then(|d| d.countries.get(code))
        .and_then(|f| pick(&f.name, lang).cloned())
        .unwrap_or_else(|| code.to_string())
}

/// Whether a country code is one the bot knows.
pub fn is_known(code: &str) -> bool {
    COUNTRY_CODES.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every language's code, sorted as a table's keys are.
    fn all_codes() -> Vec<&'static str> {
        let mut codes = Lang::ALL.map(Lang::code).to_vec();
        codes.sort_unstable();
        codes
    }

    fn keys<T>(map: &BTreeMap<String, T>) -> Vec<&str> {
        map.keys().map(String::as_str).collect()
    }

    /// Web addresses and e-mails in a text: runs of ASCII letters, digits and `@._/-` with an `@`
    /// or a dot between two parts ("cybercrime.gov.in", "t.me/...", "abuse@telegram.org").
    fn addresses(text: &str) -> Vec<&str> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || "@._/-".contains(c)))
            .map(|w| w.trim_matches(|c| c == '.' || c == '-' || c == '/'))
            .filter(|w| {
                (w.contains('@') && !w.starts_with('@'))
                    || w.split('.').filter(|p| !p.is_empty()).count() > 1
            })
            .collect()
    }

    /// The numbers in a text, Devanagari and Arabic-Indic digits read as ASCII ones.
    fn numbers(text: &str) -> std::collections::BTreeSet<String> {
        let ascii: String = text
            .chars()
            .map(|c| match c {
                '\u{0966}'..='\u{096F}' => char::from_digit(u32::from(c) - 0x0966, 10).unwrap_or(c),
                '\u{0660}'..='\u{0669}' => char::from_digit(u32::from(c) - 0x0660, 10).unwrap_or(c),
                _ => c,
            })
            .collect();
        ascii
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// A translation keeps the English text's addresses, phone numbers, articles, years and terms.
    fn keeps(en: &str, text: &str, at: &str) {
        for a in addresses(en) {
            assert!(text.contains(a), "{at} lacks {a}: {text}");
        }
        let lacking: Vec<_> = numbers(en).difference(&numbers(text)).cloned().collect();
        assert!(lacking.is_empty(), "{at} lacks {lacking:?}: {text}");
    }

    /// Each country's own text in every language the bot speaks (no falling back to English),
    /// its name in every one, and the same steps, addresses and numbers as the English text.
    #[test]
    fn every_country_has_its_own_guidance_and_name_in_every_language() {
        let data = DATA.as_ref().unwrap_or_else(|e| panic!("{e}"));
        let all = all_codes();
        for code in COUNTRY_CODES {
            let file = &data.countries[code];
            assert_eq!(
                keys(&file.text),
                all,
                "{code}: one [text.LANG] per language"
            );
            assert_eq!(keys(&file.name), all, "{code}: a name per language");
            let en = &file.text["en"];
            for lang in Lang::ALL {
                let at = format!("{code} {}", lang.code());
                let text = &file.text[lang.code()];
                assert!(!text.law.trim().is_empty() && !text.if_contacted.trim().is_empty());
                assert!(!file.name[lang.code()].trim().is_empty(), "{at} name");
                assert_eq!(text.report.len(), en.report.len(), "{at} report steps");
                for (i, (e, t)) in en.report.iter().zip(&text.report).enumerate() {
                    assert!(!t.trim().is_empty(), "{at} report[{i}]");
                    keeps(e, t, &format!("{at} report[{i}]"));
                }
                keeps(&en.law, &text.law, &format!("{at} law"));
                keeps(
                    &en.if_contacted,
                    &text.if_contacted,
                    &format!("{at} if_contacted"),
                );
                let g = guidance(code, lang).unwrap_or_else(|| panic!("{at}"));
                assert_eq!(g.country.law, text.law, "{at}");
                assert_eq!(g.country_name, file.name[lang.code()], "{at}");
                assert_eq!(country_name(code, lang), file.name[lang.code()], "{at}");
            }
        }
    }

    #[test]
    fn a_country_offers_its_own_language_then_russian_and_english_and_never_the_current_one() {
        assert_eq!(other_languages("KG", Lang::Ky), [Lang::Ru, Lang::En]);
        assert_eq!(other_languages("KG", Lang::Ru), [Lang::Ky, Lang::En]);
        assert_eq!(
            other_languages("NP", Lang::Hi),
            [Lang::Ne, Lang::Ru, Lang::En]
        );
        assert_eq!(other_languages("RU", Lang::Ru), [Lang::En]);
        assert_eq!(other_languages("general", Lang::Ar), [Lang::Ru, Lang::En]);
        assert_eq!(other_languages("nowhere", Lang::En), [Lang::Ru]);
    }

    #[test]
    fn every_country_but_the_general_text_names_its_languages_and_its_sources() {
        let data = DATA.as_ref().unwrap();
        for code in COUNTRY_CODES {
            let file = &data.countries[code];
            assert!(!file.sources.is_empty(), "{code} has sources");
            assert!(
                file.sources
                    .iter()
                    .all(|s| s.url.starts_with("https://") || s.url.starts_with("http://")),
                "{code}: sources are web addresses"
            );
            if code != "general" {
                assert!(
                    !file.languages.is_empty()
                        && file.languages.iter().all(|l| Lang::from_code(l).is_some()),
                    "{code}: {:?}",
                    file.languages
                );
            }
        }
    }

    #[test]
    fn the_common_guidance_is_in_every_language_with_every_line() {
        let data = DATA.as_ref().unwrap_or_else(|e| panic!("{e}"));
        let common = &data.common.text;
        assert_eq!(keys(common), all_codes());
        let en = &common["en"];
        for lang in Lang::ALL {
            let text = &common[lang.code()];
            for (part, e, t) in [
                ("evidence", &en.evidence, &text.evidence),
                ("platforms", &en.platforms, &text.platforms),
                ("safety", &en.safety, &text.safety),
            ] {
                let at = format!("common {} {part}", lang.code());
                assert_eq!(t.len(), e.len(), "{at}");
                for (i, (e, t)) in e.iter().zip(t).enumerate() {
                    keeps(e, t, &format!("{at}[{i}]"));
                }
            }
        }
    }

    #[test]
    fn addresses_and_numbers_are_read_in_any_script() {
        assert_eq!(
            addresses(
                "Portal: cybercrime.gov.in, the t.me/... post, abuse@telegram.org; @NoToScam. Act."
            ),
            ["cybercrime.gov.in", "t.me", "abuse@telegram.org"]
        );
        assert_eq!(numbers("धारा १७२, 5 देखि ९"), numbers("Article 172, 5 to 9"));
    }
}
