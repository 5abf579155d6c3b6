//! One group commit: the transaction a burst of staff commands is written in, all or nothing.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::any::AnyArguments;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Arguments, Encode, Row, Type};

use super::idempotency::RememberedIssue;
use super::notify::CHANNEL;
use super::{Engine, Expired, Result, StoreError, random_public_id, timestamp};
use crate::domain::{
    Change, Decision, Issued, Recorded, ShownEstimate, TicketAction, display_number,
};
use crate::protocol::{SuspensionReason, TicketState};

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
/// The commands' event rows, new tickets and idempotency keys wait in the batch and are written
/// at commit, a statement per table, on SQLite all in the call that commits ([`Writes`]): each
/// call is a round trip to the database's thread (or server), and a burst of issues spent one
/// per ticket. New tickets get their ids when recorded ([`TicketIds`]), and are written before
/// any statement that changes a ticket.
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
    /// The last ticket number given in the batch, by business day and prefix: each
    /// prefix's sequence row is brought up to it at commit, once.
    last_numbers: Vec<(String, String, u32)>,
    /// The new tickets' rows, in the order issued.
    tickets: Vec<PendingTicket>,
    /// Where the next new ticket's id comes from.
    ticket_ids: TicketIds,
    /// How many times the batch drew ids from the sequence (PostgreSQL).
    draws: u32,
    /// Replies remembered under an idempotency key ([`Batch::remember_issue`]).
    pub(super) keys: Vec<PendingKey>,
}

/// A new ticket's row, waiting for the batch's commit.
struct PendingTicket {
    id: i64,
    public_id: String,
    business_date: String,
    service: String,
    prefix: String,
    seq_no: u32,
    number: String,
    issued_at: String,
    waiting_ahead: u32,
    estimate: Option<ShownEstimate>,
}

/// An idempotency key's row, waiting for the batch's commit.
pub(super) struct PendingKey {
    pub(super) business_date: String,
    pub(super) key: String,
    pub(super) ticket_id: i64,
    pub(super) remembered: RememberedIssue,
}

/// Ids for a batch's new tickets, given without a statement each.
#[derive(Debug)]
enum TicketIds {
    /// SQLite, inside `BEGIN IMMEDIATE`: no other writer can insert before the commit, so every
    /// id above the table's largest is free, as SQLite itself would give them.
    Above(i64),
    /// PostgreSQL: ids drawn from the table's sequence in blocks (other offices draw beside
    /// this batch), unused ones last; an id drawn and never used is a gap, as after a rollback.
    Drawn(Vec<i64>),
}

/// Ids a PostgreSQL batch draws at once: [`FIRST_DRAW`] the first time, so that a batch of one
/// issue leaves a small gap, then [`LARGEST_DRAW`], so that a burst needs few draws.
const FIRST_DRAW: i64 = 4;
const LARGEST_DRAW: i64 = 64;

/// Columns of a ticket row written at commit, in the order [`PendingTicket`]'s values are bound.
const TICKET_COLUMNS: &str = "id, public_id, office, business_date, service, prefix, seq_no, \
    number, issued_at, waiting_ahead_at_issue, estimate_min_minutes, estimate_max_minutes, \
    estimate_point_tenths, state";
const TICKET_VALUES: usize = 14;

/// Columns of an idempotency key row, in the order [`PendingKey`]'s values are bound.
const KEY_COLUMNS: &str = "office, business_date, key, service, ticket_id, reply";
const KEY_VALUES: usize = 6;

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

/// Rows per statement: 256 × 13 parameters stay far below SQLite's 32,766 and PostgreSQL's
/// 65,535 (a batch holds at most 512 commands).
const ROWS_PER_STATEMENT: usize = 256;

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
            last_numbers: Vec::new(),
            tickets: Vec::new(),
            ticket_ids: TicketIds::Drawn(Vec::new()),
            draws: 0,
            keys: Vec::new(),
        }
    }

    /// The open transaction's connection, or [`StoreError::BatchAborted`] once discarded.
    pub(super) fn connection(&mut self) -> Result<&mut AnyConnection> {
        self.connection
            .as_deref_mut()
            .ok_or(StoreError::BatchAborted)
    }

    /// Begins the batch's transaction, holding what serializes the office's writers until it
    /// ends ([`Engine::begin`], [`Engine::office_lock`]). On SQLite the same call reads the
    /// largest ticket id: no other writer can insert before the commit, so the batch's new
    /// tickets take the ids above it, as SQLite itself would give them.
    pub(super) async fn open(&mut self) -> Result<()> {
        match self.engine {
            Engine::Sqlite => {
                let sql = format!(
                    "{}; SELECT COALESCE(MAX(id), 0) FROM tickets",
                    self.engine.begin()
                );
                let connection = self.connection()?;
                // The rows of the statements in order: the `SELECT`'s one.
                let result = sqlx::query_scalar::<_, i64>(&sql)
                    .fetch_all(&mut *connection)
                    .await
                    .map_err(StoreError::from)
                    .and_then(|rows| {
                        rows.first()
                            .copied()
                            .ok_or_else(|| StoreError::Corrupt("no largest ticket id".into()))
                    });
                self.ticket_ids = TicketIds::Above(self.or_discard(result)?);
            }
            Engine::Postgres => {
                self.execute(self.engine.begin()).await?;
                if let Some(lock) = self.engine.office_lock() {
                    self.execute_for_office(lock).await?;
                }
            }
        }
        Ok(())
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

    /// Records one accepted command: its changes (an issue under the number the queue gave it
    /// and an id taken now, its row written at commit; any other change now), and at commit
    /// one event row naming the actor, in the returned slot, and each prefix's last number.
    /// An error discards the batch.
    pub async fn record(
        &mut self,
        office: &str,
        date: NaiveDate,
        decision: &Decision,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(Recorded, EventSlot)> {
        let at = timestamp(now);
        let day = date.to_string();
        let mut issued = None;
        let mut details = Vec::new();
        for change in &decision.changes {
            if let Change::Issue {
                service,
                prefix,
                seq_no,
                waiting_ahead,
                estimate,
            } = change
            {
                let ticket = PendingTicket {
                    id: self.next_ticket_id().await?,
                    public_id: random_public_id(),
                    business_date: day.clone(),
                    service: service.clone(),
                    prefix: prefix.clone(),
                    seq_no: *seq_no,
                    number: display_number(prefix, *seq_no),
                    issued_at: at.clone(),
                    waiting_ahead: *waiting_ahead,
                    estimate: *estimate,
                };
                details.push(json!({"change": "issue", "ticket": ticket.id,
                    "number": &ticket.number, "service": service}));
                issued = Some(Issued {
                    id: ticket.id,
                    public_id: ticket.public_id.clone(),
                    seq_no: ticket.seq_no,
                    number: ticket.number.clone(),
                });
                self.note_number(date, prefix, *seq_no);
                self.tickets.push(ticket);
            } else {
                if matches!(change, Change::Ticket { .. }) {
                    // The ticket may be one of the batch's new ones.
                    self.write_tickets().await?;
                }
                let connection = self.connection()?;
                let result = record_change(connection, office, &day, change, &at).await;
                details.push(self.or_discard(result)?);
            }
        }
        let ticket_id = decision
            .ticket()
            .or(issued.as_ref().map(|issued| issued.id));
        self.events.push(PendingEvent {
            business_date: day,
            at,
            kind: decision.event,
            actor: actor.to_string(),
            ticket_id,
            counter: decision.counter().map(str::to_string),
            detail: serde_json::Value::Array(details).to_string(),
        });
        Ok((Recorded { issued }, EventSlot(self.events.len() - 1)))
    }

    /// The id of the batch's next new ticket.
    async fn next_ticket_id(&mut self) -> Result<i64> {
        loop {
            match &mut self.ticket_ids {
                TicketIds::Above(last) => {
                    *last += 1;
                    return Ok(*last);
                }
                TicketIds::Drawn(ids) => {
                    if let Some(id) = ids.pop() {
                        return Ok(id);
                    }
                }
            }
            self.draw_ticket_ids().await?;
        }
    }

    /// Draws ids from the tickets' sequence (PostgreSQL; a SQLite batch knows its ids from
    /// [`Batch::open`]).
    async fn draw_ticket_ids(&mut self) -> Result<()> {
        let block = if self.draws == 0 {
            FIRST_DRAW
        } else {
            LARGEST_DRAW
        };
        self.draws += 1;
        let connection = self.connection()?;
        let result = sqlx::query_scalar::<_, i64>(
            "SELECT nextval(pg_get_serial_sequence('tickets', 'id')) FROM generate_series(1, $1)",
        )
        .bind(block)
        .fetch_all(&mut *connection)
        .await
        .map_err(StoreError::from);
        let mut ids = self.or_discard(result)?;
        // Used smallest first, taken from the end.
        ids.sort_unstable_by(|a, b| b.cmp(a));
        self.ticket_ids = TicketIds::Drawn(ids);
        Ok(())
    }

    /// Keeps `seq_no` as the last number of `prefix` on `date`, if it is above what the
    /// batch has.
    fn note_number(&mut self, date: NaiveDate, prefix: &str, seq_no: u32) {
        let day = date.to_string();
        match self
            .last_numbers
            .iter_mut()
            .find(|(d, p, _)| *d == day && p == prefix)
        {
            Some((_, _, last)) => *last = (*last).max(seq_no),
            None => self.last_numbers.push((day, prefix.to_string(), seq_no)),
        }
    }

    /// Adds the new tickets recorded since the last time to `writes`, a statement per
    /// [`ROWS_PER_STATEMENT`].
    fn tickets_into(&mut self, writes: &mut Writes) -> Result<()> {
        let tickets = std::mem::take(&mut self.tickets);
        for chunk in tickets.chunks(ROWS_PER_STATEMENT) {
            let arguments = writes.statement(&insert_sql(
                self.engine,
                "tickets",
                TICKET_COLUMNS,
                TICKET_VALUES,
                chunk.len(),
            ));
            for ticket in chunk {
                let estimate = ticket.estimate;
                add(arguments, ticket.id)?;
                add(arguments, ticket.public_id.clone())?;
                add(arguments, self.office.clone())?;
                add(arguments, ticket.business_date.clone())?;
                add(arguments, ticket.service.clone())?;
                add(arguments, ticket.prefix.clone())?;
                add(arguments, i64::from(ticket.seq_no))?;
                add(arguments, ticket.number.clone())?;
                add(arguments, ticket.issued_at.clone())?;
                add(arguments, i64::from(ticket.waiting_ahead))?;
                add(arguments, estimate.map(|e| i64::from(e.min_minutes)))?;
                add(arguments, estimate.map(|e| i64::from(e.max_minutes)))?;
                add(arguments, estimate.map(|e| i64::from(e.point_tenths)))?;
                add(arguments, TicketState::Waiting.as_str())?;
            }
        }
        Ok(())
    }

    /// Adds the remembered replies to `writes`.
    fn keys_into(&mut self, writes: &mut Writes) -> Result<()> {
        let keys = std::mem::take(&mut self.keys);
        for chunk in keys.chunks(ROWS_PER_STATEMENT) {
            let arguments = writes.statement(&insert_sql(
                self.engine,
                "idempotency_keys",
                KEY_COLUMNS,
                KEY_VALUES,
                chunk.len(),
            ));
            for key in chunk {
                add(arguments, self.office.clone())?;
                add(arguments, key.business_date.clone())?;
                add(arguments, key.key.clone())?;
                add(arguments, key.remembered.service.clone())?;
                add(arguments, key.ticket_id)?;
                add(arguments, key.remembered.reply.clone())?;
            }
        }
        Ok(())
    }

    /// Adds to `writes` what brings each prefix's sequence row up to the last number the batch
    /// gave (one row per business day and prefix, so no row is touched twice).
    fn numbers_into(&mut self, writes: &mut Writes) -> Result<()> {
        let numbers = std::mem::take(&mut self.last_numbers);
        if numbers.is_empty() {
            return Ok(());
        }
        let sql = insert_sql(
            self.engine,
            "number_sequences",
            "office, business_date, prefix, last",
            4,
            numbers.len(),
        )
            + " ON CONFLICT (office, business_date, prefix) DO UPDATE SET last = excluded.last
             WHERE number_sequences.last < excluded.last";
        let arguments = writes.statement(&sql);
        for (day, prefix, last) in numbers {
            add(arguments, self.office.clone())?;
            add(arguments, day)?;
            add(arguments, prefix)?;
            add(arguments, i64::from(last))?;
        }
        Ok(())
    }

    /// Adds the recorded commands' events to `writes`, a statement per
    /// [`ROWS_PER_STATEMENT`], each returning the sequences it gave. The rows of one `INSERT`
    /// take their sequences in the order of its `VALUES` (SQLite's rowids, PostgreSQL's
    /// `nextval` row by row), and a later statement's are higher, though `RETURNING` may list
    /// them in any order: sorted, they are the events' in the order recorded.
    fn events_into(&mut self, writes: &mut Writes) -> Result<()> {
        let events = std::mem::take(&mut self.events);
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let sql = insert_sql(
                self.engine,
                "events",
                EVENT_COLUMNS,
                EVENT_VALUES,
                chunk.len(),
            ) + " RETURNING seq";
            let arguments = writes.statement(&sql);
            for event in chunk {
                add(arguments, self.office.clone())?;
                add(arguments, event.business_date.clone())?;
                add(arguments, event.at.clone())?;
                add(arguments, event.kind)?;
                add(arguments, event.actor.clone())?;
                add(arguments, event.ticket_id)?;
                add(arguments, event.counter.clone())?;
                add(arguments, event.detail.clone())?;
            }
        }
        Ok(())
    }

    /// Runs `writes` in the transaction, in order, and returns what they return (events'
    /// sequences). An error discards the batch.
    async fn run(&mut self, writes: Result<Writes>) -> Result<Vec<i64>> {
        let writes = self.or_discard(writes)?;
        let mut returned = Vec::new();
        for (sql, arguments) in writes.statements {
            let connection = self.connection()?;
            let result = sqlx::query_scalar_with::<_, i64, _>(&sql, arguments)
                .fetch_all(&mut *connection)
                .await
                .map_err(StoreError::from);
            returned.extend(self.or_discard(result)?);
        }
        Ok(returned)
    }

    /// Writes the new tickets recorded since the last time.
    async fn write_tickets(&mut self) -> Result<()> {
        if self.tickets.is_empty() {
            return Ok(());
        }
        let mut writes = Writes::new(self.engine);
        let added = self.tickets_into(&mut writes).map(|()| writes);
        self.run(added).await.map(drop)
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
        // Today's new tickets are not among those expired, but every ticket statement sees
        // the batch's tickets written.
        self.write_tickets().await?;
        let office = self.office.clone();
        let connection = self.connection()?;
        let result = expire_days(connection, &office, today, now).await;
        let expired = self.or_discard(result)?;
        if let Some(seq) = expired.last_seq {
            self.last_seq = Some(seq);
        }
        Ok(expired.expired)
    }

    /// Commits the burst: its new tickets, remembered replies, numbers and events are
    /// written, then everything is durable on return (SQLite: WAL, `synchronous=FULL`;
    /// PostgreSQL: `synchronous_commit`). On SQLite the writes and the `COMMIT` are one call to
    /// the database's thread ([`Writes`]). A failed commit discards the batch: nothing of it
    /// was written. On PostgreSQL the commit also tells the other instances (`NOTIFY`,
    /// delivered only if the transaction commits) which office changed, up to which event.
    pub async fn commit(mut self) -> Result<Committed> {
        let mut writes = Writes::new(self.engine);
        let added = self
            .tickets_into(&mut writes)
            .and_then(|()| self.keys_into(&mut writes))
            .and_then(|()| self.numbers_into(&mut writes))
            .and_then(|()| self.events_into(&mut writes))
            .map(|()| {
                if self.engine == Engine::Sqlite {
                    writes.statement("COMMIT");
                }
                writes
            });
        let mut seqs: Vec<u64> = self
            .run(added)
            .await?
            .into_iter()
            .map(|seq| seq as u64)
            .collect();
        seqs.sort_unstable();
        if let Some(&last) = seqs.last() {
            self.last_seq = Some(last);
        }
        if self.engine == Engine::Postgres {
            if let Some(seq) = self.last_seq {
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
        }
        // Committed: the connection goes back to the pool for the next batch.
        self.connection.take();
        Ok(Committed { seqs })
    }
}

/// Statements a batch writes at run time, with their arguments, run in order. On SQLite they
/// are one string of statements with one list of arguments (`?`, bound across the statements
/// in order): one call to the database's thread for a whole commit, which runs them in order
/// and stops at the first error. PostgreSQL takes one statement with parameters per call.
struct Writes {
    engine: Engine,
    statements: Vec<(String, AnyArguments<'static>)>,
}

impl Writes {
    fn new(engine: Engine) -> Self {
        Self {
            engine,
            statements: Vec::new(),
        }
    }

    /// Adds `sql`; its arguments go into the list returned, in order.
    fn statement(&mut self, sql: &str) -> &mut AnyArguments<'static> {
        let joined = self.engine == Engine::Sqlite && !self.statements.is_empty();
        if !joined {
            self.statements
                .push((String::new(), AnyArguments::default()));
        }
        let last = self.statements.len() - 1;
        let (text, arguments) = &mut self.statements[last];
        if joined {
            text.push_str(";\n");
        }
        text.push_str(sql);
        arguments
    }
}

/// Adds `value` to a statement's arguments.
fn add<T>(arguments: &mut AnyArguments<'static>, value: T) -> Result<()>
where
    T: 'static + Encode<'static, Any> + Type<Any>,
{
    arguments
        .add(value)
        .map_err(|error| StoreError::from(sqlx::Error::Encode(error)))
}

/// `INSERT INTO table (columns) VALUES ($1, …, $width), ($width+1, …), …` for `rows` rows
/// (`?` for each parameter on SQLite: [`Engine::parameter`]).
fn insert_sql(engine: Engine, table: &str, columns: &str, width: usize, rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let first = row * width + 1;
            let placeholders: Vec<String> = (first..first + width)
                .map(|n| engine.parameter(n))
                .collect();
            format!("({})", placeholders.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO {table} ({columns}) VALUES {}",
        values.join(", ")
    )
}

/// Writes one change other than an issue inside the batch's transaction; returns it described
/// for its event's `detail`.
async fn record_change(
    connection: &mut AnyConnection,
    office: &str,
    day: &str,
    change: &Change,
    at: &str,
) -> Result<serde_json::Value> {
    Ok(match change {
        // Issues wait in the batch (`Batch::record`).
        Change::Issue { .. } => serde_json::Value::Null,
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
            json!({"change": "ticket", "ticket": id, "action": action.as_str(), "to": to.as_str(), "counter": counter})
        }
        Change::Counter { id, state } => {
            sqlx::query(
                        "INSERT INTO counter_states (office, business_date, counter, state)
                         VALUES ($1, $2, $3, $4)
                         ON CONFLICT (office, business_date, counter) DO UPDATE SET state = excluded.state",
                    )
                    .bind(office)
                    .bind(day)
                    .bind(id)
                    .bind(state.as_str())
                    .execute(&mut *connection)
                    .await?;
            json!({"change": "counter", "counter": id, "to": state.as_str()})
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
            json!({"change": "reception", "suspended": reception.suspended, "reason_code": reception.reason_code, "note": reception.note})
        }
    })
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
