//! Moderation: who may decide, the review queue, a decision taken once and who is told of it,
//! the audit trail, corrections, `/find`, `/history`, `/reopen`, `/stats`.
//!
//! The role is checked for every command and every button press, whatever a button says: a
//! moderator is a user in `MODERATOR_IDS` or an administrator (or the creator) of
//! `MODERATOR_CHAT_ID`; with `MODERATOR_CHAT_MEMBERS=1`, any of its members who is not
//! restricted. Being in that group is not enough by default: anyone an administrator lets in,
//! or a careless invite link, would otherwise decide reports. The chat's answer is remembered
//! for a minute, in a map of bounded size.

use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, Instant};

use super::{AuditEntry, Card, Correction, Decision, LinkRecord, ReportLine, Service, Stats};
use crate::extract::{self, Extraction, Lang};
use crate::review::{ReportStatus, ReviewAction};
use crate::store::StoreError;

type Result<T> = std::result::Result<T, StoreError>;

/// How long a membership answer from the moderators' chat is trusted.
const MEMBERSHIP_TTL: Duration = Duration::from_secs(60);

/// Users whose role is remembered at most; every press of a button by a citizen asks, so the
/// map must not grow with the number of citizens.
pub const MEMBERSHIPS_MAX: usize = 4096;

/// A user's role in the moderators' chat, as the messenger tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatRole {
    /// Its creator or an administrator.
    Privileged,
    /// A plain member, not restricted.
    Member,
    /// Restricted, departed, banned or never there.
    Other,
}

/// Does this role in the moderators' chat make a moderator? Its administrators always; its
/// plain members only with `MODERATOR_CHAT_MEMBERS=1`; anyone else never.
pub fn trusted_role(role: ChatRole, members_too: bool) -> bool {
    match role {
        ChatRole::Privileged => true,
        ChatRole::Member => members_too,
        ChatRole::Other => false,
    }
}

/// Remembered answers to "is this user a moderator by the moderators' chat?", at most
/// [`MEMBERSHIPS_MAX`], each for `MEMBERSHIP_TTL` (a minute).
#[derive(Default)]
pub struct Memberships(std::sync::Mutex<HashMap<i64, (bool, Instant)>>);

impl Memberships {
    /// The remembered answer for `user`, while fresh.
    pub fn get(&self, user: i64) -> Option<bool> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&user)
            .filter(|(_, at)| at.elapsed() < MEMBERSHIP_TTL)
            .map(|(trusted, _)| *trusted)
    }

    /// Remembers an answer; when full, forgets the stale ones, then the oldest.
    pub fn put(&self, user: i64, trusted: bool) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MEMBERSHIPS_MAX && !map.contains_key(&user) {
            map.retain(|_, (_, at)| at.elapsed() < MEMBERSHIP_TTL);
            if map.len() >= MEMBERSHIPS_MAX {
                let oldest = map.iter().min_by_key(|(_, (_, at))| *at).map(|(k, _)| *k);
                if let Some(oldest) = oldest {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(user, (trusted, Instant::now()));
    }

    /// How many answers are remembered.
    pub fn len(&self) -> usize {
        self.0.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Who may decide: the rule and its remembered answers.
pub struct Moderators {
    ids: Vec<i64>,
    chat: Option<i64>,
    members_too: bool,
    memberships: Memberships,
}

impl Moderators {
    /// `MODERATOR_IDS`, `MODERATOR_CHAT_ID`, `MODERATOR_CHAT_MEMBERS`.
    pub fn new(ids: Vec<i64>, chat: Option<i64>, members_too: bool) -> Moderators {
        Moderators {
            ids,
            chat,
            members_too,
            memberships: Memberships::default(),
        }
    }

    pub fn from_config(config: &crate::config::Config) -> Moderators {
        Moderators::new(
            config.moderator_ids.clone(),
            config.moderator_chat_id,
            config.moderator_chat_members,
        )
    }

    /// Is this user a moderator? `MODERATOR_IDS`, then their role in the moderators' chat,
    /// which `ask(chat, user)` learns from the messenger (`None` when it could not say: then
    /// not, and nothing is remembered).
    pub async fn is_moderator<F, Fut>(&self, user_id: i64, ask: F) -> bool
    where
        F: FnOnce(i64, i64) -> Fut,
        Fut: Future<Output = Option<ChatRole>>,
    {
        if self.ids.contains(&user_id) {
            return true;
        }
        let Some(chat) = self.chat else {
            return false;
        };
        if let Some(trusted) = self.memberships.get(user_id) {
            return trusted;
        }
        let Some(role) = ask(chat, user_id).await else {
            return false;
        };
        let trusted = trusted_role(role, self.members_too);
        self.memberships.put(user_id, trusted);
        trusted
    }

    /// How many answers are remembered.
    pub fn remembered(&self) -> usize {
        self.memberships.len()
    }
}

/// Everything a moderator's card shows.
#[derive(Debug, Clone)]
pub struct CardView {
    pub card: Card,
    /// The text read again by the engine (`None` once purged).
    pub extraction: Option<Extraction>,
    pub linked: Vec<i64>,
    pub links: Vec<LinkRecord>,
    pub corrections: Vec<Correction>,
}

impl CardView {
    /// Still waiting for a decision (so its buttons are shown)?
    pub fn is_pending(&self) -> bool {
        self.card.status == ReportStatus::Pending
    }
}

/// A citizen to tell a decision: their chat and the language to tell it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub chat_id: i64,
    pub lang: Lang,
}

/// What a decision did and whom to tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub decision: Decision,
    /// The citizens who sent the report and still want to hear, each returned once ever.
    pub told: Vec<Outcome>,
}

/// What `/reopen` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reopened {
    Reopened,
    /// It was still pending.
    NotDecided,
    NotFound,
}

/// A moderator's correction of the automatic extraction.
#[derive(Debug, Clone, PartialEq)]
pub enum Fix {
    Label(serde_json::Value),
    Amount(serde_json::Value),
}

impl Fix {
    /// `label <name|m|s|b>` or `amount <value> <currency> [period]`, as a moderator types it.
    pub fn parse(field: &str, rest: &[&str]) -> Option<Fix> {
        match (field, rest) {
            ("label", [label]) => label_value(label).map(Fix::Label),
            ("amount", [value, currency, period @ ..]) => {
                amount_value(value, currency, period.first().copied()).map(Fix::Amount)
            }
            _ => None,
        }
    }

    fn field(&self) -> &'static str {
        match self {
            Fix::Label(_) => "label",
            Fix::Amount(_) => "amount",
        }
    }

    fn value(&self) -> &serde_json::Value {
        match self {
            Fix::Label(v) | Fix::Amount(v) => v,
        }
    }
}

/// A label correction's value, from a name or a button's one-letter code.
pub fn label_value(label: &str) -> Option<serde_json::Value> {
    let label = match label {
        "m" => "military_recruitment",
        "s" => "scam_job",
        "b" => "benign",
        other => other,
    };
    extract::Label::parse(label).map(|l| serde_json::Value::String(l.as_str().to_string()))
}

/// An amount correction: `495000 RUB one_time`.
pub fn amount_value(
    value: &str,
    currency: &str,
    period: Option<&str>,
) -> Option<serde_json::Value> {
    let number: f64 = value
        .replace([' ', '\u{a0}', '_'], "")
        .replace(',', ".")
        .parse()
        .ok()?;
    let currency = currency.to_ascii_uppercase();
    if !(number.is_finite()
        && number > 0.0
        && currency.len() == 3
        && currency.chars().all(|c| c.is_ascii_alphabetic()))
    {
        return None;
    }
    let period = match period {
        None => None,
        Some(p @ ("one_time" | "monthly" | "daily" | "yearly")) => Some(p),
        Some(_) => return None,
    };
    Some(serde_json::json!({"value": number, "currency": currency, "period": period}))
}

impl Service {
    /// The next pending report for this moderator: highest risk, then most reported, then
    /// oldest; skipped ones come again once nothing else is left.
    pub async fn next_pending(&self, moderator: i64) -> Result<Option<i64>> {
        self.store.next_pending(moderator).await
    }

    /// The moderator passes this report for now.
    pub async fn skip(&self, moderator: i64, report_id: i64, now_ms: i64) -> Result<()> {
        self.store.skip(moderator, report_id, now_ms).await
    }

    /// A report's card, or `None` when there is no such report.
    pub async fn card(&self, report_id: i64) -> Result<Option<CardView>> {
        let Some(card) = self.store.card(report_id).await? else {
            return Ok(None);
        };
        let extraction = card.text.as_deref().map(extract::extract);
        Ok(Some(CardView {
            extraction,
            linked: self
                .store
                .linked_reports(report_id)
                .await
                .unwrap_or_default(),
            links: self.store.report_links(report_id).await.unwrap_or_default(),
            corrections: self.store.corrections(report_id).await.unwrap_or_default(),
            card,
        }))
    }

    /// Is the report still waiting for a decision?
    pub async fn is_pending(&self, report_id: i64) -> bool {
        self.store
            .card(report_id)
            .await
            .ok()
            .flatten()
            .is_some_and(|c| c.status == ReportStatus::Pending)
    }

    /// Decides a pending report, once, whichever moderator or replica asks first; a later
    /// decision finds it decided. The citizens of an approved or rejected report are returned
    /// to be told, each once ever (their chats are forgotten as they are taken).
    pub async fn decide(
        &self,
        report_id: i64,
        action: ReviewAction,
        moderator: i64,
        now_ms: i64,
    ) -> Result<Decided> {
        let decision = self
            .store
            .decide(report_id, action, moderator, now_ms)
            .await?;
        let told = if decision == Decision::Decided && action.status().is_told() {
            self.outcomes(report_id).await
        } else {
            Vec::new()
        };
        Ok(Decided { decision, told })
    }

    /// Whom to tell a decision and in what language: their choice, then the report's, then
    /// English.
    async fn outcomes(&self, report_id: i64) -> Vec<Outcome> {
        let reporters = match self.store.take_reporter_chats(report_id).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "the citizens of a decided report could not be read");
                return Vec::new();
            }
        };
        let report_lang = self
            .store
            .card(report_id)
            .await
            .ok()
            .flatten()
            .map(|c| c.language);
        reporters
            .into_iter()
            .map(|r| Outcome {
                chat_id: r.chat_id,
                lang: r.language.or(report_lang).unwrap_or(Lang::En),
            })
            .collect()
    }

    /// Returns a decided report to the queue (audited).
    pub async fn reopen(&self, report_id: i64, moderator: i64, now_ms: i64) -> Result<Reopened> {
        if self.store.reopen(report_id, moderator, now_ms).await? {
            return Ok(Reopened::Reopened);
        }
        Ok(match self.store.card(report_id).await? {
            None => Reopened::NotFound,
            Some(_) => Reopened::NotDecided,
        })
    }

    /// A report's audit trail.
    pub async fn history(&self, report_id: i64) -> Result<Vec<AuditEntry>> {
        self.store.history(report_id).await
    }

    /// A moderator's note in the report's audit trail; false when there is no such report.
    pub async fn add_note(
        &self,
        report_id: i64,
        moderator: i64,
        text: &str,
        now_ms: i64,
    ) -> Result<bool> {
        self.store
            .add_note(report_id, moderator, text, now_ms)
            .await
    }

    /// Corrects the automatic extraction (audited); false when there is no such report.
    pub async fn correct(
        &self,
        report_id: i64,
        fix: &Fix,
        moderator: i64,
        now_ms: i64,
    ) -> Result<bool> {
        self.store
            .correct(report_id, fix.field(), fix.value(), moderator, now_ms)
            .await
    }

    /// The queue and the last week's decisions and most reported entities.
    pub async fn stats(&self, now_ms: i64) -> Result<Stats> {
        self.store.stats(now_ms - 7 * 86_400_000).await
    }

    /// Reports sharing what the moderator typed: the engine reads it (a phone becomes E.164,
    /// a link its domain, an organisation its canonical name); failing that, the words as
    /// typed.
    pub async fn find(&self, query: &str) -> Vec<ReportLine> {
        let x = extract::extract(query);
        let mut keys: Vec<(Option<&'static str>, String)> = x
            .entities
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    extract::EntityKind::Phone
                        | extract::EntityKind::Domain
                        | extract::EntityKind::Telegram
                        | extract::EntityKind::Handle
                        | extract::EntityKind::Org
                )
            })
            .map(|e| (Some(e.kind.as_str()), e.normalized.to_lowercase()))
            .collect();
        let plain = query.trim().trim_start_matches('@').to_lowercase();
        keys.push((None, plain));
        let mut out: Vec<ReportLine> = Vec::new();
        for (kind, value) in keys {
            for line in self
                .store
                .find_reports(kind, &value)
                .await
                .unwrap_or_default()
            {
                if !out.iter().any(|l| l.id == line.id) {
                    out.push(line);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrections_are_checked() {
        assert_eq!(label_value("s"), Some(serde_json::json!("scam_job")));
        assert_eq!(label_value("nonsense"), None);
        assert_eq!(
            amount_value("495000", "rub", Some("one_time")),
            Some(serde_json::json!({"value": 495000.0, "currency": "RUB", "period": "one_time"}))
        );
        assert_eq!(amount_value("-5", "RUB", None), None);
        assert_eq!(amount_value("5", "RUBLES", None), None);
        assert_eq!(amount_value("5", "RUB", Some("weekly")), None);
    }

    #[test]
    fn the_remembered_roles_stay_bounded() {
        let roles = Memberships::default();
        for user in 0..(MEMBERSHIPS_MAX as i64 + 500) {
            roles.put(user, user % 2 == 0);
        }
        assert_eq!(roles.len(), MEMBERSHIPS_MAX);
        let last = MEMBERSHIPS_MAX as i64 + 499;
        assert_eq!(roles.get(last), Some(false), "the newest answer is kept");
        assert_eq!(roles.get(0), None, "the oldest went first");
    }

    #[test]
    fn only_administrators_are_trusted_unless_members_are() {
        assert!(trusted_role(ChatRole::Privileged, false));
        assert!(!trusted_role(ChatRole::Member, false));
        assert!(trusted_role(ChatRole::Member, true));
        assert!(!trusted_role(ChatRole::Other, true));
    }
}
