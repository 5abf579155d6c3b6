//! What the calendar needs to know about one office: its weekly hours
//! (domain R1–R2) and the special days configured on top of them. These are
//! configuration data (TOML), so they deserialize, serialize back the same
//! way, and are checked once by [`Schedule::validate`] at start-up.

use std::fmt;

use chrono::{NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

/// Hours of one open day. In TOML: `{ opens = "09:00", closes = "17:45",
/// last_ticket = "17:30" }`; `last_ticket` is optional and, when absent,
/// tickets are issued until closing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayHours {
    /// When reception opens (local Tokyo time, domain R4).
    #[serde(with = "hhmm")]
    pub opens: NaiveTime,
    /// When the counter closes; people already holding a ticket are served until then.
    #[serde(with = "hhmm")]
    pub closes: NaiveTime,
    /// Last time a ticket is issued, if earlier than closing.
    #[serde(default, with = "hhmm_opt", skip_serializing_if = "Option::is_none")]
    pub last_ticket: Option<NaiveTime>,
}

impl DayHours {
    /// The time reception stops issuing tickets: the last-ticket time, or closing.
    pub fn reception_ends(&self) -> NaiveTime {
        self.last_ticket.unwrap_or(self.closes)
    }

    /// Why these hours are unusable, if they are: opening must precede
    /// closing, and a last-ticket time must lie in (opens, closes].
    fn problem(&self) -> Option<String> {
        if self.opens >= self.closes {
            return Some(format!(
                "opens {} must be before closes {}",
                hhmm_text(self.opens),
                hhmm_text(self.closes)
            ));
        }
        match self.last_ticket {
            Some(t) if t <= self.opens || t > self.closes => Some(format!(
                "last_ticket {} must be after opens {} and not after closes {}",
                hhmm_text(t),
                hhmm_text(self.opens),
                hhmm_text(self.closes)
            )),
            _ => None,
        }
    }
}

/// Weekly hours of an office, one optional entry per weekday (absent =
/// closed that weekday). Kanazawa: main office Mon–Fri 09:00–17:45 (domain R1),
/// citizen centers Mon–Fri 08:30–17:15 (domain R2).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    // One optional field per weekday: a day without hours is closed (`no_hours`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mon: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tue: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wed: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thu: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fri: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sat: Option<DayHours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sun: Option<DayHours>,
}

impl WeeklyHours {
    /// The configured hours of a weekday, `None` when the office is closed that day.
    pub fn on(&self, weekday: Weekday) -> Option<DayHours> {
        match weekday {
            Weekday::Mon => self.mon,
            Weekday::Tue => self.tue,
            Weekday::Wed => self.wed,
            Weekday::Thu => self.thu,
            Weekday::Fri => self.fri,
            Weekday::Sat => self.sat,
            Weekday::Sun => self.sun,
        }
    }

    fn entries(&self) -> [(&'static str, Option<DayHours>); 7] {
        [
            ("mon", self.mon),
            ("tue", self.tue),
            ("wed", self.wed),
            ("thu", self.thu),
            ("fri", self.fri),
            ("sat", self.sat),
            ("sun", self.sun),
        ]
    }
}

/// A configured exception for one date, overriding every other rule
/// (holiday, weekend, year-end): with `hours` an extra opening (a Saturday
/// opening for a My Number campaign), without an extra closure (a system
/// outage, a building inspection). The reason is shown to visitors.
/// TOML: `{ date = "2026-12-05", hours = { opens = "09:00", closes = "12:00" },
/// reason_ja = "マイナンバーカード休日窓口", reason_en = "My Number Saturday opening" }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialDay {
    /// The local (Tokyo) date concerned.
    pub date: NaiveDate,
    /// Hours of an extra opening; `None` makes the day an extra closure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<DayHours>,
    /// Reason in Japanese, shown to visitors (e.g. システム停止).
    pub reason_ja: String,
    /// Reason in English, shown to visitors.
    pub reason_en: String,
}

/// Everything the calendar needs about one office: weekly hours plus special
/// days. Validate once after loading ([`Schedule::validate`]); the calendar
/// functions then trust it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Regular hours per weekday (domain R1–R2).
    pub weekly: WeeklyHours,
    /// Exceptions by date, in any order.
    #[serde(default)]
    pub special_days: Vec<SpecialDay>,
}

impl Schedule {
    /// Refuses a schedule the calendar cannot honour: hours with opens ≥
    /// closes or a last-ticket time outside (opens, closes], a special day
    /// without a reason, or two special days on one date. The error names the
    /// key (e.g. `weekly.mon`, `special_days[2]`) and says why, so an operator
    /// can fix the config file.
    pub fn validate(&self) -> Result<(), ScheduleError> {
        for (key, hours) in self.weekly.entries() {
            if let Some(reason) = hours.and_then(|h| h.problem()) {
                return Err(ScheduleError::new(format!("weekly.{key}"), reason));
            }
        }
        for (i, day) in self.special_days.iter().enumerate() {
            let key = format!("special_days[{i}]");
            if let Some(reason) = day.hours.and_then(|h| h.problem()) {
                return Err(ScheduleError::new(
                    format!("{key}.hours"),
                    format!("{reason} (date {})", day.date),
                ));
            }
            for (field, text) in [("reason_ja", &day.reason_ja), ("reason_en", &day.reason_en)] {
                if text.trim().is_empty() {
                    return Err(ScheduleError::new(
                        format!("{key}.{field}"),
                        format!(
                            "must not be empty: it is shown to visitors (date {})",
                            day.date
                        ),
                    ));
                }
            }
            if let Some(first) = self.special_days[..i]
                .iter()
                .position(|d| d.date == day.date)
            {
                return Err(ScheduleError::new(
                    format!("{key}.date"),
                    format!(
                        "{} is already configured in special_days[{first}]",
                        day.date
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The special day configured for `date`, if any.
    pub fn special_day(&self, date: NaiveDate) -> Option<&SpecialDay> {
        self.special_days.iter().find(|d| d.date == date)
    }
}

/// Why a [`Schedule`] was refused: which config key and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleError {
    /// Path of the offending key, e.g. `weekly.mon` or `special_days[1].date`.
    pub key: String,
    /// What is wrong, in words an operator can act on.
    pub reason: String,
}

impl ScheduleError {
    fn new(key: String, reason: String) -> Self {
        Self { key, reason }
    }
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.reason)
    }
}

impl std::error::Error for ScheduleError {}

/// "HH:MM", zero-padded: the form used in config files and the CLI.
pub(super) fn hhmm_text(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    NaiveTime::from_hms_opt(h, m, 0)
}

/// Serde for a `NaiveTime` written "HH:MM" (config files have no seconds).
mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::hhmm_text(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_hhmm(&text)
            .ok_or_else(|| D::Error::custom(format!("invalid time {text:?}, expected \"HH:MM\"")))
    }
}

/// Serde for an optional "HH:MM" time.
mod hhmm_opt {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &Option<NaiveTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_some(&super::hhmm_text(*t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => super::parse_hhmm(&text).map(Some).ok_or_else(|| {
                D::Error::custom(format!("invalid time {text:?}, expected \"HH:MM\""))
            }),
        }
    }
}
