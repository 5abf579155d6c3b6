//! The ticket lifecycle: which action moves a ticket from which state to which.
//! `waiting → called → serving → done`, plus `recalled`, `no_show`, `cancelled`, `expired`.
//! The states and actions are wire types ([`crate::protocol`]); the rules live here, once.

pub use crate::protocol::TicketAction;
use crate::protocol::TicketState;

/// A transition the lifecycle does not allow (HTTP 409).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a ticket that is {from}")]
pub struct InvalidTransition {
    /// The state the ticket is in.
    pub from: TicketState,
    /// What was asked.
    pub action: TicketAction,
}

/// The state after `action`, or why it is not allowed from `from`.
pub fn next_state(
    action: TicketAction,
    from: TicketState,
) -> Result<TicketState, InvalidTransition> {
    use TicketState::*;
    let to = match (action, from) {
        (_, Unknown) | (TicketAction::Unknown, _) => {
            return Err(InvalidTransition { from, action });
        }
        (TicketAction::Call, Waiting) => Called,
        (TicketAction::Recall, Called | Recalled) => Recalled,
        (TicketAction::Start, Called | Recalled) => Serving,
        (TicketAction::Finish, Called | Recalled | Serving) => Done,
        (TicketAction::NoShow, Called | Recalled) => NoShow,
        (TicketAction::Cancel, Waiting | Called | Recalled) => Cancelled,
        (TicketAction::Expire, state) if !state.is_final() => Expired,
        _ => return Err(InvalidTransition { from, action }),
    };
    Ok(to)
}

/// The actions staff may take on a ticket in `state` now, on its own route: what a console
/// enables (sent with every staff ticket, so no client keeps a copy of this table).
pub fn staff_actions(state: TicketState) -> Vec<TicketAction> {
    TicketAction::BY_STAFF
        .into_iter()
        .filter(|&action| next_state(action, state).is_ok())
        .collect()
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
                match (next_state(action, from), expected(action, from)) {
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
                assert!(
                    next_state(action, from).is_err(),
                    "{action:?} from {from:?}"
                );
            }
        }
    }

    #[test]
    fn a_state_or_action_this_version_does_not_know_allows_nothing() {
        for action in ALL_ACTIONS {
            assert!(next_state(action, Unknown).is_err());
        }
        for from in ALL_STATES {
            assert!(next_state(TicketAction::Unknown, from).is_err());
        }
        assert!(staff_actions(Unknown).is_empty());
    }

    #[test]
    fn staff_may_finish_or_cancel_a_called_ticket_but_only_finish_one_being_served() {
        use TicketAction::*;
        assert_eq!(staff_actions(Waiting), [Cancel]);
        assert_eq!(
            staff_actions(Called),
            [Recall, Start, Finish, NoShow, Cancel]
        );
        assert_eq!(staff_actions(Serving), [Finish]);
        assert!(staff_actions(Done).is_empty());
    }

    #[test]
    fn a_ticket_being_served_cannot_be_recalled_or_marked_no_show() {
        assert!(next_state(TicketAction::Recall, Serving).is_err());
        assert!(next_state(TicketAction::NoShow, Serving).is_err());
        assert!(next_state(TicketAction::Cancel, Serving).is_err());
    }
}
