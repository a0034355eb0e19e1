//! [`Stock`] on PostgreSQL: the catalogue and locations as JSON records, the ledger as one row
//! per movement (ADR 0015). Writers of the ledger hold the transaction's advisory lock
//! [`LEDGER_LOCK`], so sequence numbers commit in the order they were taken and a phone's
//! cursor never passes a movement still to commit.

use fieldwork_store::rows::{from_body, to_body};
use fieldwork_store::*;

use fieldwork_office::stock::StockLimit;

use crate::PgStorage;
use crate::error::{Failure, Pg};
use crate::registers::insert_body;
use crate::sql::{col, exec, query, query_opt};

/// The advisory lock ledger writers take ("stockldg" in ASCII).
const LEDGER_LOCK: i64 = 0x73746f636b6c6467;

impl Stock for PgStorage {
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
        self.write(async |tx| {
            exec(&tx.sql, "SELECT pg_advisory_xact_lock($1)", &[&LEDGER_LOCK]).await?;
            let mut stored = Vec::with_capacity(movements.len());
            for m in movements {
                let body = to_body(m)?;
                let existing = query_opt(
                    &tx.sql,
                    "SELECT seq, body, reached_at FROM stock_movements WHERE id = $1",
                    &[&m.id],
                )
                .await?;
                let (seq, reached_office_at) = match existing {
                    Some(r) if col::<String>(&r, 1)? == body => {
                        (col::<i64>(&r, 0)?, col::<i64>(&r, 2)?)
                    }
                    Some(_) => {
                        return Err(Failure(Error::Conflict(format!(
                            "movement {} was recorded with other content",
                            m.id
                        ))));
                    }
                    None => {
                        let rows = query(
                            &tx.sql,
                            "INSERT INTO stock_movements (id, from_loc, to_loc, body, reached_at)
                             VALUES ($1, $2, $3, $4, $5) RETURNING seq",
                            &[&m.id, &m.from, &m.to, &body, &now],
                        )
                        .await?;
                        let row = rows.first().ok_or_else(|| {
                            Failure(Error::Backend("INSERT returned no row".into()))
                        })?;
                        (col::<i64>(row, 0)?, now)
                    }
                };
                stored.push(StoredMovement {
                    seq: seq as u64,
                    movement: m.clone(),
                    reached_office_at,
                });
            }
            Ok(stored)
        })
    }

    fn movements(
        &self,
        location: Option<&str>,
        after: u64,
        limit: u32,
    ) -> Result<Vec<StoredMovement>> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::from(limit);
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT seq, body, reached_at FROM stock_movements
                 WHERE seq > $1 AND ($2::text IS NULL OR from_loc = $2 OR to_loc = $2)
                 ORDER BY seq LIMIT $3",
                &[&after, &location, &limit],
            )
            .await?;
            rows.iter()
                .map(|r| -> Pg<StoredMovement> {
                    Ok(StoredMovement {
                        seq: col::<i64>(r, 0)? as u64,
                        movement: from_body(col(r, 1)?)?,
                        reached_office_at: col(r, 2)?,
                    })
                })
                .collect()
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(location = %limit.location, sku = %limit.sku))]
    fn set_stock_limit(&self, limit: &StockLimit) -> Result<()> {
        self.write(async |tx| {
            exec(
                &tx.sql,
                "INSERT INTO stock_limits (location, sku, min, max) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (location, sku) DO UPDATE SET min = excluded.min, max = excluded.max",
                &[&limit.location, &limit.sku, &limit.min, &limit.max],
            )
            .await?;
            Ok(())
        })
    }

    fn movement(&self, id: &str) -> Result<Option<StoredMovement>> {
        self.read(async |c| {
            let row = query_opt(
                c,
                "SELECT seq, body, reached_at FROM stock_movements WHERE id = $1",
                &[&id],
            )
            .await?;
            row.map(|r| -> Pg<StoredMovement> {
                Ok(StoredMovement {
                    seq: col::<i64>(&r, 0)? as u64,
                    movement: from_body(col(&r, 1)?)?,
                    reached_office_at: col(&r, 2)?,
                })
            })
            .transpose()
        })
    }

    fn stock_limits(&self, location: Option<&str>) -> Result<Vec<StockLimit>> {
        self.read(async |c| {
            let rows = query(
                c,
                "SELECT location, sku, min, max FROM stock_limits
                 WHERE $1::text IS NULL OR location = $1 ORDER BY location, sku",
                &[&location],
            )
            .await?;
            rows.iter()
                .map(|r| -> Pg<StockLimit> {
                    Ok(StockLimit {
                        location: col(r, 0)?,
                        sku: col(r, 1)?,
                        min: col(r, 2)?,
                        max: col(r, 3)?,
                    })
                })
                .collect()
        })
    }
}

/// Every JSON record a query returns, in its order.
fn bodies<T: serde::de::DeserializeOwned>(s: &PgStorage, sql: &str) -> Result<Vec<T>> {
    s.read(async |c| {
        let rows = query(c, sql, &[]).await?;
        rows.iter()
            .map(|r| -> Pg<T> { Ok(from_body(col(r, 0)?)?) })
            .collect()
    })
}
