//! What a user can do to a node (or to the cluster), and why not right now.
//!
//! One list feeds both the inspector's buttons and the node's context menu,
//! so the two always offer the same actions with the same rules. Pure
//! functions of the node views: tested natively.

use raft_core::sim::{Action, NodeStatus, NodeView, MAX_NODES};
use raft_core::{NodeId, Role};

/// One thing the user can do, with the reason it cannot be done now.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeAction {
    /// Stable key: the test hooks are `node-<key>` (inspector) and
    /// `node-menu-<key>` (context menu).
    pub key: &'static str,
    /// Button text.
    pub label: &'static str,
    /// What it does.
    pub action: Action,
    /// Why it is not available now (shown as a tooltip), or `None`.
    pub unavailable: Option<String>,
}

/// What the rules need to know about the whole cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterFacts {
    /// The running leader with the highest term (membership changes and
    /// transfers go through it; a paused leader cannot act).
    pub leader: Option<NodeId>,
    /// The leader's latest configuration, voters and learners.
    pub members: Vec<NodeId>,
    /// Its voters.
    pub voters: Vec<NodeId>,
    /// Nodes the simulation holds (removed ones included).
    pub node_count: usize,
}

impl ClusterFacts {
    /// The facts of a cluster, from its node views.
    pub fn of(nodes: &[NodeView]) -> ClusterFacts {
        let leader = nodes
            .iter()
            .filter(|n| n.status == NodeStatus::Up(Role::Leader))
            .max_by_key(|n| n.term);
        let (voters, learners) = leader.map_or((Vec::new(), Vec::new()), |l| {
            (l.voters.clone(), l.learners.clone())
        });
        let mut members = voters.clone();
        members.extend(learners);
        ClusterFacts {
            leader: leader.map(|l| l.id),
            members,
            voters,
            node_count: nodes.len(),
        }
    }
}

/// A node's place in the cluster's configuration, as the running leader
/// sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Membership {
    /// It votes (or no leader says otherwise).
    Voter,
    /// It receives the log but does not vote yet.
    Learner,
    /// Removed: the leader no longer contacts it, though it still runs.
    Removed,
}

impl Membership {
    /// The `data-member` hook value.
    pub fn as_str(self) -> &'static str {
        match self {
            Membership::Voter => "voter",
            Membership::Learner => "learner",
            Membership::Removed => "removed",
        }
    }
}

impl ClusterFacts {
    /// Node `id`'s membership by the leader's configuration (a voter when
    /// there is no leader to say otherwise).
    pub fn membership(&self, id: NodeId) -> Membership {
        if self.leader.is_none() || self.voters.contains(&id) {
            Membership::Voter
        } else if self.members.contains(&id) {
            Membership::Learner
        } else {
            Membership::Removed
        }
    }
}

const NO_LEADER: &str =
    "Membership changes and transfers go through the leader, and no leader is running right now.";

/// The actions on one node, in menu order: crash, restart, pause or resume,
/// time out now, transfer leadership here, remove.
pub fn node_actions(node: &NodeView, facts: &ClusterFacts) -> Vec<NodeAction> {
    let id = node.id;
    let crashed = node.status == NodeStatus::Crashed;
    let paused = matches!(node.status, NodeStatus::Paused(_));
    let leads = matches!(
        node.status,
        NodeStatus::Up(Role::Leader) | NodeStatus::Paused(Role::Leader)
    );
    let is_crashed = || crashed.then(|| format!("S{id} is crashed."));
    let pause_or_resume = if paused {
        NodeAction {
            key: "resume",
            label: "Resume",
            action: Action::Resume(id),
            unavailable: None,
        }
    } else {
        NodeAction {
            key: "pause",
            label: "Pause",
            action: Action::Pause(id),
            unavailable: is_crashed(),
        }
    };
    let timeout = is_crashed()
        .or_else(|| paused.then(|| format!("S{id} is paused: it does nothing until resumed.")))
        .or_else(|| leads.then(|| format!("S{id} already leads.")))
        .or_else(|| {
            (!node.voters.contains(&id))
                .then(|| format!("S{id} is not a voter, so it cannot campaign."))
        });
    let transfer = is_crashed()
        .or_else(|| leads.then(|| format!("S{id} already leads.")))
        .or_else(|| facts.leader.is_none().then(|| NO_LEADER.to_string()))
        .or_else(|| {
            (!facts.voters.contains(&id))
                .then(|| format!("S{id} is not a voter, so it cannot lead."))
        });
    let remove = facts
        .leader
        .is_none()
        .then(|| NO_LEADER.to_string())
        .or_else(|| {
            (!facts.members.contains(&id))
                .then(|| format!("S{id} is no longer a member of the cluster."))
        });
    vec![
        NodeAction {
            key: "crash",
            label: "Crash",
            action: Action::Crash(id),
            unavailable: crashed.then(|| format!("S{id} is already crashed.")),
        },
        NodeAction {
            key: "restart",
            label: "Restart",
            action: Action::Restart(id),
            unavailable: (!crashed)
                .then(|| format!("S{id} is running: only a crashed node restarts.")),
        },
        pause_or_resume,
        NodeAction {
            key: "timeout",
            label: "Time out now",
            action: Action::TimeoutNow(id),
            unavailable: timeout,
        },
        NodeAction {
            key: "transfer",
            label: "Transfer leadership here",
            action: Action::TransferLeader(id),
            unavailable: transfer,
        },
        NodeAction {
            key: "remove",
            label: "Remove from cluster",
            action: Action::RemoveNode(id),
            unavailable: remove,
        },
    ]
}

/// Adding a server (through the leader, as a learner first).
pub fn add_node_action(facts: &ClusterFacts) -> NodeAction {
    let unavailable = if facts.node_count >= MAX_NODES {
        Some(format!("The playground holds at most {MAX_NODES} nodes."))
    } else {
        facts.leader.is_none().then(|| NO_LEADER.to_string())
    };
    NodeAction {
        key: "add",
        label: "Add a node",
        action: Action::AddNode,
        unavailable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::sim::{Sim, SimConfig};

    /// A five-node cluster with an elected leader.
    fn elected() -> Sim {
        let mut sim = Sim::new(SimConfig::default()).unwrap();
        sim.run_until(2_000_000);
        assert!(sim.leader().is_some());
        sim
    }

    fn find<'a>(actions: &'a [NodeAction], key: &str) -> &'a NodeAction {
        actions.iter().find(|a| a.key == key).unwrap()
    }

    fn available(actions: &[NodeAction]) -> Vec<&'static str> {
        actions
            .iter()
            .filter(|a| a.unavailable.is_none())
            .map(|a| a.key)
            .collect()
    }

    #[test]
    fn a_follower_can_do_everything_but_restart() {
        let sim = elected();
        let nodes = sim.nodes();
        let facts = ClusterFacts::of(&nodes);
        let follower = nodes.iter().find(|n| Some(n.id) != sim.leader()).unwrap();
        let actions = node_actions(follower, &facts);
        assert_eq!(
            actions.iter().map(|a| a.key).collect::<Vec<_>>(),
            ["crash", "restart", "pause", "timeout", "transfer", "remove"]
        );
        assert_eq!(
            available(&actions),
            ["crash", "pause", "timeout", "transfer", "remove"]
        );
        assert!(find(&actions, "restart")
            .unavailable
            .as_ref()
            .unwrap()
            .contains("running"));
    }

    #[test]
    fn the_leader_cannot_time_out_or_take_leadership_from_itself() {
        let sim = elected();
        let nodes = sim.nodes();
        let facts = ClusterFacts::of(&nodes);
        assert_eq!(facts.leader, sim.leader());
        let leader = nodes.iter().find(|n| Some(n.id) == sim.leader()).unwrap();
        let actions = node_actions(leader, &facts);
        assert_eq!(available(&actions), ["crash", "pause", "remove"]);
        assert!(find(&actions, "timeout")
            .unavailable
            .as_ref()
            .unwrap()
            .contains("already leads"));
    }

    #[test]
    fn a_crashed_node_can_only_restart_or_be_removed() {
        let mut sim = elected();
        let victim = sim
            .node_ids()
            .into_iter()
            .find(|&id| Some(id) != sim.leader())
            .unwrap();
        sim.crash(victim).unwrap();
        let nodes = sim.nodes();
        let facts = ClusterFacts::of(&nodes);
        let actions = node_actions(&nodes[victim as usize - 1], &facts);
        assert_eq!(available(&actions), ["restart", "remove"]);
        // Every action offered as available is accepted by the simulation.
        for a in actions.iter().filter(|a| a.unavailable.is_none()) {
            let mut copy = sim.clone();
            assert!(copy.apply(&a.action).is_ok(), "{:?} refused", a.action);
        }
    }

    #[test]
    fn a_paused_node_resumes_and_nothing_goes_through_a_missing_leader() {
        let mut sim = Sim::new(SimConfig::default()).unwrap();
        sim.pause(2).unwrap();
        let nodes = sim.nodes();
        let facts = ClusterFacts::of(&nodes);
        assert_eq!(facts.leader, None);
        let actions = node_actions(&nodes[1], &facts);
        assert_eq!(available(&actions), ["crash", "resume"]);
        for key in ["transfer", "remove"] {
            let why = find(&actions, key).unavailable.clone().unwrap();
            assert!(why.contains("no leader"), "{key}: {why}");
            // The simulation agrees.
            let mut copy = sim.clone();
            assert!(copy.apply(&find(&actions, key).action).is_err());
        }
        assert!(add_node_action(&facts).unavailable.is_some());
    }

    #[test]
    fn adding_stops_at_the_node_limit() {
        let sim = elected();
        let mut facts = ClusterFacts::of(&sim.nodes());
        assert_eq!(add_node_action(&facts).unavailable, None);
        facts.node_count = MAX_NODES;
        assert!(add_node_action(&facts)
            .unavailable
            .unwrap()
            .contains("at most"));
    }

    #[test]
    fn the_leaders_configuration_says_who_learns_and_who_was_removed() {
        let story = raft_core::scenario::by_id("membership-change").unwrap();
        let mut timeline = story.timeline().unwrap();
        let mut saw_learner = false;
        let members = |nodes: &[NodeView]| -> Vec<(NodeId, Membership)> {
            let facts = ClusterFacts::of(nodes);
            nodes
                .iter()
                .map(|n| (n.id, facts.membership(n.id)))
                .collect()
        };
        // A millisecond at a time: a learner catches up within a few.
        for t_ms in 1..=story.end_us / 1000 {
            timeline.run_until(t_ms * 1000);
            assert_eq!(timeline.take_refusals(), vec![]);
            let now = members(&timeline.sim().nodes());
            saw_learner |= now.iter().any(|(_, m)| *m == Membership::Learner);
            if timeline.now_us() < 3_000_000 {
                assert!(
                    now.iter().all(|(_, m)| *m != Membership::Removed),
                    "at {} µs",
                    timeline.now_us()
                );
            }
        }
        assert!(saw_learner, "nodes 4 and 5 join as learners first");
        assert_eq!(
            members(&timeline.sim().nodes()),
            [
                (1, Membership::Voter),
                (2, Membership::Removed),
                (3, Membership::Voter),
                (4, Membership::Voter),
                (5, Membership::Voter)
            ]
        );
    }
}
