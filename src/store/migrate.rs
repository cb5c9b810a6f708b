//! `adwatch migrate-db`: copies every table from one database to another (SQLite to
//! PostgreSQL when a deployment outgrows one machine), ids kept, then compares the counts.

use sqlx::Row;

use super::{Result, Store, StoreError};

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Int,
    Bool,
}

use Kind::{Bool, Int, Text};

/// Every table, parents before children, with its columns. `replicas`, `albums` and
/// `album_parts` are left out: they say which processes are alive now and hold albums for a
/// second or two, and the new database's processes will fill them again.
const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "reports",
        &[
            ("id", Int),
            ("fingerprint", Text),
            ("near_fingerprint", Text),
            ("text", Text),
            ("language", Text),
            ("label", Text),
            ("risk", Int),
            ("extraction", Text),
            ("status", Text),
            ("first_seen", Int),
            ("last_seen", Int),
            ("report_count", Int),
            ("decided_at", Int),
            ("decided_by", Int),
            ("duplicate_of", Int),
        ],
    ),
    (
        "processed_updates",
        &[
            ("update_key", Text),
            ("claimed_at", Int),
            ("payload", Text),
            ("claimed_by", Text),
            ("done_at", Int),
            ("sends", Text),
        ],
    ),
    (
        "report_origins",
        &[
            ("report_id", Int),
            ("origin_key", Text),
            ("origin", Text),
            ("added_at", Int),
        ],
    ),
    (
        "report_reporters",
        &[
            ("report_id", Int),
            ("reporter_hash", Text),
            ("chat_id", Int),
            ("added_at", Int),
        ],
    ),
    (
        "report_entities",
        &[
            ("report_id", Int),
            ("kind", Text),
            ("normalized", Text),
            ("source", Text),
        ],
    ),
    (
        "user_settings",
        &[
            ("user_hash", Text),
            ("language", Text),
            ("country", Text),
            ("notify", Bool),
        ],
    ),
    ("bot_secrets", &[("name", Text), ("value", Text)]),
    (
        "page_snapshots",
        &[
            ("id", Int),
            ("url", Text),
            ("final_url", Text),
            ("status", Int),
            ("fetched_at", Int),
            ("last_seen", Int),
            ("sha256", Text),
            ("bytes", Int),
            ("truncated", Bool),
            ("title", Text),
            ("text", Text),
            ("extraction", Text),
        ],
    ),
    (
        "report_links",
        &[
            ("report_id", Int),
            ("url", Text),
            ("state", Text),
            ("failure", Text),
            ("detail", Text),
            ("snapshot_id", Int),
            ("updated_at", Int),
        ],
    ),
    (
        "moderation_audit",
        &[
            ("id", Int),
            ("report_id", Int),
            ("moderator_id", Int),
            ("action", Text),
            ("detail", Text),
            ("at", Int),
        ],
    ),
    (
        "moderator_skips",
        &[("moderator_id", Int), ("report_id", Int), ("at", Int)],
    ),
    (
        "report_corrections",
        &[
            ("id", Int),
            ("report_id", Int),
            ("field", Text),
            ("value", Text),
            ("moderator_id", Int),
            ("at", Int),
        ],
    ),
    (
        "digest_runs",
        &[
            ("chat", Text),
            ("period_end", Int),
            ("period_start", Int),
            ("claimed_by", Text),
            ("claimed_at", Int),
            ("sent_at", Int),
        ],
    ),
    (
        "images",
        &[
            ("file_unique_id", Text),
            ("file_id", Text),
            ("sha256", Text),
            ("bytes", Int),
            ("width", Int),
            ("height", Int),
            ("ocr_text", Text),
            ("ocr_error", Text),
            ("report_id", Int),
            ("first_seen", Int),
        ],
    ),
    (
        "report_tokens",
        &[
            ("token_hash", Text),
            ("report_id", Int),
            ("reporter_hash", Text),
            ("expires_at", Int),
        ],
    ),
];

/// Tables whose ids come from a sequence on PostgreSQL.
const SERIAL: [&str; 4] = [
    "reports",
    "page_snapshots",
    "moderation_audit",
    "report_corrections",
];

#[derive(Debug, Clone)]
enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(Option<bool>),
}

/// One table's rows in the source and in the target after the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub table: &'static str,
    pub source: i64,
    pub target: i64,
}

impl Store {
    async fn count(&self, table: &str) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        with_pool!(self, pool => Ok(sqlx::query(&sql).fetch_one(pool).await?.try_get::<i64, _>("n")?))
    }

    async fn read_table(&self, table: &str, columns: &[(&str, Kind)]) -> Result<Vec<Vec<Value>>> {
        let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
        let sql = format!("SELECT {} FROM {table}", names.join(", "));
        with_pool!(self, pool => {
            let rows = sqlx::query(&sql).fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    columns
                        .iter()
                        .map(|(name, kind)| -> Result<Value> {
                            Ok(match kind {
                                Text => Value::Text(r.try_get(*name)?),
                                Int => Value::Int(r.try_get(*name)?),
                                Bool => Value::Bool(r.try_get(*name)?),
                            })
                        })
                        .collect::<Result<Vec<_>>>()
                })
                .collect()
        })
    }

    async fn write_table(
        &self,
        table: &str,
        columns: &[(&str, Kind)],
        rows: &[Vec<Value>],
    ) -> Result<()> {
        let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
        let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        let sql = self
            .sql(&format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                names.join(", "),
                marks.join(", ")
            ))
            .into_owned();
        with_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            for row in rows {
                let mut q = sqlx::query(&sql);
                for v in row {
                    q = match v {
                        Value::Text(t) => q.bind(t.clone()),
                        Value::Int(i) => q.bind(*i),
                        Value::Bool(b) => q.bind(*b),
                    };
                }
                q.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Copies every table of this database into `target`, which must be empty (freshly
    /// migrated). Returns the counts on both sides, table by table.
    pub async fn copy_to(&self, target: &Store) -> Result<Vec<Copied>> {
        for (table, _) in TABLES {
            if target.count(table).await? > 0 {
                return Err(StoreError::Invalid(format!(
                    "the target database is not empty ({table} has rows): migrate into a new database"
                )));
            }
        }
        let mut out = Vec::new();
        for (table, columns) in TABLES {
            let rows = self.read_table(table, columns).await?;
            target.write_table(table, columns, &rows).await?;
            out.push(Copied {
                table,
                source: self.count(table).await?,
                target: target.count(table).await?,
            });
        }
        if let Store::Postgres(pool) = target {
            for table in SERIAL {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                );
                sqlx::query(&sql).execute(pool).await?;
            }
        }
        Ok(out)
    }
}
