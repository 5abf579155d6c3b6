//! Host-time-zone independence (domain R4): the same answers under any `TZ`.
//! The probe test prints the calendar's answers for a fixed set of instants;
//! the checking test re-runs the probe in this very test binary under other
//! `TZ` values and compares their output with its own.

use std::process::Command;

use super::support::{jst, main_office_with_last_ticket};
use crate::calendar::{business_date, next_transition_after, status};

const MARKER: &str = "TZ-PROBE ";

/// The answers that must not depend on the host's time zone.
fn probe_lines() -> Vec<String> {
    let s = main_office_with_last_ticket();
    let instants = [
        jst(2026, 12, 21, 8, 59, 59),
        jst(2026, 12, 21, 9, 0, 0),
        jst(2026, 12, 21, 17, 30, 0),
        jst(2026, 12, 21, 23, 59, 59),
        jst(2026, 12, 22, 0, 0, 0),
        jst(2026, 12, 28, 17, 45, 0),
        jst(2026, 11, 23, 12, 0, 0),
        // Around a US daylight-saving change and a northern-summer date.
        jst(2026, 3, 8, 16, 0, 0),
        jst(2026, 7, 20, 9, 0, 0),
    ];
    instants
        .iter()
        .map(|&at| {
            let st = status(&s, at);
            format!(
                "{at} {} {:?} {:?} {} {}",
                business_date(at),
                st.phase,
                st.next_opening.map(|t| t.to_rfc3339()),
                next_transition_after(&s, at),
                st.refusal_ja()
            )
        })
        .collect()
}

#[test]
fn host_tz_probe() {
    for line in probe_lines() {
        println!("{MARKER}{line}");
    }
}

#[test]
fn answers_are_identical_whatever_the_host_time_zone() {
    let exe = std::env::current_exe().expect("test binary path");
    // This module's path without the crate name, so the test survives being
    // moved into another crate.
    let module = module_path!()
        .split_once("::")
        .map_or(module_path!(), |(_, rest)| rest);
    let probe = format!("{module}::host_tz_probe");
    let expected = probe_lines();
    for tz in [
        "UTC",
        "America/New_York",
        "Pacific/Kiritimati",
        "Asia/Tokyo",
    ] {
        let out = Command::new(&exe)
            .args([probe.as_str(), "--exact", "--nocapture", "--test-threads=1"])
            .env("TZ", tz)
            .output()
            .expect("re-run the test binary");
        assert!(out.status.success(), "probe failed under TZ={tz}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let got: Vec<String> = stdout
            .lines()
            // libtest may print "test … " on the same line as the first output.
            .filter_map(|l| l.split_once(MARKER))
            .map(|(_, rest)| rest.to_owned())
            .collect();
        assert_eq!(got, expected, "TZ={tz}");
    }
}
