//! Keyboard shortcuts (listed in the `?` dialog).

use crate::state::{Msg, Selection, SimTime};
use raft_core::sim::Action;
use raft_core::NodeId;

/// What the page knows when a key is pressed.
#[derive(Clone, Debug, Default)]
pub struct KeyContext {
    /// Selected node, if any.
    pub selected: Option<NodeId>,
    /// Current leader, if any.
    pub leader: Option<NodeId>,
    /// Ids of the nodes.
    pub node_ids: Vec<NodeId>,
    /// Current virtual time.
    pub now_us: u64,
}

/// The message for a key, or `None` if the key means nothing here.
/// `focus_client` is returned separately by the caller for `c`.
pub fn message_for(key: &str, ctx: &KeyContext) -> Option<Msg> {
    let selected = ctx.selected;
    Some(match key {
        " " => Msg::TogglePlay,
        "ArrowRight" => Msg::Step,
        "ArrowLeft" => Msg::Seek(SimTime::from_ms((ctx.now_us / 1000).saturating_sub(10))),
        "?" => Msg::ToggleHelp,
        "Escape" => Msg::Select(Selection::None),
        "x" => Msg::Act(Action::Crash(selected?)),
        "s" => Msg::Act(Action::Restart(selected?)),
        "t" => Msg::Act(Action::TimeoutNow(selected?)),
        "r" => Msg::Act(Action::Crash(ctx.leader?)),
        "h" => Msg::Act(Action::HealAll),
        digit if digit.len() == 1 && digit.as_bytes()[0].is_ascii_digit() => {
            let id: NodeId = digit.parse().ok()?;
            if !ctx.node_ids.contains(&id) {
                return None;
            }
            Msg::Select(Selection::Node(id))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> KeyContext {
        KeyContext {
            selected: Some(2),
            leader: Some(3),
            node_ids: vec![1, 2, 3, 4, 5],
            now_us: 50_000,
        }
    }

    #[test]
    fn keys_map_to_actions() {
        assert_eq!(message_for(" ", &ctx()), Some(Msg::TogglePlay));
        assert_eq!(message_for("x", &ctx()), Some(Msg::Act(Action::Crash(2))));
        assert_eq!(message_for("r", &ctx()), Some(Msg::Act(Action::Crash(3))));
        assert_eq!(
            message_for("4", &ctx()),
            Some(Msg::Select(Selection::Node(4)))
        );
        assert_eq!(
            message_for("ArrowLeft", &ctx()),
            Some(Msg::Seek(SimTime::from_ms(40)))
        );
    }

    #[test]
    fn keys_without_a_target_do_nothing() {
        let none = KeyContext {
            selected: None,
            leader: None,
            node_ids: vec![1, 2, 3],
            now_us: 0,
        };
        assert_eq!(message_for("x", &none), None);
        assert_eq!(message_for("r", &none), None);
        assert_eq!(message_for("7", &none), None);
        assert_eq!(message_for("q", &none), None);
    }
}
