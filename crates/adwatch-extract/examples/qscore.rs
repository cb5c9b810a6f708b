//! Scores the engine on annotated files, one line per file and per language, with the misses.
//!
//! `cargo run --example score -- tests/fixtures/gathered-dev.jsonl [--misses]`
//!
//! For tuning: read the dev files' lines and misses. The frozen test file
//! (`gathered-test.jsonl`) is scored by `cargo test fresh_passages -- --nocapture` and is not
//! for tuning, so this refuses it unless `--frozen-test-too` says the tuning is over.

mod adwatch {
    pub use adwatch_extract as extract;
}
#[path = "/tmp/q15fixtures.rs"]
#[allow(dead_code)]
mod fixtures;

use fixtures::{by_language, load, score, Entities};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let misses = args.iter().any(|a| a == "--misses");
    let frozen_ok = args.iter().any(|a| a == "--frozen-test-too");
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        let name = std::path::Path::new(path)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(path);
        if name.contains("test") && !frozen_ok {
            eprintln!("{name}: the frozen test split is not scored while tuning");
            continue;
        }
        let entities = if name == "forms.jsonl" {
            Entities::None
        } else if name.starts_with("gathered") {
            Entities::All
        } else {
            Entities::WithoutCountries
        };
        let items = load(name);
        let all = score(&items, entities);
        println!("{}", all.line(name));
        for (lang, set) in by_language(&items) {
            let s = score(&set, entities);
            println!("  {}", s.line(&lang));
            if misses {
                for m in &s.misses {
                    println!("    {m}");
                }
            }
        }
    }
}
