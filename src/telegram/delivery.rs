//! Exactly once: what each update's handling has sent, and when the update is done.
//!
//! An update is handled inside a [`Handling`] (a task-local, [`handle`]). Each message the
//! outbox sends within it takes the next number, and once Telegram has accepted it, it is
//! recorded at once in the update's claim (`processed_updates.sends`) with what Telegram
//! answered. When a process dies, another takes its open updates over with their records
//! ([`Ledger::remember`]) and handles them again: a send already recorded is not made again,
//! the outbox answers with the recorded message instead ([`Slot::Replay`]). So only a message on
//! its way at the very moment of the death can reach a citizen twice; nothing is lost.
//!
//! What must stay true:
//! - a handling numbers its sends in the order it makes them, so the second run of an update
//!   meets its sends in the same order (sends that are only notices, which a second run may not
//!   repeat, go out [`unrecorded`](super::outbox::Outgoing::unrecorded) and take no number);
//! - an update is marked done only when its handling ended, and only by the process holding its
//!   claim (`WHERE claimed_by = holder`); one whose report the database refused stays open
//!   while the report is retried ([`keep_open`]), so if this process dies, the next start or
//!   another replica files it from the kept update.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use teloxide::types::UpdateId;
use tokio_util::sync::CancellationToken;

use super::App;
use crate::service::Service;

tokio::task_local! {
    static HANDLING: Arc<Handling>;
}

/// The key an update is claimed under.
pub fn update_key(id: UpdateId) -> String {
    format!("upd:{}", id.0)
}

/// One message sent in an update's handling, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sent {
    /// Its place among the handling's recorded sends, from 1.
    pub n: u32,
    pub method: String,
    /// The chat it went to (none for edits).
    pub chat: Option<i64>,
    /// What Telegram answered (the message).
    pub output: serde_json::Value,
}

impl Sent {
    /// The records kept in a claim: one JSON object a line; a line that cannot be read is
    /// skipped (its message may then go out again).
    pub fn parse_all(kept: &str) -> Vec<Sent> {
        kept.lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }
}

/// One update's handling in this process.
pub struct Handling {
    key: String,
    service: Service,
    /// What an earlier run (in a process that died) recorded as sent.
    earlier: Vec<Sent>,
    /// The number of the last recorded send of this run.
    sends: AtomicU32,
    /// The handler has ended, but the update stays open: something retries its work.
    kept_open: AtomicBool,
}

/// What the outbox does with a send.
pub enum Slot {
    /// Outside any update's handling, or a notice: sent, not recorded.
    Free,
    /// Sent already, by an earlier run: not sent again; this is what Telegram answered then.
    Replay(serde_json::Value),
    /// To send, then record.
    Record(Recorder),
}

/// Records one send of a handling once Telegram has accepted it.
pub struct Recorder {
    key: String,
    service: Service,
    n: u32,
    method: &'static str,
    chat: Option<i64>,
}

impl Recorder {
    /// Writes the record now (not in a later batch): a takeover from this moment on does not
    /// send it again. When the database refuses, the message may go out twice; it is never lost.
    pub async fn record(self, output: serde_json::Value) {
        let sent = Sent {
            n: self.n,
            method: self.method.to_string(),
            chat: self.chat,
            output,
        };
        let Ok(mut line) = serde_json::to_string(&sent) else {
            return;
        };
        line.push('\n');
        if let Err(e) = self.service.record_send(&self.key, &line).await {
            tracing::warn!(error = %e, "a sent message could not be recorded");
        }
    }
}

/// The slot of the next send in the current update's handling, if any: `method` to `chat`.
pub fn slot(method: &'static str, chat: Option<i64>) -> Slot {
    HANDLING
        .try_with(|h| {
            let n = h.sends.fetch_add(1, Ordering::SeqCst) + 1;
            match h.earlier.iter().find(|s| s.n == n) {
                Some(s) if s.method == method && s.chat == chat => Slot::Replay(s.output.clone()),
                Some(_) => {
                    // The earlier run took another way here (its sends are not this one's).
                    tracing::warn!(n, method, "an update's second run differs from its first");
                    h.recorder(n, method, chat)
                }
                None => h.recorder(n, method, chat),
            }
        })
        .unwrap_or(Slot::Free)
}

impl Handling {
    fn recorder(&self, n: u32, method: &'static str, chat: Option<i64>) -> Slot {
        Slot::Record(Recorder {
            key: self.key.clone(),
            service: self.service.clone(),
            n,
            method,
            chat,
        })
    }
}

/// Handles update `id` with `work`: its sends are recorded (or replayed, after a takeover), and
/// it is marked done when `work` ends, unless [`keep_open`] was called.
pub async fn handle<F: Future>(app: &App, id: UpdateId, work: F) -> F::Output {
    let key = update_key(id);
    let handling = Arc::new(Handling {
        earlier: app.ledger.recall(&key),
        service: app.ledger.records.clone(),
        sends: AtomicU32::new(0),
        kept_open: AtomicBool::new(false),
        key,
    });
    let output = HANDLING.scope(handling.clone(), work).await;
    if !handling.kept_open.load(Ordering::SeqCst) {
        app.ledger.push(handling.key.clone());
    }
    output
}

/// Keeps the current update open after its handler ends; the returned [`Kept`] runs the rest
/// of its work and finishes it. `None` outside an update's handling.
pub fn keep_open() -> Option<Kept> {
    HANDLING
        .try_with(|h| {
            h.kept_open.store(true, Ordering::SeqCst);
            Kept(h.clone())
        })
        .ok()
}

/// An update kept open past its handler.
pub struct Kept(Arc<Handling>);

impl Kept {
    /// Runs `work` as part of the update's handling (its sends recorded under it).
    pub async fn run<F: Future>(&self, work: F) -> F::Output {
        HANDLING.scope(self.0.clone(), work).await
    }

    /// Runs the rest of the update's work and marks it done, unless that work keeps it open
    /// again (a report the database refused, retried in a task of its own).
    pub async fn run_to_end<F: Future>(self, app: &App, work: F) -> F::Output {
        self.0.kept_open.store(false, Ordering::SeqCst);
        let output = HANDLING.scope(self.0.clone(), work).await;
        if !self.0.kept_open.load(Ordering::SeqCst) {
            app.ledger.push(self.0.key.clone());
        }
        output
    }

    /// The work is done: the update is marked done.
    pub fn finish(self, app: &App) {
        app.ledger.push(self.0.key.clone());
    }

    /// This process gives up on the update: its claim is let go (tried again, with growing
    /// pauses, while the database refuses), so a takeover by any process, this one too,
    /// handles it again from its kept copy. Should this process stop first, the claim of a
    /// process that stopped is taken over all the same.
    pub async fn release(self, app: &App) {
        let mut pause = Duration::from_secs(1);
        while let Err(e) = app.service.release_update(&self.0.key, &app.holder).await {
            tracing::debug!(error = %e, "an unfinished update could not be let go yet");
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(120));
        }
    }
}

/// The updates this process holds: handled ones waiting to be marked done, and the records of
/// taken-over ones waiting for their second run.
pub struct Ledger {
    finished: Mutex<Vec<String>>,
    earlier: Mutex<HashMap<String, Vec<Sent>>>,
    /// Where sends are recorded: connections of their own, so a record does not wait behind
    /// reports being stored (every millisecond it waits, a death would repeat the message).
    records: Service,
}

/// Taken-over records waiting for their update's run, at most (a bound, never reached while
/// the dispatcher keeps up: takeovers come 100 at a time).
const MAX_WAITING_RECORDS: usize = 10_000;

impl Ledger {
    pub fn new(service: &Service) -> Ledger {
        Ledger {
            finished: Mutex::default(),
            earlier: Mutex::default(),
            records: service.spare(4),
        }
    }

    pub fn push(&self, key: String) {
        if let Ok(mut keys) = self.finished.lock() {
            keys.push(key);
        }
    }

    fn take(&self) -> Vec<String> {
        self.finished
            .lock()
            .map(|mut k| std::mem::take(&mut *k))
            .unwrap_or_default()
    }

    fn is_empty(&self) -> bool {
        self.finished.lock().map(|k| k.is_empty()).unwrap_or(true)
    }

    fn put_back(&self, keys: Vec<String>) {
        if let Ok(mut k) = self.finished.lock() {
            k.extend(keys);
        }
    }

    /// Keeps what an earlier run of a taken-over update sent, for its next run here.
    pub fn remember(&self, key: &str, sent: Vec<Sent>) {
        if sent.is_empty() {
            return;
        }
        if let Ok(mut earlier) = self.earlier.lock() {
            if earlier.len() >= MAX_WAITING_RECORDS {
                earlier.clear();
            }
            earlier.insert(key.to_string(), sent);
        }
    }

    fn recall(&self, key: &str) -> Vec<Sent> {
        self.earlier
            .lock()
            .ok()
            .and_then(|mut e| e.remove(key))
            .unwrap_or_default()
    }
}

/// Marks handled updates done every 10 ms, in one statement (only those this process still
/// holds); when the database is away, keeps them for the next round. Once `finished` is
/// cancelled (the dispatcher and the work it left have ended), runs until the last update is
/// marked, or the database has been away for a minute.
pub fn spawn_finisher(app: Arc<App>, finished: CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_success = tokio::time::Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let keys = app.ledger.take();
            if !keys.is_empty() {
                match app
                    .service
                    .finish_updates(&keys, &app.holder, app.now_ms())
                    .await
                {
                    Ok(()) => last_success = tokio::time::Instant::now(),
                    Err(e) => {
                        tracing::debug!(error = %e, "handled updates not marked yet");
                        app.ledger.put_back(keys);
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                }
            }
            if finished.is_cancelled()
                && (app.ledger.is_empty() || last_success.elapsed() > Duration::from_secs(60))
            {
                break;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::Sent;

    #[test]
    fn kept_records_are_read_line_by_line_and_a_broken_line_is_skipped() {
        let one = Sent {
            n: 1,
            method: "sendMessage".into(),
            chat: Some(5),
            output: serde_json::json!({"message_id": 7}),
        };
        let mut kept = serde_json::to_string(&one).unwrap();
        kept.push_str("\n{\"n\": 2, \"meth\n");
        assert_eq!(Sent::parse_all(&kept), vec![one]);
        assert!(Sent::parse_all("").is_empty());
    }
}
