//! Use cases: what adapters (Telegram, the command line) call. They take the store and the
//! time; they never talk to Telegram.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::extract::{self, EntityKind, Extraction};
use crate::store::{NewReport, Store, StoreError, Stored};

/// How many leading words make the near fingerprint that joins an ad to its trimmed copies.
const NEAR_WORDS: usize = 12;
/// Texts shorter than this many words are joined only when they are the same.
const NEAR_MIN_WORDS: usize = 12;

/// A secret for keyed hashes of citizens' ids; never logged.
#[derive(Clone)]
pub struct ReporterKey(Vec<u8>);

impl ReporterKey {
    pub fn new(secret: impl Into<Vec<u8>>) -> ReporterKey {
        ReporterKey(secret.into())
    }

    /// The keyed hash (HMAC-SHA-256) that stands for a citizen in the database.
    pub fn hash(&self, user_id: i64) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(b"adwatch-reporter:");
        mac.update(&user_id.to_be_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

impl std::fmt::Debug for ReporterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReporterKey(…)")
    }
}

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
}

/// What happened to a submission.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub stored: Stored,
    pub extraction: Extraction,
    pub linked: Vec<i64>,
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
    let entities = extraction
        .entities
        .iter()
        .filter(|e| LINKING.contains(&e.kind))
        .map(|e| (e.kind.as_str().to_string(), e.normalized.to_lowercase()))
        .collect();
    let report = NewReport {
        fingerprint,
        near_fingerprint,
        text: s.text.clone(),
        language: extraction.language.code().to_string(),
        label: extraction.label.as_str().to_string(),
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
    })
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

    #[test]
    fn reporter_hashes_are_keyed() {
        assert_ne!(
            ReporterKey::new("a").hash(42),
            ReporterKey::new("b").hash(42)
        );
        assert_eq!(
            ReporterKey::new("a").hash(42),
            ReporterKey::new("a").hash(42)
        );
        assert!(!ReporterKey::new("a").hash(42).contains("42"));
    }
}
