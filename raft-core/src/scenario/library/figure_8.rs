//! Why a leader only commits entries of its own term (the paper's Figure 8).

use super::{quiet, set, Scenario};
use crate::check::invariants::Property;
use crate::raft::Bugs;
use crate::scenario::Expectation;
use crate::sim::{Action, SimConfig};
use alloc::format;
use alloc::vec;

fn base(bugs: Bugs) -> SimConfig {
    SimConfig {
        pre_vote: false,
        check_quorum: false,
        client_timeout_us: 60_000_000,
        bugs,
        ..quiet(16)
    }
}

/// Figure 8 with the correct rule: no violation.
pub(super) fn scenario() -> Scenario {
    story(
        "figure-8",
        "Why a leader only commits its own term (Figure 8)",
        Bugs::default(),
    )
    .expect(Expectation::NewLeaderTermAbove {
        term: 9,
        by_us: 4_500_000,
    })
    .expect(Expectation::NoViolations)
}

/// The same schedule with the `commit-old-term` bug: a committed entry is lost.
pub(super) fn scenario_bug() -> Scenario {
    story(
        "figure-8-bug",
        "Figure 8 with the commit-old-term bug",
        Bugs {
            commit_old_term: true,
            ..Bugs::default()
        },
    )
    .expect(Expectation::ViolationOf {
        property: Property::LeaderCompleteness,
    })
    .expect(Expectation::ViolationOf {
        property: Property::StateMachineSafety,
    })
}

fn story(id: &str, title: &str, bugs: Bugs) -> Scenario {
    let mut s = Scenario::new(id, title, base(bugs), 5_000_000)
        .at(0, Action::TimeoutNow(1))
        .at(300_000, Action::Partition(vec![vec![1, 2], vec![3, 4, 5]]));
    for i in 0..64u64 {
        s = s.at(310_000 + i, set("x", &format!("{i}"), Some(1)));
    }
    s.at(400_000, Action::TimeoutNow(5))
        .at(421_000, Action::CutLink { from: 5, to: 3 })
        .at(421_000, Action::CutLink { from: 5, to: 4 })
        .at(600_000, Action::Crash(5))
        .at(1_000_000, Action::HealAll)
        .at(1_838_771, Action::CutLink { from: 1, to: 3 })
        .at(1_838_771, Action::CutLink { from: 1, to: 4 })
        .at(1_900_000, Action::Crash(1))
        .at(1_900_000, Action::Crash(2))
        .at(2_000_000, Action::Restart(5))
        .at(2_000_000, Action::TimeoutNow(5))
        .step(
            0,
            "Figure 8",
            "A leader may count replicas only for entries of its own term (paper §5.4.2). \
             This schedule shows why. PreVote and CheckQuorum are off, as in the paper.",
        )
        .step(
            300_000,
            "Old entries on two nodes",
            "Node 1 leads term 1. Cut off with node 2, it appends 64 writes (indexes 2 to \
             65); only node 2 stores them.",
        )
        .step(
            400_000,
            "A lonely term-2 entry",
            "Node 5 wins term 2 with the votes of nodes 3 and 4, but its links to them \
             fail: its own entry at index 2 stays on node 5 alone. Then node 5 crashes.",
        )
        .step(
            1_000_000,
            "Node 1 returns",
            "The network heals. Nodes 3 and 4 campaign in vain (their logs are shorter) \
             until node 1 wins term 9 and appends a term-9 entry at index 66.",
        )
        .step(
            1_828_000,
            "Old entries on a majority",
            "Node 1 sends its term-1 entries 2 to 65 to nodes 3 and 4 in one batch; then \
             its links to them fail before entry 66 gets there. Entries 2-65 are now on \
             four of five nodes, but none of node 1's term-9 entries is on a majority.",
        )
        .step(
            1_844_000,
            "Commit or not?",
            "Correct Raft does not commit entries 2-65: they are from an older term. \
             With the commit-old-term bug, node 1 counts their replicas, commits them and \
             applies them (node 2 too).",
        )
        .step(
            1_900_000,
            "Crashes",
            "Nodes 1 and 2 crash. Node 5 restarts; its last entry has term 2, newer than \
             the term-1 entries of nodes 3 and 4, so they may vote for it.",
        )
        .step(
            3_830_000,
            "Overwritten",
            "Node 5 wins and overwrites index 2 onward on nodes 3 and 4 with its own \
             entries. Without the bug that is harmless: nothing there was committed. With \
             it, committed entries vanish: the checker reports Leader Completeness and \
             State Machine Safety violations.",
        )
}
