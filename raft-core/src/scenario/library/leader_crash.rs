//! Leader crash and re-election.

use super::{quiet, set, Scenario};
use crate::scenario::Expectation;
use crate::sim::Action;

/// The leader crashes; the followers time out and elect a new one, which
/// keeps every committed entry. The old leader restarts as a follower.
pub(super) fn scenario() -> Scenario {
    Scenario::new(
        "leader-crash",
        "Leader crash and re-election",
        quiet(3),
        4_000_000,
    )
    .at(0, Action::TimeoutNow(1))
    .at(500_000, set("x", "1", Some(1)))
    .at(1_000_000, Action::Crash(1))
    .at(2_000_000, set("y", "2", Some(2)))
    .at(2_500_000, Action::Restart(1))
    .step(
        0,
        "Node 1 leads",
        "Node 1 wins the first election and commits SET x=1.",
    )
    .step(
        1_000_000,
        "The leader crashes",
        "Node 1 stops: no more heartbeats. Its volatile state is gone; its term, \
             vote and log survive on its disk.",
    )
    .step(
        1_150_000,
        "Followers time out",
        "The first follower whose election timeout expires campaigns in a new term. \
             Only a candidate whose log is at least as up to date as a voter's gets its \
             vote, so the winner holds every committed entry.",
    )
    .step(
        2_000_000,
        "Business as usual",
        "The new leader accepts SET y=2 and commits it with the three other nodes.",
    )
    .step(
        2_500_000,
        "The old leader returns",
        "Node 1 restarts from its disk as a follower, learns the new term from the \
             leader's heartbeat and catches up on y=2.",
    )
    .expect(Expectation::LeaderIs {
        node: 1,
        at_us: 900_000,
    })
    .expect(Expectation::NewLeaderTermAbove {
        term: 1,
        by_us: 1_600_000,
    })
    .expect(Expectation::KeyApplied {
        key: "x".into(),
        value: "1".into(),
    })
    .expect(Expectation::KeyApplied {
        key: "y".into(),
        value: "2".into(),
    })
    .expect(Expectation::NoViolations)
}
