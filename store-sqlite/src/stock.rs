//! [`Stock`] on SQLite: the catalogue and locations as JSON records, the ledger as one row per
//! movement (ADR 0015).

use rusqlite::{OptionalExtension, params};

use fieldwork_store::rows::{from_body, to_body};
use fieldwork_store::*;

use fieldwork_office::stock::StockLimit;

use crate::SqliteStorage;
use crate::error::{Failure, Sql};
use crate::registers::insert_body;

impl Stock for SqliteStorage {
    #[tracing::instrument(level = "debug", skip_all, fields(sku = %p.sku))]
    fn add_part(&self, p: &Part) -> Result<()> {
        insert_body(self, "parts", "sku", &p.sku, p, "part")
    }

    fn parts(&self) -> Result<Vec<Part>> {
        bodies(self, "SELECT body FROM parts ORDER BY sku")
    }

    #[tracing::instrument(level = "debug", skip_all, fields(location = %l.id))]
    fn add_location(&self, l: &Location) -> Result<()> {
        insert_body(self, "stock_locations", "id", &l.id, l, "location")
    }

    fn locations(&self) -> Result<Vec<Location>> {
        bodies(self, "SELECT body FROM stock_locations ORDER BY id")
    }

    #[tracing::instrument(level = "debug", skip_all, fields(movements = movements.len()))]
    fn record_movements(&self, movements: &[Movement], now: i64) -> Result<Vec<StoredMovement>> {
        self.write(|tx| {
            movements
                .iter()
                .map(|m| {
                    let body = to_body(m)?;
                    let existing: Option<(i64, String, i64)> = tx
                        .query_row(
                            "SELECT seq, body, reached_at FROM stock_movements WHERE id = ?1",
                            [&m.id],
                            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                        )
                        .optional()?;
                    let (seq, reached_office_at) = match existing {
                        Some((seq, stored, at)) if stored == body => (seq, at),
                        Some(_) => {
                            return Err(Failure::from(Error::Conflict(format!(
                                "movement {} was recorded with other content",
                                m.id
                            ))));
                        }
                        None => {
                            tx.execute(
                                "INSERT INTO stock_movements (id, from_loc, to_loc, body, reached_at)
                                 VALUES (?1, ?2, ?3, ?4, ?5)",
                                params![m.id, m.from, m.to, body, now],
                            )?;
                            (tx.last_insert_rowid(), now)
                        }
                    };
                    Ok(StoredMovement {
                        seq: seq as u64,
                        movement: m.clone(),
                        reached_office_at,
                    })
                })
                .collect()
        })
    }

    fn movements(
        &self,
        location: Option<&str>,
        after: u64,
        limit: u32,
    ) -> Result<Vec<StoredMovement>> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        self.read(|c| {
            // Both ends indexed: the union reads each side in sequence order.
            let sql = if location.is_some() {
                "SELECT seq, body, reached_at FROM stock_movements
                 WHERE seq > ?1 AND (from_loc = ?2 OR to_loc = ?2) ORDER BY seq LIMIT ?3"
            } else {
                "SELECT seq, body, reached_at FROM stock_movements
                 WHERE seq > ?1 AND ?2 IS NULL ORDER BY seq LIMIT ?3"
            };
            let mut stmt = c.prepare_cached(sql)?;
            let rows = stmt.query_map(params![after, location, limit], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?))
            })?;
            rows.map(|row| -> Sql<StoredMovement> {
                let (seq, body, reached_office_at) = row?;
                Ok(StoredMovement {
                    seq: seq as u64,
                    movement: from_body(&body)?,
                    reached_office_at,
                })
            })
            .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(location = %limit.location, sku = %limit.sku))]
    fn set_stock_limit(&self, limit: &StockLimit) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO stock_limits (location, sku, min, max) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (location, sku) DO UPDATE SET min = excluded.min, max = excluded.max",
                params![limit.location, limit.sku, limit.min, limit.max],
            )?;
            Ok(())
        })
    }

    fn stock_limits(&self, location: Option<&str>) -> Result<Vec<StockLimit>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT location, sku, min, max FROM stock_limits
                 WHERE ?1 IS NULL OR location = ?1 ORDER BY location, sku",
            )?;
            let rows = stmt.query_map([location], |r| {
                Ok(StockLimit {
                    location: r.get(0)?,
                    sku: r.get(1)?,
                    min: r.get(2)?,
                    max: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    fn movement(&self, id: &str) -> Result<Option<StoredMovement>> {
        self.read(|c| {
            let row: Option<(i64, String, i64)> = c
                .query_row(
                    "SELECT seq, body, reached_at FROM stock_movements WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            row.map(|(seq, body, reached_office_at)| -> Sql<StoredMovement> {
                Ok(StoredMovement {
                    seq: seq as u64,
                    movement: from_body(&body)?,
                    reached_office_at,
                })
            })
            .transpose()
        })
    }
}

/// Every JSON record a query returns, in its order.
fn bodies<T: serde::de::DeserializeOwned>(s: &SqliteStorage, sql: &str) -> Result<Vec<T>> {
    s.read(|c| {
        let mut stmt = c.prepare_cached(sql)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|b| -> Sql<T> { Ok(from_body(&b?)?) }).collect()
    })
}
