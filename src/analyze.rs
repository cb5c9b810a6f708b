//! `adwatch analyze`: the extraction engine on the command line.
//!
//! With `--format jsonl` it streams: one `{"id", "text"}` object a line in, one result a line
//! out, in order. A line that is not such an object, is not UTF-8, or is longer than
//! `ANALYZE_MAX_LINE` gets a result with an error diagnostic naming its line, and the stream
//! goes on. Memory stays bounded whatever the stream holds: a line is never kept past the
//! limit (the rest of an over-long line is skipped as it is read), and a batch holds at most
//! [`BATCH_LINES`] lines and about [`BATCH_BYTES`] bytes.

use std::io::{self, BufRead, Write};

use serde::Deserialize;
use serde_json::{json, Value};

use crate::extract::{self, Diagnostic, Extraction, Period};

/// The longest line `--format jsonl` reads by default (`ANALYZE_MAX_LINE`): 1 MiB.
pub const DEFAULT_MAX_LINE: usize = 1024 * 1024;

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

/// Runs the command over `input`, writing to `output`; `max_line` bounds a JSON line.
pub fn run(
    input: &mut dyn BufRead,
    output: &mut dyn Write,
    format: Format,
    max_line: usize,
) -> io::Result<()> {
    match format {
        Format::Jsonl => stream(input, output, max_line),
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

/// Bytes a batch collects before it is analysed (one line more may pass it): many long lines
/// under the limit still fit in bounded memory.
const BATCH_BYTES: usize = 8 * 1024 * 1024;

/// Lines a worker takes at a time: small enough that two workers finish a batch together.
const CHUNK_LINES: usize = 64;

/// One input line as kept for analysis.
enum Line {
    Bytes(Vec<u8>),
    /// Longer than the limit: only its length (bytes, without the newline) was counted.
    TooLong(u64),
}

fn stream(input: &mut dyn BufRead, output: &mut dyn Write, max_line: usize) -> io::Result<()> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;

    extract::warm_up();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let mut number = 0u64;
    let mut current = read_batch(input, &mut number, max_line)?;
    let mut results: Vec<Mutex<Vec<u8>>> = Vec::new();
    while !current.is_empty() {
        let chunks: Vec<&[(u64, Line)]> = current.chunks(CHUNK_LINES).collect();
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
                        match line {
                            Line::Bytes(bytes) => write_result(bytes, *n, &mut out),
                            Line::TooLong(len) => write_too_long(*n, *len, max_line, &mut out),
                        }
                    }
                });
            }
            read_batch(input, &mut number, max_line)
        })?;
        for result in results.iter().take(chunks.len()) {
            output.write_all(&result.lock().unwrap_or_else(|e| e.into_inner()))?;
        }
        current = next;
    }
    output.flush()
}

/// Up to [`BATCH_LINES`] non-blank lines (and about [`BATCH_BYTES`]) with their line numbers.
fn read_batch(
    input: &mut dyn BufRead,
    number: &mut u64,
    max_line: usize,
) -> io::Result<Vec<(u64, Line)>> {
    let mut batch = Vec::with_capacity(BATCH_LINES);
    let mut bytes = 0;
    while batch.len() < BATCH_LINES && bytes < BATCH_BYTES {
        let mut line = Vec::new();
        let Some(len) = read_line(input, max_line, &mut line)? else {
            break;
        };
        *number += 1;
        if len > max_line as u64 {
            batch.push((*number, Line::TooLong(len)));
        } else if !line.iter().all(u8::is_ascii_whitespace) {
            bytes += line.len();
            batch.push((*number, Line::Bytes(line)));
        }
    }
    Ok(batch)
}

/// Reads one line (through its newline) and returns its length without the newline, or `None`
/// at the end of the input. At most `max_line + 1` bytes are kept in `line`: past that the
/// line is only counted and skipped, buffer by buffer, so an endless line costs no memory.
fn read_line(
    input: &mut dyn BufRead,
    max_line: usize,
    line: &mut Vec<u8>,
) -> io::Result<Option<u64>> {
    let mut len = 0u64;
    let mut any = false;
    loop {
        let buffer = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            return Ok(any.then_some(len));
        }
        any = true;
        let (taken, ends) = match memchr::memchr(b'\n', buffer) {
            Some(at) => (at + 1, true),
            None => (buffer.len(), false),
        };
        let content = if ends { taken - 1 } else { taken };
        len += content as u64;
        let room = (max_line + 1).saturating_sub(line.len());
        line.extend_from_slice(&buffer[..taken.min(room)]);
        input.consume(taken);
        if ends {
            return Ok(Some(len));
        }
    }
}

/// The result for a line longer than the limit: an error naming the line; nothing of it is
/// read, not even its id.
fn write_too_long(number: u64, len: u64, max_line: usize, out: &mut Vec<u8>) {
    let result = bad_line(
        None,
        Diagnostic::error(
            "line_too_long",
            format!(
                "line {number} is {len} bytes long, more than ANALYZE_MAX_LINE ({max_line} bytes); it was skipped"
            ),
        ),
    );
    if serde_json::to_writer(&mut *out, &result).is_err() {
        out.extend_from_slice(br#"{"id":null,"diagnostics":[{"level":"error","code":"output","message":"the result could not be written"}]}"#);
    }
    out.push(b'\n');
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
    if let Err(e) = std::str::from_utf8(line) {
        // Not analysed: the offsets of a repaired text would not point into the input. The id,
        // when readable, is kept so the answer can be matched.
        let id = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v.get("id").cloned());
        return bad_line(
            id,
            Diagnostic::error(
                "invalid_utf8",
                format!(
                    "line {number} is not valid UTF-8 (from byte offset {})",
                    e.valid_up_to()
                ),
            ),
        );
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn an_endless_line_is_counted_not_kept() {
        // 64 MiB without a newline, then a good line: the reader keeps at most the limit.
        let huge = io::repeat(b'x').take(64 * 1024 * 1024);
        let rest: &[u8] = b"{\"text\": \"ok\"}\nlast";
        let mut input = io::BufReader::with_capacity(64 * 1024, huge.chain(rest));
        let mut line = Vec::new();
        let len = read_line(&mut input, 1000, &mut line).unwrap();
        assert_eq!(len, Some(64 * 1024 * 1024 + 14));
        assert!(line.len() <= 1001, "{} bytes kept", line.len());
        line.clear();
        assert_eq!(read_line(&mut input, 1000, &mut line).unwrap(), Some(4));
        assert_eq!(line, b"last");
        line.clear();
        assert_eq!(read_line(&mut input, 1000, &mut line).unwrap(), None);
    }

    #[test]
    fn a_line_at_the_limit_is_read_whole() {
        let mut input: &[u8] = b"abcd\nabcde\n\n";
        let mut line = Vec::new();
        assert_eq!(read_line(&mut input, 4, &mut line).unwrap(), Some(4));
        assert_eq!(line, b"abcd\n");
        line.clear();
        assert_eq!(read_line(&mut input, 4, &mut line).unwrap(), Some(5));
        line.clear();
        assert_eq!(read_line(&mut input, 4, &mut line).unwrap(), Some(0));
        assert_eq!(line, b"\n");
    }
}
