//! Statements and columns: prepared once per connection, with type mismatches and
//! out-of-range counts as errors rather than panics.

use deadpool_postgres::GenericClient;
use fieldwork_store::Error;
use tokio_postgres::Row;
use tokio_postgres::types::{FromSql, ToSql};

use crate::error::{Failure, Pg};

/// A count for an `INTEGER` column (PostgreSQL has no unsigned types).
pub(crate) fn int4(v: u32) -> Pg<i32> {
    i32::try_from(v).map_err(|_| {
        Failure(Error::Corrupt(format!(
            "{v} does not fit an INTEGER column"
        )))
    })
}

/// A count read from an `INTEGER` column.
pub(crate) fn uint(v: i32) -> Pg<u32> {
    u32::try_from(v).map_err(|_| Failure(Error::Corrupt(format!("stored count {v} is negative"))))
}

/// One column of a row, with a type mismatch as an error rather than a panic.
pub(crate) fn col<'a, T: FromSql<'a>>(row: &'a Row, i: usize) -> Pg<T> {
    Ok(row.try_get(i)?)
}

/// A statement's parameters, `$1` first.
pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Runs a statement (prepared once per connection) and returns how many rows it changed.
pub(crate) async fn exec(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Pg<u64> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.execute(&statement, params).await?)
}

/// Runs a query (prepared once per connection) and returns its rows.
pub(crate) async fn query(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Pg<Vec<Row>> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query(&statement, params).await?)
}

/// Runs a query that returns at most one row.
pub(crate) async fn query_opt(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Pg<Option<Row>> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query_opt(&statement, params).await?)
}

/// Runs a query that returns exactly one row.
pub(crate) async fn query_one(c: &impl GenericClient, sql: &str, params: Params<'_>) -> Pg<Row> {
    let statement = c.prepare_cached(sql).await?;
    Ok(c.query_one(&statement, params).await?)
}
