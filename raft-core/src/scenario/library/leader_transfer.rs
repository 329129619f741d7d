//! Leader transfer.

use super::{quiet, set, Scenario};
use crate::scenario::Expectation;
use crate::sim::Action;

/// The leader hands leadership to node 3: it brings node 3 up to date, then
/// tells it to campaign at once (TimeoutNow).
pub(super) fn scenario() -> Scenario {
    Scenario::new("leader-transfer", "Leader transfer", quiet(9), 3_000_000)
        .at(0, Action::TimeoutNow(1))
        .at(500_000, set("x", "1", Some(1)))
        .at(1_000_000, Action::TransferLeader(3))
        .at(2_000_000, set("y", "2", Some(3)))
        .step(
            0,
            "Node 1 leads",
            "Node 1 wins the first election and commits x=1.",
        )
        .step(
            1_000_000,
            "Transfer requested",
            "An operator asks node 1 to hand leadership to node 3 (say, to restart node 1 \
             for maintenance). Node 1 stops accepting new writes and makes sure node 3's \
             log is up to date.",
        )
        .step(
            1_020_000,
            "TimeoutNow",
            "Node 1 sends TimeoutNow: node 3 campaigns immediately in a higher term, \
             without waiting for its election timer, and wins.",
        )
        .step(
            2_000_000,
            "Node 3 leads",
            "Node 3 commits y=2. No committed entry was lost and the handover took one \
             round trip instead of an election timeout.",
        )
        .expect(Expectation::LeaderIs {
            node: 1,
            at_us: 900_000,
        })
        .expect(Expectation::LeaderIs {
            node: 3,
            at_us: 1_500_000,
        })
        .expect(Expectation::KeyApplied {
            key: "y".into(),
            value: "2".into(),
        })
        .expect(Expectation::NoViolations)
}
