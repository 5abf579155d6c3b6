//! One group commit: the transaction a burst of staff commands is written in, all or nothing.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Row};

use super::notify::CHANNEL;
use super::{Engine, Expired, Result, StoreError, random_public_id, timestamp};
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
///
/// The commands' event rows wait in the batch and are written at commit, all in one statement:
/// each statement is a round trip to the database's thread (or server), and the events were a
/// third of a burst's.
pub struct Batch {
    /// The writer connection inside the transaction; `None` once committed or discarded.
    connection: Option<PoolConnection<Any>>,
    engine: Engine,
    /// The office whose commands the batch holds (and whose lock, on PostgreSQL).
    office: String,
    /// The sequence of the last event written, announced to other instances at commit.
    last_seq: Option<u64>,
    /// The recorded commands' events, in order, written at commit.
    events: Vec<PendingEvent>,
}

/// A command's event row, waiting for the batch's commit.
struct PendingEvent {
    business_date: String,
    at: String,
    kind: &'static str,
    actor: String,
    ticket_id: Option<i64>,
    counter: Option<String>,
    detail: String,
}

/// Columns of an event row written at commit, in the order [`PendingEvent`]'s values are bound.
const EVENT_COLUMNS: &str = "office, business_date, at, kind, actor, ticket_id, counter, detail";
const EVENT_VALUES: usize = 8;

/// Event rows per statement: 256 × 8 parameters stay far below SQLite's 32,766 and
/// PostgreSQL's 65,535 (a batch holds at most 512 commands).
const EVENT_ROWS_PER_STATEMENT: usize = 256;

/// Where a command's event stands among its batch's events: its sequence is known once the
/// batch commits ([`Committed::seq`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventSlot(usize);

/// What a committed batch wrote: the sequence of each command's event.
#[derive(Debug, Default)]
pub struct Committed {
    /// The sequences of the commands' events, in the order they were recorded.
    seqs: Vec<u64>,
}

impl Committed {
    /// The sequence of the event in `slot` (`None` for a slot of another batch).
    pub fn seq(&self, slot: EventSlot) -> Option<u64> {
        self.seqs.get(slot.0).copied()
    }

    /// The sequence of the batch's last command event, if it recorded any.
    pub fn last_seq(&self) -> Option<u64> {
        self.seqs.last().copied()
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        self.discard();
    }
}

impl Batch {
    /// A batch on a writer connection, before its transaction begins.
    pub(super) fn new(connection: PoolConnection<Any>, engine: Engine, office: &str) -> Self {
        Self {
            connection: Some(connection),
            engine,
            office: office.to_string(),
            last_seq: None,
            events: Vec::new(),
        }
    }

    /// The open transaction's connection, or [`StoreError::BatchAborted`] once discarded.
    pub(super) fn connection(&mut self) -> Result<&mut AnyConnection> {
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

    /// Runs one statement whose only parameter is the batch's office (its lock); an error
    /// discards the batch.
    pub(super) async fn execute_for_office(&mut self, sql: &'static str) -> Result<()> {
        let office = self.office.clone();
        let connection = self.connection()?;
        let result = sqlx::query(sql)
            .bind(office)
            .execute(&mut *connection)
            .await
            .map(drop)
            .map_err(StoreError::from);
        self.or_discard(result)
    }

    /// The sequence of the office's latest event as the transaction sees it: on PostgreSQL,
    /// with the office's lock held, what every other instance has committed. Above the day in
    /// memory, the office must catch up before it decides.
    pub async fn latest_seq(&mut self) -> Result<u64> {
        let office = self.office.clone();
        let connection = self.connection()?;
        let result =
            sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(seq) FROM events WHERE office = $1")
                .bind(office)
                .fetch_one(&mut *connection)
                .await
                .map(|seq| seq.unwrap_or(0) as u64)
                .map_err(StoreError::from);
        self.or_discard(result)
    }

    /// Records one accepted command: its changes (allocating a ticket number for an issue)
    /// now, and one event row naming the actor at commit, in the returned slot. An error
    /// discards the batch.
    pub async fn record(
        &mut self,
        office: &str,
        date: NaiveDate,
        decision: &Decision,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(Recorded, EventSlot)> {
        let at = timestamp(now);
        let connection = self.connection()?;
        let result = record_changes(connection, office, date, decision, &at).await;
        let (recorded, details) = self.or_discard(result)?;
        let ticket_id = decision
            .ticket()
            .or(recorded.issued.as_ref().map(|issued| issued.id));
        self.events.push(PendingEvent {
            business_date: date.to_string(),
            at,
            kind: decision.event,
            actor: actor.to_string(),
            ticket_id,
            counter: decision.counter().map(str::to_string),
            detail: serde_json::Value::Array(details).to_string(),
        });
        Ok((recorded, EventSlot(self.events.len() - 1)))
    }

    /// Writes the recorded commands' events, a statement per [`EVENT_ROWS_PER_STATEMENT`],
    /// and returns their sequences in the order recorded. The rows of one `INSERT` take their
    /// sequences in the order of its `VALUES` (SQLite's rowids, PostgreSQL's `nextval` row
    /// by row), though `RETURNING` may list them in any order: sorted, they are the rows'.
    async fn write_events(&mut self) -> Result<Vec<u64>> {
        let events = std::mem::take(&mut self.events);
        let office = self.office.clone();
        let mut seqs = Vec::with_capacity(events.len());
        for chunk in events.chunks(EVENT_ROWS_PER_STATEMENT) {
            let sql = insert_events_sql(chunk.len());
            let mut query = sqlx::query_scalar::<_, i64>(&sql);
            for event in chunk {
                query = query
                    .bind(office.as_str())
                    .bind(event.business_date.as_str())
                    .bind(event.at.as_str())
                    .bind(event.kind)
                    .bind(event.actor.as_str())
                    .bind(event.ticket_id)
                    .bind(event.counter.as_deref())
                    .bind(event.detail.as_str());
            }
            let connection = self.connection()?;
            let result = query
                .fetch_all(&mut *connection)
                .await
                .map_err(StoreError::from);
            let mut written = self.or_discard(result)?;
            written.sort_unstable();
            seqs.extend(written.into_iter().map(|seq| seq as u64));
        }
        if let Some(&last) = seqs.last() {
            self.last_seq = Some(last);
        }
        Ok(seqs)
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
        let result = sqlx::query_scalar::<_, i64>(
            "INSERT INTO events (office, business_date, at, kind, actor, detail)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq",
        )
        .bind(office)
        .bind(date.to_string())
        .bind(timestamp(now))
        .bind(kind)
        .bind(actor)
        .bind(detail.to_string())
        .fetch_one(&mut *connection)
        .await
        .map(|seq| seq as u64)
        .map_err(StoreError::from);
        let seq = self.or_discard(result)?;
        self.last_seq = Some(seq);
        Ok(seq)
    }

    /// Closes the office's days before `today` (see [`super::Store::expire_earlier_days`]).
    pub(super) async fn expire_earlier_days(
        &mut self,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Expired> {
        let office = self.office.clone();
        let connection = self.connection()?;
        let result = expire_days(connection, &office, today, now).await;
        let expired = self.or_discard(result)?;
        if let Some(seq) = expired.last_seq {
            self.last_seq = Some(seq);
        }
        Ok(expired.expired)
    }

    /// Commits the burst: its commands' events are written, then everything is durable on
    /// return (SQLite: WAL, `synchronous=FULL`; PostgreSQL: `synchronous_commit`). A failed
    /// commit discards the batch: nothing of it was written. On PostgreSQL the commit also
    /// tells the other instances (`NOTIFY`, delivered only if the transaction commits) which
    /// office changed, up to which event.
    pub async fn commit(mut self) -> Result<Committed> {
        let seqs = self.write_events().await?;
        if let (Engine::Postgres, Some(seq)) = (self.engine, self.last_seq) {
            let payload = super::notify::payload(&self.office, seq);
            let connection = self.connection()?;
            let result = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(payload)
                .execute(&mut *connection)
                .await
                .map(drop)
                .map_err(StoreError::from);
            self.or_discard(result)?;
        }
        self.execute("COMMIT").await?;
        // Committed: the connection goes back to the pool for the next batch.
        self.connection.take();
        Ok(Committed { seqs })
    }
}

/// `INSERT INTO events … VALUES ($1, …, $8), ($9, …), … RETURNING seq` for `rows` rows.
fn insert_events_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let first = row * EVENT_VALUES + 1;
            let placeholders: Vec<String> = (first..first + EVENT_VALUES)
                .map(|n| format!("${n}"))
                .collect();
            format!("({})", placeholders.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO events ({EVENT_COLUMNS}) VALUES {} RETURNING seq",
        values.join(", ")
    )
}

/// Writes one decision's changes inside the batch's transaction; returns them described for
/// its event's `detail`.
async fn record_changes(
    connection: &mut AnyConnection,
    office: &str,
    date: NaiveDate,
    decision: &Decision,
    at: &str,
) -> Result<(Recorded, Vec<serde_json::Value>)> {
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
                         VALUES ($1, $2, $3, 1)
                         ON CONFLICT (office, business_date, prefix)
                         DO UPDATE SET last = number_sequences.last + 1
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
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO tickets (public_id, office, business_date, service, prefix,
                             seq_no, number, state, issued_at, waiting_ahead_at_issue,
                             estimate_min_minutes, estimate_max_minutes, estimate_point_tenths)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, 'waiting', $8, $9, $10, $11, $12)
                         RETURNING id",
                )
                .bind(&public_id)
                .bind(office)
                .bind(&day)
                .bind(service)
                .bind(prefix)
                .bind(i64::from(seq_no))
                .bind(&number)
                .bind(at)
                .bind(i64::from(*waiting_ahead))
                .bind(estimate.map(|e| i64::from(e.min_minutes)))
                .bind(estimate.map(|e| i64::from(e.max_minutes)))
                .bind(estimate.map(|e| i64::from(e.point_tenths)))
                .fetch_one(&mut *connection)
                .await?;
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
                    "UPDATE tickets SET state = $1, counter = COALESCE($2, counter),
                             called_at = CASE WHEN $3 THEN $4 ELSE called_at END,
                             recalled_at = CASE WHEN $5 THEN $6 ELSE recalled_at END,
                             started_at = CASE WHEN $7 THEN $8 ELSE started_at END,
                             finished_at = CASE WHEN $9 THEN $10 ELSE finished_at END
                         WHERE id = $11 AND office = $12",
                )
                .bind(to.as_str())
                .bind(counter)
                .bind(called)
                .bind(at)
                .bind(recalled)
                .bind(at)
                .bind(started)
                .bind(at)
                .bind(to.is_final())
                .bind(at)
                .bind(id)
                .bind(office)
                .execute(&mut *connection)
                .await?;
                details.push(json!({"change": "ticket", "ticket": id, "action": action.as_str(), "to": to.as_str(), "counter": counter}));
            }
            Change::Counter { id, state } => {
                sqlx::query(
                        "INSERT INTO counter_states (office, business_date, counter, state)
                         VALUES ($1, $2, $3, $4)
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
                         VALUES ($1, $2, $3, $4)
                         ON CONFLICT (office) DO UPDATE SET suspended = excluded.suspended,
                             reason_code = excluded.reason_code, reason = excluded.reason",
                )
                .bind(office)
                .bind(i64::from(reception.suspended))
                .bind(reception.reason_code.map(SuspensionReason::as_str))
                .bind(&reception.note)
                .execute(&mut *connection)
                .await?;
                details.push(json!({"change": "reception", "suspended": reception.suspended, "reason_code": reception.reason_code, "note": reception.note}));
            }
        }
    }
    Ok((Recorded { issued }, details))
}

/// What [`expire_days`] did: the days' expired tickets, and the last event it wrote.
struct ExpiredDays {
    expired: Expired,
    last_seq: Option<u64>,
}

/// Marks every non-final ticket of an office's days before `today` as expired, one event
/// each, and forgets those days' idempotency keys.
async fn expire_days(
    connection: &mut AnyConnection,
    office: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<ExpiredDays> {
    let rows = sqlx::query(
        "SELECT id, number, business_date FROM tickets
         WHERE office = $1 AND business_date < $2
           AND state NOT IN ('done', 'no_show', 'cancelled', 'expired')
         ORDER BY id",
    )
    .bind(office)
    .bind(today.to_string())
    .fetch_all(&mut *connection)
    .await?;
    let at = timestamp(now);
    let mut last_day: Option<String> = None;
    let mut last_seq = None;
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let number: String = row.try_get("number")?;
        let date: String = row.try_get("business_date")?;
        if last_day.as_ref().is_none_or(|last| *last < date) {
            last_day = Some(date.clone());
        }
        sqlx::query("UPDATE tickets SET state = 'expired', finished_at = $1 WHERE id = $2")
            .bind(&at)
            .bind(id)
            .execute(&mut *connection)
            .await?;
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO events (office, business_date, at, kind, actor, ticket_id, detail)
             VALUES ($1, $2, $3, 'ticket_expired', 'system', $4, $5) RETURNING seq",
        )
        .bind(office)
        .bind(&date)
        .bind(&at)
        .bind(id)
        .bind(json!({ "number": number, "to": "expired" }).to_string())
        .fetch_one(&mut *connection)
        .await?;
        last_seq = Some(seq as u64);
    }
    sqlx::query("DELETE FROM idempotency_keys WHERE office = $1 AND business_date < $2")
        .bind(office)
        .bind(today.to_string())
        .execute(&mut *connection)
        .await?;
    Ok(ExpiredDays {
        expired: Expired {
            tickets: rows.len() as u64,
            last_day: last_day
                .map(|day| {
                    day.parse()
                        .map_err(|_| StoreError::Corrupt(format!("date {day:?}")))
                })
                .transpose()?,
        },
        last_seq,
    })
}
