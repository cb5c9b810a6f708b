//! `adwatch run` as deployed: the binary, configured only by the environment, talking to a
//! stand-in Bot API through `TELOXIDE_API_URL`, stopped with SIGTERM.

use std::process::{Command, Stdio};

use adwatch::fake_bot_api::FakeBotApi;
use serde_json::json;

#[tokio::test]
async fn the_binary_answers_through_teloxide_api_url_and_stops_cleanly_on_sigterm() {
    let api = FakeBotApi::start().await;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("bot.db").display());
    let child = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .arg("run")
        .env_clear()
        .env("TELOXIDE_TOKEN", "42:SECRET-TOKEN-VALUE")
        .env("TELOXIDE_API_URL", &api.url)
        .env("DATABASE_URL", &db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
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
