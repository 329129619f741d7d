//! Planted bug `skip-consistency-check`.

use super::{quiet, set, Scenario};
use crate::check::invariants::Property;
use crate::raft::Bugs;
use crate::scenario::Expectation;
use crate::sim::{Action, SimConfig};
use alloc::vec;

/// A follower accepts AppendEntries without checking prevLogTerm, so it
/// keeps entries of an old term behind entries of a newer one.
pub(super) fn scenario() -> Scenario {
    let config = SimConfig {
        check_quorum: false,
        client_timeout_us: 10_000_000,
        bugs: Bugs {
            skip_consistency_check: true,
            ..Bugs::default()
        },
        ..quiet(15)
    };
    let mut s = Scenario::new(
        "bug-skip-consistency-check",
        "Break Raft: skip the consistency check",
        config,
        5_000_000,
    )
    .at(0, Action::TimeoutNow(1))
    .at(
        1_000_000,
        Action::Partition(vec![vec![1, 2], vec![3, 4, 5]]),
    );
    for (i, value) in ["old0", "old1", "old2", "old3", "old4"].iter().enumerate() {
        s = s.at(1_000_000 + i as u64, set("x", value, Some(1)));
    }
    s.at(1_100_000, Action::TimeoutNow(3))
        .at(2_500_000, Action::HealAll)
        .at(2_500_000, Action::Crash(3))
        .at(2_500_000, Action::TimeoutNow(4))
        .step(
            0,
            "The bug is on",
            "Followers accept AppendEntries without checking that their entry at \
             prevLogIndex has prevLogTerm (paper §5.3).",
        )
        .step(
            1_000_000,
            "Old entries in a minority",
            "Node 1, cut off with node 2, appends five writes of its old term; node 2 \
             stores them. They can never commit.",
        )
        .step(
            1_100_000,
            "Newer terms",
            "Nodes 3, 4 and 5 elect node 3 in a newer term, which writes its own entries \
             at the same indexes.",
        )
        .step(
            2_500_000,
            "The probe is not checked",
            "The partition heals, node 3 crashes and node 4 leads. It probes node 2 at an \
             index where node 2 holds an old-term entry; node 2 accepts without comparing \
             terms and ends up with a log that matches node 4's at a later index but not \
             before it: the checker reports a Log Matching violation.",
        )
        .expect(Expectation::ViolationOf {
            property: Property::LogMatching,
        })
}
