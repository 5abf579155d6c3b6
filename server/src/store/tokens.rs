//! Staff tokens in the store: name, role, SHA-256 hash; never the secret itself.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Result, Store, StoreError, parse_timestamp, timestamp};

/// A live token as the auth check needs it.
#[derive(Clone, Debug)]
pub struct TokenRecord {
    /// Label recorded in events.
    pub name: String,
    /// Role name (`issuer`, `counter`, `admin`).
    pub role: String,
    /// Hex SHA-256 of the secret.
    pub hash: String,
}

/// A token as `token list` shows it.
#[derive(Clone, Debug)]
pub struct TokenSummary {
    /// The name given at creation; events record it as the actor.
    pub name: String,
    /// Role name.
    pub role: String,
    /// When created.
    pub created_at: DateTime<Utc>,
    /// When revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Stores a new token's hash; refuses a name in use.
    pub async fn token_insert(
        &self,
        name: &str,
        role: &str,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let result =
            sqlx::query("INSERT INTO tokens (name, role, hash, created_at) VALUES (?, ?, ?, ?)")
                .bind(name)
                .bind(role)
                .bind(hash)
                .bind(timestamp(now))
                .execute(&self.write)
                .await;
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                Err(StoreError::TokenNameTaken(name.to_string()))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Tokens not revoked, read fresh on every call (no cache outlives a request).
    pub async fn tokens_active(&self) -> Result<Vec<TokenRecord>> {
        let rows = sqlx::query("SELECT name, role, hash FROM tokens WHERE revoked_at IS NULL")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(TokenRecord {
                    name: row.try_get("name")?,
                    role: row.try_get("role")?,
                    hash: row.try_get("hash")?,
                })
            })
            .collect()
    }

    /// Every token, revoked ones too, by name.
    pub async fn tokens_all(&self) -> Result<Vec<TokenSummary>> {
        let rows =
            sqlx::query("SELECT name, role, created_at, revoked_at FROM tokens ORDER BY name")
                .fetch_all(&self.read)
                .await?;
        rows.iter()
            .map(|row| {
                Ok(TokenSummary {
                    name: row.try_get("name")?,
                    role: row.try_get("role")?,
                    created_at: parse_timestamp(row.try_get("created_at")?)?,
                    revoked_at: row
                        .try_get::<Option<String>, _>("revoked_at")?
                        .map(parse_timestamp)
                        .transpose()?,
                })
            })
            .collect()
    }

    /// Revokes a live token by name; false if there is none.
    pub async fn token_revoke(&self, name: &str, now: DateTime<Utc>) -> Result<bool> {
        let done =
            sqlx::query("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL")
                .bind(timestamp(now))
                .bind(name)
                .execute(&self.write)
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Whether a live admin token exists (else the server makes one at start).
    pub async fn admin_token_exists(&self) -> Result<bool> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM tokens WHERE role = 'admin' AND revoked_at IS NULL",
        )
        .fetch_one(&self.write)
        .await?;
        Ok(count > 0)
    }
}
