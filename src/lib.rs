//! adwatch: a Telegram bot that reads suspicious recruitment and job ads.
//!
//! # Layout
//! - [`extract`]: the extraction engine. **Pure**: text in, findings out (payment offers,
//!   recruiting entities, language, label, risk, signals). Its word lists are data files under
//!   `data/`, compiled in.
//! - [`analyze`]: the `adwatch analyze` command, a streaming adapter around [`extract`].
//!
//! # Architecture invariants
//! - `extract` imports no teloxide, sqlx, tokio, reqwest or axum, reads no clock and never fails:
//!   odd input becomes a diagnostic.
//! - Every byte span the engine reports lies on char boundaries of the text it was given.

pub mod analyze;
pub mod extract;
