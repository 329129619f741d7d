//! PreVote stops a rejoining node from disrupting the cluster.

use super::{quiet, set, Scenario};
use crate::scenario::Expectation;
use crate::sim::{Action, SimConfig};
use alloc::vec;

/// An isolated node keeps timing out. With PreVote it never raises its term,
/// so when it rejoins the leader carries on undisturbed.
pub(super) fn scenario() -> Scenario {
    let config = SimConfig {
        pre_vote: true,
        check_quorum: false,
        ..quiet(7)
    };
    Scenario::new(
        "prevote",
        "PreVote: a rejoining node does not disrupt",
        config,
        5_000_000,
    )
    .at(0, Action::TimeoutNow(1))
    .at(
        1_000_000,
        Action::Partition(vec![vec![5], vec![1, 2, 3, 4]]),
    )
    .at(1_500_000, set("x", "1", Some(1)))
    .at(3_000_000, Action::HealAll)
    .step(
        0,
        "Node 1 leads",
        "A five-node cluster with PreVote on (and CheckQuorum off, to show PreVote \
             alone).",
    )
    .step(
        1_000_000,
        "Node 5 is cut off",
        "Node 5 hears no heartbeats. Its timer expires again and again, but before \
             raising its term it asks for pre-votes, which nobody can grant: it stays a \
             pre-candidate in the same term.",
    )
    .step(
        1_500_000,
        "The others go on",
        "The leader commits x=1 without node 5, whose log now lags behind.",
    )
    .step(
        3_000_000,
        "Node 5 rejoins",
        "Its term is unchanged, so the leader's next heartbeat makes it a follower \
             again and brings it up to date. Without PreVote it would return with a \
             higher term and force the leader to step down for nothing.",
    )
    .expect(Expectation::StableLeader {
        from_us: 900_000,
        to_us: 5_000_000,
    })
    .expect(Expectation::KeyApplied {
        key: "x".into(),
        value: "1".into(),
    })
    .expect(Expectation::NoViolations)
}
