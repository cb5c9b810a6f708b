//! Writes a JSON-lines stream of realistic ads for the throughput figures in the README:
//! every text of `tests/fixtures/*.jsonl`, one to three joined a line, in a fixed pseudo-random
//! order, until the stream holds the megabytes asked for.
//!
//! `cargo run --release --example make_stream -- 30 > /tmp/ads.jsonl`

use std::io::{BufWriter, Write};

fn main() -> std::io::Result<()> {
    let megabytes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    let mut texts = Vec::new();
    for name in ["dev.jsonl", "forms.jsonl", "real.jsonl"] {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        for line in std::fs::read_to_string(path)?.lines() {
            if let Some(t) = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v["text"].as_str().map(str::to_owned))
            {
                texts.push(t);
            }
        }
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    let (mut written, mut id, mut seed) = (0usize, 0u64, 0x2545_f491_4f6c_dd1du64);
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    while written < megabytes * 1024 * 1024 {
        let parts = 1 + next() as usize % 3;
        let text: Vec<&str> = (0..parts)
            .map(|_| texts[next() as usize % texts.len()].as_str())
            .collect();
        let line = serde_json::json!({"id": id, "text": text.join(" ")}).to_string();
        writeln!(out, "{line}")?;
        written += line.len() + 1;
        id += 1;
    }
    out.flush()
}
