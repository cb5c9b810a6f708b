//! Which rupee a text means: Indian unless it names one other rupee country or a place in one,
//! and Nepalese in a text written in Nepali unless the amount itself says Indian.

use super::usd_value;
use crate::lexicon::{GazetteerEntry, Lexicon, Tag};
use crate::phrase::PhraseHit;
use crate::PaymentOffer;

/// Rupees in a text written in Nepali are Nepalese, unless the amount itself says Indian
/// ("₹", "INR", "भारु", "भारतीय रुपैयाँ").
pub(crate) fn rupees_of_nepali(text: &str, offers: &mut [PaymentOffer], lex: &Lexicon) {
    const INDIAN: [&str; 5] = ["₹", "inr", "भारु", "भा.रु", "भारतीय"];
    for o in offers.iter_mut().filter(|o| o.currency == "INR") {
        let written = text.get(o.start..o.end).unwrap_or("").to_lowercase();
        if !INDIAN.iter().any(|w| written.contains(w)) {
            o.currency = "NPR";
            o.usd = usd_value(o.value, "NPR", lex);
        }
    }
}

/// Rupees are Indian unless the text names one other rupee country (Nepal, Pakistan, Sri Lanka)
/// or a place in one ("Kathmandu").
pub(super) fn rupee_of_country(hits: &[PhraseHit], lex: &Lexicon) -> Option<&'static str> {
    let mut found: Option<&'static str> = None;
    for h in hits {
        let rupee = match *lex.free.payload(h.id) {
            Tag::Country(i) | Tag::CountryHint(i) => lex.rupees.of_country[i],
            Tag::Region(i) => lex.rupees.of_region[i],
            _ => None,
        };
        match (rupee, found) {
            (None, _) => {}
            (Some("INR"), _) => return None,
            (Some(r), Some(f)) if f != r => return None,
            (Some(r), _) => found = Some(r),
        }
    }
    found
}

/// The rupee each country and each region's country pays in, if any: read for every text
/// that names one, so worked out once with the lexicon.
pub(crate) struct Rupees {
    pub of_country: Vec<Option<&'static str>>,
    pub of_region: Vec<Option<&'static str>>,
}

impl Rupees {
    pub(crate) fn new(countries: &[GazetteerEntry], regions: &[GazetteerEntry]) -> Rupees {
        const RUPEES: [&str; 4] = ["INR", "NPR", "PKR", "LKR"];
        let rupee = |currency: Option<&str>| RUPEES.iter().find(|&&r| Some(r) == currency).copied();
        let of_country: Vec<Option<&'static str>> = countries
            .iter()
            .map(|c| rupee(c.currency.as_deref()))
            .collect();
        // A region's country is the first rupee country with its code.
        let rupee_countries: Vec<(&str, &'static str)> = countries
            .iter()
            .zip(&of_country)
            .filter_map(|(c, r)| Some((c.code.as_deref()?, (*r)?)))
            .collect();
        let of_region = regions
            .iter()
            .map(|r| {
                let code = r.country.as_deref()?;
                rupee_countries
                    .iter()
                    .find(|(c, _)| *c == code)
                    .map(|&(_, r)| r)
            })
            .collect();
        Rupees {
            of_country,
            of_region,
        }
    }
}
