//! Each sender's updates in a lane of their own, so no chat can hold up another.
//!
//! The router takes every claimed update from the ingress and puts it, without waiting, in the
//! lane of whoever it belongs to: a citizen's messages (private ones and group `/report`s) in
//! the citizen's lane, button presses in the presser's, anything else in its chat's. Each lane
//! is worked by a task of its own, one update at a time and in order; lanes run side by side.
//!
//! What must stay true:
//! - The router never waits on a lane. A lane holds at most `USER_QUEUE_MAX` updates; past
//!   that, an update is dropped (marked done, so no replica takes it up again) and the citizen
//!   hears it, at most once a minute. The only wait is [`MAX_HELD`], the bound on all held
//!   updates together, which one lane alone can never reach.
//! - A citizen's messages beyond `USER_RATE_PER_MINUTE` wait in their lane until the rate allows
//!   (never refused), with at most one notice a minute. Moderators in `MODERATOR_IDS` do not
//!   wait.
//! - An update is marked done only once handled ([`super::delivery::handle`]): when its handler
//!   ends, or when the task its long work moved to ends ([`super::delivery::keep_open`]). At shutdown a lane
//!   finishes what the rate allows now; the rest stays claimed in the database, with its copy,
//!   for the next start or another replica.
//! - Rates are kept on the injected clock (`App::clock`), so tests can move time.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use teloxide::prelude::*;
use teloxide::types::{UpdateKind, User};
use teloxide::update_listeners::UpdateListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::{render, reply_lang, App, TgBot};

/// Updates held in all lanes together; past it the router waits (Telegram keeps the rest).
pub const MAX_HELD: usize = 20_000;

/// A citizen hears about their queue, and about dropped messages, at most this often.
const NOTICE_EVERY_MS: i64 = 60_000;

/// The longest a waiting lane sleeps before it looks at the clock again (the injected clock
/// may move faster than real time).
const RECHECK: Duration = Duration::from_secs(1);

/// The injected clock as governor reads it: nanoseconds since the limiter was made.
#[derive(Clone)]
pub struct AppClock {
    now_ms: Arc<dyn Fn() -> i64 + Send + Sync>,
    start_ms: i64,
}

impl AppClock {
    pub fn new(now_ms: Arc<dyn Fn() -> i64 + Send + Sync>) -> AppClock {
        let start_ms = now_ms();
        AppClock { now_ms, start_ms }
    }
}

impl Clock for AppClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        // Saturating: a clock set back never goes below the start.
        let ms = ((self.now_ms)() - self.start_ms).max(0) as u64;
        Nanos::from(ms.saturating_mul(1_000_000))
    }
}

/// A rate per Telegram user, on the injected clock.
pub type Limiter = RateLimiter<u64, DefaultKeyedStateStore<u64>, AppClock, NoOpMiddleware<Nanos>>;

/// A limiter of `quota` on `clock`.
pub fn limiter(quota: Quota, clock: &AppClock) -> Limiter {
    RateLimiter::new(quota, DefaultKeyedStateStore::default(), clock.clone())
}

/// `n` a minute, all of them at once if need be.
pub fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

/// Button presses per user. A moderator working through cards presses about once a second and
/// is never slowed; a citizen has a few buttons (country, language) and needs few presses.
pub struct Presses {
    citizens: Limiter,
    moderators: Limiter,
}

impl Presses {
    pub fn new(clock: &AppClock) -> Presses {
        let citizens = per_minute(20).allow_burst(NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN));
        let moderators = Quota::per_second(NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN));
        Presses {
            citizens: limiter(citizens, clock),
            moderators: limiter(moderators, clock),
        }
    }

    /// May `user` press a button now?
    pub fn allow(&self, user: u64, moderator: bool) -> bool {
        let limiter = if moderator {
            &self.moderators
        } else {
            &self.citizens
        };
        limiter.check_key(&user).is_ok()
    }

    fn retain_recent(&self) {
        self.citizens.retain_recent();
        self.moderators.retain_recent();
    }
}

/// Whose lane an update goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum LaneKey {
    /// A citizen's messages that count against their rate.
    Citizen(u64),
    /// A user's button presses (throttled on their own, never behind their messages).
    Presses(u64),
    /// Everything else, by chat (or by user when there is no chat).
    Chat(i64),
}

/// An update in a lane, with its share of [`MAX_HELD`].
struct Held {
    update: Update,
    /// The citizen whose rate it waits for, if it counts against one.
    citizen: Option<User>,
    _permit: OwnedSemaphorePermit,
}

/// The notices a flooding citizen may get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Notice {
    /// Their messages wait and will be handled in order.
    Queued,
    /// Their lane was full: messages were dropped.
    Dropped,
}

impl Notice {
    fn key(self) -> &'static str {
        match self {
            Notice::Queued => "queued",
            Notice::Dropped => "queue-full",
        }
    }
}

/// The lanes of this process.
struct Lanes {
    app: Arc<App>,
    bot: TgBot,
    stop: CancellationToken,
    /// Lanes being worked, with their waiting updates; a lane is here while its task runs.
    lanes: Mutex<HashMap<LaneKey, VecDeque<Held>>>,
    held: Arc<Semaphore>,
    workers: TaskTracker,
    /// When each citizen last got each notice (injected clock, ms); pruned each minute.
    notices: Mutex<HashMap<(u64, Notice), i64>>,
}

/// Takes claimed updates from `listener` into lanes until it ends (every sender of the ingress
/// is gone), then waits for the lanes to finish or leave what they hold.
pub async fn route<L>(app: Arc<App>, bot: TgBot, mut listener: L, stop: CancellationToken)
where
    L: UpdateListener<Err = Infallible>,
{
    let lanes = Arc::new(Lanes {
        app,
        bot,
        stop,
        lanes: Mutex::default(),
        held: Arc::new(Semaphore::new(MAX_HELD)),
        workers: TaskTracker::new(),
        notices: Mutex::default(),
    });
    let stream = listener.as_stream();
    futures::pin_mut!(stream);
    let mut tidy = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            next = stream.next() => match next {
                Some(Ok(update)) => lanes.admit(update).await,
                Some(Err(never)) => match never {},
                None => break,
            },
            _ = tidy.tick() => lanes.tidy(),
        }
    }
    lanes.workers.close();
    lanes.workers.wait().await;
}

impl Lanes {
    /// Puts `update` in its lane, starting the lane's task when it has none; drops it when the
    /// lane is full. Never waits on a lane.
    async fn admit(self: &Arc<Self>, update: Update) {
        let Ok(permit) = self.held.clone().acquire_owned().await else {
            return;
        };
        let citizen = counted_citizen(&self.app, &update);
        let key = lane_of(&update, citizen.as_ref());
        let held = Held {
            update,
            citizen,
            _permit: permit,
        };
        let max = self.app.config.user_queue_max;
        let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        match lanes.get_mut(&key) {
            Some(queue) if queue.len() >= max => {
                drop(lanes);
                self.drop_update(held);
            }
            Some(queue) => {
                queue.push_back(held);
                self.app.metrics.updates_queued.inc();
            }
            None => {
                lanes.insert(key, VecDeque::new());
                drop(lanes);
                let me = self.clone();
                self.workers.spawn(async move { me.work(key, held).await });
            }
        }
    }

    /// A lane's task: handles its updates in order until the lane is empty.
    async fn work(self: Arc<Self>, key: LaneKey, first: Held) {
        let mut next = Some(first);
        while let Some(held) = next {
            if !self.take_turn(&held).await {
                self.leave(key);
                return;
            }
            self.handle(held).await;
            next = self.next_in(key);
        }
    }

    /// The lane's next update, or none: then the lane is gone (under the same lock the router
    /// looks in, so an update coming now starts a new task).
    fn next_in(&self, key: LaneKey) -> Option<Held> {
        let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
        let next = lanes.get_mut(&key).and_then(VecDeque::pop_front);
        if next.is_some() {
            self.app.metrics.updates_queued.dec();
        } else {
            lanes.remove(&key);
        }
        next
    }

    /// Stopping: the lane's updates stay claimed, not done, for the next start or a replica.
    fn leave(&self, key: LaneKey) {
        let left = {
            let mut lanes = self.lanes.lock().unwrap_or_else(|e| e.into_inner());
            lanes.remove(&key).unwrap_or_default()
        };
        self.app.metrics.updates_queued.dec_by(left.len() as i64);
        // The update in hand is left too: it waited for the rate.
        tracing::info!(
            left = left.len() + 1,
            "stopping: updates waiting for their sender's rate are left claimed"
        );
    }

    /// Waits until the citizen's rate allows the update (at once for everything that does not
    /// count), telling them once a minute that their messages wait. False when stopping first.
    async fn take_turn(&self, held: &Held) -> bool {
        let Some(user) = held.citizen.as_ref() else {
            return true;
        };
        let limiter = &self.app.limiter;
        loop {
            let wait = match limiter.check_key(&user.id.0) {
                Ok(()) => return true,
                Err(not_until) => not_until.wait_time_from(limiter.clock().now()),
            };
            if self.stop.is_cancelled() {
                return false;
            }
            if self.may_tell(user.id.0, Notice::Queued) {
                tell(&self.app, &self.bot, user, Notice::Queued).await;
            }
            let pause = wait.clamp(Duration::from_millis(10), RECHECK);
            tokio::select! {
                _ = self.stop.cancelled() => {}
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Handles one update in a task of its own; [`super::delivery::handle`] marks it done when
    /// its handler ends, unless its work goes on in a task of its own. A panic ends that update
    /// only, and marks it done: an update that panics a handler is not handed to every replica
    /// in turn.
    async fn handle(&self, held: Held) {
        let Held { update, .. } = held;
        let key = super::delivery::update_key(update.id);
        let (app, bot) = (self.app.clone(), self.bot.clone());
        let handling = tokio::spawn(super::on_update(bot, update, app));
        match handling.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "an update's handler failed"),
            Err(e) => {
                tracing::error!(error = %e, "an update's handler panicked");
                self.app.ledger.push(key);
            }
        }
    }

    /// A full lane: the update is dropped and marked done; a citizen hears it once a minute.
    fn drop_update(&self, held: Held) {
        self.app.metrics.updates_dropped.inc();
        self.app
            .ledger
            .push(super::delivery::update_key(held.update.id));
        let Some(user) = held.citizen else {
            return;
        };
        if !self.may_tell(user.id.0, Notice::Dropped) {
            return;
        }
        let (app, bot) = (self.app.clone(), self.bot.clone());
        self.app
            .tasks
            .spawn(async move { tell(&app, &bot, &user, Notice::Dropped).await });
    }

    /// Records a notice to `user` unless they had this one in the last minute.
    fn may_tell(&self, user: u64, notice: Notice) -> bool {
        let now = self.app.now_ms();
        let mut notices = self.notices.lock().unwrap_or_else(|e| e.into_inner());
        match notices.get(&(user, notice)) {
            Some(at) if now - at < NOTICE_EVERY_MS => false,
            _ => {
                notices.insert((user, notice), now);
                true
            }
        }
    }

    /// Forgets rates and notices not used for a while, so neither map grows without bound.
    fn tidy(&self) {
        self.app.limiter.retain_recent();
        self.app.presses.retain_recent();
        let now = self.app.now_ms();
        let mut notices = self.notices.lock().unwrap_or_else(|e| e.into_inner());
        notices.retain(|_, at| now - *at < NOTICE_EVERY_MS);
    }
}

/// Sends `notice` to the citizen's private chat, in their language.
async fn tell(app: &App, bot: &TgBot, user: &User, notice: Notice) {
    let settings = app.service.settings(user.id.0 as i64).await.ok().flatten();
    let lang = reply_lang(settings.as_ref(), Some(user), None);
    let chat = ChatId(user.id.0 as i64);
    if let Err(e) = super::send(bot, chat, render::plain(lang, notice.key())).await {
        tracing::info!(error = %e, "a citizen could not be told about their queue");
    }
}

/// The citizen whose rate the update counts against: a private message, or a `/report` in a
/// group other than the moderators', from anyone but a moderator in `MODERATOR_IDS`.
fn counted_citizen(app: &App, update: &Update) -> Option<User> {
    let UpdateKind::Message(msg) = &update.kind else {
        return None;
    };
    let user = msg.from.as_ref()?;
    if app.config.moderator_ids.contains(&(user.id.0 as i64)) {
        return None;
    }
    let counts = msg.chat.is_private()
        || (Some(msg.chat.id.0) != app.config.moderator_chat_id
            && msg.reply_to_message().is_some()
            && msg.text().is_some_and(super::is_report_command));
    counts.then(|| user.clone())
}

fn lane_of(update: &Update, citizen: Option<&User>) -> LaneKey {
    if let Some(user) = citizen {
        return LaneKey::Citizen(user.id.0);
    }
    if let UpdateKind::CallbackQuery(q) = &update.kind {
        return LaneKey::Presses(q.from.id.0);
    }
    match (update.chat(), update.from()) {
        (Some(chat), _) => LaneKey::Chat(chat.id.0),
        (None, Some(user)) => LaneKey::Chat(user.id.0 as i64),
        (None, None) => LaneKey::Chat(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};

    #[test]
    fn the_injected_clock_drives_the_rate() {
        let ms = Arc::new(AtomicI64::new(1_795_424_390_000));
        let now = ms.clone();
        let clock = AppClock::new(Arc::new(move || now.load(Ordering::SeqCst)));
        let limiter = limiter(per_minute(2), &clock);
        assert!(limiter.check_key(&7).is_ok());
        assert!(limiter.check_key(&7).is_ok());
        let refused = limiter.check_key(&7).unwrap_err();
        assert_eq!(refused.wait_time_from(clock.now()), Duration::from_secs(30));
        assert!(limiter.check_key(&8).is_ok(), "another user has their own");
        ms.fetch_add(30_000, Ordering::SeqCst);
        assert!(limiter.check_key(&7).is_ok());
    }

    #[test]
    fn a_moderator_pressing_once_a_second_is_never_refused_and_a_citizen_is() {
        let ms = Arc::new(AtomicI64::new(0));
        let now = ms.clone();
        let clock = AppClock::new(Arc::new(move || now.load(Ordering::SeqCst)));
        let presses = Presses::new(&clock);
        for _ in 0..600 {
            assert!(presses.allow(1, true));
            ms.fetch_add(1_000, Ordering::SeqCst);
        }
        let allowed = (0..20).filter(|_| presses.allow(2, false)).count();
        assert_eq!(allowed, 5, "a citizen's burst");
    }
}
