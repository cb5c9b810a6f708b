//! The annotated corpus (`tests/fixtures/*.jsonl`, format in `tests/fixtures/README.md`) and a
//! scorer that compares the engine with it the way the README describes.

use serde::Deserialize;

#[derive(Deserialize, Debug, Clone)]
pub struct Item {
    pub id: String,
    pub lang: String,
    #[serde(default)]
    pub label: Option<String>,
    pub text: String,
    #[serde(default)]
    pub amounts: Vec<Amount>,
    #[serde(default)]
    pub entities: Vec<Entity>,
}

#[derive(Deserialize, Debug, Clone)]
pub struct Amount {
    pub value: f64,
    #[serde(default)]
    pub value_max: Option<f64>,
    pub currency: String,
    /// Absent in the number-form file; `null` means "the text does not say".
    #[serde(default, deserialize_with = "present")]
    pub period: Option<Option<String>>,
    /// `min`, `max` or `null`; absent in the number-form file.
    #[serde(default, deserialize_with = "present")]
    pub bound: Option<Option<String>>,
}

#[derive(Deserialize, Debug, Clone)]
pub struct Entity {
    pub kind: String,
    pub normalized: String,
    #[serde(default)]
    pub optional: bool,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

pub fn load(name: &str) -> Vec<Item> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{path}: {e}: {l}")))
        .collect()
}

/// Expected amounts with ranges written as `value`..`value_max` split in two: the lower end
/// an "at least", the upper an "up to".
pub fn expected_amounts(item: &Item) -> Vec<Amount> {
    item.amounts
        .iter()
        .flat_map(|a| match a.value_max {
            None => vec![a.clone()],
            Some(max) => vec![
                Amount {
                    value_max: None,
                    bound: Some(Some("min".into())),
                    ..a.clone()
                },
                Amount {
                    value: max,
                    value_max: None,
                    bound: Some(Some("max".into())),
                    ..a.clone()
                },
            ],
        })
        .collect()
}

/// Which entity kinds a file's annotations cover.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Entities {
    /// Amounts, periods, bounds, labels and languages only.
    None,
    /// Every kind but `country` (files annotated before countries were).
    WithoutCountries,
    /// Every kind, countries included.
    All,
}

#[derive(Default, Debug)]
pub struct Score {
    pub amount_tp: usize,
    pub amount_fp: usize,
    pub amount_fn: usize,
    pub period_right: usize,
    pub period_total: usize,
    pub bound_right: usize,
    pub bound_total: usize,
    pub entity_tp: usize,
    pub entity_fp: usize,
    pub entity_fn: usize,
    pub label_right: usize,
    pub label_total: usize,
    pub language_right: usize,
    pub items: usize,
    pub misses: Vec<String>,
}

fn f1(tp: usize, fp: usize, fn_: usize) -> f64 {
    if tp + fp + fn_ == 0 {
        1.0
    } else {
        2.0 * tp as f64 / (2 * tp + fp + fn_) as f64
    }
}

impl Score {
    pub fn amount_f1(&self) -> f64 {
        f1(self.amount_tp, self.amount_fp, self.amount_fn)
    }
    pub fn entity_f1(&self) -> f64 {
        f1(self.entity_tp, self.entity_fp, self.entity_fn)
    }
    pub fn period_accuracy(&self) -> f64 {
        self.period_right as f64 / self.period_total.max(1) as f64
    }
    pub fn bound_accuracy(&self) -> f64 {
        self.bound_right as f64 / self.bound_total.max(1) as f64
    }
    pub fn label_accuracy(&self) -> f64 {
        self.label_right as f64 / self.label_total.max(1) as f64
    }
    pub fn language_accuracy(&self) -> f64 {
        self.language_right as f64 / self.items.max(1) as f64
    }
}

/// The entity kinds the annotations use, countries apart.
const ANNOTATED_KINDS: [&str; 8] = [
    "org", "region", "phone", "url", "domain", "telegram", "email", "handle",
];

impl Score {
    /// One line of figures, as the README's tables give them.
    pub fn line(&self, name: &str) -> String {
        format!(
            "{name}: {} items, amount F1 {:.3} ({} found, {} extra, {} missed), period {:.3} ({}/{}), bound {:.3} ({}/{}), entity F1 {:.3} ({} found, {} extra, {} missed), label {:.3} ({}/{}), language {}/{}",
            self.items,
            self.amount_f1(),
            self.amount_tp,
            self.amount_fp,
            self.amount_fn,
            self.period_accuracy(),
            self.period_right,
            self.period_total,
            self.bound_accuracy(),
            self.bound_right,
            self.bound_total,
            self.entity_f1(),
            self.entity_tp,
            self.entity_fp,
            self.entity_fn,
            self.label_accuracy(),
            self.label_right,
            self.label_total,
            self.language_right,
            self.items,
        )
    }
}

impl Score {
    /// What this set keeps, in exact counts: amounts found, amount errors (extra and missed),
    /// periods right, bounds right, entities found, entity errors, labels right.
    pub fn counts(&self) -> [usize; 7] {
        [
            self.amount_tp,
            self.amount_fp + self.amount_fn,
            self.period_right,
            self.bound_right,
            self.entity_tp,
            self.entity_fp + self.entity_fn,
            self.label_right,
        ]
    }
}

/// The items of each language, in order of their codes.
pub fn by_language(items: &[Item]) -> std::collections::BTreeMap<String, Vec<Item>> {
    let mut sets = std::collections::BTreeMap::<String, Vec<Item>>::new();
    for item in items {
        sets.entry(item.lang.clone())
            .or_default()
            .push(item.clone());
    }
    sets
}

pub fn score(items: &[Item], entities: Entities) -> Score {
    let mut s = Score::default();
    for item in items {
        let x = adwatch::extract::extract(&item.text);
        s.items += 1;
        if x.language.code() == item.lang {
            s.language_right += 1;
        } else {
            s.misses
                .push(format!("{}: language {}", item.id, x.language.code()));
        }
        let mut got: Vec<(i64, &str, Option<&'static str>, Option<&'static str>)> = x
            .amounts
            .iter()
            .map(|a| {
                (
                    a.value.minor,
                    a.currency,
                    a.period.map(period_name),
                    a.bound.map(bound_name),
                )
            })
            .collect();
        for want in expected_amounts(item) {
            let minor = (want.value * 100.0).round() as i64;
            match got
                .iter()
                .position(|g| g.0 == minor && g.1 == want.currency)
            {
                Some(i) => {
                    s.amount_tp += 1;
                    if let Some(p) = &want.period {
                        s.period_total += 1;
                        if p.as_deref() == got[i].2 {
                            s.period_right += 1;
                        } else {
                            s.misses.push(format!(
                                "{}: period of {} {}: {:?}",
                                item.id, want.value, want.currency, got[i].2
                            ));
                        }
                    }
                    if let Some(b) = &want.bound {
                        s.bound_total += 1;
                        if b.as_deref() == got[i].3 {
                            s.bound_right += 1;
                        } else {
                            s.misses.push(format!(
                                "{}: bound of {} {}: {:?}",
                                item.id, want.value, want.currency, got[i].3
                            ));
                        }
                    }
                    got.remove(i);
                }
                None => {
                    s.amount_fn += 1;
                    s.misses.push(format!(
                        "{}: missed {} {}",
                        item.id, want.value, want.currency
                    ));
                }
            }
        }
        s.amount_fp += got.len();
        for g in got {
            s.misses.push(format!("{}: extra amount {:?}", item.id, g));
        }
        if let Some(label) = &item.label {
            s.label_total += 1;
            if x.label.as_str() == label {
                s.label_right += 1;
            } else {
                s.misses
                    .push(format!("{}: label {}", item.id, x.label.as_str()));
            }
        }
        if entities != Entities::None {
            let counted = |kind: &str| {
                ANNOTATED_KINDS.contains(&kind) || (kind == "country" && entities == Entities::All)
            };
            let mut found: Vec<(String, String)> = x
                .entities
                .iter()
                .filter(|e| counted(e.kind.as_str()))
                .map(|e| (e.kind.as_str().to_string(), e.normalized.to_lowercase()))
                .collect();
            for want in item.entities.iter().filter(|e| counted(&e.kind)) {
                let key = (want.kind.clone(), want.normalized.to_lowercase());
                match found.iter().position(|f| *f == key) {
                    Some(i) => {
                        found.remove(i);
                        s.entity_tp += 1;
                    }
                    None if want.optional => {}
                    None => {
                        s.entity_fn += 1;
                        s.misses.push(format!("{}: missed entity {key:?}", item.id));
                    }
                }
            }
            s.entity_fp += found.len();
            for f in found {
                s.misses.push(format!("{}: extra entity {f:?}", item.id));
            }
        }
    }
    s
}

pub fn period_name(p: adwatch::extract::Period) -> &'static str {
    use adwatch::extract::Period::*;
    match p {
        OneTime => "one_time",
        Monthly => "monthly",
        Daily => "daily",
        Yearly => "yearly",
    }
}

pub fn bound_name(b: adwatch::extract::Bound) -> &'static str {
    match b {
        adwatch::extract::Bound::Min => "min",
        adwatch::extract::Bound::Max => "max",
    }
}
