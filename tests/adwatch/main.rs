//! adwatch's one integration-test binary. One module a capability.

mod analyze_cli;
mod engine;
mod fixtures;
