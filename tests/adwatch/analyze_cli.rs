//! `adwatch analyze` as a person or a pipeline runs it: the release of the binary under test.

use std::io::Write;
use std::process::{Command, Stdio};

fn analyze(args: &[&str], input: &str) -> (String, String, bool) {
    analyze_bytes(args, input.as_bytes())
}

fn analyze_bytes(args: &[&str], input: &[u8]) -> (String, String, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .arg("analyze")
        .args(args)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("input written");
    let out = child.wait_with_output().expect("the binary ends");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

#[test]
fn jsonl_answers_every_line_in_order_and_survives_a_malformed_one() {
    let input = concat!(
        r#"{"id": "a", "text": "Выплата 495 000 рублей при подписании контракта"}"#,
        "\n",
        "this is not json\n",
        r#"{"id": 7, "note": "no text"}"#,
        "\n",
        "\n",
        r#"{"id": "d", "text": "Жалақы 400 000 теңге"}"#,
        "\n",
    );
    let (out, _, ok) = analyze(&["--format", "jsonl"], input);
    assert!(ok);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["amounts"][0]["value"], 495000);
    assert_eq!(lines[0]["amounts"][0]["currency"], "RUB");
    assert_eq!(lines[0]["amounts"][0]["period"], "one_time");
    assert_eq!(lines[0]["amounts"][0]["text"], "495 000 рублей");
    for field in [
        "language",
        "label",
        "risk",
        "signals",
        "amounts",
        "entities",
        "diagnostics",
    ] {
        assert!(lines[0].get(field).is_some(), "{field} missing");
    }
    for key in [
        "value", "currency", "period", "bound", "usd", "text", "start", "end",
    ] {
        assert!(
            lines[0]["amounts"][0].get(key).is_some(),
            "amount field {key} missing"
        );
    }
    assert_eq!(lines[1]["diagnostics"][0]["level"], "error");
    assert_eq!(lines[2]["id"], 7);
    assert_eq!(lines[2]["diagnostics"][0]["code"], "missing_text");
    assert_eq!(lines[3]["id"], "d");
    assert_eq!(lines[3]["language"], "kk");
}

#[test]
fn byte_offsets_point_at_the_text_they_name() {
    let text = "Оплата 190 000 ₽/мес, звоните +7 701 123 45 67";
    let (out, _, _) = analyze(
        &["--format", "jsonl"],
        &format!("{}\n", serde_json::json!({"id": 1, "text": text})),
    );
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    for item in v["amounts"]
        .as_array()
        .unwrap()
        .iter()
        .chain(v["entities"].as_array().unwrap())
    {
        let (s, e) = (
            item["start"].as_u64().unwrap() as usize,
            item["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[s..e], item["text"].as_str().unwrap());
    }
}

#[test]
fn plain_text_gets_a_short_summary_with_no_configuration() {
    let (out, err, ok) = analyze(
        &[],
        "Подъёмные 495 000 руб. и ежемесячно 210 000 ₽, Сахалинской области\n",
    );
    assert!(ok, "{err}");
    assert!(out.contains("495000 RUB"), "{out}");
    assert!(out.contains("a month"), "{out}");
    assert!(out.contains("Sakhalin Oblast"), "{out}");
}

#[test]
fn json_format_reads_the_whole_input_as_one_ad() {
    let (out, _, ok) = analyze(&["--format", "json"], "line one 5000$\nline two");
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["amounts"][0]["currency"], "USD");
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .args(["analyze", "/nonexistent/ads.jsonl"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

/// The results of a JSON lines run, one value a line.
fn results(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[test]
fn a_five_megabyte_line_gets_an_error_naming_it_and_the_stream_goes_on() {
    let mut input = Vec::new();
    input.extend_from_slice(
        r#"{"id": "a", "text": "Выплата 495 000 рублей при подписании контракта"}"#.as_bytes(),
    );
    input.push(b'\n');
    // A valid JSON object whose text is 5 MB: only its length decides.
    input.extend_from_slice(br#"{"id": "huge", "text": ""#);
    input.extend(std::iter::repeat_n(b'x', 5 * 1024 * 1024));
    input.extend_from_slice(b"\"}\n");
    input.extend_from_slice(r#"{"id": "c", "text": "Жалақы 400 000 теңге"}"#.as_bytes());
    input.push(b'\n');
    let (out, err, ok) = analyze_bytes(&["--format", "jsonl"], &input);
    assert!(ok, "{err}");
    let lines = results(&out);
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["amounts"][0]["value"], 495000);
    assert_eq!(lines[1]["diagnostics"][0]["level"], "error");
    assert_eq!(lines[1]["diagnostics"][0]["code"], "line_too_long");
    let message = lines[1]["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("line 2 "), "{message}");
    assert!(message.contains("ANALYZE_MAX_LINE"), "{message}");
    assert_eq!(lines[2]["id"], "c");
    assert_eq!(lines[2]["language"], "kk");
}

#[test]
fn analyze_max_line_sets_the_limit() {
    let line = serde_json::json!({"id": 1, "text": "Выплата 495 000 рублей"}).to_string();
    let input = format!("{line}\n{line}\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .args(["analyze", "--format", "jsonl"])
        .env_clear()
        .env("ANALYZE_MAX_LINE", "20")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines = results(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(lines.len(), 2);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l["diagnostics"][0]["code"], "line_too_long");
        let message = l["diagnostics"][0]["message"].as_str().unwrap();
        assert!(message.contains(&format!("line {} ", i + 1)), "{message}");
    }
    let bad = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .args(["analyze", "--format", "jsonl"])
        .env_clear()
        .env("ANALYZE_MAX_LINE", "a lot")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("ANALYZE_MAX_LINE"));
}

#[test]
fn invalid_utf8_gets_a_diagnostic_naming_its_line_and_the_stream_goes_on() {
    let mut input = Vec::new();
    input.extend_from_slice(r#"{"id": "a", "text": "Выплата 495 000 рублей"}"#.as_bytes());
    input.push(b'\n');
    input.extend_from_slice(r#"{"id": "b", "text": "Оплата "#.as_bytes());
    input.extend_from_slice(&[0xff, 0xfe, 0xd0]);
    input.extend_from_slice(" 190 000 ₽\"}\n".as_bytes());
    input.extend_from_slice(r#"{"id": "c", "text": "Жалақы 400 000 теңге"}"#.as_bytes());
    input.push(b'\n');
    let (out, err, ok) = analyze_bytes(&["--format", "jsonl"], &input);
    assert!(ok, "{err}");
    let lines = results(&out);
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[1]["id"], "b", "the id is kept to match the answer");
    assert_eq!(lines[1]["diagnostics"][0]["level"], "error");
    assert_eq!(lines[1]["diagnostics"][0]["code"], "invalid_utf8");
    let message = lines[1]["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("line 2 "), "{message}");
    assert_eq!(lines[2]["id"], "c");
    assert_eq!(lines[2]["amounts"][0]["value"], 400000);
}
