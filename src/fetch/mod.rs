//! Links: the only module that will talk to the open internet, behind its guard.
//!
//! So far: the guard's address classifier. The fetcher itself (issue 4) builds on it.

pub mod guard;
