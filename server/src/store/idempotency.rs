//! Replies remembered under an `Idempotency-Key`, inside the batch's transaction: a retry in
//! the same batch sees the first request's row, a retry after a restart sees it on disk, and a
//! batch that fails takes its rows with it (its callers heard that nothing was written).

use chrono::NaiveDate;
use sqlx::Row;

use super::{Batch, Result};

/// The first reply to an issue sent under a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RememberedIssue {
    /// The service the first request asked for.
    pub service: String,
    /// The reply's body as first sent (the staff ticket JSON).
    pub reply: String,
}

impl Batch {
    /// The reply remembered under `key` at the office on `date`, if any.
    pub async fn remembered_issue(
        &mut self,
        office: &str,
        date: NaiveDate,
        key: &str,
    ) -> Result<Option<RememberedIssue>> {
        let connection = self.connection()?;
        let found = sqlx::query(
            "SELECT service, reply FROM idempotency_keys
             WHERE office = $1 AND business_date = $2 AND key = $3",
        )
        .bind(office)
        .bind(date.to_string())
        .bind(key)
        .fetch_optional(&mut *connection)
        .await
        .map_err(Into::into)
        .and_then(|row| {
            row.map(|row| {
                Ok(RememberedIssue {
                    service: row.try_get("service")?,
                    reply: row.try_get("reply")?,
                })
            })
            .transpose()
        });
        self.or_discard(found)
    }

    /// Remembers the reply to an issue under `key`, in the transaction that wrote the ticket.
    pub async fn remember_issue(
        &mut self,
        office: &str,
        date: NaiveDate,
        key: &str,
        ticket_id: i64,
        remembered: &RememberedIssue,
    ) -> Result<()> {
        let connection = self.connection()?;
        let written = sqlx::query(
            "INSERT INTO idempotency_keys (office, business_date, key, service, ticket_id, reply)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(office)
        .bind(date.to_string())
        .bind(key)
        .bind(&remembered.service)
        .bind(ticket_id)
        .bind(&remembered.reply)
        .execute(&mut *connection)
        .await
        .map(drop)
        .map_err(Into::into);
        self.or_discard(written)
    }
}
