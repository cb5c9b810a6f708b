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

    #[test]
    fn every_country_has_guidance_in_every_language() {
        assert!(DATA.as_ref().is_ok(), "{:?}", DATA.as_ref().err());
        for code in COUNTRY_CODES {
            for lang in Lang::ALL {
                let g = guidance(code, lang).unwrap_or_else(|| panic!("{code} {lang:?}"));
                assert!(!g.country.law.is_empty() && !g.country.report.is_empty());
                assert!(!g.common.evidence.is_empty());
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
}
