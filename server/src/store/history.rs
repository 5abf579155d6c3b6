//! Past business days read back for measurement: the tickets of an office over a range of
//! dates, with the estimate each was shown at issue and when it was first called.

use chrono::NaiveDate;

use super::{Result, Store, ticket_from_row};
use crate::domain::Ticket;

impl Store {
    /// Every ticket of `office` whose business day lies in `from..=to`, in issue order.
    pub async fn tickets_between(
        &self,
        office: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Ticket>> {
        let rows = sqlx::query(
            "SELECT id, public_id, number, seq_no, service, state, counter, business_date,
                    issued_at, called_at, recalled_at, started_at, finished_at,
                    waiting_ahead_at_issue, estimate_min_minutes, estimate_max_minutes,
                    estimate_point_tenths
             FROM tickets WHERE office = ? AND business_date BETWEEN ? AND ?
             ORDER BY business_date, id",
        )
        .bind(office)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(&self.write)
        .await?;
        rows.iter().map(ticket_from_row).collect()
    }
}
