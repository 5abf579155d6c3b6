//! The envelope of every feed frame and of the status JSON: `v`, `type`, `seq`, `generated_at`,
//! then the payload's own fields.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::change::Change;
use crate::snapshot::Snapshot;

/// A number called to a counter (feed `call` frame).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallEvent {
    /// Counter id.
    pub counter: String,
    /// Ticket number, verbatim.
    pub number: String,
    /// Service id.
    pub service: String,
    /// True for a recall.
    #[serde(default)]
    pub recall: bool,
}

/// The body of a message, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Payload {
    /// The office's whole state (boxed: it is large and most messages are built once).
    Snapshot(Box<Snapshot>),
    /// A number was called.
    Call(CallEvent),
    /// What changed since the previous frame's snapshot ([`crate::change`]).
    Change(Change),
    /// A type this version does not know (sent by a newer server): clients skip it.
    #[serde(other)]
    Unknown,
}

/// Every feed message and the status JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Wire version ([`crate::VERSION`]).
    pub v: u32,
    /// Monotonic per office, also across restarts (the event log's sequence).
    pub seq: u64,
    /// Server time when the message was made.
    pub generated_at: DateTime<FixedOffset>,
    /// Snapshot, call, or a type from a newer server.
    #[serde(flatten)]
    pub payload: Payload,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_message_has_version_type_and_seq_at_top_level() {
        let message = Message {
            v: crate::VERSION,
            seq: 7,
            generated_at: DateTime::parse_from_rfc3339("2026-12-01T10:00:00+09:00")
                .expect("valid instant"),
            payload: Payload::Call(CallEvent {
                counter: "1".into(),
                number: "R001".into(),
                service: "renewal".into(),
                recall: false,
            }),
        };
        let value = serde_json::to_value(&message).expect("serializes");
        assert_eq!(value["v"], 1);
        assert_eq!(value["type"], "call");
        assert_eq!(value["seq"], 7);
        assert_eq!(value["number"], "R001");
        let back: Message = serde_json::from_value(value).expect("parses");
        assert_eq!(back, message);
    }

    #[test]
    fn a_message_of_a_type_from_a_newer_server_decodes_as_unknown() {
        let text = r#"{"v":1,"seq":9,"generated_at":"2026-12-01T10:00:00+09:00","type":"sound","ops":[1,2]}"#;
        let message: Message = serde_json::from_str(text).expect("decodes");
        assert_eq!(message.payload, Payload::Unknown);
        assert_eq!(message.seq, 9);
    }
}
