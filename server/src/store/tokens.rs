//! Staff tokens in the store: name, role, office scope, expiry and SHA-256 hash; never the
//! secret itself. Creating and revoking a token write an event in the same transaction, so the
//! event log says who could act, since when and until when (issue 12).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::Row;

use super::{Result, Store, StoreError, parse_timestamp, timestamp};

/// The `office` of the events about tokens: they belong to the server, not to one office's
/// queue, so no office's day or sequence ever sees them.
pub const TOKEN_EVENTS_OFFICE: &str = "";

/// A token as the auth check needs it: every token not revoked, expired ones included, so that
/// an expired token is told apart from an unknown one.
#[derive(Clone, Debug)]
pub struct TokenRecord {
    /// Label recorded in events.
    pub name: String,
    /// Role name (`issuer`, `counter`, `admin`).
    pub role: String,
    /// Hex SHA-256 of the secret.
    pub hash: String,
    /// The only office it may act on; `None`: every office.
    pub office: Option<String>,
    /// When it stops working; `None`: never.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token to store, as `token create` (or the first start) decided it.
#[derive(Clone, Debug)]
pub struct NewToken<'a> {
    /// Unique name, recorded in events as the actor.
    pub name: &'a str,
    /// Role name.
    pub role: &'a str,
    /// Hex SHA-256 of the secret.
    pub hash: &'a str,
    /// Limit to one office.
    pub office: Option<&'a str>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token as `token list` shows it.
#[derive(Clone, Debug)]
pub struct TokenSummary {
    /// The name given at creation; events record it as the actor.
    pub name: String,
    /// Role name.
    pub role: String,
    /// The only office it may act on; `None`: every office.
    pub office: Option<String>,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The store's reads of the live tokens, one at a time, each shared by every request that
/// arrived before it began. Every staff request checks its token against the store, so that a
/// token revoked from the command line (or on another instance) is refused at once; under a
/// burst of requests, one read begun after a request arrived answers it as well as its own
/// read would, and the burst costs a read or two instead of one each.
#[derive(Debug, Default)]
pub(super) struct TokenReads {
    /// How many reads have begun.
    begun: AtomicU64,
    /// The newest read that succeeded: its number (in the order reads began) and what it
    /// found. Held while a read runs, so that reads take turns.
    latest: tokio::sync::Mutex<Option<(u64, Arc<[TokenRecord]>)>>,
    /// How many reads reached the database (for tests and the benchmark's figures).
    done: AtomicU64,
}

impl Store {
    /// Stores an unscoped token that never expires, recorded as made from the command line:
    /// the short form of [`Store::token_create`] for tests and benchmarks.
    pub async fn token_insert(
        &self,
        name: &str,
        role: &str,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let token = NewToken {
            name,
            role,
            hash,
            office: None,
            expires_at: None,
        };
        self.token_create(&token, "cli", now).await
    }

    /// Stores a new token's hash and a `token_created` event naming `actor` (`cli`, `server`),
    /// in one transaction; refuses a name in use.
    pub async fn token_create(
        &self,
        token: &NewToken<'_>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO tokens (name, role, hash, created_at, office, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token.name)
        .bind(token.role)
        .bind(token.hash)
        .bind(timestamp(now))
        .bind(token.office)
        .bind(token.expires_at.map(timestamp))
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                return Err(StoreError::TokenNameTaken(token.name.to_string()));
            }
            Err(error) => return Err(error.into()),
        }
        let detail = json!({
            "name": token.name,
            "role": token.role,
            "office": token.office,
            "expires_at": token.expires_at.map(timestamp),
        });
        token_event(&mut tx, "token_created", actor, now, detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Tokens not revoked (expired ones too), as the store holds them after this call began:
    /// from a read that began after it (shared with the calls waiting at the same time, see
    /// [`TokenReads`]), never from an older one.
    pub async fn tokens_active(&self) -> Result<Arc<[TokenRecord]>> {
        let reads = &self.token_reads;
        let arrived = reads.begun.load(Ordering::SeqCst);
        let mut latest = reads.latest.lock().await;
        if let Some((read, records)) = latest.as_ref()
            && *read > arrived
        {
            return Ok(records.clone());
        }
        let read = reads.begun.fetch_add(1, Ordering::SeqCst) + 1;
        let records: Arc<[TokenRecord]> = self.read_active_tokens().await?.into();
        reads.done.fetch_add(1, Ordering::Relaxed);
        *latest = Some((read, records.clone()));
        Ok(records)
    }

    /// How many times [`Store::tokens_active`] has read the database.
    pub fn token_reads(&self) -> u64 {
        self.token_reads.done.load(Ordering::Relaxed)
    }

    /// One read of the tokens not revoked.
    async fn read_active_tokens(&self) -> Result<Vec<TokenRecord>> {
        let rows = sqlx::query(
            "SELECT name, role, hash, office, expires_at FROM tokens WHERE revoked_at IS NULL",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TokenRecord {
                    name: row.try_get("name")?,
                    role: row.try_get("role")?,
                    hash: row.try_get("hash")?,
                    office: row.try_get("office")?,
                    expires_at: optional_timestamp(row, "expires_at")?,
                })
            })
            .collect()
    }

    /// Every token, revoked ones too, by name.
    pub async fn tokens_all(&self) -> Result<Vec<TokenSummary>> {
        let rows = sqlx::query(
            "SELECT name, role, office, created_at, expires_at, revoked_at
             FROM tokens ORDER BY name",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TokenSummary {
                    name: row.try_get("name")?,
                    role: row.try_get("role")?,
                    office: row.try_get("office")?,
                    created_at: parse_timestamp(row.try_get("created_at")?)?,
                    expires_at: optional_timestamp(row, "expires_at")?,
                    revoked_at: optional_timestamp(row, "revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes a live token by name, with a `token_revoked` event naming `actor`, in one
    /// transaction; false if there is no such live token (and nothing is written).
    pub async fn token_revoke(&self, name: &str, actor: &str, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        let done =
            sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL")
                .bind(timestamp(now))
                .bind(name)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        token_event(
            &mut tx,
            "token_revoked",
            actor,
            now,
            json!({ "name": name }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Whether any token was ever made, revoked and expired ones included: the server mints
    /// the first admin token only into a store that has none, never again after revocations.
    pub async fn tokens_exist(&self) -> Result<bool> {
        let any: Option<i64> = sqlx::query_scalar("SELECT 1 FROM tokens LIMIT 1")
            .fetch_optional(&self.write)
            .await?;
        Ok(any.is_some())
    }
}

/// Appends an event about a token to the event log, in the caller's transaction.
async fn token_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    kind: &str,
    actor: &str,
    now: DateTime<Utc>,
    detail: serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (office, business_date, at, kind, actor, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(TOKEN_EVENTS_OFFICE)
    .bind(crate::calendar::business_date(now).to_string())
    .bind(timestamp(now))
    .bind(kind)
    .bind(actor)
    .bind(detail.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn optional_timestamp(row: &sqlx::any::AnyRow, column: &str) -> Result<Option<DateTime<Utc>>> {
    row.try_get::<Option<String>, _>(column)?
        .map(parse_timestamp)
        .transpose()
}
