//! Webhook load: the release `adwatch` binary in webhook mode, fed private text messages over
//! loopback the way Telegram delivers them (a POST with the secret header, redelivered after a
//! short pause until the bot answers 2xx), replying through the stand-in Bot API.
//!
//! For each setup — one process on SQLite (`sqlite`), one replica on PostgreSQL (`pg1`), two
//! replicas on the same PostgreSQL database with updates sent round-robin (`pg2`) — it prints
//! updates per second, the p50/p99/max latency from the first delivery attempt of an update to
//! the bot's `sendMessage` in that chat, chats that got more than one reply (must be 0),
//! redeliveries (non-2xx answers or failed connections) and replies that never came.
//!
//! ```text
//! cargo bench --bench load
//! cargo bench --bench load -- --updates 5000
//! cargo bench --bench load -- --updates 5000 --rate 1000
//! cargo bench --bench load -- --updates 5000 --concurrency 64 --only pg2
//! ```
//!
//! `--updates N` measured updates per setup (default 2000), `--concurrency C` POSTs in flight
//! (default 32: as fast as the bot takes them, which measures its capacity), `--rate R` instead
//! offers R updates a second whatever the answers (which measures latency at a given load),
//! `--only sqlite|pg1|pg2` one setup. Each setup first sends 50 warm-up updates
//! that are not counted.
//!
//! PostgreSQL is the server at `ADWATCH_TEST_POSTGRES_URL` (default: the local server), as in
//! the tests; each PostgreSQL setup gets a fresh database, dropped afterwards. Without a server
//! the PostgreSQL setups are skipped (they fail under `ADWATCH_REQUIRE_SERVICES=1`).
//!
//! Telegram's send limit is lifted (`TELEGRAM_SEND_RATE`) to measure adwatch itself. The bench,
//! the stand-in Bot API and the replicas share the machine's cores, so two replicas on a small
//! machine measure contention as much as scaling.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use adwatch_fake_bot_api::FakeBotApi;
use anyhow::{bail, Context};
use futures::StreamExt;
use serde_json::json;
use sqlx::Connection;

/// What the bench and the bot agree on in `X-Telegram-Bot-Api-Secret-Token`.
const WEBHOOK_SECRET: &str = "load-secret";
/// The key of the citizens' hashes (the bot reads it from `REPORTER_SECRET`).
const REPORTER_SECRET: &str = "load-bench-reporter-key-0123456789";
/// Updates sent (and answered) before the measured ones, per setup.
const WARM_UP: usize = 50;
/// Every update comes from its own private chat, `FIRST_CHAT + update_id`, so the per-citizen
/// rate limit never applies.
const FIRST_CHAT: i64 = 1_000_000;
/// How long a replica may take to answer `/healthz` (migrations included).
const HEALTH_TIMEOUT: Duration = Duration::from_secs(60);
/// How long the bench waits for the replies once every update is delivered.
const REPLY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long one update is redelivered before the bench gives up on it.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(60);
/// The pause before redelivering an update the bot did not accept.
const REDELIVERY_PAUSE: Duration = Duration::from_millis(50);
/// How long after the last reply the bench still watches for duplicate replies.
const DUPLICATE_GRACE: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Setup {
    Sqlite,
    Pg1,
    Pg2,
}

impl Setup {
    const ALL: [Setup; 3] = [Setup::Sqlite, Setup::Pg1, Setup::Pg2];

    fn name(self) -> &'static str {
        match self {
            Setup::Sqlite => "sqlite",
            Setup::Pg1 => "pg1",
            Setup::Pg2 => "pg2",
        }
    }

    fn parse(name: &str) -> Option<Setup> {
        Setup::ALL.into_iter().find(|s| s.name() == name)
    }

    fn replicas(self) -> usize {
        match self {
            Setup::Pg2 => 2,
            Setup::Sqlite | Setup::Pg1 => 1,
        }
    }

    fn on_postgres(self) -> bool {
        self != Setup::Sqlite
    }
}

/// The command line after `cargo bench --bench load --`.
struct Options {
    updates: usize,
    concurrency: usize,
    /// Open loop: updates offered at this many per second, whatever the answers.
    rate: Option<f64>,
    only: Option<Setup>,
}

impl Options {
    fn from_args() -> Options {
        let mut options = Options {
            updates: 2000,
            concurrency: 32,
            rate: None,
            only: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--bench" => {}
                "--updates" => options.updates = positive(&arg, args.next()),
                "--concurrency" => options.concurrency = positive(&arg, args.next()),
                "--rate" => options.rate = Some(positive(&arg, args.next()) as f64),
                "--only" => {
                    let name = args.next().unwrap_or_default();
                    options.only = Some(Setup::parse(&name).unwrap_or_else(|| {
                        usage(&format!("--only `{name}` is not one of sqlite, pg1, pg2"))
                    }));
                }
                other => eprintln!("load: ignoring the argument `{other}`"),
            }
        }
        options
    }
}

fn positive(flag: &str, value: Option<String>) -> usize {
    let value = value.unwrap_or_default();
    match value.parse::<usize>() {
        Ok(n) if n > 0 => n,
        _ => usage(&format!("{flag} `{value}` is not a positive whole number")),
    }
}

fn usage(problem: &str) -> ! {
    eprintln!("load: {problem}");
    eprintln!(
        "usage: cargo bench --bench load -- [--updates N] [--concurrency C | --rate R] [--only sqlite|pg1|pg2]"
    );
    std::process::exit(2)
}

/// Realistic ad texts: the collected real ads, as in the intake bench.
fn ads() -> Vec<String> {
    let path = format!("{}/tests/fixtures/real.jsonl", env!("CARGO_MANIFEST_DIR"));
    let ads: Vec<String> = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter_map(|l| {
            serde_json::from_str::<serde_json::Value>(l).ok()?["text"]
                .as_str()
                .map(str::to_owned)
        })
        .collect();
    assert!(!ads.is_empty(), "{path} holds no ads");
    ads
}

/// One update, serialized ahead of time so that no JSON work falls inside the measurement.
struct Update {
    chat: i64,
    body: String,
}

/// Updates `first_id..first_id + count`, each from its own chat, each text made unique.
fn updates(first_id: i64, count: usize, ads: &[String]) -> Vec<Update> {
    (first_id..first_id + count as i64)
        .map(|id| {
            let chat = FIRST_CHAT + id;
            let text = format!("{} №{id}", ads[id as usize % ads.len()]);
            let update = json!({"update_id": id, "message": {
                "message_id": id, "date": 1_700_000_000,
                "chat": {"id": chat, "type": "private", "first_name": "C"},
                "from": {"id": chat, "is_bot": false, "first_name": "C", "language_code": "ru"},
                "text": text,
            }});
            Update {
                chat,
                body: update.to_string(),
            }
        })
        .collect()
}

/// How the delivery of one update went.
struct Delivery {
    chat: i64,
    /// Just before the first POST.
    first_attempt: Instant,
    /// Whether the bot eventually answered 2xx (within [`DELIVERY_TIMEOUT`]).
    accepted: bool,
    /// Attempts answered with anything but 2xx, or that failed outright: each one asks for a
    /// redelivery (the last one too, when the bench gives up).
    redeliveries: u64,
}

/// Delivers `update` like Telegram: POST, and on anything but 2xx pause and POST again. The
/// first attempt goes to replica `index % n`; each redelivery moves on to the next replica, as
/// a load balancer in front of the replicas would.
async fn deliver(
    client: &reqwest::Client,
    webhooks: &[String],
    index: usize,
    update: &Update,
) -> Delivery {
    let first_attempt = Instant::now();
    let mut redeliveries = 0u64;
    loop {
        let url = &webhooks[(index + redeliveries as usize) % webhooks.len()];
        let answer = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("X-Telegram-Bot-Api-Secret-Token", WEBHOOK_SECRET)
            .body(update.body.clone())
            .send()
            .await;
        let accepted = match answer {
            Ok(response) => {
                let status = response.status();
                // Read the (small) body so the connection goes back to the pool.
                let _ = response.bytes().await;
                status.is_success()
            }
            Err(_) => false,
        };
        if !accepted {
            redeliveries += 1;
        }
        if accepted || first_attempt.elapsed() >= DELIVERY_TIMEOUT {
            return Delivery {
                chat: update.chat,
                first_attempt,
                accepted,
                redeliveries,
            };
        }
        tokio::time::sleep(REDELIVERY_PAUSE).await;
    }
}

/// Delivers every update with at most `concurrency` POSTs in flight, or, with `rate`, each at
/// its time (update i at i/rate seconds), as Telegram does whatever the bot's pace.
async fn deliver_all(
    client: &reqwest::Client,
    webhooks: &[String],
    updates: &[Update],
    concurrency: usize,
    rate: Option<f64>,
) -> Vec<Delivery> {
    let start = tokio::time::Instant::now();
    let in_flight = if rate.is_some() {
        updates.len().max(1)
    } else {
        concurrency
    };
    futures::stream::iter(updates.iter().enumerate())
        .map(|(index, update)| async move {
            if let Some(rate) = rate {
                let at = start + Duration::from_secs_f64(index as f64 / rate);
                tokio::time::sleep_until(at).await;
            }
            deliver(client, webhooks, index, update).await
        })
        .buffer_unordered(in_flight)
        .collect()
        .await
}

/// When the first `sendMessage` to each chat reached the stand-in Bot API.
fn first_replies(api: &FakeBotApi) -> HashMap<i64, Instant> {
    let mut first = HashMap::new();
    for call in api.calls("sendMessage") {
        if let Some(chat) = call.body["chat_id"].as_i64() {
            first.entry(chat).or_insert(call.at);
        }
    }
    first
}

/// Chats that received more than one `sendMessage`.
fn duplicate_replies(api: &FakeBotApi) -> usize {
    let mut sends = HashMap::<i64, usize>::new();
    for call in api.calls("sendMessage") {
        if let Some(chat) = call.body["chat_id"].as_i64() {
            *sends.entry(chat).or_default() += 1;
        }
    }
    sends.values().filter(|&&n| n > 1).count()
}

/// Waits until every chat in `chats` has a reply, or `timeout` passes; returns the first
/// replies seen so far. Polls gently: the times come from the stand-in API, not from here.
async fn wait_for_replies(
    api: &FakeBotApi,
    chats: &HashSet<i64>,
    timeout: Duration,
) -> HashMap<i64, Instant> {
    let deadline = Instant::now() + timeout;
    loop {
        let replies = first_replies(api);
        if chats.iter().all(|c| replies.contains_key(c)) || Instant::now() >= deadline {
            return replies;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A port that was free a moment ago (the replica binds it itself).
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("a free loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// The last lines of a replica's log, for error messages.
fn log_tail(path: &Path) -> String {
    let log = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

/// One `adwatch run` process in webhook mode.
struct Replica {
    name: String,
    child: tokio::process::Child,
    listen: String,
    log: PathBuf,
}

impl Replica {
    /// Starts the binary, configured only by the environment; its output goes to a log file
    /// in `dir`. Dropping the replica kills the process (on the error paths).
    fn start(
        name: String,
        api: &FakeBotApi,
        database_url: &str,
        dir: &Path,
    ) -> anyhow::Result<Replica> {
        let listen = format!("127.0.0.1:{}", free_port()?);
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).with_context(|| format!("{}", log.display()))?;
        let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_adwatch"))
            .arg("run")
            .env_clear()
            .env("TELOXIDE_TOKEN", "123:LOAD")
            .env("TELOXIDE_API_URL", &api.url)
            .env("DATABASE_URL", database_url)
            .env("WEBHOOK_URL", format!("http://{listen}/telegram"))
            .env("LISTEN_ADDR", &listen)
            .env("WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("TELEGRAM_SEND_RATE", "100000")
            .env("USER_RATE_PER_MINUTE", "1000")
            .env("FETCH_ENABLED", "0")
            .env("OCR_TESSERACT", "/nonexistent")
            .env("REPORTER_SECRET", REPORTER_SECRET)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .kill_on_drop(true)
            .spawn()
            .context("adwatch starts")?;
        Ok(Replica {
            name,
            child,
            listen,
            log,
        })
    }

    fn webhook(&self) -> String {
        format!("http://{}/telegram", self.listen)
    }

    /// Polls `/healthz` until it answers 200.
    async fn wait_healthy(&mut self, client: &reqwest::Client) -> anyhow::Result<()> {
        let url = format!("http://{}/healthz", self.listen);
        let deadline = Instant::now() + HEALTH_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "{} exited ({status}) before it was healthy; its log ends:\n{}",
                    self.name,
                    log_tail(&self.log)
                );
            }
            if let Ok(response) = client.get(&url).send().await {
                if response.status() == reqwest::StatusCode::OK {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                bail!(
                    "{} did not answer 200 at {url} within {HEALTH_TIMEOUT:?}; its log ends:\n{}",
                    self.name,
                    log_tail(&self.log)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGTERM, then wait for a clean exit (killing it after 10 s).
    async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            // SAFETY: kill(2) sends a signal to our own child; no memory is involved.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
        }
        match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
            Ok(Ok(status)) if status.success() => {}
            Ok(Ok(status)) => eprintln!(
                "load: {} ended with {status}; its log ends:\n{}",
                self.name,
                log_tail(&self.log)
            ),
            Ok(Err(e)) => eprintln!("load: {}: {e}", self.name),
            Err(_) => {
                eprintln!("load: {} ignored SIGTERM for 10 s; killing it", self.name);
                let _ = self.child.kill().await;
            }
        }
    }
}

/// One line of the results.
struct Row {
    setup: &'static str,
    updates: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
    duplicates: usize,
    redeliveries: u64,
    missing: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Starts the replicas of `setup` on `database_url`, warms them up, measures, stops them.
async fn measure(
    setup: Setup,
    database_url: &str,
    options: &Options,
    ads: &[String],
) -> anyhow::Result<Row> {
    let dir = tempfile::tempdir()?;
    let api = FakeBotApi::start().await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;

    // One after another, so that only the first one runs the migrations.
    let mut replicas = Vec::new();
    for i in 1..=setup.replicas() {
        let name = format!("{}-replica-{i}", setup.name());
        let mut replica = Replica::start(name, &api, database_url, dir.path())?;
        replica.wait_healthy(&client).await?;
        replicas.push(replica);
    }
    let webhooks: Vec<String> = replicas.iter().map(Replica::webhook).collect();

    // Warm-up: connections, caches, the first pages of the database. Not counted.
    let warm_up = updates(1, WARM_UP, ads);
    deliver_all(&client, &webhooks, &warm_up, options.concurrency, None).await;
    let warm_chats: HashSet<i64> = warm_up.iter().map(|u| u.chat).collect();
    let answered = wait_for_replies(&api, &warm_chats, REPLY_TIMEOUT).await;
    if !warm_chats.iter().all(|c| answered.contains_key(c)) {
        bail!("the warm-up updates were not all answered within {REPLY_TIMEOUT:?}");
    }

    // The measured updates: ids (and chats) after the warm-up's.
    let measured = updates(WARM_UP as i64 + 1, options.updates, ads);
    let deliveries = deliver_all(
        &client,
        &webhooks,
        &measured,
        options.concurrency,
        options.rate,
    )
    .await;
    let chats: HashSet<i64> = measured.iter().map(|u| u.chat).collect();
    let replies = wait_for_replies(&api, &chats, REPLY_TIMEOUT).await;
    tokio::time::sleep(DUPLICATE_GRACE).await;
    let duplicates = duplicate_replies(&api);

    for replica in replicas {
        replica.stop().await;
    }

    let unaccepted = deliveries.iter().filter(|d| !d.accepted).count();
    if unaccepted > 0 {
        eprintln!(
            "load: {}: {unaccepted} updates were never accepted within {DELIVERY_TIMEOUT:?}",
            setup.name()
        );
    }
    // (first attempt, first reply) of every measured update that was answered.
    let answered: Vec<(Instant, Instant)> = deliveries
        .iter()
        .filter_map(|d| Some((d.first_attempt, *replies.get(&d.chat)?)))
        .collect();
    if answered.is_empty() {
        bail!("no update was answered");
    }
    let mut latencies: Vec<Duration> = answered
        .iter()
        .map(|(sent, reply)| reply.saturating_duration_since(*sent))
        .collect();
    latencies.sort();
    let first_post = deliveries.iter().map(|d| d.first_attempt).min();
    let last_reply = answered.iter().map(|(_, reply)| *reply).max();
    let elapsed = match (first_post, last_reply) {
        (Some(first), Some(last)) => last.saturating_duration_since(first),
        _ => Duration::ZERO,
    };
    Ok(Row {
        setup: setup.name(),
        updates: options.updates,
        per_second: latencies.len() as f64 / elapsed.as_secs_f64().max(f64::EPSILON),
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
        max: *latencies.last().expect("not empty"),
        duplicates,
        redeliveries: deliveries.iter().map(|d| d.redeliveries).sum(),
        missing: options.updates - latencies.len(),
    })
}

/// The PostgreSQL server of the tests (`ADWATCH_TEST_POSTGRES_URL`, an admin database's URL).
struct Postgres {
    admin: String,
    /// The URL without the database name.
    base: String,
}

impl Postgres {
    /// The server, or why it cannot be used.
    async fn probe() -> Result<Postgres, String> {
        let admin = std::env::var("ADWATCH_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
        let connect = sqlx::PgConnection::connect(&admin);
        match tokio::time::timeout(Duration::from_secs(5), connect).await {
            Ok(Ok(conn)) => {
                let _ = conn.close().await;
            }
            Ok(Err(e)) => return Err(format!("no PostgreSQL at {admin}: {e}")),
            Err(_) => return Err(format!("PostgreSQL at {admin} did not answer within 5 s")),
        }
        let base = admin
            .rsplit_once('/')
            .map_or_else(|| admin.clone(), |(base, _)| base.to_string());
        Ok(Postgres { admin, base })
    }

    async fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        let mut conn = sqlx::PgConnection::connect(&self.admin).await?;
        sqlx::query(sql).execute(&mut conn).await?;
        conn.close().await
    }

    /// A new, empty database named `name` (a leftover of the same name is dropped first);
    /// returns its URL.
    async fn create(&self, name: &str) -> anyhow::Result<String> {
        let _ = self
            .execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        self.execute(&format!("CREATE DATABASE {name}"))
            .await
            .with_context(|| format!("CREATE DATABASE {name}"))?;
        Ok(format!("{}/{name}", self.base))
    }

    async fn drop(&self, name: &str) {
        if let Err(e) = self
            .execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
        {
            eprintln!("load: could not drop the database {name}: {e}");
        }
    }
}

fn print_table(rows: &[Row]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{:<8} {:>8} {:>10} {:>8} {:>8} {:>8} {:>10} {:>8} {:>8}",
        "setup",
        "updates",
        "updates/s",
        "p50 ms",
        "p99 ms",
        "max ms",
        "duplicates",
        "retries",
        "missing"
    );
    for r in rows {
        println!(
            "{:<8} {:>8} {:>10.1} {:>8.1} {:>8.1} {:>8.1} {:>10} {:>8} {:>8}",
            r.setup,
            r.updates,
            r.per_second,
            ms(r.p50),
            ms(r.p99),
            ms(r.max),
            r.duplicates,
            r.redeliveries,
            r.missing
        );
    }
}

async fn run(options: Options) {
    let ads = ads();
    let setups: Vec<Setup> = Setup::ALL
        .into_iter()
        .filter(|s| options.only.is_none_or(|only| only == *s))
        .collect();

    let postgres = if setups.iter().any(|s| s.on_postgres()) {
        match Postgres::probe().await {
            Ok(postgres) => Some(postgres),
            Err(why) if std::env::var("ADWATCH_REQUIRE_SERVICES").is_ok_and(|v| v == "1") => {
                panic!("ADWATCH_REQUIRE_SERVICES=1 but {why}")
            }
            Err(why) => {
                println!("load: the PostgreSQL setups (pg1, pg2) are skipped: {why}");
                None
            }
        }
    } else {
        None
    };

    let mut rows = Vec::new();
    for setup in setups {
        eprintln!(
            "load: {}: {} replica(s), {} updates, {}",
            setup.name(),
            setup.replicas(),
            options.updates,
            match options.rate {
                Some(rate) => format!("offered at {rate}/s"),
                None => format!("{} in flight", options.concurrency),
            }
        );
        let result = if setup.on_postgres() {
            let Some(postgres) = &postgres else {
                continue;
            };
            let name = format!("adwatch_load_{}_{}", std::process::id(), setup.name());
            match postgres.create(&name).await {
                Ok(url) => {
                    let result = measure(setup, &url, &options, &ads).await;
                    postgres.drop(&name).await;
                    result
                }
                Err(e) => Err(e),
            }
        } else {
            match tempfile::tempdir() {
                Ok(dir) => {
                    let url = format!("sqlite://{}/load.db?mode=rwc", dir.path().display());
                    measure(setup, &url, &options, &ads).await
                }
                Err(e) => Err(e.into()),
            }
        };
        match result {
            Ok(row) => rows.push(row),
            Err(e) => println!("load: {}: failed: {e:#}", setup.name()),
        }
    }
    print_table(&rows);
}

fn main() {
    // `cargo test --benches` runs benches with `--bench` absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let options = Options::from_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(run(options));
}
