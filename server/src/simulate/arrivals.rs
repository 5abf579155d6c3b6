//! When visitors come: the shape of a city-hall day, shared by the demo and the simulator.
//!
//! A rush at opening, a quieter lunch, a second, smaller peak after lunch, a slow end. The
//! numbers are visitors per hour at an office with four counters on an ordinary day; the
//! simulator rescales them to each scenario's volume.

/// Visitors per hour at an office with four counters, by local hour (9 = 9:00–9:59).
pub fn arrivals_per_hour(hour: u32) -> f64 {
    match hour {
        9 => 26.0, // the rush at opening
        10 => 22.0,
        11 => 18.0,
        12 => 12.0, // lunch
        13 => 20.0, // the smaller peak after lunch
        14 => 16.0,
        15 => 12.0,
        16 => 8.0,
        _ => 5.0,
    }
}
