//! adwatch: a Telegram bot that reads suspicious recruitment and job ads.
//!
//! # Layout
//! - [`extract`]: the extraction engine. **Pure**: text in, findings out (payment offers,
//!   recruiting entities, language, label, risk, signals). Its word lists are data files under
//!   `data/`, compiled in.
//! - [`analyze`]: the `adwatch analyze` command, a streaming adapter around [`extract`].
//! - [`store`]: the only module that knows SQL; SQLite and PostgreSQL behind one API.
//! - [`telegram`]: the only module that knows teloxide: the handlers and, in `render`, all
//!   Telegram markup (escaped in one place); `ingress` takes updates (long polling or
//!   webhook, each claimed in the database by its id); `lanes` hands each sender's updates to a
//!   queue of their own, so no chat holds up another; `http` serves the webhook, `/healthz` and
//!   `/metrics` within bounds no client can stretch; `outbox` keeps Telegram's send limits;
//!   `delivery` records each message as sent when Telegram accepts it, so a takeover never
//!   sends it again.
//! - [`metrics`]: the Prometheus metrics `/metrics` reports, from memory.
//! - [`config`]: every setting from the environment; [`i18n`]: messages (Fluent files in
//!   `data/i18n/`); [`guidance`]: reporting guidance per country (`data/guidance/`).
//! - [`fetch`]: the only module that talks to the open internet: reads the pages of links
//!   behind its guard (own DNS resolution, every redirect admitted again, time, size and type
//!   limits) and turns HTML into what a visitor sees.
//! - [`ocr`]: screenshots read by the `tesseract` program under a time limit, and the repair
//!   of OCR noise in amounts.
//! - [`export`]: `adwatch export`, reports as JSON lines or CSV.
//! - [`digest`]: weekly digests: the schedule, the period, what a digest says (sent by
//!   `telegram::digest`, written by `telegram::render`).
//! - [`service`]: use cases (submit a report, read its links) over the store, the engine and
//!   the fetcher.
//!
//! # Architecture invariants
//! - `extract` imports no teloxide, sqlx, tokio, reqwest or axum, reads no clock and never fails:
//!   odd input becomes a diagnostic.
//! - Adapters call `service`; only `store` holds SQL, and it returns its own error type.
//! - Citizens appear in the database only as keyed hashes (HMAC with a secret); chat ids are
//!   kept only for outcome messages.
//! - Every byte span the engine reports lies on char boundaries of the text it was given.
//! - No request leaves for a loopback, private, link-local, shared, multicast or otherwise
//!   non-public address unless `FETCH_ALLOW_PRIVATE=1`; only `fetch` makes requests to sites.

pub mod analyze;
pub mod config;
pub mod digest;
pub mod export;
pub mod extract;
pub mod fetch;
pub mod guidance;
pub mod i18n;
pub mod metrics;
pub mod ocr;
pub mod review;
pub mod service;
pub mod store;
pub mod telegram;
