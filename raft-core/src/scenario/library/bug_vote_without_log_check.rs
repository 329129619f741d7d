//! Planted bug `vote-without-log-check`.

use super::{quiet, set, Scenario};
use crate::check::invariants::Property;
use crate::raft::Bugs;
use crate::scenario::Expectation;
use crate::sim::{Action, SimConfig};
use alloc::vec;

/// Votes are granted without the up-to-date check: a node that missed
/// committed entries is elected and the entries are lost.
pub(super) fn scenario() -> Scenario {
    let config = SimConfig {
        pre_vote: false,
        check_quorum: false,
        bugs: Bugs {
            vote_without_log_check: true,
            ..Bugs::default()
        },
        ..quiet(13)
    };
    Scenario::new(
        "bug-vote-without-log-check",
        "Break Raft: vote without the log check",
        config,
        4_000_000,
    )
    .at(0, Action::TimeoutNow(1))
    .at(500_000, Action::Partition(vec![vec![5], vec![1, 2, 3, 4]]))
    .at(700_000, set("x", "1", Some(1)))
    .at(900_000, set("y", "2", Some(1)))
    .at(2_000_000, Action::HealAll)
    .at(2_000_000, Action::Crash(1))
    .at(2_100_000, Action::TimeoutNow(5))
    .step(
        0,
        "The bug is on",
        "Voters skip the check that a candidate's log is at least as up to date as \
         their own (paper §5.4.1).",
    )
    .step(
        500_000,
        "Node 5 misses commits",
        "Node 5 is cut off while the leader commits x=1 and y=2 on nodes 1 to 4.",
    )
    .step(
        2_000_000,
        "The leader crashes",
        "The partition heals and node 1 crashes.",
    )
    .step(
        2_100_000,
        "A stale candidate wins",
        "Node 5 campaigns. Correct voters would refuse (their logs are longer), but \
         with the bug they vote for it. The new leader lacks committed entries: the \
         checker reports a Leader Completeness violation, and node 5 then overwrites \
         the committed entries on the others.",
    )
    .expect(Expectation::ViolationOf {
        property: Property::LeaderCompleteness,
    })
}
