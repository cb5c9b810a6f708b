//! Weekly digests: the schedule, the period, and what a digest says. Sending is the Telegram
//! adapter's (`telegram::digest`); the HTML is `telegram::render::digest`'s.
//!
//! A digest covers the reports approved since the last digest sent to that chat, at most the
//! last 7 days. Only approved reports; never a reporter.

use std::collections::HashMap;
use std::str::FromStr;

use anyhow::{bail, Context};
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;

use crate::extract::Lang;
use crate::store::{DigestFacts, Store, StoreError};

/// The longest period a digest covers.
pub const MAX_PERIOD_MS: i64 = 7 * 86_400_000;

/// A schedule missed by less than this (the bot was down at the time) is still posted.
pub const CATCH_UP_MS: i64 = 86_400_000;

/// Where a digest goes: a chat id or a public @username, in a language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestChat {
    /// As configured: `-1001234567890` or `@channel`; also the key of its runs.
    pub target: String,
    pub lang: Lang,
}

/// `DIGEST_*` settings.
#[derive(Debug, Clone)]
pub struct DigestSettings {
    pub chats: Vec<DigestChat>,
    pub schedule: Schedule,
    pub language: Lang,
    /// `DIGEST_SHOW_PHONES=1` shows recruiters' phone numbers whole.
    pub show_phones: bool,
}

impl Default for DigestSettings {
    fn default() -> Self {
        DigestSettings {
            chats: Vec::new(),
            schedule: Schedule::new("0 0 9 * * Mon", "UTC").expect("the default schedule parses"),
            language: Lang::Ru,
            show_phones: false,
        }
    }
}

/// Reads `DIGEST_CHAT_IDS`: comma-separated ids or @usernames, each optionally `:lang`.
pub fn parse_chats(value: &str, default: Lang) -> anyhow::Result<Vec<DigestChat>> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|entry| {
            let (target, lang) = match entry.rsplit_once(':') {
                Some((t, l)) => (
                    t.trim(),
                    Lang::from_code(l.trim()).with_context(|| {
                        format!(
                            "DIGEST_CHAT_IDS: `{l}` in `{entry}` is not one of {}",
                            Lang::codes()
                        )
                    })?,
                ),
                None => (entry, default),
            };
            let valid = target.parse::<i64>().is_ok()
                || (target.starts_with('@')
                    && target.len() > 5
                    && target[1..]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_'));
            if !valid {
                bail!("DIGEST_CHAT_IDS: `{target}` is neither a chat id nor an @username");
            }
            Ok(DigestChat {
                target: target.to_string(),
                lang,
            })
        })
        .collect()
}

/// A cron schedule with seconds (`0 0 9 * * Mon`) in an IANA time zone.
#[derive(Debug, Clone)]
pub struct Schedule {
    cron: Cron,
    tz: Tz,
    text: String,
}

impl Schedule {
    pub fn new(cron: &str, tz: &str) -> anyhow::Result<Schedule> {
        let tz = Tz::from_str(tz.trim()).map_err(|_| {
            anyhow::anyhow!("DIGEST_TZ: `{tz}` is not an IANA time zone such as Asia/Almaty")
        })?;
        let parsed = Cron::new(cron.trim())
            .with_seconds_required()
            .with_dom_and_dow()
            .parse()
            .map_err(|e| anyhow::anyhow!("DIGEST_CRON: `{cron}`: {e}"))?;
        Ok(Schedule {
            cron: parsed,
            tz,
            text: cron.trim().to_string(),
        })
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn local(&self, ms: i64) -> Option<DateTime<Tz>> {
        Utc.timestamp_millis_opt(ms)
            .single()
            .map(|t| t.with_timezone(&self.tz))
    }

    /// The first time the schedule fires strictly after `ms`.
    pub fn next_after(&self, ms: i64) -> Option<i64> {
        let from = self.local(ms)?;
        self.cron
            .find_next_occurrence(&from, false)
            .ok()
            .map(|t| t.timestamp_millis())
    }

    /// The last time the schedule fired at or before `ms`, looking back at most `window_ms`.
    pub fn last_at_or_before(&self, ms: i64, window_ms: i64) -> Option<i64> {
        let mut at = self.next_after(ms - window_ms - 1)?;
        if at > ms {
            return None;
        }
        while let Some(next) = self.next_after(at) {
            if next > ms {
                break;
            }
            at = next;
        }
        Some(at)
    }
}

/// A period of a digest: `(start, end]` in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: i64,
    pub end: i64,
}

/// The period of a chat's digest ending at `end`: since its last digest, at most 7 days.
pub async fn period_for(store: &Store, chat: &str, end: i64) -> Result<Period, StoreError> {
    let floor = end - MAX_PERIOD_MS;
    let start = store
        .last_digest_end(chat)
        .await?
        .map_or(floor, |last| last.max(floor));
    Ok(Period { start, end })
}

/// An amount as a digest shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    /// As the ad wrote it.
    pub text: String,
    pub value: f64,
    pub currency: String,
    pub period: Option<String>,
    pub usd: Option<i64>,
}

/// A typical amount: the median in the most frequent currency, and its ≈ USD.
#[derive(Debug, Clone, PartialEq)]
pub struct Typical {
    pub value: f64,
    pub currency: String,
    pub usd: Option<i64>,
    /// How many offers it is the median of.
    pub of: usize,
}

/// One approved ad, in a line.
#[derive(Debug, Clone, PartialEq)]
pub struct AdLine {
    pub id: i64,
    pub label: crate::extract::Label,
    pub offers: Vec<String>,
    /// Organisations and regions the ad names.
    pub names: Vec<String>,
}

/// Everything a digest says, before it is written in a language.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    pub period: Period,
    pub tz: Tz,
    pub ads: usize,
    pub citizens: i64,
    pub new: usize,
    pub recurring: usize,
    /// (kind, value, reports).
    pub top_entities: Vec<(String, String, i64)>,
    pub median_one_time: Option<Typical>,
    pub median_monthly: Option<Typical>,
    /// The largest offers (by ≈ USD), as the ads wrote them.
    pub largest: Vec<Offer>,
    /// (language code, reports), most first.
    pub languages: Vec<(String, usize)>,
    pub lines: Vec<AdLine>,
}

fn offers_of(extraction: &serde_json::Value) -> Vec<Offer> {
    extraction["amounts"]
        .as_array()
        .into_iter()
        .flatten()
        // An amount in brackets restates another: count it once.
        .filter(|a| a["equivalent_of"].is_null())
        .filter_map(|a| {
            Some(Offer {
                text: a["text"].as_str()?.to_string(),
                value: a["value"].as_f64()?,
                currency: a["currency"].as_str()?.to_string(),
                period: a["period"].as_str().map(str::to_string),
                usd: a["usd"].as_i64(),
            })
        })
        .collect()
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

fn typical(offers: &[&Offer]) -> Option<Typical> {
    let mut by_currency: HashMap<&str, Vec<&Offer>> = HashMap::new();
    for o in offers {
        by_currency.entry(o.currency.as_str()).or_default().push(o);
    }
    let (currency, group) = by_currency
        .into_iter()
        .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(a.0)))?;
    let value = median(group.iter().map(|o| o.value).collect())?;
    let usd = median(
        group
            .iter()
            .filter_map(|o| o.usd)
            .map(|u| u as f64)
            .collect::<Vec<_>>(),
    )
    .map(|u| u.round() as i64);
    Some(Typical {
        value,
        currency: currency.to_string(),
        usd,
        of: group.len(),
    })
}

/// Builds a digest from a period's facts; `None` when nothing was approved in it.
pub fn build(period: Period, tz: Tz, facts: &DigestFacts) -> Option<Digest> {
    if facts.reports.is_empty() {
        return None;
    }
    let all: Vec<(i64, Offer)> = facts
        .reports
        .iter()
        .flat_map(|r| offers_of(&r.extraction).into_iter().map(move |o| (r.id, o)))
        .collect();
    let with_period = |p: &str| -> Vec<&Offer> {
        all.iter()
            .map(|(_, o)| o)
            .filter(|o| o.period.as_deref() == Some(p))
            .collect()
    };
    let mut largest: Vec<Offer> = all
        .iter()
        .map(|(_, o)| o.clone())
        .filter(|o| o.usd.is_some())
        .collect();
    largest.sort_by_key(|o| std::cmp::Reverse(o.usd));
    largest.dedup_by(|a, b| a.text == b.text);
    largest.truncate(3);
    let mut languages: HashMap<String, usize> = HashMap::new();
    for r in &facts.reports {
        *languages.entry(r.language.code().to_string()).or_default() += 1;
    }
    let mut languages: Vec<(String, usize)> = languages.into_iter().collect();
    languages.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let lines = facts
        .reports
        .iter()
        .map(|r| AdLine {
            id: r.id,
            label: r.label,
            offers: offers_of(&r.extraction)
                .into_iter()
                .take(3)
                .map(|o| o.text)
                .collect(),
            names: r.extraction["entities"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| matches!(e["kind"].as_str(), Some("org" | "region")))
                .filter_map(|e| e["normalized"].as_str().map(str::to_string))
                .take(3)
                .collect(),
        })
        .collect();
    // The store keeps entities in lower case to match them; show them as the engine wrote them.
    let mut shown: HashMap<(String, String), String> = HashMap::new();
    for r in &facts.reports {
        for e in r.extraction["entities"].as_array().into_iter().flatten() {
            if let (Some(kind), Some(value)) = (e["kind"].as_str(), e["normalized"].as_str()) {
                shown
                    .entry((kind.to_string(), value.to_lowercase()))
                    .or_insert_with(|| value.to_string());
            }
        }
    }
    let top_entities = facts
        .top_entities
        .iter()
        .map(|(kind, value, n)| {
            let display = shown
                .get(&(kind.clone(), value.clone()))
                .cloned()
                .unwrap_or_else(|| value.clone());
            (kind.clone(), display, *n)
        })
        .collect();
    let recurring = facts.reports.iter().filter(|r| r.recurring).count();
    Some(Digest {
        period,
        tz,
        ads: facts.reports.len(),
        citizens: facts.citizens,
        new: facts.reports.len() - recurring,
        recurring,
        top_entities,
        median_one_time: typical(&with_period("one_time")),
        median_monthly: typical(&with_period("monthly")),
        largest,
        languages,
        lines,
    })
}

/// Collects and builds the digest of a period.
pub async fn collect(store: &Store, period: Period, tz: Tz) -> Result<Option<Digest>, StoreError> {
    let facts = store.digest_facts(period.start, period.end).await?;
    Ok(build(period, tz, &facts))
}

/// A phone number with only its country code and last two digits: `+7•••••••67`.
pub fn mask_phone(e164: &str) -> String {
    let digits: Vec<char> = e164.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 6 {
        return "•".repeat(digits.len());
    }
    // The country code is one to three digits; show one, which never says more than it should.
    let mut out = format!("+{}", digits[0]);
    out.push_str(&"•".repeat(digits.len() - 3));
    out.extend(&digits[digits.len() - 2..]);
    out
}

/// A domain or link written so that no client makes it clickable: `example[.]com`.
pub fn defang(value: &str) -> String {
    value.replace("://", "[:]//").replace('.', "[.]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chats_carry_their_language() {
        let chats = parse_chats("-1001234567890, @warn_channel:kk ,", Lang::Ru).unwrap();
        assert_eq!(
            chats,
            [
                DigestChat {
                    target: "-1001234567890".into(),
                    lang: Lang::Ru
                },
                DigestChat {
                    target: "@warn_channel".into(),
                    lang: Lang::Kk
                },
            ]
        );
        assert!(parse_chats("channel", Lang::Ru).is_err());
        assert!(parse_chats("@chan:xx", Lang::Ru).is_err());
    }

    #[test]
    fn every_language_of_the_bot_can_be_a_chats_language() {
        for lang in Lang::ALL {
            let chats = parse_chats(&format!("-100123:{}", lang.code()), Lang::Ru).unwrap();
            assert_eq!(chats[0].lang, lang);
        }
    }

    #[test]
    fn the_default_schedule_is_monday_nine_in_its_zone() {
        let s = Schedule::new("0 0 9 * * Mon", "Asia/Almaty").unwrap();
        // Wednesday 2026-11-25 12:00 UTC.
        let now = Utc
            .with_ymd_and_hms(2026, 11, 25, 12, 0, 0)
            .unwrap()
            .timestamp_millis();
        let next = s.next_after(now).unwrap();
        let local = s.local(next).unwrap();
        assert_eq!(local.format("%a %H:%M").to_string(), "Mon 09:00");
        let last = s.last_at_or_before(now, MAX_PERIOD_MS).unwrap();
        assert_eq!(next - last, MAX_PERIOD_MS);
        assert!(
            Schedule::new("0 9 * * Mon", "UTC").is_err(),
            "seconds are required"
        );
        assert!(Schedule::new("0 0 9 * * Mon", "Mars/Olympus").is_err());
    }

    #[test]
    fn recruiters_contacts_are_not_clickable_and_phones_are_masked() {
        assert_eq!(defang("voenkomat-sakh.ru"), "voenkomat-sakh[.]ru");
        assert_eq!(defang("https://t.me/x"), "https[:]//t[.]me/x");
        assert_eq!(mask_phone("+77011234567"), "+7••••••••67");
    }

    #[test]
    fn medians_are_in_the_most_frequent_currency() {
        let offer = |v: f64, c: &str, usd: i64| Offer {
            text: format!("{v} {c}"),
            value: v,
            currency: c.into(),
            period: Some("monthly".into()),
            usd: Some(usd),
        };
        let a = offer(190_000.0, "RUB", 2_500);
        let b = offer(210_000.0, "RUB", 2_700);
        let c = offer(300_000.0, "RUB", 3_900);
        let d = offer(2_000.0, "USD", 2_000);
        let t = typical(&[&a, &b, &c, &d]).unwrap();
        assert_eq!(
            (t.value, t.currency.as_str(), t.usd, t.of),
            (210_000.0, "RUB", Some(2_700), 3)
        );
    }
}
