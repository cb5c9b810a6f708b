//! Links: the only module that will talk to the open internet, behind its guard.
//!
//! So far: the guard's address classifier and the reading of a page (what a person would see).
//! The fetcher itself (issue 4) builds on them.

pub mod guard;
pub mod page;
