//! The signals of `data/signals.toml` by number: their families, signs and neighbour families
//! as small numbers, and the numbers of the signals the code names, found once at start-up so
//! that reading a text compares numbers, not strings.

use super::{leak, SignalDef};

/// A family no signal has: equal to none.
const NONE: u8 = u8::MAX;

/// A signal's family, sign and the families it needs near it, as numbers.
pub struct SignalKey {
    pub family: u8,
    /// The same number for signals with the same sign (the sign, else the id).
    pub sign: u32,
    pub near: Vec<u8>,
    pub within: usize,
    /// The English sentence.
    pub explain_en: &'static str,
}

/// The numbers of the families the code reads (`NONE` for one no signal has).
pub struct Families {
    pub military: u8,
    pub job: u8,
    pub offer: u8,
    pub lure: u8,
    pub deceit: u8,
    pub history: u8,
    pub news: u8,
    /// How many families there are.
    pub count: usize,
}

/// The signals the code names, by number (`None` for one the data lacks).
pub struct SignalIds {
    pub computed_military_org: Option<usize>,
    pub computed_recruiter_org: Option<usize>,
    pub computed_money_offer: Option<usize>,
    pub computed_large_one_time: Option<usize>,
    pub computed_high_pay: Option<usize>,
    pub computed_contacts: Option<usize>,
    pub computed_military_in_job: Option<usize>,
    pub computed_foreign_army: Option<usize>,
    pub pay: Option<usize>,
    pub high_pay: Option<usize>,
    pub abroad: Option<usize>,
    pub warning: Option<usize>,
    pub mobilisation: Option<usize>,
    pub benefits: Option<usize>,
    pub service_pay: Option<usize>,
    pub security_job: Option<usize>,
    pub contract: Option<usize>,
    pub fees: Option<usize>,
    pub deception: Option<usize>,
    pub wages_withheld: Option<usize>,
    pub job_offer: Option<usize>,
    pub armed_service: Option<usize>,
}

/// The keys of `signals`, their families and the ids the code names.
pub fn index(signals: &[SignalDef]) -> (Vec<SignalKey>, Families, SignalIds) {
    let mut families: Vec<&str> = Vec::new();
    fn family_of<'a>(families: &mut Vec<&'a str>, name: &'a str) -> u8 {
        match families.iter().position(|f| *f == name) {
            Some(i) => i as u8,
            None => {
                families.push(name);
                (families.len() - 1) as u8
            }
        }
    }
    let mut signs: Vec<&str> = Vec::new();
    let mut keys = Vec::with_capacity(signals.len());
    for s in signals {
        let family = family_of(&mut families, &s.family);
        let near = s.near.iter().map(|f| family_of(&mut families, f)).collect();
        let sign_name = s.sign.as_deref().unwrap_or(s.id.as_str());
        let sign = match signs.iter().position(|x| *x == sign_name) {
            Some(i) => i as u32,
            None => {
                signs.push(sign_name);
                (signs.len() - 1) as u32
            }
        };
        let explain_en = s.explain.get("en").map_or("", |e| leak(e));
        keys.push(SignalKey {
            family,
            sign,
            near,
            within: s.within,
            explain_en,
        });
    }
    let known = |name: &str| {
        families
            .iter()
            .position(|f| *f == name)
            .map_or(NONE, |i| i as u8)
    };
    let fam = Families {
        military: known("military"),
        job: known("job"),
        offer: known("offer"),
        lure: known("lure"),
        deceit: known("deceit"),
        history: known("history"),
        news: known("news"),
        count: families.len(),
    };
    // The last signal of an id, as `Lexicon::signal` finds it.
    let id = |name: &str| signals.iter().rposition(|s| s.id == name);
    let ids = SignalIds {
        computed_military_org: id("computed_military_org"),
        computed_recruiter_org: id("computed_recruiter_org"),
        computed_money_offer: id("computed_money_offer"),
        computed_large_one_time: id("computed_large_one_time"),
        computed_high_pay: id("computed_high_pay"),
        computed_contacts: id("computed_contacts"),
        computed_military_in_job: id("computed_military_in_job"),
        computed_foreign_army: id("computed_foreign_army"),
        pay: id("pay"),
        high_pay: id("high_pay"),
        abroad: id("abroad"),
        warning: id("warning"),
        mobilisation: id("mobilisation"),
        benefits: id("benefits"),
        service_pay: id("service_pay"),
        security_job: id("security_job"),
        contract: id("contract"),
        fees: id("fees"),
        deception: id("deception"),
        wages_withheld: id("wages_withheld"),
        job_offer: id("job_offer"),
        armed_service: id("armed_service"),
    };
    (keys, fam, ids)
}
