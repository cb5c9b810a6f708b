//! Filing a report: the engine reads the ad, fingerprints join its copies, the store keeps it
//! with the entities that link it to others.

use sha2::{Digest, Sha256};
use url::Url;

use super::{ReporterKey, Service};
use crate::extract::{self, EntityKind, Extraction};
use crate::fetch;
use crate::store::{NewReport, Store, StoreError, Stored};

/// How many leading words make the near fingerprint that joins an ad to its trimmed copies.
const NEAR_WORDS: usize = 12;
/// Texts shorter than this many words are joined only when they are the same.
const NEAR_MIN_WORDS: usize = 12;

/// The words of a text as fingerprints see them: letters and digits, lower case; emoji,
/// punctuation and spacing do not count.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn sha256_hex(parts: &[String]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

/// `(exact, near)` fingerprints: the same ad with other emoji or spacing has the same exact
/// fingerprint; with a trimmed tail or edits after its first words, the same near one.
pub fn fingerprints(text: &str) -> (String, String) {
    let w = words(text);
    let exact = sha256_hex(&w);
    let near = if w.len() >= NEAR_MIN_WORDS {
        format!("near:{}", sha256_hex(&w[..w.len().min(NEAR_WORDS)]))
    } else {
        format!("exact:{exact}")
    };
    (exact, near)
}

/// An ad as a citizen sent it.
#[derive(Debug, Clone)]
pub struct Submission {
    pub text: String,
    /// A stable key of the source (a channel post, a chat, a user, a link) and its description.
    pub origin: Option<(String, serde_json::Value)>,
    pub user_id: i64,
    /// Kept for the outcome message only when the citizen wants one.
    pub chat_id: Option<i64>,
    /// Links Telegram marked in the message (`url` entities and hidden `text_link` targets),
    /// read together with those the text shows.
    pub links: Vec<String>,
}

/// What happened to a submission.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub stored: Stored,
    pub extraction: Extraction,
    pub linked: Vec<i64>,
    /// The message's links, normalised, in the order they appear.
    pub links: Vec<Url>,
}

/// Entity kinds that link reports to each other.
const LINKING: [EntityKind; 5] = [
    EntityKind::Phone,
    EntityKind::Domain,
    EntityKind::Handle,
    EntityKind::Telegram,
    EntityKind::Org,
];

/// Analyses and stores an ad; the reply is built from the result.
pub async fn submit(
    store: &Store,
    key: &ReporterKey,
    now_ms: i64,
    s: &Submission,
) -> Result<Submitted, StoreError> {
    let extraction = extract::extract(&s.text);
    let (fingerprint, near_fingerprint) = fingerprints(&s.text);
    let links = links_of(&extraction, &s.links);
    let mut entities = linking_entities(&extraction);
    for url in &links {
        entities.push(("url".to_string(), url.to_string()));
        entities.push(("domain".to_string(), shown_host(url)));
    }
    entities.sort();
    entities.dedup();
    let report = NewReport {
        fingerprint,
        near_fingerprint,
        text: s.text.clone(),
        language: extraction.language,
        label: extraction.label,
        risk: i32::from(extraction.risk),
        extraction: extract::to_json(None, &s.text, &extraction).to_string(),
        entities,
        origin: s.origin.as_ref().map(|(k, v)| (k.clone(), v.to_string())),
        reporter_hash: key.hash(s.user_id),
        chat_id: s.chat_id,
        now_ms,
    };
    let stored = store.submit(&report).await?;
    let linked = store.linked_reports(stored.report_id).await?;
    Ok(Submitted {
        stored,
        extraction,
        linked,
        links,
    })
}

impl Service {
    /// Analyses and stores an ad from a citizen ([`submit`]).
    pub async fn submit(&self, now_ms: i64, s: &Submission) -> Result<Submitted, StoreError> {
        submit(&self.store, &self.key, now_ms, s).await
    }

    /// A stored report's text and the report as if it had just been filed again (for a report
    /// link): read again, its count, the reports it is linked to. `None` when unknown or
    /// purged.
    pub async fn report_again(
        &self,
        report_id: i64,
    ) -> Result<Option<(String, Submitted)>, StoreError> {
        let Some((text, count)) = self.store.report_text(report_id).await? else {
            return Ok(None);
        };
        let stored = Stored {
            report_id,
            created: false,
            report_count: count,
            repeated: true,
        };
        let done = Submitted {
            extraction: extract::extract(&text),
            linked: self.linked_reports(report_id).await?,
            stored,
            links: Vec::new(),
        };
        Ok(Some((text, done)))
    }

    /// The reports that share an entity with this one.
    pub async fn linked_reports(&self, report_id: i64) -> Result<Vec<i64>, StoreError> {
        self.store.linked_reports(report_id).await
    }
}

/// The entities of an extraction that link reports to each other, as stored.
pub(super) fn linking_entities(x: &Extraction) -> Vec<(String, String)> {
    x.entities
        .iter()
        .filter(|e| LINKING.contains(&e.kind))
        .map(|e| (e.kind.as_str().to_string(), e.normalized.to_lowercase()))
        .collect()
}

/// A link's host as a person reads it (Unicode, lower case, without `www.`), the way the
/// engine records domains.
pub fn shown_host(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default().to_lowercase();
    let (unicode, _) = idna::domain_to_unicode(&host);
    unicode
        .strip_prefix("www.")
        .map(str::to_string)
        .unwrap_or(unicode)
}

/// Every link of a message: those the text shows (a bare domain counts, as Telegram makes it
/// a link), then those Telegram marked, normalised, once each.
fn links_of(x: &Extraction, marked: &[String]) -> Vec<Url> {
    let inside_url = |d: &extract::RecruitingEntity| {
        x.entities
            .iter()
            .any(|u| u.kind == EntityKind::Url && u.start <= d.start && d.end <= u.end)
    };
    let mut raw: Vec<String> = Vec::new();
    for e in &x.entities {
        match e.kind {
            EntityKind::Url => raw.push(e.normalized.clone()),
            EntityKind::Domain if !inside_url(e) => raw.push(format!("http://{}/", e.normalized)),
            _ => {}
        }
    }
    raw.extend(marked.iter().cloned());
    fetch::normalise_links(raw.iter().map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_and_spacing_do_not_change_the_fingerprint() {
        let a = fingerprints("Контракт! 495 000 рублей 🔥 сразу");
        let b = fingerprints("контракт   495 000 рублей ✅ сразу");
        assert_eq!(a, b);
    }

    #[test]
    fn a_trimmed_tail_keeps_the_near_fingerprint() {
        let long = "Единовременная выплата 495 000 рублей при подписании контракта с Минобороны, \
                    ежемесячно от 190 000 рублей, жильё и питание бесплатно, звоните по номеру 8 800 000 00 00 сегодня";
        let trimmed = &long[..long.find("звоните").unwrap()];
        let (a_exact, a_near) = fingerprints(long);
        let (b_exact, b_near) = fingerprints(trimmed);
        assert_ne!(a_exact, b_exact);
        assert_eq!(a_near, b_near);
    }
}
