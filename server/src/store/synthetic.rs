//! Synthetic days (issue 17): whole past days played by the simulator, written as tickets marked
//! `synthetic`, so that a demonstration or a test server shows weeks of history, and so that
//! every figure built on them can say so.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::history::counter_event_kind;
use super::{Result, Store, StoreError, random_public_id, timestamp};
use crate::domain::Ticket;
use crate::history::CounterChange;

impl Store {
    /// Whether any ticket not made by the simulator is stored: then synthetic days must not be
    /// mixed in.
    pub async fn holds_real_tickets(&self) -> Result<bool> {
        let real: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM tickets WHERE synthetic = 0 LIMIT 1) AS real_ticket")
                .fetch_one(&self.write)
                .await?;
        Ok(real != 0)
    }

    /// Replaces the synthetic tickets and counter events of `office` by `tickets` (finished
    /// past days, in issue order) and `counter_changes` (in the order played), in one
    /// transaction: running the simulator again gives its days afresh.
    pub async fn synthetic_replace(
        &self,
        office: &str,
        tickets: &[Ticket],
        counter_changes: &[CounterChange],
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM tickets WHERE office = $1 AND synthetic = 1")
            .bind(office)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM events WHERE office = $1 AND synthetic = 1")
            .bind(office)
            .execute(&mut *tx)
            .await?;
        for change in counter_changes {
            let Some(kind) = counter_event_kind(change.state) else {
                continue;
            };
            sqlx::query(
                "INSERT INTO events (office, business_date, at, kind, actor, counter, detail,
                     synthetic)
                 VALUES ($1, $2, $3, $4, 'simulate', $5, $6, 1)",
            )
            .bind(office)
            .bind(change.date.to_string())
            .bind(timestamp(change.at))
            .bind(kind)
            .bind(&change.counter)
            .bind(
                serde_json::json!([{"change": "counter", "counter": &change.counter,
                    "to": change.state.as_str()}])
                .to_string(),
            )
            .execute(&mut *tx)
            .await?;
        }
        for ticket in tickets {
            let prefix: String = ticket
                .number
                .chars()
                .take_while(|c| !c.is_ascii_digit())
                .collect();
            sqlx::query(
                "INSERT INTO tickets (public_id, office, business_date, service, prefix, seq_no,
                     number, state, counter, issued_at, called_at, recalled_at, started_at,
                     finished_at, waiting_ahead_at_issue, estimate_min_minutes,
                     estimate_max_minutes, estimate_point_tenths, synthetic)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1)",
            )
            .bind(random_public_id())
            .bind(office)
            .bind(ticket.business_date.to_string())
            .bind(&*ticket.service)
            .bind(prefix)
            .bind(i64::from(ticket.seq_no))
            .bind(&*ticket.number)
            .bind(ticket.state.as_str())
            .bind(&ticket.counter)
            .bind(timestamp(ticket.issued_at))
            .bind(ticket.called_at.map(timestamp))
            .bind(ticket.recalled_at.map(timestamp))
            .bind(ticket.started_at.map(timestamp))
            .bind(ticket.finished_at.map(timestamp))
            .bind(i64::from(ticket.waiting_ahead_at_issue))
            .bind(ticket.estimate_at_issue.map(|e| i64::from(e.min_minutes)))
            .bind(ticket.estimate_at_issue.map(|e| i64::from(e.max_minutes)))
            .bind(ticket.estimate_at_issue.map(|e| i64::from(e.point_tenths)))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The business days of `office` in `from..=to` that hold synthetic tickets.
    pub async fn synthetic_days_between(
        &self,
        office: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BTreeSet<NaiveDate>> {
        let days: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT business_date FROM tickets
             WHERE office = $1 AND synthetic = 1 AND business_date BETWEEN $2 AND $3",
        )
        .bind(office)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.write)
        .await?;
        days.iter()
            .map(|day| {
                day.parse()
                    .map_err(|_| StoreError::Corrupt(format!("date {day:?}")))
            })
            .collect()
    }
}
