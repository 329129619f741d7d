//! Log reconciliation (after the paper's Figure 7).

use super::{quiet, set, Scenario};
use crate::scenario::Expectation;
use crate::sim::{Action, SimConfig};
use alloc::vec;

/// Crashes and a partition leave the followers with missing, extra and
/// conflicting entries; the new leader makes every log match its own.
pub(super) fn scenario() -> Scenario {
    let config = SimConfig {
        check_quorum: false,
        client_timeout_us: 10_000_000,
        ..quiet(6)
    };
    Scenario::new(
        "log-reconciliation",
        "Log reconciliation (Figure 7)",
        config,
        5_000_000,
    )
    .at(0, Action::TimeoutNow(1))
    .at(500_000, set("a", "1", Some(1)))
    .at(
        1_000_000,
        Action::Partition(vec![vec![1, 2], vec![3, 4, 5]]),
    )
    // A request takes one network hop (10–20 ms) to reach node 1, whose
    // AppendEntries then needs another to reach node 2 before 1→2 is cut.
    .at(1_075_000, set("b", "stale1", Some(1)))
    .at(1_125_000, Action::CutLink { from: 1, to: 2 })
    .at(1_150_000, set("b", "stale2", Some(1)))
    .at(1_200_000, Action::TimeoutNow(3))
    .at(1_600_000, set("c", "1", Some(3)))
    .at(2_000_000, Action::Crash(4))
    .at(2_200_000, set("d", "1", Some(3)))
    .at(2_600_000, Action::HealAll)
    .at(2_600_000, Action::Restart(4))
    .step(
        0,
        "Everyone agrees",
        "Node 1 leads in term 1 and commits a=1 on all nodes.",
    )
    .step(
        1_000_000,
        "Divergence, part 1",
        "A partition cuts nodes 1 and 2 off. Node 1, still leader of its old term, \
             appends b=stale1 (node 2 gets it) and b=stale2 (node 2 does not: that link \
             is cut too). These entries can never commit.",
    )
    .step(
        1_200_000,
        "Divergence, part 2",
        "Nodes 3 and 5 campaign; node 5 wins a newer term with nodes 3 and 4 and \
             commits c=1. Then node 4 crashes and misses d=1, which nodes 3 and 5 store.",
    )
    .step(
        2_500_000,
        "Figure 7",
        "Now the logs disagree as in the paper's Figure 7: node 4 lacks entries, \
             nodes 1 and 2 hold extra entries of an old term, and they differ from each \
             other at the same index.",
    )
    .step(
        2_600_000,
        "Reconciliation",
        "The partition heals and node 4 restarts. For each follower the leader finds \
             the last index where their logs agree (AppendEntries is rejected until \
             prevLogIndex/prevLogTerm match) and overwrites everything after it.",
    )
    .step(
        3_500_000,
        "One log",
        "Every log now equals the leader's; the stale b entries are gone and d=1 is \
             committed.",
    )
    .expect(Expectation::LogsDiverge { at_us: 2_500_000 })
    .expect(Expectation::EntriesRolledBack {
        node: 1,
        held_at_us: 2_500_000,
        by_us: 4_500_000,
    })
    .expect(Expectation::EntriesRolledBack {
        node: 2,
        held_at_us: 2_500_000,
        by_us: 4_500_000,
    })
    .expect(Expectation::LogsMatch { at_us: 4_500_000 })
    .expect(Expectation::KeyApplied {
        key: "d".into(),
        value: "1".into(),
    })
    .expect(Expectation::ValueLost {
        key: "b".into(),
        value: "stale1".into(),
    })
    .expect(Expectation::NoViolations)
}
