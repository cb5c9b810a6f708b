//! Reading a report's links: each page once per report, kept as a snapshot with what the
//! engine finds on it.

use url::Url;

use super::intake::linking_entities;
use super::Service;
use crate::extract::{self, Extraction};
use crate::fetch::{Failure, Fetcher};
use crate::store::{LinkRecord, NewSnapshot, PageFindings, Snapshot, Store, StoreError};

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

impl Service {
    /// Reads the links of a report ([`read_links`]).
    pub async fn read_links(
        &self,
        fetcher: &Fetcher,
        report_id: i64,
        links: &[Url],
        now_ms: &(dyn Fn() -> i64 + Send + Sync),
    ) -> Vec<LinkOutcome> {
        read_links(&self.store, fetcher, report_id, links, now_ms).await
    }

    /// A report's links as kept: their state, failure and snapshot.
    pub async fn report_links(&self, report_id: i64) -> Result<Vec<LinkRecord>, StoreError> {
        self.store.report_links(report_id).await
    }
}

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
        label: extraction.label,
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
