//! Membership change, one server at a time.

use super::{quiet, set, Scenario};
use crate::scenario::Expectation;
use crate::sim::{Action, SimConfig};
use alloc::vec;

/// A three-node cluster grows to five (each newcomer joins as a learner, is
/// caught up, then promoted), then node 2 is removed.
pub(super) fn scenario() -> Scenario {
    let config = SimConfig {
        nodes: 3,
        ..quiet(10)
    };
    Scenario::new("membership-change", "Membership change", config, 5_000_000)
        .at(0, Action::TimeoutNow(1))
        .at(500_000, set("x", "1", Some(1)))
        .at(1_000_000, Action::AddNode)
        .at(2_000_000, Action::AddNode)
        .at(2_500_000, set("y", "2", Some(1)))
        .at(3_000_000, Action::RemoveNode(2))
        .step(
            0,
            "Three nodes",
            "Node 1 leads a three-node cluster and commits x=1.",
        )
        .step(
            1_000_000,
            "Node 4 joins as a learner",
            "The leader commits a configuration entry adding node 4 as a learner: it \
             receives the log but does not vote, so it cannot slow down commits while it \
             catches up.",
        )
        .step(
            1_100_000,
            "Promotion",
            "Once node 4 has caught up, the leader commits a second entry making it a \
             voter. Changing one server at a time keeps any two majorities overlapping.",
        )
        .step(2_000_000, "Node 5 joins", "The same two steps add node 5.")
        .step(
            3_000_000,
            "Node 2 leaves",
            "A configuration entry removes node 2. The cluster is now nodes 1, 3, 4 and 5, \
             and a majority is three of them.",
        )
        .expect(Expectation::VotersAre {
            voters: vec![1, 2, 3, 4, 5],
            at_us: 2_800_000,
        })
        .expect(Expectation::VotersAre {
            voters: vec![1, 3, 4, 5],
            at_us: 5_000_000,
        })
        .expect(Expectation::KeyApplied {
            key: "y".into(),
            value: "2".into(),
        })
        .expect(Expectation::NoViolations)
}
