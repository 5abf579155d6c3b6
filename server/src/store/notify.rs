//! What other instances wrote, heard from PostgreSQL: every batch that commits events sends
//! `NOTIFY` on one channel with its office and last event sequence (see [`super::Batch::commit`]),
//! and each instance listens, so its office tasks catch up and publish to their own viewers.
//! A notification may be missed (the listening connection drops); the listener then says so,
//! and the office tasks' periodic refresh catches up anyway.

use std::time::Duration;

use sqlx::postgres::PgListener;

use super::{Database, Result};

/// The channel every instance of one database notifies and listens on.
pub(super) const CHANNEL: &str = "queue_events";

/// How long the listener waits before connecting again after a failure.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// The payload of a notification: `SEQ OFFICE` (the office id last: it is free text).
pub(super) fn payload(office: &str, seq: u64) -> String {
    format!("{seq} {office}")
}

/// What the listener heard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    /// An instance committed the office's events up to `seq`.
    Change {
        /// The office.
        office: String,
        /// Its latest event's sequence.
        seq: u64,
    },
    /// The connection dropped: notifications may have been lost, every office should look.
    MaybeMissed,
}

fn parse(payload: &str) -> Option<Heard> {
    let (seq, office) = payload.split_once(' ')?;
    Some(Heard::Change {
        office: office.to_string(),
        seq: seq.parse().ok()?,
    })
}

/// Listens for other instances' changes on a PostgreSQL database.
pub struct Listener {
    connection: PgListener,
}

/// Starts listening; `None` for a SQLite database, which no other server writes.
pub async fn listen(database: &Database) -> Result<Option<Listener>> {
    let Database::Postgres(url) = database else {
        return Ok(None);
    };
    let mut connection = PgListener::connect(url).await?;
    connection.listen(CHANNEL).await?;
    Ok(Some(Listener { connection }))
}

impl Listener {
    /// The next thing heard. After a lost connection it reconnects (on the next call, then
    /// every second until it can), saying [`Heard::MaybeMissed`] once per loss.
    pub async fn next(&mut self) -> Heard {
        loop {
            match self.connection.try_recv().await {
                Ok(Some(notification)) => match parse(notification.payload()) {
                    Some(heard) => return heard,
                    None => tracing::warn!(
                        payload = notification.payload(),
                        "ignoring a notification this version does not understand"
                    ),
                },
                Ok(None) => {
                    tracing::warn!("lost the database's notifications; reconnecting");
                    return Heard::MaybeMissed;
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot listen to the database; trying again");
                    tokio::time::sleep(RECONNECT_AFTER).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        assert_eq!(
            parse(&payload("main office", 42)),
            Some(Heard::Change {
                office: "main office".to_string(),
                seq: 42
            })
        );
        assert_eq!(parse("x main"), None);
        assert_eq!(parse("nothing"), None);
    }
}
