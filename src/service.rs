//! Use cases: what adapters (Telegram, the command line) call. They take the store and the
//! time; they never talk to Telegram.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use url::Url;

use crate::extract::{self, EntityKind, Extraction};
use crate::fetch::{self, Failure, Fetcher};
use crate::store::{
    NewReport, NewSnapshot, PageFindings, Purged, Snapshot, Store, StoreError, Stored,
};

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
        links,
    })
}

/// The entities of an extraction that link reports to each other, as stored.
fn linking_entities(x: &Extraction) -> Vec<(String, String)> {
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

/// A page of a report's link, as kept, and what it shows.
#[derive(Debug, Clone)]
pub struct PageRead {
    pub snapshot: Snapshot,
    pub extraction: Extraction,
    /// The page differs from the last time this link was read (or was never read).
    pub new_snapshot: bool,
}

/// What one link of a report showed, or why it could not be read.
#[derive(Debug, Clone)]
pub enum LinkResult {
    Page(Box<PageRead>),
    Failed(Failure),
    /// Another message's handling is reading it right now.
    Reading,
}

#[derive(Debug, Clone)]
pub struct LinkOutcome {
    pub url: Url,
    pub result: LinkResult,
}

/// A claim on a link older than this is taken to be left by a crash.
const STALE_CLAIM_MS: i64 = 120_000;

/// Reads the links of a report (the first `FETCH_MAX_LINKS`, each at most once per report,
/// in parallel, as the fetcher's `FETCH_CONCURRENCY` slots allow) and keeps what the pages
/// show; a link read before for this report is answered from what was kept.
pub async fn read_links(
    store: &Store,
    fetcher: &Fetcher,
    report_id: i64,
    links: &[Url],
    now_ms: &(dyn Fn() -> i64 + Send + Sync),
) -> Vec<LinkOutcome> {
    let reads = links
        .iter()
        .take(fetcher.settings().max_links)
        .map(|url| read_link(store, fetcher, report_id, url, now_ms));
    futures::future::join_all(reads)
        .await
        .into_iter()
        .flatten()
        .collect()
}

async fn read_link(
    store: &Store,
    fetcher: &Fetcher,
    report_id: i64,
    url: &Url,
    now_ms: &(dyn Fn() -> i64 + Send + Sync),
) -> Option<LinkOutcome> {
    let key = url.to_string();
    let started = now_ms();
    let claimed = match store
        .claim_link(report_id, &key, started, started - STALE_CLAIM_MS)
        .await
    {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "a link could not be claimed; it is not read now");
            return None;
        }
    };
    let result = if claimed {
        fetch_and_keep(store, fetcher, report_id, url, now_ms).await
    } else {
        let records = store.report_links(report_id).await.ok()?;
        let record = records.into_iter().find(|r| r.url == key)?;
        match (record.state.as_str(), record.snapshot) {
            ("fetched", Some(snapshot)) => {
                // Up to MAX_TEXT_BYTES of analysis: work for a blocking thread.
                let (snapshot, extraction) = tokio::task::spawn_blocking(move || {
                    let extraction = extract::extract(&snapshot.text);
                    (snapshot, extraction)
                })
                .await
                .ok()?;
                LinkResult::Page(Box::new(PageRead {
                    extraction,
                    snapshot,
                    new_snapshot: false,
                }))
            }
            ("failed", _) => LinkResult::Failed(Failure::from_stored(
                record.failure.as_deref().unwrap_or_default(),
                record.detail.as_deref(),
            )),
            _ => LinkResult::Reading,
        }
    };
    Some(LinkOutcome {
        url: url.clone(),
        result,
    })
}

async fn fetch_and_keep(
    store: &Store,
    fetcher: &Fetcher,
    report_id: i64,
    url: &Url,
    now_ms: &(dyn Fn() -> i64 + Send + Sync),
) -> LinkResult {
    let key = url.to_string();
    // The engine runs on the page's text in the fetcher's blocking thread, within the link's
    // time limit and its slot.
    let read = fetcher
        .fetch_with(url, |text| {
            let text = text.joined();
            let extraction = extract::extract(&text);
            (text, extraction)
        })
        .await;
    let (page, (text, extraction)) = match read {
        Ok(read) => read,
        Err(failure) => {
            let kept = store
                .link_failed(
                    report_id,
                    &key,
                    failure.code(),
                    failure.detail().as_deref(),
                    now_ms(),
                )
                .await;
            if let Err(e) = kept {
                tracing::warn!(error = %e, "a link's failure could not be kept");
            }
            return LinkResult::Failed(failure);
        }
    };
    let snapshot = NewSnapshot {
        url: key,
        final_url: page.final_url.clone(),
        status: i32::from(page.status),
        fetched_at: now_ms(),
        sha256: page.sha256.clone(),
        bytes: page.bytes as i64,
        truncated: page.truncated,
        title: page.text.title.clone().or(page.text.og_title.clone()),
        extraction: extract::to_json(None, &text, &extraction).to_string(),
        text,
    };
    let findings = PageFindings {
        entities: linking_entities(&extraction),
        label: extraction.label.as_str().to_string(),
        risk: i32::from(extraction.risk),
    };
    match store.link_fetched(report_id, &snapshot, &findings).await {
        Ok((snapshot, new_snapshot)) => LinkResult::Page(Box::new(PageRead {
            snapshot,
            extraction,
            new_snapshot,
        })),
        Err(e) => {
            tracing::warn!(error = %e, "a page was read but could not be kept");
            // The citizen still hears what the page shows.
            LinkResult::Page(Box::new(PageRead {
                snapshot: Snapshot {
                    id: 0,
                    url: snapshot.url,
                    final_url: snapshot.final_url,
                    status: snapshot.status,
                    fetched_at: snapshot.fetched_at,
                    last_seen: snapshot.fetched_at,
                    sha256: snapshot.sha256,
                    bytes: snapshot.bytes,
                    truncated: snapshot.truncated,
                    title: snapshot.title,
                    text: snapshot.text,
                },
                extraction,
                new_snapshot: true,
            }))
        }
    }
}

/// How long the link a group `/report` leaves (for a citizen who never started the bot) opens
/// the report.
pub const REPORT_LINK_TTL_MS: i64 = 7 * 86_400_000;

/// Random bytes in a report link's token: 160 bits, 40 hex digits. Telegram's start parameter
/// takes up to 64 of `[A-Za-z0-9_-]`; lower-case hex also survives the command's lower-casing.
const TOKEN_BYTES: usize = 20;

/// Is this what [`report_link_token`] makes? Anything else is not looked up at all.
fn is_token(s: &str) -> bool {
    s.len() == TOKEN_BYTES * 2 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What the store keeps of a token: its SHA-256 (the token has enough entropy that no key is
/// needed), so a copy of the database opens nothing.
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new token that opens `report_id` for citizen `user_id` (and nobody else) for
/// [`REPORT_LINK_TTL_MS`]. `None` when the system has no randomness to make one: then there is
/// no link rather than a guessable one.
pub async fn report_link_token(
    store: &Store,
    key: &ReporterKey,
    report_id: i64,
    user_id: i64,
    now_ms: i64,
) -> Result<Option<String>, StoreError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    if getrandom::fill(&mut bytes).is_err() {
        return Ok(None);
    }
    let token = hex::encode(bytes);
    store
        .save_report_token(
            &token_hash(&token),
            report_id,
            &key.hash(user_id),
            now_ms + REPORT_LINK_TTL_MS,
        )
        .await?;
    Ok(Some(token))
}

/// The report a `/start` payload opens for citizen `user_id`: only their own token, before it
/// expires. Anything else (a report number, someone else's token, an old one) is `None`.
pub async fn report_for_link(
    store: &Store,
    key: &ReporterKey,
    payload: &str,
    user_id: i64,
    now_ms: i64,
) -> Result<Option<i64>, StoreError> {
    if !is_token(payload) {
        return Ok(None);
    }
    store
        .report_for_token(&token_hash(payload), &key.hash(user_id), now_ms)
        .await
}

/// One retention pass: what citizens left that is older than `retention_days` goes (see
/// [`Purged`]); the texts of rejected reports too.
pub async fn purge_expired(
    store: &Store,
    retention_days: u32,
    now_ms: i64,
) -> Result<Purged, StoreError> {
    let before = now_ms - i64::from(retention_days) * 86_400_000;
    store.purge_retention(before, now_ms).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_a_token_looks_like_is_looked_up() {
        assert!(is_token(&"0a".repeat(20)));
        for not in [
            "r3",
            "3",
            "",
            &"0A".repeat(20),
            &"0a".repeat(21),
            &"zz".repeat(20),
        ] {
            assert!(!is_token(not), "{not}");
        }
    }

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
