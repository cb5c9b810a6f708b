//! The command line's work on a whole database: export the reports, copy every table into a
//! new database.

use std::io::Write;

use crate::export::{self, ExportFormat};
use crate::review::ReportStatus;
use crate::store::{ExportFilter, Store};

pub use crate::store::Copied;

/// Writes the reports seen since `since_ms` (all when `None`) with this review status (any
/// when `None`) to `out`; returns how many.
pub async fn export_reports(
    database_url: &str,
    since_ms: Option<i64>,
    status: Option<ReportStatus>,
    format: ExportFormat,
    out: &mut dyn Write,
) -> anyhow::Result<usize> {
    let store = Store::connect(database_url).await?;
    let filter = ExportFilter { since_ms, status };
    export::run(&store, &filter, format, out).await
}

/// Copies every report, decision and setting from `from` into the new, empty `to`; returns
/// the counts table by table, source and target.
pub async fn copy_database(from: &str, to: &str) -> anyhow::Result<Vec<Copied>> {
    let source = Store::connect(from).await?;
    let target = Store::connect(to).await?;
    Ok(source.copy_to(&target).await?)
}
