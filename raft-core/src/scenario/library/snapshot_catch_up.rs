//! Snapshot catch-up of a lagging follower.

use super::{quiet, Scenario};
use crate::scenario::Expectation;
use crate::sim::{Action, SimConfig};
use alloc::vec;

/// While node 5 is cut off, the others compact their logs into snapshots.
/// The entries node 5 misses are gone, so the leader sends it a snapshot.
pub(super) fn scenario() -> Scenario {
    let config = SimConfig {
        clients: 2,
        client_ops_per_sec: 40,
        snapshot_threshold: 20,
        ..quiet(11)
    };
    Scenario::new("snapshot-catch-up", "Snapshot catch-up", config, 4_500_000)
        .at(0, Action::TimeoutNow(1))
        .at(
            1_000_000,
            Action::Partition(vec![vec![5], vec![1, 2, 3, 4]]),
        )
        .at(3_000_000, Action::HealAll)
        .step(
            0,
            "Steady load",
            "Two clients write continuously. Every node compacts its log into a snapshot \
             of its key-value store once it holds more than 20 entries.",
        )
        .step(
            1_000_000,
            "Node 5 falls behind",
            "Node 5 is cut off while the others keep committing and compacting.",
        )
        .step(
            3_000_000,
            "Entries are gone",
            "When node 5 returns, the entries it needs have been discarded by the leader's \
             compaction, so AppendEntries cannot bring it up to date.",
        )
        .step(
            3_050_000,
            "InstallSnapshot",
            "The leader sends its snapshot instead; node 5 replaces its state with it and \
             continues from the snapshot's last index with ordinary AppendEntries.",
        )
        .expect(Expectation::SnapshotInstalled {
            node: 5,
            by_us: 3_500_000,
        })
        .expect(Expectation::NoViolations)
}
