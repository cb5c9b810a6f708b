//! The architecture invariants of ARCHITECTURE.md that the compiler does not check, checked
//! by reading the sources.

use std::path::{Path, PathBuf};

const REVIEW_STATES: [&str; 4] = ["pending", "approved", "rejected", "duplicate"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, recursively (iteratively: no recursion on the tree).
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("a source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("a source file")
}

fn shown(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Does the line name the store module or its types (`crate::store::…`, `store::Store`,
/// `Store::connect`, `StoreError`), not merely a word ending in "store" (`KeyedStateStore::`)?
fn names_the_store(line: &str) -> bool {
    let lower = line.to_lowercase();
    let path = lower.match_indices("store::").any(|(at, _)| {
        !lower[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    });
    path || line.contains("StoreError")
}

#[test]
fn the_check_for_the_store_sees_paths_not_words() {
    assert!(names_the_store("use crate::store::{Card, Store};"));
    assert!(names_the_store("let s = Store::connect(url).await?;"));
    assert!(names_the_store("/// See [`store::Card`]."));
    assert!(!names_the_store(
        "RateLimiter::new(q, DefaultKeyedStateStore::default(), c)"
    ));
    assert!(!names_the_store(
        "h.kept_open.store(true, Ordering::SeqCst);"
    ));
}

#[test]
fn adapters_never_name_the_store() {
    let mut files = rust_files(&root().join("src/telegram"));
    files.push(root().join("src/main.rs"));
    assert!(files.len() > 10, "the adapter's files were found");
    let mut found = Vec::new();
    for path in &files {
        for (n, line) in read(path).lines().enumerate() {
            if names_the_store(line) {
                found.push(format!("{}:{}: {}", shown(path), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "adapters call the service:\n{}",
        found.join("\n")
    );
}

#[test]
fn main_does_not_use_teloxide() {
    let main = read(&root().join("src/main.rs"));
    assert!(
        !main.contains("teloxide"),
        "main.rs calls telegram::run and the service"
    );
}

/// Is the literal at `at` (its opening quote) in `line` compared (`==`, `!=`) or matched
/// (`"x" =>`, `"x" | "y"`) as a review state?
fn compared(line: &str, at: usize, len: usize) -> bool {
    let before = line[..at].trim_end();
    let after = line[at + len..].trim_start();
    before.ends_with("==")
        || before.ends_with("!=")
        || before.ends_with('|') && !before.ends_with("||")
        || ["=>", "==", "!=", "|"]
            .iter()
            .any(|op| after.starts_with(op) && !after.starts_with("||"))
}

#[test]
fn no_review_state_is_compared_as_a_string_outside_the_store() {
    let store = root().join("src/store");
    let words = root().join("src/review.rs");
    let mut found = Vec::new();
    for path in rust_files(&root().join("src")) {
        if path.starts_with(&store) || path == words {
            continue;
        }
        for (n, line) in read(&path).lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for state in REVIEW_STATES {
                let literal = format!("\"{state}\"");
                for (at, _) in line.match_indices(&literal) {
                    if compared(line, at, literal.len()) {
                        found.push(format!("{}:{}: {}", shown(&path), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "review states are ReportStatus outside src/store:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_for_compared_states_sees_comparisons_and_matches() {
    for line in [
        r#"if card.status == "pending" {"#,
        r#"    "approved" => render::plain(lang, "decided-approved"),"#,
        r#"if matches!(status, "approved" | "rejected") {"#,
        r#"x != "duplicate""#,
    ] {
        let hit = REVIEW_STATES.iter().any(|s| {
            let literal = format!("\"{s}\"");
            line.match_indices(&literal)
                .any(|(at, _)| compared(line, at, literal.len()))
        });
        assert!(hit, "{line}");
    }
    let line = r#"("approved", count(ReportStatus::Approved)),"#;
    assert!(!compared(line, 1, "\"approved\"".len()));
}

#[test]
fn no_source_file_is_over_600_lines() {
    let mut files = rust_files(&root().join("src"));
    files.extend(rust_files(&root().join("crates")));
    assert!(
        files
            .iter()
            .any(|p| p.ends_with("crates/adwatch-extract/src/lib.rs")),
        "the engine's files are counted"
    );
    let long: Vec<String> = files
        .iter()
        .map(|p| (p, read(p).lines().count()))
        .filter(|(_, n)| *n > 600)
        .map(|(p, n)| format!("{} ({n} lines)", shown(p)))
        .collect();
    assert!(long.is_empty(), "rooms one can hold: {long:?}");
}

#[test]
fn the_stand_in_bot_api_is_only_a_dev_dependency() {
    let manifest = read(&root().join("Cargo.toml"));
    let dependencies = manifest
        .split("\n[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("a [dependencies] table");
    assert!(!dependencies.contains("fake-bot-api"));
    assert!(!root().join("src/fake_bot_api.rs").exists());
    let dev = manifest
        .split("\n[dev-dependencies]")
        .nth(1)
        .expect("a [dev-dependencies] table");
    assert!(dev.contains("adwatch-fake-bot-api"));
}

/// The engine is pure by construction: its manifest names no async runtime, database, HTTP,
/// web or Telegram crate, and the product has no `src/extract` of its own.
#[test]
fn the_engine_depends_on_nothing_that_does_io() {
    let manifest = read(&root().join("crates/adwatch-extract/Cargo.toml"));
    let dependencies: Vec<&str> = manifest
        .lines()
        .skip_while(|l| !l.starts_with("[dependencies]"))
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split('=').next())
        .map(str::trim)
        .filter(|name| !name.is_empty() && !name.starts_with('#'))
        .collect();
    assert!(dependencies.contains(&"aho-corasick"), "{dependencies:?}");
    for forbidden in [
        "tokio",
        "sqlx",
        "reqwest",
        "hyper",
        "axum",
        "teloxide",
        "async-std",
        "futures",
        "chrono",
        "getrandom",
        "rand",
    ] {
        assert!(
            !dependencies.contains(&forbidden),
            "the engine depends on {forbidden}"
        );
    }
    assert!(!root().join("src/extract").exists());
}
