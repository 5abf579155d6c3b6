//! Shared helpers for the calendar's tests: the default Kanazawa schedules
//! (as TOML, as the config file writes them) and Tokyo-time instants.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Tokyo;

use crate::calendar::Schedule;

/// Main office, Mon–Fri 09:00–17:45 (domain R1).
pub const MAIN_OFFICE_TOML: &str = r#"
[weekly]
mon = { opens = "09:00", closes = "17:45" }
tue = { opens = "09:00", closes = "17:45" }
wed = { opens = "09:00", closes = "17:45" }
thu = { opens = "09:00", closes = "17:45" }
fri = { opens = "09:00", closes = "17:45" }
"#;

/// Citizen centers, Mon–Fri 08:30–17:15 (domain R2).
pub const CITIZEN_CENTER_TOML: &str = r#"
[weekly]
mon = { opens = "08:30", closes = "17:15" }
tue = { opens = "08:30", closes = "17:15" }
wed = { opens = "08:30", closes = "17:15" }
thu = { opens = "08:30", closes = "17:15" }
fri = { opens = "08:30", closes = "17:15" }
"#;

pub fn schedule(toml_text: &str) -> Schedule {
    let schedule: Schedule = toml::from_str(toml_text).expect("test schedule parses");
    schedule.validate().expect("test schedule is valid");
    schedule
}

pub fn main_office() -> Schedule {
    schedule(MAIN_OFFICE_TOML)
}

pub fn citizen_center() -> Schedule {
    schedule(CITIZEN_CENTER_TOML)
}

/// The main office with a last-ticket time of 17:30 every weekday.
pub fn main_office_with_last_ticket() -> Schedule {
    schedule(&MAIN_OFFICE_TOML.replace(
        r#"closes = "17:45" }"#,
        r#"closes = "17:45", last_ticket = "17:30" }"#,
    ))
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

/// An instant given as Tokyo wall-clock time (domain R4).
pub fn jst(y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Tokyo
        .with_ymd_and_hms(y, m, d, h, mi, s)
        .single()
        .expect("valid Tokyo time")
        .with_timezone(&Utc)
}
