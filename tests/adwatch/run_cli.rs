//! `adwatch run` as deployed: the binary, configured only by the environment, talking to a
//! stand-in Bot API through `TELOXIDE_API_URL`, stopped with SIGTERM.

use std::process::{Command, Stdio};

use adwatch_fake_bot_api::FakeBotApi;
use serde_json::json;

/// `adwatch run` with nothing but its token, the stand-in API and a database; logs piped.
fn bot_command(api: &FakeBotApi, db: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_adwatch"));
    command
        .arg("run")
        .env_clear()
        .env("TELOXIDE_TOKEN", "42:SECRET-TOKEN-VALUE")
        .env("TELOXIDE_API_URL", &api.url)
        .env("DATABASE_URL", db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

#[tokio::test]
async fn the_binary_answers_through_teloxide_api_url_and_stops_cleanly_on_sigterm() {
    let api = FakeBotApi::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let child = bot_command(&api, &db).spawn().unwrap();
    api.push(json!({"update_id": 1, "message": {
        "message_id": 1, "date": 1_700_000_000,
        "chat": {"id": 5, "type": "private", "first_name": "C"},
        "from": {"id": 5, "is_bot": false, "first_name": "C", "language_code": "uz"},
        "text": "Rossiyada ish: oyiga 5 mln so‘m, bir martalik to‘lov 100 mln so‘m, telefon +998 90 123 45 67",
    }}));
    let sent = api.wait_for("sendMessage", 1).await;
    assert_eq!(sent.len(), 1, "the bot answered through the stand-in API");
    assert!(sent[0].body["text"]
        .as_str()
        .unwrap()
        .contains("+998901234567"));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        out.status.success(),
        "SIGTERM ends the bot cleanly: {:?}",
        out.status
    );
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(
        !logs.contains("SECRET-TOKEN-VALUE"),
        "the token never reaches the logs"
    );
}

#[tokio::test]
async fn the_binary_in_webhook_mode_registers_answers_logs_json_and_stops_on_sigterm() {
    let api = FakeBotApi::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let secret = "webhook-SECRET-value_42";
    let child = bot_command(&api, &db)
        .env("WEBHOOK_URL", "https://adwatch.example.org/tg/hook")
        .env("WEBHOOK_SECRET", secret)
        .env("WEBHOOK_REGISTER", "1")
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("LOG_FORMAT", "json")
        .spawn()
        .unwrap();
    let registered = api.wait_for("setWebhook", 1).await;
    assert_eq!(registered.len(), 1, "WEBHOOK_REGISTER=1 calls setWebhook");
    assert_eq!(
        registered[0].body["url"],
        "https://adwatch.example.org/tg/hook"
    );
    assert_eq!(registered[0].body["secret_token"], secret);
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let mut healthy = false;
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            healthy = r.status() == 200;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(healthy, "/healthz answers 200");
    let update = json!({"update_id": 7, "message": {
        "message_id": 1, "date": 1_700_000_000,
        "chat": {"id": 6, "type": "private", "first_name": "C"},
        "from": {"id": 6, "is_bot": false, "first_name": "C", "language_code": "ru"},
        "text": "Контракт: единовременно 495 000 рублей, звоните +7 701 123 45 67",
    }});
    let status = client
        .post(format!("{base}/tg/hook"))
        .header("X-Telegram-Bot-Api-Secret-Token", secret)
        .json(&update)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    let sent = api.wait_for("sendMessage", 1).await;
    assert!(sent[0].body["text"]
        .as_str()
        .unwrap()
        .contains("+77011234567"));
    assert!(
        api.calls("getUpdates").is_empty(),
        "no polling in webhook mode"
    );
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert!(
        api.calls("deleteWebhook").is_empty(),
        "a stopping replica keeps the webhook"
    );
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(!logs.trim().is_empty());
    for line in logs.lines() {
        let entry: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            entry["level"].is_string() && entry["message"].is_string(),
            "{line}"
        );
    }
    assert!(!logs.contains(secret) && !logs.contains("SECRET-TOKEN-VALUE"));
}

#[test]
fn webhook_mode_without_a_secret_or_on_a_taken_path_is_refused_at_start() {
    let out = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .arg("run")
        .env_clear()
        .env("TELOXIDE_TOKEN", "42:X")
        .env("WEBHOOK_URL", "https://adwatch.example.org/tg/hook")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("WEBHOOK_SECRET is required"));
    let out = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .arg("run")
        .env_clear()
        .env("TELOXIDE_TOKEN", "42:X")
        .env("WEBHOOK_URL", "https://adwatch.example.org/metrics")
        .env("WEBHOOK_SECRET", "abc")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("taken by the bot's own endpoints"));
}

#[test]
fn metrics_addr_on_listen_addr_is_refused_at_start() {
    let out = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .arg("run")
        .env_clear()
        .env("TELOXIDE_TOKEN", "42:X")
        .env("LISTEN_ADDR", "127.0.0.1:8080")
        .env("METRICS_ADDR", "127.0.0.1:8080")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("METRICS_ADDR: it must differ"));
}
