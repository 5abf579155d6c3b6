//! The injectable clock. The domain never reads the system clock: it is handed instants taken
//! from a [`Clock`], so tests, `--now` and the demo run the server as on any day at any hour.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

/// A source of the current instant.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// How many seconds of clock time pass per real second (1 except in a fast demo), so
    /// timers can sleep the right real time until a clock-time instant.
    fn speed(&self) -> f64 {
        1.0
    }
}

/// Shared handle to the server's clock.
pub type SharedClock = Arc<dyn Clock>;

/// The host's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock started at a given instant (`--now`) that runs forward in real time, optionally
/// faster (`speed`, for the demo). Monotonic: a host clock step does not move it.
#[derive(Debug, Clone)]
pub struct StartedClock {
    start: DateTime<Utc>,
    origin: Instant,
    speed: f64,
}

impl StartedClock {
    /// Starts at `start` and runs at real speed.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self::with_speed(start, 1.0)
    }

    /// Starts at `start` and runs `speed` times faster than real time.
    pub fn with_speed(start: DateTime<Utc>, speed: f64) -> Self {
        Self {
            start,
            origin: Instant::now(),
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
        }
    }
}

impl Clock for StartedClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = self.origin.elapsed().as_secs_f64() * self.speed;
        let micros = (elapsed * 1_000_000.0) as i64;
        self.start + Duration::microseconds(micros)
    }

    fn speed(&self) -> f64 {
        self.speed
    }
}

/// The demo's clock: it races through a warm-up (from opening to the demo's start, so the queue
/// already looks like a real morning), then runs at the demo's own speed.
#[derive(Debug, Clone)]
pub struct WarmUpClock {
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    warm_up_speed: f64,
    speed: f64,
    origin: Instant,
}

impl WarmUpClock {
    /// Runs from `from` to `until` at `warm_up_speed`, then on at `speed`.
    pub fn new(from: DateTime<Utc>, until: DateTime<Utc>, warm_up_speed: f64, speed: f64) -> Self {
        let positive = |x: f64| if x.is_finite() && x > 0.0 { x } else { 1.0 };
        Self {
            from,
            until: until.max(from),
            warm_up_speed: positive(warm_up_speed),
            speed: positive(speed),
            origin: Instant::now(),
        }
    }

    fn warm_up_real_seconds(&self) -> f64 {
        (self.until - self.from).num_milliseconds() as f64 / 1000.0 / self.warm_up_speed
    }
}

impl Clock for WarmUpClock {
    fn now(&self) -> DateTime<Utc> {
        let real = self.origin.elapsed().as_secs_f64();
        let warm = self.warm_up_real_seconds();
        let (base, seconds) = if real < warm {
            (self.from, real * self.warm_up_speed)
        } else {
            (self.until, (real - warm) * self.speed)
        };
        base + Duration::microseconds((seconds * 1_000_000.0) as i64)
    }

    fn speed(&self) -> f64 {
        if self.origin.elapsed().as_secs_f64() < self.warm_up_real_seconds() {
            self.warm_up_speed
        } else {
            self.speed
        }
    }
}

/// Builds the server's clock: started at `now` if given, else the system clock.
pub fn from_option(now: Option<DateTime<Utc>>) -> SharedClock {
    match now {
        Some(start) => Arc::new(StartedClock::new(start)),
        None => Arc::new(SystemClock),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_started_clock_begins_at_its_instant_and_runs_forward() {
        let start = DateTime::parse_from_rfc3339("2026-12-01T10:00:00+09:00")
            .expect("valid")
            .with_timezone(&Utc);
        let clock = StartedClock::new(start);
        let first = clock.now();
        assert!(first >= start && first - start < Duration::seconds(5));
        assert!(clock.now() >= first);
    }

    #[test]
    fn a_warm_up_clock_races_to_its_start_then_runs_at_its_speed() {
        let from = Utc::now();
        let until = from + Duration::hours(1);
        let clock = WarmUpClock::new(from, until, 360_000.0, 1.0);
        assert_eq!(clock.speed(), 360_000.0);
        std::thread::sleep(std::time::Duration::from_millis(30));
        let now = clock.now();
        assert!(
            now >= until && now - until < Duration::seconds(5),
            "{now} vs {until}"
        );
        assert_eq!(clock.speed(), 1.0);
    }

    #[test]
    fn a_fast_clock_runs_faster_than_real_time() {
        let start = Utc::now();
        let clock = StartedClock::with_speed(start, 1000.0);
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(clock.now() - start >= Duration::seconds(10));
    }
}
