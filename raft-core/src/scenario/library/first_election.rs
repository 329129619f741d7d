//! First election: randomized timeouts break the symmetry.

use super::{quiet, Scenario};
use crate::scenario::Expectation;

/// Five followers start with random election timeouts; the first to expire
/// becomes candidate and wins.
pub(super) fn scenario() -> Scenario {
    Scenario::new("first-election", "First election", quiet(1), 2_000_000)
        .step(
            0,
            "Five followers",
            "Every node starts as a follower in term 0 with no leader. Each waits for \
             a randomized election timeout (150-300 ms) to hear from a leader.",
        )
        .step(
            230_000,
            "A timeout expires",
            "The node with the shortest timeout hears nothing, so it asks the others for \
             a pre-vote, then becomes candidate in term 1, votes for itself and sends \
             RequestVote to everyone.",
        )
        .step(
            260_000,
            "A majority votes",
            "Each follower grants its vote to the first candidate it hears from in a term. \
             Three votes out of five are a majority: the candidate becomes leader.",
        )
        .step(
            400_000,
            "Heartbeats",
            "The leader appends a no-op entry of its term and sends AppendEntries every \
             50 ms. Each heartbeat resets the followers' election timers, so no one else \
             campaigns.",
        )
        .expect(Expectation::LeaderElectedBy { by_us: 500_000 })
        .expect(Expectation::StableLeader {
            from_us: 500_000,
            to_us: 2_000_000,
        })
        .expect(Expectation::NoViolations)
}
