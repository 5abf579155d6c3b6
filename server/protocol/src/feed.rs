//! The live feed's timing contract, shared by the server that keeps it and the screens that
//! judge from it whether they are still live.

use std::time::Duration;

/// The server sends a snapshot at least this often, even when nothing changed, so a screen
/// always has a recent `generated_at`.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(30);

/// A screen that has heard nothing for this long is not live: two refreshes missed.
pub const STALE_AFTER: Duration = Duration::from_secs(2 * REFRESH_INTERVAL.as_secs());

/// How many past calls a snapshot carries, so a viewer that missed a `call` frame catches up.
pub const RECENT_CALLS: usize = 8;
