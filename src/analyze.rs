//! `adwatch analyze`: the extraction engine on the command line.
//!
//! With `--format jsonl` it streams: one `{"id", "text"}` object a line in, one result a line
//! out, in order, with memory bounded by the longest line. A line that is not such an object
//! gets a result with an error diagnostic, and the stream goes on.

use std::io::{self, BufRead, Write};

use serde::Deserialize;
use serde_json::{json, Value};

use crate::extract::{self, Diagnostic, Extraction, Period};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A short summary for a person.
    Text,
    /// The whole input is one ad; one JSON object out.
    Json,
    /// One `{"id", "text"}` object a line in, one result a line out.
    Jsonl,
}

#[derive(Deserialize)]
struct InputLine<'a> {
    #[serde(default)]
    id: Option<Value>,
    #[serde(borrow)]
    text: Option<std::borrow::Cow<'a, str>>,
}

/// Runs the command over `input`, writing to `output`.
pub fn run(input: &mut dyn BufRead, output: &mut dyn Write, format: Format) -> io::Result<()> {
    match format {
        Format::Jsonl => stream(input, output),
        Format::Json | Format::Text => {
            let mut bytes = Vec::new();
            input.read_to_end(&mut bytes)?;
            let text = String::from_utf8_lossy(&bytes);
            let x = extract::extract(&text);
            if format == Format::Json {
                serde_json::to_writer_pretty(&mut *output, &extract::to_json(None, &text, &x))?;
                writeln!(output)
            } else {
                write!(output, "{}", summary(&text, &x))
            }
        }
    }
}

/// Lines per batch: the batch is split between two workers and written in order, so memory
/// stays bounded by the batch whatever the stream's length.
const BATCH_LINES: usize = 2048;

/// Lines a worker takes at a time: small enough that two workers finish a batch together.
const CHUNK_LINES: usize = 64;

fn stream(input: &mut dyn BufRead, output: &mut dyn Write) -> io::Result<()> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    extract::warm_up();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let mut number = 0u64;
    let mut current = read_batch(input, &mut number)?;
    let mut results: Vec<Mutex<Vec<u8>>> = Vec::new();
    while !current.is_empty() {
        let chunks: Vec<&[(u64, Vec<u8>)]> = current.chunks(CHUNK_LINES).collect();
        results.resize_with(chunks.len().max(results.len()), Default::default);
        let next_chunk = AtomicUsize::new(0);
        // The workers analyse this batch, a chunk at a time, while this thread reads the next.
        let next = std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let i = next_chunk.fetch_add(1, Ordering::Relaxed);
                    let Some(lines) = chunks.get(i) else { break };
                    let mut out = results[i].lock().unwrap_or_else(|e| e.into_inner());
                    out.clear();
                    for (n, line) in lines.iter() {
                        write_result(line, *n, &mut out);
                    }
                });
            }
            read_batch(input, &mut number)
        })?;
        for result in results.iter().take(chunks.len()) {
            output.write_all(&result.lock().unwrap_or_else(|e| e.into_inner()))?;
        }
        current = next;
    }
    output.flush()
}

/// Up to [`BATCH_LINES`] non-blank lines with their line numbers.
fn read_batch(input: &mut dyn BufRead, number: &mut u64) -> io::Result<Vec<(u64, Vec<u8>)>> {
    let mut batch = Vec::with_capacity(BATCH_LINES);
    while batch.len() < BATCH_LINES {
        let mut line = Vec::new();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        *number += 1;
        if !line.iter().all(u8::is_ascii_whitespace) {
            batch.push((*number, line));
        }
    }
    Ok(batch)
}

/// Appends the result for one input line and a newline to `out`.
pub fn write_result(line: &[u8], number: u64, out: &mut Vec<u8>) {
    let written = match serde_json::from_slice::<InputLine>(line.trim_ascii_end()) {
        Ok(InputLine { id, text: Some(t) }) => {
            let x = extract::extract(&t);
            serde_json::to_writer(&mut *out, &extract::json_view(id.as_ref(), &t, &x))
        }
        _ => serde_json::to_writer(&mut *out, &analyze_line(line, number)),
    };
    if written.is_err() {
        out.extend_from_slice(br#"{"id":null,"diagnostics":[{"level":"error","code":"output","message":"the result could not be written"}]}"#);
    }
    out.push(b'\n');
}

/// The result for one input line as a JSON value; never fails.
pub fn analyze_line(line: &[u8], number: u64) -> Value {
    let text = String::from_utf8_lossy(line);
    match serde_json::from_str::<InputLine>(text.trim_end()) {
        Ok(InputLine { id, text: Some(t) }) => {
            let x = extract::extract(&t);
            extract::to_json(id.as_ref(), &t, &x)
        }
        Ok(InputLine { id, text: None }) => bad_line(
            id,
            Diagnostic::error(
                "missing_text",
                format!("line {number} has no \"text\" string"),
            ),
        ),
        Err(e) => {
            // Keep the id when the line is an object with an id, so the answer can be matched.
            let id = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v.get("id").cloned());
            bad_line(
                id,
                Diagnostic::error(
                    "bad_input",
                    format!("line {number} is not a JSON object with a \"text\" string: {e}"),
                ),
            )
        }
    }
}

fn bad_line(id: Option<Value>, d: Diagnostic) -> Value {
    json!({
        "id": id.unwrap_or(Value::Null),
        "language": null,
        "label": null,
        "risk": null,
        "signals": [],
        "amounts": [],
        "entities": [],
        "diagnostics": [d],
    })
}

fn period_words(p: Option<Period>) -> &'static str {
    match p {
        Some(Period::OneTime) => "one-time",
        Some(Period::Monthly) => "a month",
        Some(Period::Daily) => "a day",
        Some(Period::Yearly) => "a year",
        None => "",
    }
}

/// A short summary for a person reading a terminal.
pub fn summary(text: &str, x: &Extraction) -> String {
    let mut s = format!(
        "language: {}   label: {}   risk: {}/100\n",
        x.language.code(),
        x.label.as_str(),
        x.risk
    );
    if !x.amounts.is_empty() {
        s.push_str("payment offers:\n");
        for a in &x.amounts {
            let bound = match a.bound {
                Some(extract::Bound::Min) => "at least ",
                Some(extract::Bound::Max) => "up to ",
                None => "",
            };
            let usd = a.usd.map(|u| format!(" (≈ ${u})")).unwrap_or_default();
            s.push_str(&format!(
                "  «{}»: {bound}{} {}{usd} {}\n",
                &text[a.start..a.end],
                a.value.to_json(),
                a.currency,
                period_words(a.period)
            ));
        }
    }
    if !x.entities.is_empty() {
        s.push_str("entities:\n");
        for e in &x.entities {
            s.push_str(&format!(
                "  {}: «{}» → {}\n",
                e.kind.as_str(),
                &text[e.start..e.end],
                e.normalized
            ));
        }
    }
    if !x.signals.is_empty() {
        s.push_str("signals:\n");
        for sig in &x.signals {
            s.push_str(&format!("  - {}\n", sig.explain));
        }
    }
    for d in &x.diagnostics {
        s.push_str(&format!("note: {}\n", d.message));
    }
    s
}
