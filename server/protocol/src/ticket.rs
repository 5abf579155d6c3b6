//! Tickets and counters on the wire: their states, the actions staff take on a ticket, and a
//! ticket as the staff API shows it.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

wire_enum! {
    /// Where a ticket is in its life (`waiting → called → serving → done`, plus side exits).
    pub enum TicketState {
        /// Issued, not yet called.
        Waiting = "waiting",
        /// Called to a counter for the first time.
        Called = "called",
        /// Called again after the first call went unanswered.
        Recalled = "recalled",
        /// The visitor is at the counter being served.
        Serving = "serving",
        /// Served (final).
        Done = "done",
        /// Called but never came (final).
        NoShow = "no_show",
        /// Withdrawn by staff or at the visitor's request (final).
        Cancelled = "cancelled",
        /// Left over when the business day ended (final).
        Expired = "expired",
    }
}

impl TicketState {
    /// A final state never changes again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Done | Self::NoShow | Self::Cancelled | Self::Expired
        )
    }

    /// Called or recalled: the visitor is expected at a counter.
    pub fn is_called(self) -> bool {
        matches!(self, Self::Called | Self::Recalled)
    }

    /// Called, recalled or being served: the ticket occupies its counter.
    pub fn is_at_counter(self) -> bool {
        self.is_called() || self == Self::Serving
    }
}

wire_enum! {
    /// Something done to one ticket: by staff on the ticket's route, by `call-next`, or by the
    /// end of the business day. The lifecycle table that says which is allowed when lives in
    /// the server's domain; the staff API sends its answer with every ticket ([`Ticket::actions`]).
    pub enum TicketAction {
        /// Call a waiting ticket to a counter (through `call-next`).
        Call = "call",
        /// Call it again (the visitor did not come yet).
        Recall = "recall",
        /// The visitor arrived at the counter.
        Start = "start",
        /// Service finished.
        Finish = "finish",
        /// Called but never came.
        NoShow = "no_show",
        /// Withdrawn before service began.
        Cancel = "cancel",
        /// Left over when the business day ended (the server does this, never staff).
        Expire = "expire",
    }
}

impl TicketAction {
    /// The actions staff take on a ticket's own route, in the order a console shows them.
    pub const BY_STAFF: [Self; 5] = [
        Self::Recall,
        Self::Start,
        Self::Finish,
        Self::NoShow,
        Self::Cancel,
    ];

    /// The last segment of the action's staff route (`…/tickets/{id}/no-show`), or `None` for
    /// an action that has no route of its own.
    pub fn path(self) -> Option<&'static str> {
        match self {
            Self::Recall => Some("recall"),
            Self::Start => Some("start"),
            Self::Finish => Some("finish"),
            Self::NoShow => Some("no-show"),
            Self::Cancel => Some("cancel"),
            Self::Call | Self::Expire | Self::Unknown => None,
        }
    }

    /// The action of a staff route's last segment.
    pub fn from_path(segment: &str) -> Option<Self> {
        Self::BY_STAFF
            .into_iter()
            .find(|action| action.path() == Some(segment))
    }
}

wire_enum! {
    /// Whether a counter takes visitors.
    pub enum CounterState {
        /// Staffed and calling.
        Open = "open",
        /// Staffed but not calling for now (a break).
        Paused = "paused",
        /// Not staffed. Every counter starts the business day closed.
        Closed = "closed",
    }
}

/// A ticket as staff see it: the 201 reply to an issue and each row of a ticket list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// Stable id for per-ticket staff actions.
    pub id: String,
    /// The ticket's unguessable id for its visitor's personal page (`/t/{public_id}`, the QR
    /// code on the printed ticket). Staff only: never in the status JSON or the feed.
    #[serde(default)]
    pub public_id: String,
    /// The number every screen shows verbatim (`R001`; after `R999` comes `R1000`).
    pub number: String,
    /// Service id from the configuration.
    pub service: String,
    /// Where the ticket is in its life.
    pub state: TicketState,
    /// When it was issued (Asia/Tokyo offset).
    pub issued_at: DateTime<FixedOffset>,
    /// The business day it belongs to (`YYYY-MM-DD`, Tokyo).
    pub business_date: String,
    /// The counter it was last called to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<String>,
    /// When it was first called: the end of its wait. A recall does not move it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub called_at: Option<DateTime<FixedOffset>>,
    /// When it was last recalled, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recalled_at: Option<DateTime<FixedOffset>>,
    /// When it reached a final state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<DateTime<FixedOffset>>,
    /// People ahead of it when it was issued: the waiting tickets that would be called before
    /// it if nobody new came (`docs/protocol.md` says how, for counters serving different
    /// services).
    pub ahead_at_issue: u32,
    /// The same number under its first name, kept for clients written before `ahead_at_issue`
    /// (tickets issued before that counted only their own service here).
    pub waiting_ahead_at_issue: u32,
    /// People ahead of it now, by the same rule (0 once it is called).
    pub ahead: u32,
    /// The wait estimate shown when it was issued (lower bound, minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate_min_minutes: Option<u32>,
    /// The wait estimate shown when it was issued (upper bound, minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate_max_minutes: Option<u32>,
    /// The point estimate the shown band was built around, minutes (accuracy is measured on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate_point_minutes: Option<f64>,
    /// The staff actions the lifecycle allows on it now, so a console enables exactly those
    /// buttons without a copy of the lifecycle table.
    #[serde(default)]
    pub actions: Vec<TicketAction>,
}

/// `GET /api/v1/tickets/{public_id}`: one ticket as its visitor sees it, by its unguessable id.
/// Nothing personal: the number, where it stands, and the wait.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicTicket {
    /// The number shown (`R003`).
    pub number: String,
    /// Service id.
    pub service: String,
    /// The service's Japanese name.
    pub service_name_ja: String,
    /// The service's English name.
    pub service_name_en: String,
    /// Where the ticket is in its life.
    pub state: TicketState,
    /// People who will be called before it (0 once called).
    pub ahead: u32,
    /// The wait until it is called, while it waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<crate::snapshot::Estimate>,
    /// The counter it is called to, once called.
    pub counter: Option<String>,
    /// The office.
    pub office: TicketOffice,
    /// The business day it belongs to (`YYYY-MM-DD`).
    pub business_date: String,
}

/// The office of a [`PublicTicket`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketOffice {
    /// Id in paths (`main`): the page follows this office's feed.
    pub id: String,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
}

/// `GET /api/v1/offices/{office}/tickets`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketList {
    /// Every ticket of the business day, in issue order.
    pub tickets: Vec<Ticket>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_state_round_trips_through_its_wire_spelling() {
        for &state in TicketState::KNOWN {
            assert_eq!(TicketState::parse(state.as_str()), Some(state));
            let json = serde_json::to_string(&state).expect("serializes");
            assert_eq!(json, format!("\"{}\"", state.as_str()));
            assert_eq!(serde_json::from_str::<TicketState>(&json).ok(), Some(state));
        }
        assert_eq!(TicketState::KNOWN.len(), 8);
    }

    #[test]
    fn a_state_from_a_newer_server_decodes_as_unknown_not_as_an_error() {
        let state: TicketState = serde_json::from_str("\"on_hold\"").expect("decodes");
        assert_eq!(state, TicketState::Unknown);
        assert!(!state.is_final());
        assert!(!state.is_at_counter());
        let counter: CounterState = serde_json::from_str("\"training\"").expect("decodes");
        assert_eq!(counter, CounterState::Unknown);
    }

    #[test]
    fn staff_routes_name_each_staff_action_once() {
        for action in TicketAction::BY_STAFF {
            let path = action.path().expect("a staff action has a route");
            assert_eq!(TicketAction::from_path(path), Some(action));
        }
        assert_eq!(TicketAction::from_path("no_show"), None);
        assert_eq!(TicketAction::from_path("expire"), None);
        assert_eq!(TicketAction::NoShow.as_str(), "no_show");
    }
}
