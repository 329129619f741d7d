//! Log replication and commit.

use super::{quiet, set, Scenario};
use crate::scenario::Expectation;
use crate::sim::Action;

/// A client writes through the leader; the entry is committed once a
/// majority stores it, then applied everywhere.
pub(super) fn scenario() -> Scenario {
    Scenario::new(
        "log-replication",
        "Log replication and commit",
        quiet(2),
        3_000_000,
    )
    .at(0, Action::TimeoutNow(1))
    .at(1_000_000, set("x", "1", Some(1)))
    .at(1_800_000, set("y", "2", None))
    .step(
        0,
        "Node 1 leads",
        "Node 1 campaigns at once and wins; its first entry is a no-op of its term.",
    )
    .step(
        1_000_000,
        "A client writes",
        "SET x=1 reaches the leader, which appends it to its log (uncommitted) and \
             sends it to every follower in AppendEntries.",
    )
    .step(
        1_030_000,
        "Committed",
        "As soon as a majority (the leader and two followers) stores the entry, the \
             leader marks it committed, applies it to its key-value store and answers the \
             client. Followers learn the new commit index with the next message.",
    )
    .step(
        1_800_000,
        "Through any node",
        "SET y=2 goes to a node picked by the load balancer; a follower redirects the \
             client to the leader, and the entry follows the same path.",
    )
    .expect(Expectation::CommittedBy {
        index: 2,
        by_us: 1_100_000,
    })
    .expect(Expectation::KeyApplied {
        key: "x".into(),
        value: "1".into(),
    })
    .expect(Expectation::KeyApplied {
        key: "y".into(),
        value: "2".into(),
    })
    .expect(Expectation::LogsMatch { at_us: 3_000_000 })
    .expect(Expectation::NoViolations)
}
