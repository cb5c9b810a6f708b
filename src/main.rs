use std::io::{self, BufReader, BufWriter};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use adwatch::review::ReportStatus;
use adwatch::service::{self, Service};
use adwatch::{analyze, export, telegram};

/// adwatch: reads suspicious recruitment and job ads.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot (the default): long polling, TELOXIDE_TOKEN and DATABASE_URL from the environment.
    Run,
    /// Analyse ad texts: payment offers, recruiting entities, label and risk.
    Analyze {
        /// A file, or `-` (the default) for standard input.
        #[arg(default_value = "-")]
        input: PathBuf,
        #[arg(long, value_enum, default_value_t = analyze::Format::Text)]
        format: analyze::Format,
    },
    /// Export the stored reports, one a line, to standard output (never a reporter).
    Export {
        #[arg(long, value_enum, default_value_t = export::ExportFormat::Jsonl)]
        format: export::ExportFormat,
        /// Only reports seen since this date (2026-11-01) or time (RFC 3339).
        #[arg(long, value_parser = export::parse_since)]
        since: Option<i64>,
        /// Only reports with this review status (pending, approved, rejected, duplicate).
        #[arg(long)]
        status: Option<ReportStatus>,
        /// Where the reports are.
        #[arg(
            long,
            env = "DATABASE_URL",
            default_value = "sqlite://adwatch.db",
            hide_env_values = true
        )]
        database_url: String,
    },
    /// Copies every report, decision and setting from one database into a new, empty one
    /// (a SQLite deployment moving to PostgreSQL), then compares the counts table by table.
    MigrateDb {
        /// The database to copy, e.g. sqlite://adwatch.db.
        #[arg(long)]
        from: String,
        /// The new database, e.g. postgres://user:password@host/adwatch (created empty first).
        #[arg(long)]
        to: String,
    },
    /// The weekly digest (DIGEST_* settings): print it, or post it now.
    Digest {
        /// Print the digest that would go out now (HTML, one message a block) and send nothing.
        #[arg(long, conflicts_with = "send")]
        dry_run: bool,
        /// Post it now to DIGEST_CHAT_IDS (needs TELOXIDE_TOKEN), once per chat and period.
        #[arg(long)]
        send: bool,
        /// With --send: cover the last 7 days even if a digest went out since.
        #[arg(long, requires = "send")]
        force: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::MigrateDb { from, to }) => run_migrate(&from, &to),
        Some(Command::Digest {
            dry_run,
            send,
            force,
        }) => {
            if !dry_run && !send {
                eprintln!("adwatch digest: say --dry-run or --send");
                return ExitCode::from(2);
            }
            run_digest(send, force)
        }
        Some(Command::Analyze { input, format }) => {
            let max_line = match adwatch::config::analyze_max_line() {
                Ok(n) => n,
                Err(e) => {
                    eprintln!("adwatch: {e:#}");
                    return ExitCode::from(2);
                }
            };
            let stdout = io::stdout();
            let mut out = BufWriter::with_capacity(256 * 1024, stdout.lock());
            let result = if input.as_os_str() == "-" {
                let stdin = io::stdin();
                analyze::run(
                    &mut BufReader::with_capacity(256 * 1024, stdin.lock()),
                    &mut out,
                    format,
                    max_line,
                )
            } else {
                match std::fs::File::open(&input) {
                    Ok(f) => analyze::run(
                        &mut BufReader::with_capacity(256 * 1024, f),
                        &mut out,
                        format,
                        max_line,
                    ),
                    Err(e) => {
                        eprintln!("adwatch: cannot read {}: {e}", input.display());
                        return ExitCode::from(2);
                    }
                }
            };
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("adwatch: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Export {
            format,
            since,
            status,
            database_url,
        }) => {
            let Some(runtime) = one_shot_runtime() else {
                return ExitCode::FAILURE;
            };
            let result = runtime.block_on(async {
                let stdout = io::stdout();
                let mut out = BufWriter::new(stdout.lock());
                service::admin::export_reports(&database_url, since, status, format, &mut out).await
            });
            match result {
                Ok(n) => {
                    eprintln!("adwatch: exported {n} reports");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("adwatch: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::Run) | None => run_bot(),
    }
}

/// The single-threaded runtime of a one-shot command; `None` after saying why there is none.
fn one_shot_runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("adwatch: {e}");
            None
        }
    }
}

/// `adwatch migrate-db --from … --to …`: nothing lost, or a non-zero exit.
fn run_migrate(from: &str, to: &str) -> ExitCode {
    let Some(runtime) = one_shot_runtime() else {
        return ExitCode::FAILURE;
    };
    let result: anyhow::Result<bool> = runtime.block_on(async {
        let copied = service::admin::copy_database(from, to).await?;
        let mut same = true;
        for c in &copied {
            let mark = if c.source == c.target {
                "ok"
            } else {
                "DIFFERS"
            };
            same &= c.source == c.target;
            println!("{:<20} {:>10} {:>10}  {mark}", c.table, c.source, c.target);
        }
        Ok(same)
    });
    match result {
        Ok(true) => {
            eprintln!("adwatch: every table copied; point DATABASE_URL at the new database");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            eprintln!("adwatch: the counts differ; keep using the old database");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("adwatch: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `adwatch digest --dry-run | --send [--force]`.
fn run_digest(send: bool, force: bool) -> ExitCode {
    let Some(runtime) = one_shot_runtime() else {
        return ExitCode::FAILURE;
    };
    let result: anyhow::Result<()> = runtime.block_on(async {
        let config = adwatch::config::Config::from_env()?;
        let service = Service::open(&config.database_url).await?;
        let now = telegram::system_clock()();
        if !send {
            match telegram::digest::preview(service, &config.digest, now).await? {
                Some(parts) => {
                    for part in parts {
                        println!("{part}\n");
                    }
                }
                None => eprintln!("adwatch: no reports were approved since the last digest"),
            }
            return Ok(());
        }
        for (chat, posted) in telegram::digest::send_now(service, &config, now, force).await? {
            eprintln!("adwatch: {chat}: {posted:?}");
        }
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("adwatch: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Starts the bot and runs it until SIGTERM or SIGINT; in-flight updates finish first.
fn run_bot() -> ExitCode {
    if let Err(e) = init_logs() {
        eprintln!("adwatch: {e:#}");
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("adwatch: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result: anyhow::Result<()> = runtime.block_on(async {
        let config = adwatch::config::Config::from_env()?;
        if std::env::var("TELOXIDE_TOKEN").map_or(true, |t| t.trim().is_empty()) {
            anyhow::bail!("TELOXIDE_TOKEN is not set: the bot's token from @BotFather");
        }
        let service = Service::start(&config.database_url, config.reporter_key.clone()).await?;
        let bot = telegram::bot_from_env();
        let mut app = telegram::App::new(service, config, telegram::system_clock())?;
        app.probe_ocr().await;
        let app = std::sync::Arc::new(app);
        telegram::spawn_retention(app.clone());
        telegram::run(bot, app, shutdown_signal()).await;
        Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("adwatch: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default info): lines for people, or one JSON object
/// per line with `LOG_FORMAT=json`.
fn init_logs() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr);
    match std::env::var("LOG_FORMAT").unwrap_or_default().trim() {
        "" | "text" => logs.init(),
        "json" => logs.json().flatten_event(true).init(),
        other => anyhow::bail!("LOG_FORMAT: `{other}` is neither text nor json"),
    }
    Ok(())
}

/// SIGTERM (a service manager stopping the bot) or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
