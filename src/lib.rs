//! adwatch: a Telegram bot that reads suspicious recruitment and job ads.
//!
//! # Layout
//! The full map, the invariants and how each is checked, and the path of one ad are in
//! `ARCHITECTURE.md` at the top of the repository.
//! - [`extract`]: the extraction engine, the crate `adwatch-extract` (`crates/adwatch-extract`)
//!   re-exported. **Pure**: text in, findings out (payment offers, recruiting entities,
//!   language, label, risk, signals). Its word lists are data files in that crate's `data/`,
//!   compiled in.
//! - [`review`]: a report's review status and a moderator's action, as types.
//! - [`service`]: the use cases every adapter calls, one module each (intake, links,
//!   moderation, digests, privacy, updates, admin); [`service::Service`] is what an adapter
//!   holds.
//! - [`store`]: the only module that knows SQL; SQLite and PostgreSQL behind one API.
//! - [`telegram`]: the Telegram adapter, the only module that knows teloxide: it parses, calls
//!   the service and renders (all markup in `telegram::render`).
//! - [`analyze`], [`export`]: the `adwatch analyze` and `adwatch export` commands.
//! - [`config`]: every setting from the environment, parsing only; [`i18n`]: messages (Fluent
//!   files in `data/i18n/`); [`guidance`]: reporting guidance per country (`data/guidance/`).
//! - [`fetch`]: the only module that talks to the open internet, behind its guard.
//! - [`ocr`]: screenshots read by the `tesseract` program under a time limit.
//! - [`digest`]: what a weekly digest says; [`metrics`]: the Prometheus metrics.
//!
//! # Architecture invariants
//! - `extract` depends on no teloxide, sqlx, tokio, reqwest or axum (its own manifest, so Cargo
//!   checks it), reads no clock and never fails: odd input becomes a diagnostic.
//! - Adapters (`telegram`, `main.rs`) call `service` and never name `store`; only `store` holds
//!   SQL, and it returns its own error type. Review states are [`review::ReportStatus`] outside
//!   the store.
//! - Citizens appear in the database only as keyed hashes (HMAC with a secret); chat ids are
//!   kept only for outcome messages.
//! - Every byte span the engine reports lies on char boundaries of the text it was given.
//! - No request leaves for a loopback, private, link-local, shared, multicast or otherwise
//!   non-public address unless `FETCH_ALLOW_PRIVATE=1`; only `fetch` makes requests to sites.

pub mod analyze;
pub mod config;
pub mod digest;
pub mod export;
pub use adwatch_extract as extract;
pub mod fetch;
pub mod guidance;
pub mod i18n;
pub mod metrics;
pub mod ocr;
pub mod review;
pub mod service;
pub mod store;
pub mod telegram;
