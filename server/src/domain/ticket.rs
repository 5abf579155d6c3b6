//! The ticket lifecycle: which action moves a ticket from which state to which.
//! `waiting → called → serving → done`, plus `recalled`, `no_show`, `cancelled`, `expired`.

use crate::protocol::TicketState;

/// Something staff (or the end of the day) do to one ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TicketAction {
    /// Call a waiting ticket to a counter.
    Call,
    /// Call it again (the visitor did not come yet).
    Recall,
    /// The visitor arrived at the counter.
    Start,
    /// Service finished.
    Finish,
    /// Called but never came.
    NoShow,
    /// Withdrawn before service began.
    Cancel,
    /// Left over when the business day ended.
    Expire,
}

/// A transition the lifecycle does not allow (HTTP 409).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action:?} a ticket that is {from:?}")]
pub struct InvalidTransition {
    /// The state the ticket is in.
    pub from: TicketState,
    /// What was asked.
    pub action: TicketAction,
}

impl TicketAction {
    /// The state after this action, or why it is not allowed from `from`.
    pub fn apply(self, from: TicketState) -> Result<TicketState, InvalidTransition> {
        use TicketState::*;
        let to = match (self, from) {
            (Self::Call, Waiting) => Called,
            (Self::Recall, Called | Recalled) => Recalled,
            (Self::Start, Called | Recalled) => Serving,
            (Self::Finish, Called | Recalled | Serving) => Done,
            (Self::NoShow, Called | Recalled) => NoShow,
            (Self::Cancel, Waiting | Called | Recalled) => Cancelled,
            (Self::Expire, state) if !state.is_final() => Expired,
            _ => return Err(InvalidTransition { from, action: self }),
        };
        Ok(to)
    }

    /// Name used in the event log and in paths (`no-show` in paths, `no_show` here).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Recall => "recall",
            Self::Start => "start",
            Self::Finish => "finish",
            Self::NoShow => "no_show",
            Self::Cancel => "cancel",
            Self::Expire => "expire",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketState::*;

    const ALL_STATES: [TicketState; 8] = [
        Waiting, Called, Recalled, Serving, Done, NoShow, Cancelled, Expired,
    ];
    const ALL_ACTIONS: [TicketAction; 7] = [
        TicketAction::Call,
        TicketAction::Recall,
        TicketAction::Start,
        TicketAction::Finish,
        TicketAction::NoShow,
        TicketAction::Cancel,
        TicketAction::Expire,
    ];

    /// The whole table, written out once: every (action, state) pair either moves to the listed
    /// state or is refused.
    fn expected(action: TicketAction, from: TicketState) -> Option<TicketState> {
        let table: &[(TicketAction, TicketState, TicketState)] = &[
            (TicketAction::Call, Waiting, Called),
            (TicketAction::Recall, Called, Recalled),
            (TicketAction::Recall, Recalled, Recalled),
            (TicketAction::Start, Called, Serving),
            (TicketAction::Start, Recalled, Serving),
            (TicketAction::Finish, Called, Done),
            (TicketAction::Finish, Recalled, Done),
            (TicketAction::Finish, Serving, Done),
            (TicketAction::NoShow, Called, NoShow),
            (TicketAction::NoShow, Recalled, NoShow),
            (TicketAction::Cancel, Waiting, Cancelled),
            (TicketAction::Cancel, Called, Cancelled),
            (TicketAction::Cancel, Recalled, Cancelled),
            (TicketAction::Expire, Waiting, Expired),
            (TicketAction::Expire, Called, Expired),
            (TicketAction::Expire, Recalled, Expired),
            (TicketAction::Expire, Serving, Expired),
        ];
        table
            .iter()
            .find(|(a, f, _)| *a == action && *f == from)
            .map(|(_, _, to)| *to)
    }

    #[test]
    fn every_transition_is_allowed_or_refused_exactly_as_the_lifecycle_says() {
        for action in ALL_ACTIONS {
            for from in ALL_STATES {
                match (action.apply(from), expected(action, from)) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{action:?} from {from:?}"),
                    (Err(error), None) => {
                        assert_eq!(error, InvalidTransition { from, action });
                    }
                    (got, want) => panic!("{action:?} from {from:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn final_states_never_change() {
        for from in ALL_STATES.into_iter().filter(|s| s.is_final()) {
            for action in ALL_ACTIONS {
                assert!(action.apply(from).is_err(), "{action:?} from {from:?}");
            }
        }
    }

    #[test]
    fn a_ticket_being_served_cannot_be_recalled_or_marked_no_show() {
        assert!(TicketAction::Recall.apply(Serving).is_err());
        assert!(TicketAction::NoShow.apply(Serving).is_err());
        assert!(TicketAction::Cancel.apply(Serving).is_err());
    }
}
