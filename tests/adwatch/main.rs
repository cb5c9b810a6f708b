//! adwatch's one integration-test binary. One module a capability.

mod amounts;
mod analyze_cli;
mod architecture;
mod bot;
mod db;
mod digest;
mod engine;
mod export_cli;
mod fixtures;
mod links;
mod migrate_cli;
mod moderation;
mod ocr;
mod page_entities;
mod replicas;
mod run_cli;
mod screens;
mod service;
mod store;
