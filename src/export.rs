//! `adwatch export`: every report as JSON lines or CSV on standard output, never a reporter.

use std::io::Write;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::store::{ExportFilter, ExportRow, Store};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Jsonl,
    Csv,
}

/// Reads `--since`: a date (`2026-11-01`, midnight UTC) or an RFC 3339 time.
pub fn parse_since(s: &str) -> Result<i64, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
        .ok_or_else(|| format!("`{s}` is not a date like 2026-11-01"))
}

fn time(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default()
}

/// The exported object of one report.
pub fn row_json(r: &ExportRow) -> Value {
    json!({
        "id": r.id,
        "status": r.status,
        "first_seen": time(r.first_seen),
        "last_seen": time(r.last_seen),
        "report_count": r.report_count,
        "label": r.label,
        "risk": r.risk,
        "language": r.language,
        "text": r.text,
        "origins": r.origins,
        "amounts": r.extraction.get("amounts").cloned().unwrap_or(json!([])),
        "entities": r.extraction.get("entities").cloned().unwrap_or(json!([])),
        "signals": r.extraction.get("signals").cloned().unwrap_or(json!([])),
        "decided_at": r.decided_at.map(time),
        "duplicate_of": r.duplicate_of,
        "corrections": r.corrections.iter().map(|c| json!({
            "field": c.field, "value": c.value, "moderator_id": c.moderator_id, "at": time(c.at),
        })).collect::<Vec<_>>(),
        "history": r.history.iter().map(|h| json!({
            "action": h.action, "detail": h.detail, "moderator_id": h.moderator_id, "at": time(h.at),
        })).collect::<Vec<_>>(),
        "images": r.images.iter().map(|i| json!({
            "file_unique_id": i.file_unique_id,
            "sha256": i.sha256,
            "bytes": i.bytes,
            "width": i.width,
            "height": i.height,
            "ocr_error": i.ocr_error,
        })).collect::<Vec<_>>(),
        "links": r.links.iter().map(|l| json!({
            "url": l.url,
            "state": l.state,
            "failure": l.failure,
            "detail": l.detail,
            "snapshot": l.snapshot.as_ref().map(|s| json!({
                "final_url": s.final_url,
                "status": s.status,
                "fetched_at": time(s.fetched_at),
                "last_seen": time(s.last_seen),
                "sha256": s.sha256,
                "bytes": s.bytes,
                "truncated": s.truncated,
                "title": s.title,
                "text": s.text,
            })),
        })).collect::<Vec<_>>(),
    })
}

/// A text cell as a spreadsheet may open it: one that starts with `=`, `+`, `-`, `@`, a tab or
/// a carriage return gets a leading `'`, so no spreadsheet reads it as a formula (OWASP's CSV
/// injection advice). A plain number (`-5`, `+7.5`) is left as it is: it runs nothing, and
/// numbers must stay numbers.
pub fn defuse(cell: &str) -> String {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(cell) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// An optional sign, digits, and at most one decimal point among them: nothing a spreadsheet
/// could run.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// Writes the reports that pass `filter` to `out`.
pub async fn run(
    store: &Store,
    filter: &ExportFilter,
    format: ExportFormat,
    out: &mut dyn Write,
) -> anyhow::Result<usize> {
    let rows = store.export(filter).await?;
    match format {
        ExportFormat::Jsonl => {
            for r in &rows {
                serde_json::to_writer(&mut *out, &row_json(r))?;
                out.write_all(b"\n")?;
            }
        }
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record([
                "id",
                "status",
                "first_seen",
                "last_seen",
                "report_count",
                "label",
                "risk",
                "language",
                "text",
                "origins",
                "amounts",
                "entities",
                "decided_at",
                "duplicate_of",
                "corrections",
                "history",
                "links",
            ])?;
            for r in &rows {
                let v = row_json(r);
                // Numbers and times are ours and go as they are; every text cell may hold what
                // a recruiter wrote, so it is defused.
                w.write_record([
                    r.id.to_string(),
                    defuse(r.status.as_str()),
                    time(r.first_seen),
                    time(r.last_seen),
                    r.report_count.to_string(),
                    defuse(r.label.as_str()),
                    r.risk.to_string(),
                    defuse(r.language.code()),
                    defuse(r.text.as_deref().unwrap_or_default()),
                    defuse(&v["origins"].to_string()),
                    defuse(&v["amounts"].to_string()),
                    defuse(&v["entities"].to_string()),
                    r.decided_at.map(time).unwrap_or_default(),
                    r.duplicate_of.map(|d| d.to_string()).unwrap_or_default(),
                    defuse(&v["corrections"].to_string()),
                    defuse(&v["history"].to_string()),
                    defuse(&v["links"].to_string()),
                ])?;
            }
            w.flush()?;
        }
    }
    out.flush()?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formulas_are_defused_and_numbers_left_alone() {
        for (cell, written) in [
            (
                "=HYPERLINK(\"http://x\";\"y\")",
                "'=HYPERLINK(\"http://x\";\"y\")",
            ),
            ("+7 701 123 45 67", "'+7 701 123 45 67"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(1+1)", "'@SUM(1+1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-5", "-5"),
            ("+12.5", "+12.5"),
            ("-", "'-"),
            ("-.5", "'-.5"),
            ("495 000 рублей", "495 000 рублей"),
            ("", ""),
        ] {
            assert_eq!(defuse(cell), written, "{cell:?}");
        }
    }
}
