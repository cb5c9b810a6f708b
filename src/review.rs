//! The review of a report as types: its status and a moderator's action. The database keeps
//! them as words (`pending`, `approve`, …); [`crate::store`] converts at its edge, and nothing
//! else compares them as strings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a report stands in the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportStatus {
    /// Waiting for a moderator.
    Pending,
    Approved,
    Rejected,
    /// The same ad as an earlier report.
    Duplicate,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 4] = [
        ReportStatus::Pending,
        ReportStatus::Approved,
        ReportStatus::Rejected,
        ReportStatus::Duplicate,
    ];

    /// The word the database and the exports use.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Pending => "pending",
            ReportStatus::Approved => "approved",
            ReportStatus::Rejected => "rejected",
            ReportStatus::Duplicate => "duplicate",
        }
    }

    /// Decided ones whose citizens hear the outcome (a duplicate's hear it from the original).
    pub fn is_told(self) -> bool {
        matches!(self, ReportStatus::Approved | ReportStatus::Rejected)
    }
}

impl fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is no review status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no such review status: {0} (pending, approved, rejected, duplicate)")]
pub struct UnknownStatus(pub String);

impl FromStr for ReportStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<ReportStatus, UnknownStatus> {
        ReportStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_string()))
    }
}

/// A moderator's decision on a pending report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "action", content = "of")]
pub enum ReviewAction {
    Approve,
    Reject,
    /// The same ad as report `of`.
    Duplicate(i64),
}

impl ReviewAction {
    /// The status the report takes.
    pub fn status(self) -> ReportStatus {
        match self {
            ReviewAction::Approve => ReportStatus::Approved,
            ReviewAction::Reject => ReportStatus::Rejected,
            ReviewAction::Duplicate(_) => ReportStatus::Duplicate,
        }
    }

    /// The earlier report, for a duplicate.
    pub fn duplicate_of(self) -> Option<i64> {
        match self {
            ReviewAction::Duplicate(of) => Some(of),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_back_as_written() {
        for s in ReportStatus::ALL {
            assert_eq!(s.as_str().parse::<ReportStatus>(), Ok(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert!("Pending".parse::<ReportStatus>().is_err());
    }
}
