//! Replies remembered under an `Idempotency-Key`, written with the batch's commit: a retry in
//! the same batch finds the first request's reply in the batch, a retry after a restart finds
//! it on disk, and a batch that fails takes its rows with it (its callers heard that nothing
//! was written).

use chrono::NaiveDate;
use sqlx::Row;

use super::batch::PendingKey;
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
        let day = date.to_string();
        if let Some(pending) = self
            .keys
            .iter()
            .find(|pending| pending.business_date == day && pending.key == key)
        {
            return Ok(Some(pending.remembered.clone()));
        }
        let connection = self.connection()?;
        let found = sqlx::query(
            "SELECT service, reply FROM idempotency_keys
             WHERE office = $1 AND business_date = $2 AND key = $3",
        )
        .bind(office)
        .bind(day)
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

    /// Remembers the reply to an issue under `key`, written with the ticket at commit.
    pub fn remember_issue(
        &mut self,
        date: NaiveDate,
        key: &str,
        ticket_id: i64,
        remembered: RememberedIssue,
    ) {
        self.keys.push(PendingKey {
            business_date: date.to_string(),
            key: key.to_string(),
            ticket_id,
            remembered,
        });
    }
}
