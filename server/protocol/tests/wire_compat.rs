//! The wire bytes stay what clients already read: messages captured from the server before the
//! wire types moved into this crate decode with today's types and encode back to the same bytes.

use queue_protocol::{CalendarDays, ErrorBody, ErrorCode, Message, Payload, Phase};

/// Decodes `captured` as `T`, encodes it again, and checks the bytes are identical.
fn round_trips_byte_for_byte<T>(captured: &str) -> T
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let captured = captured.trim_end();
    let decoded: T = serde_json::from_str(captured).expect("captured JSON decodes");
    let encoded = serde_json::to_string(&decoded).expect("encodes");
    assert_eq!(encoded, captured);
    decoded
}

#[test]
fn an_open_office_status_captured_before_the_change_round_trips_byte_for_byte() {
    let message: Message = round_trips_byte_for_byte(include_str!("fixtures/status-open.json"));
    let Payload::Snapshot(snapshot) = message.payload else {
        panic!("the status JSON is a snapshot");
    };
    assert_eq!(snapshot.calendar.phase, Phase::Open);
    assert_eq!(snapshot.now_called.len(), 2);
}

#[test]
fn a_holiday_status_captured_before_the_change_round_trips_byte_for_byte() {
    let message: Message = round_trips_byte_for_byte(include_str!("fixtures/status-holiday.json"));
    let Payload::Snapshot(snapshot) = message.payload else {
        panic!("the status JSON is a snapshot");
    };
    assert_eq!(snapshot.calendar.phase, Phase::Closed);
    assert_eq!(
        snapshot.calendar.reason_code,
        Some(queue_protocol::ClosureReason::Holiday)
    );
}

#[test]
fn a_calendar_listing_and_an_error_captured_before_the_change_round_trip_byte_for_byte() {
    round_trips_byte_for_byte::<CalendarDays>(include_str!("fixtures/calendar-days.json"));
    let error: ErrorBody =
        round_trips_byte_for_byte(include_str!("fixtures/error-unauthorized.json"));
    assert_eq!(error.error.code, ErrorCode::Unauthorized);
}
