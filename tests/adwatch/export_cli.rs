//! `adwatch export` as an operator runs it: only DATABASE_URL, reports on standard output.

use std::process::Command;

use adwatch::service::{self, ReporterKey, Submission};

#[tokio::test]
async fn export_writes_one_line_a_report_and_nothing_else_on_stdout() {
    let db = crate::db::sqlite().await;
    let key = ReporterKey::new("secret");
    for (user, text) in [
        (1, "Выплата 495 000 рублей при подписании контракта"),
        (2, "Жалақы 400 000 теңге, Алматы"),
    ] {
        let s = Submission {
            text: text.into(),
            origin: None,
            user_id: user,
            chat_id: None,
            links: vec![],
        };
        service::submit(&db.store, &key, 1_700_000_000_000, &s)
            .await
            .unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .args(["export", "--format", "jsonl"])
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("only JSON on stdout"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["amounts"][0]["value"], 495000);
    assert_eq!(lines[0]["first_seen"], "2023-11-14T22:13:20+00:00");

    let csv = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .args([
            "export",
            "--format",
            "csv",
            "--status",
            "pending",
            "--since",
            "2023-01-01",
        ])
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(csv.status.success());
    assert_eq!(
        String::from_utf8(csv.stdout)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
            .count(),
        2
    );

    let bad = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .args(["export", "--since", "yesterday"])
        .env_clear()
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a date"));
}
