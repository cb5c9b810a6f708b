//! The language of a text, its risk signals, its label and its risk score.

use std::collections::BTreeMap;

use super::lexicon::{Lexicon, Tag};
use super::phrase::PhraseHit;
use super::text::Lowered;
use super::{EntityKind, Extraction, Label, Lang, Period, Signal};

/// The language a text is written in: its main script first, then the letters and the frequent
/// words that tell the languages of that script apart.
///
/// A letter that only one language lists (Kazakh "і", Tajik "ӣ") weighs 3; one that several
/// list (Kazakh and Kyrgyz "ң") weighs 1 for each, and the frequent words decide between them.
pub(crate) fn language(low: &Lowered, hits: &[PhraseHit], lex: &Lexicon) -> Lang {
    let mut score: BTreeMap<Lang, usize> = BTreeMap::new();
    for lang in Lang::ALL {
        let n = 3 * low.own_letters[lang as usize] + low.shared_letters[lang as usize];
        if n > 0 {
            score.insert(lang, n);
        }
    }
    let script = main_script(low);
    // Uzbek Latin oʻ and gʻ with any apostrophe («ko‘ra», «so`m»): a letter of its own.
    if low.turned_og > 0 {
        *score.entry(Lang::Uz).or_default() += 2 * low.turned_og;
    }
    for h in hits {
        if let Tag::LangWord(l) = *lex.free.payload(h.id) {
            *score.entry(l).or_default() += 2;
        }
    }
    // Which languages a script can be: the `script` line of each language file.
    let info = |l: Lang| lex.langs.iter().find(|i| i.lang == l);
    let fits = |l: Lang| info(l).is_some_and(|i| i.scripts.iter().any(|s| s == script));
    let default = match script {
        "arab" => Lang::Ar,
        "cyrl" => Lang::Ru,
        "armn" => Lang::Hy,
        "deva" => Lang::Hi,
        _ => Lang::En,
    };
    // Of two languages that score alike, the one with fewer tell-tale letters: Kyrgyz text has
    // Kazakh's "ң ө ү" but none of its "і ә ұ".
    let listed = |l: Lang| info(l).map_or(0, |i| i.letters.len());
    let best = score
        .iter()
        .filter(|(l, _)| fits(**l))
        .max_by_key(|(l, s)| (**s, **l == default, std::cmp::Reverse(listed(**l))))
        .filter(|(_, s)| **s > 0);
    // Russian, English and Arabic text quotes names from the others: a few letters must not
    // outvote it. Hindi and Nepali share a script and borrow no names from each other.
    let margin = if script == "deva" { 0 } else { 2 };
    match best {
        Some((&l, &s)) if l != default => {
            let d = score.get(&default).copied().unwrap_or(0);
            if s > d + margin {
                l
            } else {
                default
            }
        }
        Some((&l, _)) => l,
        None => default,
    }
}

/// The script most of the text's letters are in (`cyrl`, `arab`, `latn`, `armn`, `deva`).
fn main_script(low: &Lowered) -> &'static str {
    let (cyrl, arab, latn) = (low.cyrillic, low.arabic, low.latin);
    let (armn, deva) = (low.armenian, low.devanagari);
    let others = cyrl.max(arab).max(latn);
    if armn > others && armn >= deva {
        "armn"
    } else if deva > others && deva > armn {
        "deva"
    } else if arab > cyrl && arab > latn {
        "arab"
    } else if cyrl >= latn && cyrl > 0 {
        "cyrl"
    } else {
        "latn"
    }
}

/// A signal found in the text, and where (`None` for signals computed from the whole text).
struct Found {
    signal: usize,
    at: Option<usize>,
}

/// Signals, label and risk from what was found.
///
/// A label needs evidence families to co-occur (the families are in `data/signals.toml`); one
/// phrase never decides. Signs are counted once however often their words repeat.
/// - `military_recruitment`: armed service or a military body, together with an offer (money, a
///   contract, a call to join, a contact, citizenship, benefits).
/// - `scam_job`: a civilian job with signs of deceit that co-occur, two acts of a deceiver
///   (fees, a middleman, false promises, documents taken) around armed service, or a warning
///   about a job with a sign of deceit.
/// - `benign` otherwise.
pub(crate) fn classify(hits: &[PhraseHit], lex: &'static Lexicon, x: &mut Extraction) {
    // Signals, families and signs by number (`Lexicon::signal_keys`): no string is compared.
    let keys = &lex.signal_keys;
    let fam = &lex.families;
    let ids = &lex.ids;
    let mut found: Vec<Found> = Vec::with_capacity(hits.len());
    let mut russian_military = false;
    for h in hits {
        match *lex.free.payload(h.id) {
            Tag::Signal(i) => found.push(Found {
                signal: i,
                at: Some(h.start),
            }),
            Tag::Org(i) => {
                let org = &lex.orgs[i];
                if org.military {
                    russian_military |= org.country.as_deref().is_none_or(|c| c == "RU");
                    if let Some(s) = ids.computed_military_org {
                        found.push(Found {
                            signal: s,
                            at: Some(h.start),
                        });
                    }
                }
                if org.recruiter {
                    if let Some(s) = ids.computed_recruiter_org {
                        found.push(Found {
                            signal: s,
                            at: Some(h.start),
                        });
                    }
                }
            }
            _ => {}
        }
    }
    // Phrases that are ambiguous alone count only near a word of the families they need.
    let positions = |family: u8| -> Vec<usize> {
        found
            .iter()
            .filter(|f| keys[f.signal].family == family)
            .filter_map(|f| f.at)
            .collect()
    };
    let mut near_cache: Vec<Option<Vec<usize>>> = Vec::new();
    let mut kept: Vec<usize> = Vec::with_capacity(16);
    for f in &found {
        let def = &keys[f.signal];
        let counts = match (def.near.is_empty(), f.at) {
            (true, _) | (false, None) => true,
            (false, Some(at)) => def.near.iter().any(|&family| {
                if near_cache.is_empty() {
                    near_cache.resize(fam.count, None);
                }
                let list = near_cache[usize::from(family)].get_or_insert_with(|| positions(family));
                // Positions are in the order of the hits, which are sorted by start.
                let from = at.saturating_sub(def.within);
                let i = list.partition_point(|&p| p < from);
                list.get(i).is_some_and(|&p| p <= at + def.within)
            }),
        };
        if counts && !kept.contains(&f.signal) {
            kept.push(f.signal);
        }
    }
    let add = |kept: &mut Vec<usize>, id: Option<usize>| {
        if let Some(i) = id {
            if !kept.contains(&i) {
                kept.push(i);
            }
        }
    };
    let has_in = |kept: &[usize], id: Option<usize>| id.is_some_and(|i| kept.contains(&i));

    // Money is an offer when the text speaks of pay: a war that costs $300 million a day and a
    // budget of 13 trillion a year are amounts with periods, not offers.
    // "Promises high salaries" offers money without a figure.
    if (!x.amounts.is_empty() && has_in(&kept, ids.pay)) || has_in(&kept, ids.high_pay) {
        add(&mut kept, ids.computed_money_offer);
    }
    if x.amounts
        .iter()
        .any(|a| a.period == Some(Period::OneTime) && a.usd.unwrap_or(0) >= 1000)
    {
        add(&mut kept, ids.computed_large_one_time);
    }
    if x.amounts.iter().any(|a| match a.period {
        Some(Period::Monthly) | None => a.usd.unwrap_or(0) >= 1500 && a.equivalent_of.is_none(),
        _ => false,
    }) {
        add(&mut kept, ids.computed_high_pay);
    }
    if x.entities.iter().any(|e| {
        matches!(
            e.kind,
            EntityKind::Phone
                | EntityKind::Url
                | EntityKind::Telegram
                | EntityKind::Handle
                | EntityKind::Email
        )
    }) {
        add(&mut kept, ids.computed_contacts);
    }

    let signs = |kept: &[usize], family: u8| -> usize {
        let mut seen: Vec<u32> = Vec::new();
        for &i in kept {
            let s = &keys[i];
            if s.family == family && !seen.contains(&s.sign) {
                seen.push(s.sign);
            }
        }
        seen.len()
    };
    let military = signs(&kept, fam.military) > 0;
    let job = signs(&kept, fam.job) > 0;
    if military && job {
        add(&mut kept, ids.computed_military_in_job);
    }
    let offers = signs(&kept, fam.offer);
    // For a reader outside Russia, the Russian army is a foreign army.
    if russian_military && offers > 0 && x.language != Lang::Ru {
        add(&mut kept, ids.computed_foreign_army);
    }
    let lures = signs(&kept, fam.lure);
    let away = has_in(&kept, ids.abroad);
    let deceits = signs(&kept, fam.deceit);
    // What a deceiver does (a lie, a disguise, a fee, a middleman, documents taken), apart from
    // the military word in a job: pay far above the usual alone does not make that a lie, armies
    // pay more than guards.
    let conduct = deceits - usize::from(has_in(&kept, ids.computed_military_in_job));
    let warned = has_in(&kept, ids.warning);
    let news = warned || has_in(&kept, ids.mobilisation);
    let money =
        has_in(&kept, ids.computed_money_offer) || has_in(&kept, ids.computed_large_one_time);
    // Offers that only recruitment makes: money and benefits are also paid to veterans.
    let binding = offers
        - usize::from(money)
        - usize::from(has_in(&kept, ids.benefits))
        - usize::from(has_in(&kept, ids.service_pay));
    let past = signs(&kept, fam.history) > 0;

    let scam =
        // A civilian job with a deceiver's act and one more sign, or with three signs.
        (job && conduct >= 1 && deceits + lures >= 2)
        || (job && deceits + lures >= 3)
        // A deceiver's act around going abroad, with a second act, or in a
        // warning about an offer: a fee taken for sending people to work abroad, trafficking
        // and a false promise, fake contracts pressed on migrants. (Pay far above the usual is
        // no such lure: a fraud over a state grant is no job scam; a tour operator's fraud
        // offers nothing.)
        || (conduct >= 1 && away && (conduct >= 2 || (news && offers >= 1)))
        // Guard or construction work with a military word and no pay offered: the usual cover
        // ("military construction sites", "service in the rear").
        || (has_in(&kept, ids.security_job) && has_in(&kept, ids.computed_military_in_job) && !money)
        // Two acts of a deceiver around armed service: a trafficker's fee and a middleman.
        || (military && conduct >= 2)
        // A deceiver's act that brings people to armed service from abroad, or a report of
        // one, with no pay offered: men trapped, taken to Russia and made to sign; a
        // trafficking ring arrested. (With pay offered, "lured by the salaries" is recruitment.)
        || (military && conduct >= 1 && !money && (lures >= 1 || news))
        // A warning about a job that has a sign of deceit.
        || (warned && job && deceits + lures >= 1);
    // Armed service with an offer; a report of conscription or a warning needs money or two
    // offers, and money paid for past service (veterans) needs an offer only recruitment makes.
    // A contract with a large one-time payment in roubles and no civilian job is the signing
    // bonus Russia's army pays ("a one-time payment of 3 000 000 roubles to those who sign");
    // a club's signing bonus in dollars is not.
    let rouble_bonus = x.amounts.iter().any(|a| {
        a.period == Some(Period::OneTime) && a.currency == "RUB" && a.usd.unwrap_or(0) >= 1000
    });
    let signing_bonus = !job && has_in(&kept, ids.contract) && rouble_bonus;
    let recruitment = (military || signing_bonus)
        && offers >= 1
        && (money || !news || offers >= 2)
        && (!past || binding >= 1);
    let label = if scam {
        Label::ScamJob
    } else if recruitment {
        Label::MilitaryRecruitment
    } else {
        Label::Benign
    };
    let weight = |families: &[u8]| -> i32 {
        kept.iter()
            .filter(|&&i| families.contains(&keys[i].family))
            .map(|&i| lex.signals[i].weight)
            .sum()
    };
    let risk = match label {
        Label::MilitaryRecruitment => weight(&[fam.military, fam.offer]),
        Label::ScamJob => weight(&[fam.job, fam.lure, fam.deceit, fam.offer, fam.military]),
        Label::Benign => weight(&[fam.military, fam.offer, fam.job, fam.lure, fam.deceit]).min(30),
    };
    x.label = label;
    x.risk = risk.clamp(0, 100) as u8;
    kept.sort_by_key(|&i| std::cmp::Reverse(lex.signals[i].weight));
    x.signals = kept
        .into_iter()
        .filter(|&i| keys[i].family != fam.news || news)
        .map(|i| Signal {
            id: lex.signals[i].id.as_str(),
            weight: lex.signals[i].weight,
            explain: keys[i].explain_en,
        })
        .collect();
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
