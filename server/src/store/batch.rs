//! One group commit: the transaction a burst of staff commands is written in, all or nothing.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::Sqlite;
use sqlx::pool::PoolConnection;
use sqlx::sqlite::SqliteConnection;

use super::{Result, StoreError, random_public_id, timestamp};
use crate::domain::{Change, Decision, Issued, Recorded, TicketAction, display_number};
use crate::protocol::SuspensionReason;

/// One transaction holding a burst of commands; nothing is visible or durable until
/// [`Batch::commit`]. All or nothing: the first error discards the batch, and so does dropping
/// it uncommitted.
///
/// Discarding closes the writer connection rather than rolling back on it and handing it back
/// to the pool: after a full disk, an I/O error or a busy timeout SQLite may already have rolled
/// back on its own, the client library's idea of the transaction no longer matches the
/// database's, and a later statement could run outside any transaction, committed on its own.
/// Closing the connection rolls back whatever is open; the next batch opens a fresh one.
pub struct Batch {
    /// The writer connection inside `BEGIN IMMEDIATE`; `None` once committed or discarded.
    pub(super) connection: Option<PoolConnection<Sqlite>>,
}

impl Drop for Batch {
    fn drop(&mut self) {
        self.discard();
    }
}

impl Batch {
    /// The open transaction's connection, or [`StoreError::BatchAborted`] once discarded.
    pub(super) fn connection(&mut self) -> Result<&mut SqliteConnection> {
        self.connection
            .as_deref_mut()
            .ok_or(StoreError::BatchAborted)
    }

    /// Closes the connection (rolling back what it holds) instead of returning it to the pool.
    fn discard(&mut self) {
        if let Some(mut connection) = self.connection.take() {
            connection.close_on_drop();
        }
    }

    /// Keeps `result`, discarding the whole batch when it is an error.
    pub(super) fn or_discard<T>(&mut self, result: Result<T>) -> Result<T> {
        if result.is_err() {
            self.discard();
        }
        result
    }

    /// Runs one of the transaction's own statements (`BEGIN IMMEDIATE`, `COMMIT`); an error
    /// discards the batch.
    pub(super) async fn execute(&mut self, sql: &'static str) -> Result<()> {
        let connection = self.connection()?;
        let result = sqlx::query(sql)
            .execute(&mut *connection)
            .await
            .map(drop)
            .map_err(StoreError::from);
        self.or_discard(result)
    }

    /// Records one accepted command: its changes (allocating a ticket number for an issue) and
    /// one event row naming the actor. An error discards the batch.
    pub async fn record(
        &mut self,
        office: &str,
        date: NaiveDate,
        decision: &Decision,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Recorded> {
        let connection = self.connection()?;
        let result = record_decision(connection, office, date, decision, actor, now).await;
        self.or_discard(result)
    }

    /// Records an event with no state change (a calendar transition), returning its sequence.
    /// An error discards the batch.
    pub async fn record_event(
        &mut self,
        office: &str,
        date: NaiveDate,
        kind: &str,
        actor: &str,
        now: DateTime<Utc>,
        detail: serde_json::Value,
    ) -> Result<u64> {
        let connection = self.connection()?;
        let result = sqlx::query(
            "INSERT INTO events (office, business_date, at, kind, actor, detail)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(office)
        .bind(date.to_string())
        .bind(timestamp(now))
        .bind(kind)
        .bind(actor)
        .bind(detail.to_string())
        .execute(&mut *connection)
        .await
        .map(|done| done.last_insert_rowid() as u64)
        .map_err(StoreError::from);
        self.or_discard(result)
    }

    /// Commits the burst: durable on return (WAL, `synchronous=FULL`). A failed commit
    /// discards the batch: nothing of it was written.
    pub async fn commit(mut self) -> Result<()> {
        self.execute("COMMIT").await?;
        // Committed: the connection goes back to the pool for the next batch.
        self.connection.take();
        Ok(())
    }
}

/// Writes one decision inside the batch's transaction.
async fn record_decision(
    connection: &mut SqliteConnection,
    office: &str,
    date: NaiveDate,
    decision: &Decision,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Recorded> {
    let at = timestamp(now);
    let day = date.to_string();
    let mut issued = None;
    let mut details = Vec::new();
    for change in &decision.changes {
        match change {
            Change::Issue {
                service,
                prefix,
                waiting_ahead,
                estimate,
            } => {
                let seq_no: i64 = sqlx::query_scalar(
                    "INSERT INTO number_sequences (office, business_date, prefix, last)
                         VALUES (?, ?, ?, 1)
                         ON CONFLICT (office, business_date, prefix)
                         DO UPDATE SET last = last + 1
                         RETURNING last",
                )
                .bind(office)
                .bind(&day)
                .bind(prefix)
                .fetch_one(&mut *connection)
                .await?;
                let seq_no = u32::try_from(seq_no)
                    .map_err(|_| StoreError::Corrupt(format!("sequence {seq_no}")))?;
                let number = display_number(prefix, seq_no);
                let public_id = random_public_id();
                let id = sqlx::query(
                    "INSERT INTO tickets (public_id, office, business_date, service, prefix,
                             seq_no, number, state, issued_at, waiting_ahead_at_issue,
                             estimate_min_minutes, estimate_max_minutes, estimate_point_tenths)
                         VALUES (?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?, ?)",
                )
                .bind(&public_id)
                .bind(office)
                .bind(&day)
                .bind(service)
                .bind(prefix)
                .bind(seq_no)
                .bind(&number)
                .bind(&at)
                .bind(waiting_ahead)
                .bind(estimate.map(|e| e.min_minutes))
                .bind(estimate.map(|e| e.max_minutes))
                .bind(estimate.map(|e| e.point_tenths))
                .execute(&mut *connection)
                .await?
                .last_insert_rowid();
                details.push(
                    json!({"change": "issue", "ticket": id, "number": &number, "service": service}),
                );
                issued = Some(Issued {
                    id,
                    public_id,
                    seq_no,
                    number,
                });
            }
            Change::Ticket {
                id,
                action,
                to,
                counter,
            } => {
                // called_at is the first call (the end of the wait); a recall has its own.
                let called = *action == TicketAction::Call;
                let recalled = *action == TicketAction::Recall;
                let started = *action == TicketAction::Start;
                sqlx::query(
                    "UPDATE tickets SET state = ?, counter = COALESCE(?, counter),
                             called_at = CASE WHEN ? THEN ? ELSE called_at END,
                             recalled_at = CASE WHEN ? THEN ? ELSE recalled_at END,
                             started_at = CASE WHEN ? THEN ? ELSE started_at END,
                             finished_at = CASE WHEN ? THEN ? ELSE finished_at END
                         WHERE id = ? AND office = ?",
                )
                .bind(to.as_str())
                .bind(counter)
                .bind(called)
                .bind(&at)
                .bind(recalled)
                .bind(&at)
                .bind(started)
                .bind(&at)
                .bind(to.is_final())
                .bind(&at)
                .bind(id)
                .bind(office)
                .execute(&mut *connection)
                .await?;
                details.push(json!({"change": "ticket", "ticket": id, "action": action.as_str(), "to": to.as_str(), "counter": counter}));
            }
            Change::Counter { id, state } => {
                sqlx::query(
                        "INSERT INTO counter_states (office, business_date, counter, state)
                         VALUES (?, ?, ?, ?)
                         ON CONFLICT (office, business_date, counter) DO UPDATE SET state = excluded.state",
                    )
                    .bind(office)
                    .bind(&day)
                    .bind(id)
                    .bind(state.as_str())
                    .execute(&mut *connection)
                    .await?;
                details.push(json!({"change": "counter", "counter": id, "to": state.as_str()}));
            }
            Change::Reception(reception) => {
                sqlx::query(
                    "INSERT INTO reception (office, suspended, reason_code, reason)
                         VALUES (?, ?, ?, ?)
                         ON CONFLICT (office) DO UPDATE SET suspended = excluded.suspended,
                             reason_code = excluded.reason_code, reason = excluded.reason",
                )
                .bind(office)
                .bind(reception.suspended)
                .bind(reception.reason_code.map(SuspensionReason::as_str))
                .bind(&reception.note)
                .execute(&mut *connection)
                .await?;
                details.push(json!({"change": "reception", "suspended": reception.suspended, "reason_code": reception.reason_code, "note": reception.note}));
            }
        }
    }
    let ticket_id = decision
        .ticket()
        .or(issued.as_ref().map(|issued: &Issued| issued.id));
    let seq = sqlx::query(
        "INSERT INTO events (office, business_date, at, kind, actor, ticket_id, counter, detail)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(office)
    .bind(&day)
    .bind(&at)
    .bind(decision.event)
    .bind(actor)
    .bind(ticket_id)
    .bind(decision.counter())
    .bind(serde_json::Value::Array(details).to_string())
    .execute(&mut *connection)
    .await?
    .last_insert_rowid();
    Ok(Recorded {
        seq: seq as u64,
        issued,
    })
}
