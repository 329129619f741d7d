//! Linearizable reads versus stale reads.

use super::{get, quiet, set, Scenario};
use crate::scenario::Expectation;
use crate::sim::{Action, SimConfig};
use alloc::vec;

/// A deposed leader still holds an old value. Reading its local store
/// directly would be stale; a read through the log (like ReadIndex, it
/// needs a majority) is linearizable.
pub(super) fn scenario() -> Scenario {
    let config = SimConfig {
        check_quorum: false,
        client_timeout_us: 10_000_000,
        ..quiet(12)
    };
    Scenario::new(
        "linearizable-reads",
        "Linearizable reads versus stale reads",
        config,
        4_000_000,
    )
    .at(0, Action::TimeoutNow(1))
    .at(500_000, set("x", "1", Some(1)))
    .at(
        1_000_000,
        Action::Partition(vec![vec![1], vec![2, 3, 4, 5]]),
    )
    .at(1_800_000, set("x", "2", Some(3)))
    .at(2_200_000, get("x", Some(1)))
    .at(2_300_000, get("x", Some(3)))
    .at(3_000_000, Action::HealAll)
    .step(0, "x = 1", "Node 1 leads and commits x=1 everywhere.")
    .step(
        1_000_000,
        "A leader that is not",
        "Node 1 is cut off but still believes it leads (CheckQuorum is off). The \
         others elect a new leader and commit x=2.",
    )
    .step(
        2_200_000,
        "A stale read",
        "Node 1's store still says x=1. Answering GET x from local state would return \
         a value that was overwritten long ago: not linearizable. Here reads go \
         through the log, so node 1 cannot answer without a majority and the client \
         waits.",
    )
    .step(
        2_300_000,
        "A linearizable read",
        "GET x through the real leader is committed by a majority and returns 2. \
         ReadIndex gets the same guarantee without a log entry: the leader confirms \
         with a majority that it still leads before answering.",
    )
    .step(
        3_000_000,
        "Healed",
        "Node 1 learns of the newer term, steps down and drops its uncommitted read.",
    )
    .expect(Expectation::LocalRead {
        node: 1,
        key: "x".into(),
        value: Some("1".into()),
        at_us: 2_500_000,
    })
    .expect(Expectation::LocalRead {
        node: 3,
        key: "x".into(),
        value: Some("2".into()),
        at_us: 2_500_000,
    })
    .expect(Expectation::ReadReturned {
        key: "x".into(),
        value: Some("2".into()),
        by_us: 2_600_000,
    })
    .expect(Expectation::NoViolations)
}
