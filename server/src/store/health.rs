//! Whether the store answers, for `/healthz`.

use super::{Result, Store};

impl Store {
    /// Runs a trivial query on a reading connection and on the writer, so that a database
    /// that can no longer be read or written (a writer that could not be reopened, a lock
    /// held for good) shows in the health check instead of only in failed commands. The
    /// caller bounds the wait: the writer may be busy with a batch.
    pub async fn answers(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        sqlx::query("SELECT 1").execute(&self.write).await?;
        Ok(())
    }
}
