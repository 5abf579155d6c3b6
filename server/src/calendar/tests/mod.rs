//! The calendar's tests, one file per part: holidays, the schedule and day plans, the status at
//! an instant, the host time zone, and properties over many dates.

mod busy;
mod holidays;
mod properties;
mod schedule;
mod status;
mod support;
mod tz;
