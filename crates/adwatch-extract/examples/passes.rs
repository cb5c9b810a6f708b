//! Runs the engine over the texts of JSON-lines files, a number of times, for instruction counts
//! (issue 14 item 6): callgrind at `--passes 1` and `--passes 11`, the difference over ten is
//! the cost of one pass (see /work/wt/SPEED.md or the README's Speed section).
//!
//!     cargo build -p adwatch-extract --release --example passes
//!     valgrind --tool=callgrind target/release/examples/passes --passes 11 \
//!         tests/fixtures/dev.jsonl tests/fixtures/forms.jsonl tests/fixtures/real.jsonl
//!
//! `--passes 0` builds the lexicon only (start-up time and memory). It prints a checksum of the
//! outputs, cheap beside the engine, so that a pass cannot be optimised away.

fn main() {
    let mut passes = 1usize;
    let mut texts = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--passes" {
            passes = match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => n,
                None => {
                    eprintln!("--passes needs a number");
                    std::process::exit(2);
                }
            };
            continue;
        }
        let body = match std::fs::read_to_string(&a) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{a}: {e}");
                std::process::exit(2);
            }
        };
        for line in body.lines() {
            if let Some(t) = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v["text"].as_str().map(str::to_owned))
            {
                texts.push(t);
            }
        }
    }
    adwatch_extract::warm_up();
    let mut sum = 0u64;
    for _ in 0..passes {
        sum = sum.wrapping_mul(31).wrapping_add(pass(&texts));
    }
    println!(
        "{} texts, {passes} passes, checksum {sum:016x}",
        texts.len()
    );
}

/// One pass over the texts, apart so that a profiler can count it alone
/// (`--toggle-collect=passes::pass`).
#[inline(never)]
fn pass(texts: &[String]) -> u64 {
    let mut sum = 0u64;
    for t in texts {
        sum = sum
            .wrapping_mul(31)
            .wrapping_add(checksum(&adwatch_extract::extract(t)));
    }
    sum
}

fn checksum(x: &adwatch_extract::Extraction) -> u64 {
    let mut h = (x.language as u64) << 40 | (x.label as u64) << 32 | u64::from(x.risk);
    let mut mix = |v: u64| h = (h ^ v).wrapping_mul(0x0100_0000_01b3);
    for s in &x.signals {
        mix(s.id.len() as u64 ^ (s.weight as u64) << 8);
    }
    for a in &x.amounts {
        mix(a.value.minor as u64 ^ (a.start as u64) << 20 ^ (a.end as u64) << 40);
        mix(a.currency.len() as u64 ^ a.period.map_or(9, |p| p as u64) << 4);
    }
    for e in &x.entities {
        mix((e.kind as u64) ^ (e.start as u64) << 8 ^ (e.normalized.len() as u64) << 40);
    }
    mix(x.diagnostics.len() as u64);
    h
}
