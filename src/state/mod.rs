//! Scan history between nightly runs, in an embedded SQLite database: every finding's stable
//! id with first and last seen, so each scan can say which routes are `new`, still `open`,
//! or `resolved` (gone since the previous scan — emitted once, then remembered as closed).
//!
//! The database is written in one transaction per scan: a crash leaves the previous
//! history intact.

use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("scan history {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
}

/// A route the previous scan reported that this scan no longer finds. `native` is the
/// finding's last native JSON line, as it was stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedRoute {
    pub id: String,
    pub first_seen: i64,
    pub native: String,
}

/// What the history says about one current finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Not reported by the previous scan (never, or reopened after being resolved).
    New,
    /// Reported by the previous scan too.
    Open,
}

/// The scan history database.
pub struct ScanHistory {
    conn: Connection,
    path: String,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS scans (
    scan_id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    export TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS findings (
    id TEXT PRIMARY KEY,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    last_scan INTEGER NOT NULL,
    open INTEGER NOT NULL,
    native TEXT NOT NULL
);
";

impl ScanHistory {
    /// Opens (creating if needed) the history at `path`.
    pub fn open(path: &Path) -> Result<ScanHistory, StateError> {
        let shown = path.display().to_string();
        let wrap = |source| StateError::Sqlite {
            path: shown.clone(),
            source,
        };
        let conn = Connection::open(path).map_err(wrap)?;
        conn.execute_batch(SCHEMA).map_err(wrap)?;
        Ok(ScanHistory { conn, path: shown })
    }

    /// An in-memory history (tests, `--state none`).
    pub fn in_memory() -> Result<ScanHistory, StateError> {
        let wrap = |source| StateError::Sqlite {
            path: ":memory:".into(),
            source,
        };
        let conn = Connection::open_in_memory().map_err(wrap)?;
        conn.execute_batch(SCHEMA).map_err(wrap)?;
        Ok(ScanHistory {
            conn,
            path: ":memory:".into(),
        })
    }

    fn err(&self, source: rusqlite::Error) -> StateError {
        StateError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Records one scan: `current` holds each confirmed route's id and native JSON line.
    /// Returns what the history says of each (in the same order) and the routes that were
    /// open before and are gone now. Everything happens in one transaction.
    pub fn record_scan(
        &mut self,
        export: &str,
        at_ms: i64,
        current: &[(String, String)],
    ) -> Result<(Vec<Seen>, Vec<ResolvedRoute>), StateError> {
        let path = self.path.clone();
        let wrap = |source| StateError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(wrap)?;
        tx.execute(
            "INSERT INTO scans (at_ms, export) VALUES (?1, ?2)",
            params![at_ms, export],
        )
        .map_err(wrap)?;
        let scan_id = tx.last_insert_rowid();
        let mut seen = Vec::with_capacity(current.len());
        {
            let mut lookup = tx
                .prepare("SELECT open FROM findings WHERE id = ?1")
                .map_err(wrap)?;
            let mut upsert = tx
                .prepare(
                    "INSERT INTO findings (id, first_seen_ms, last_seen_ms, last_scan, open, native)
                     VALUES (?1, ?2, ?2, ?3, 1, ?4)
                     ON CONFLICT(id) DO UPDATE SET
                        first_seen_ms = CASE WHEN open = 1 THEN first_seen_ms ELSE ?2 END,
                        last_seen_ms = ?2, last_scan = ?3, open = 1, native = ?4",
                )
                .map_err(wrap)?;
            for (id, native) in current {
                let was_open: Option<i64> = lookup
                    .query_row(params![id], |r| r.get(0))
                    .optional()
                    .map_err(wrap)?;
                seen.push(if was_open == Some(1) {
                    Seen::Open
                } else {
                    Seen::New
                });
                upsert
                    .execute(params![id, at_ms, scan_id, native])
                    .map_err(wrap)?;
            }
        }
        let mut resolved = Vec::new();
        {
            let mut gone = tx
                .prepare(
                    "SELECT id, first_seen_ms, native FROM findings
                     WHERE open = 1 AND last_scan < ?1 ORDER BY id",
                )
                .map_err(wrap)?;
            let rows = gone
                .query_map(params![scan_id], |r| {
                    Ok(ResolvedRoute {
                        id: r.get(0)?,
                        first_seen: r.get(1)?,
                        native: r.get(2)?,
                    })
                })
                .map_err(wrap)?;
            for row in rows {
                resolved.push(row.map_err(wrap)?);
            }
        }
        tx.execute(
            "UPDATE findings SET open = 0 WHERE open = 1 AND last_scan < ?1",
            params![scan_id],
        )
        .map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok((seen, resolved))
    }

    /// First time a route was seen (in its current open period), if it is known.
    pub fn first_seen(&self, id: &str) -> Result<Option<i64>, StateError> {
        self.conn
            .query_row(
                "SELECT first_seen_ms FROM findings WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(h: &mut ScanHistory, at: i64, ids: &[&str]) -> (Vec<Seen>, Vec<String>) {
        let current: Vec<(String, String)> = ids
            .iter()
            .map(|i| (i.to_string(), format!("{{\"id\":\"{i}\"}}")))
            .collect();
        let (seen, resolved) = h.record_scan("demo", at, &current).unwrap();
        (seen, resolved.into_iter().map(|r| r.id).collect())
    }

    #[test]
    fn routes_go_new_open_resolved_and_reopen_as_new() {
        let mut h = ScanHistory::in_memory().unwrap();
        assert_eq!(
            scan(&mut h, 1, &["a", "b"]),
            (vec![Seen::New, Seen::New], vec![])
        );
        assert_eq!(
            scan(&mut h, 2, &["a", "c"]),
            (vec![Seen::Open, Seen::New], vec!["b".to_string()])
        );
        // b was emitted as resolved once; it is not resolved again.
        assert_eq!(
            scan(&mut h, 3, &["a", "c"]),
            (vec![Seen::Open, Seen::Open], vec![])
        );
        // b comes back: new again, with a new first-seen time.
        assert_eq!(
            scan(&mut h, 4, &["b"]),
            (vec![Seen::New], vec!["a".to_string(), "c".to_string()])
        );
        assert_eq!(h.first_seen("b").unwrap(), Some(4));
        assert_eq!(h.first_seen("zzz").unwrap(), None);
    }

    #[test]
    fn history_survives_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        {
            let mut h = ScanHistory::open(&path).unwrap();
            scan(&mut h, 1, &["a"]);
        }
        let mut h = ScanHistory::open(&path).unwrap();
        assert_eq!(scan(&mut h, 2, &[]), (vec![], vec!["a".to_string()]));
    }
}
