//! CheckQuorum: a leader that lost its majority steps down by itself.

use super::{quiet, set, Scenario};
use crate::scenario::Expectation;
use crate::sim::Action;
use alloc::vec;

/// The leader is isolated. With CheckQuorum it notices that it no longer
/// hears from a majority and steps down, so clients stop waiting on it.
pub(super) fn scenario() -> Scenario {
    Scenario::new("check-quorum", "CheckQuorum", quiet(8), 4_000_000)
        .at(0, Action::TimeoutNow(1))
        .at(
            1_000_000,
            Action::Partition(vec![vec![1], vec![2, 3, 4, 5]]),
        )
        .at(2_000_000, set("x", "1", Some(2)))
        .at(3_000_000, Action::HealAll)
        .step(0, "Node 1 leads", "CheckQuorum and PreVote are on.")
        .step(
            1_000_000,
            "The leader is isolated",
            "Node 1 can reach nobody. Its heartbeats go unanswered.",
        )
        .step(
            1_300_000,
            "It steps down",
            "After an election timeout without hearing from a majority, node 1 concludes \
             it may no longer be leader and becomes a follower. Clients asking it are no \
             longer kept waiting on a leader that cannot commit.",
        )
        .step(
            1_400_000,
            "The majority elects",
            "Nodes 2 to 5 elect a new leader in a higher term, which commits x=1.",
        )
        .step(
            3_000_000,
            "Healed",
            "Node 1 rejoins as a follower and catches up.",
        )
        .expect(Expectation::SteppedDown {
            node: 1,
            by_us: 1_600_000,
        })
        .expect(Expectation::NewLeaderTermAbove {
            term: 1,
            by_us: 2_000_000,
        })
        .expect(Expectation::KeyApplied {
            key: "x".into(),
            value: "1".into(),
        })
        .expect(Expectation::NoViolations)
}
