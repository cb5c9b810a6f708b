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

/// Signals, label and risk from what was found.
pub(crate) fn classify(hits: &[PhraseHit], lex: &'static Lexicon, x: &mut Extraction) {
    let mut found: Vec<usize> = Vec::new();
    fn push(found: &mut Vec<usize>, i: Option<usize>) {
        if let Some(i) = i {
            if !found.contains(&i) {
                found.push(i);
            }
        }
    }
    for h in hits {
        if let Tag::Signal(i) = *lex.free.payload(h.id) {
            push(&mut found, Some(i));
        }
    }
    let mut military_org = false;
    let mut russian_military = false;
    for h in hits {
        if let Tag::Org(i) = *lex.free.payload(h.id) {
            let org = &lex.orgs[i];
            if org.military {
                military_org = true;
                russian_military |= org.country.as_deref().is_none_or(|c| c == "RU");
                push(&mut found, lex.signal("computed_military_org"));
            }
            if org.recruiter {
                push(&mut found, lex.signal("computed_recruiter_org"));
            }
        }
    }
    let has_offer = !x.amounts.is_empty();
    if has_offer {
        push(&mut found, lex.signal("computed_money_offer"));
    }
    let big_one_time = x
        .amounts
        .iter()
        .any(|a| a.period == Some(Period::OneTime) && a.usd.unwrap_or(0) >= 1000);
    if big_one_time {
        push(&mut found, lex.signal("computed_large_one_time"));
    }
    let high_pay = x.amounts.iter().any(|a| match a.period {
        Some(Period::Monthly) | None => a.usd.unwrap_or(0) >= 1500 && a.equivalent_of.is_none(),
        _ => false,
    });
    if high_pay {
        push(&mut found, lex.signal("computed_high_pay"));
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
        push(&mut found, lex.signal("computed_contacts"));
    }
    let id_of = |name: &str| lex.signal(name);
    let has_in = |found: &[usize], name: &str| id_of(name).is_some_and(|i| found.contains(&i));
    let contract = has_in(&found, "military_contract");
    // For a reader outside Russia, the Russian army is a foreign army.
    if russian_military && (contract || has_offer) && x.language != Lang::Ru {
        push(&mut found, lex.signal("computed_foreign_army"));
    }

    let has = |name: &str| has_in(&found, name);
    let mut military = 0i32;
    let mut scam = 0i32;
    for &i in &found {
        let s = &lex.signals[i];
        match s.points_to.as_str() {
            "military" => military += s.weight,
            "scam" => scam += s.weight,
            "both" => {
                military += s.weight;
                scam += s.weight;
            }
            _ => {}
        }
    }
    // Money or a call to sign up, tied to the war, is as specific as naming an army.
    let military_specific =
        contract || military_org || (has("war_zone") && (has("recruitment_call") || has_offer));
    let news = has("warning") || has("mobilisation");
    // A civilian job that ends in the army, or a warning about such jobs, is a scam first.
    let deceptive = (has("deception") || (has("warning") && (has("abroad") || has("travel_paid"))))
        && scam >= 30;
    if news && !has_offer {
        military -= 30;
        scam -= 20;
    }
    if has("mobilisation") {
        military -= 15;
    }
    let label = if deceptive {
        Label::ScamJob
    } else if military_specific && military >= 45 {
        Label::MilitaryRecruitment
    } else if scam >= 40 && (has_offer || has("recruitment_call") || has("warning")) {
        Label::ScamJob
    } else {
        Label::Benign
    };
    let risk = match label {
        Label::MilitaryRecruitment => military,
        Label::ScamJob => scam,
        Label::Benign => military.max(scam).min(30),
    };
    x.label = label;
    x.risk = risk.clamp(0, 100) as u8;
    found.sort_by_key(|&i| std::cmp::Reverse(lex.signals[i].weight));
    x.signals = found
        .into_iter()
        .filter(|&i| lex.signals[i].points_to != "news" || news)
        .map(|i| {
            let s = &lex.signals[i];
            Signal {
                id: s.id.as_str(),
                weight: s.weight,
                explain: s.explain.get("en").map_or("", String::as_str),
            }
        })
        .collect();
}
