//! Network partition: a minority leader cannot commit.

use super::{quiet, set, Scenario};
use crate::scenario::Expectation;
use crate::sim::{Action, SimConfig};

/// The leader ends up in a minority: it keeps accepting writes but cannot
/// commit them. The majority elects a leader and moves on; on healing, the
/// old leader steps down and its uncommitted entries are rolled back.
pub(super) fn scenario() -> Scenario {
    let config = SimConfig {
        check_quorum: false,
        client_timeout_us: 10_000_000,
        ..quiet(5)
    };
    Scenario::new("network-partition", "Network partition", config, 5_000_000)
        .at(0, Action::TimeoutNow(1))
        .at(500_000, set("x", "1", Some(1)))
        .at(
            1_000_000,
            Action::Partition(alloc::vec![alloc::vec![1, 2], alloc::vec![3, 4, 5]]),
        )
        .at(1_200_000, set("x", "lost", Some(1)))
        .at(2_000_000, set("x", "2", Some(3)))
        .at(3_000_000, Action::HealAll)
        .step(
            0,
            "A healthy cluster",
            "Node 1 leads and commits SET x=1 on all five nodes. (CheckQuorum is off in \
             this story, so a cut-off leader does not step down by itself.)",
        )
        .step(
            1_000_000,
            "The network splits",
            "Nodes 1 and 2 can no longer reach nodes 3, 4 and 5.",
        )
        .step(
            1_200_000,
            "A minority leader",
            "Node 1 still believes it leads and appends SET x=lost. Only node 2 stores \
             it: two of five is no majority, so the entry is never committed and the \
             client gets no answer.",
        )
        .step(
            1_400_000,
            "The majority moves on",
            "Nodes 3, 4 and 5 stop hearing heartbeats and elect a leader in a higher \
             term. Three of five is a majority: SET x=2 is committed.",
        )
        .step(
            3_000_000,
            "Healing",
            "The partition heals. Node 1 sees the higher term, steps down, and the new \
             leader overwrites its uncommitted x=lost entry: it is rolled back, and no \
             client was ever told it succeeded.",
        )
        .expect(Expectation::MinorityLeaderCannotCommit {
            node: 1,
            from_us: 1_300_000,
            to_us: 2_900_000,
        })
        .expect(Expectation::NewLeaderTermAbove {
            term: 1,
            by_us: 2_000_000,
        })
        .expect(Expectation::SteppedDown {
            node: 1,
            by_us: 3_500_000,
        })
        .expect(Expectation::EntriesRolledBack {
            node: 1,
            held_at_us: 2_900_000,
            by_us: 4_000_000,
        })
        .expect(Expectation::KeyApplied {
            key: "x".into(),
            value: "2".into(),
        })
        .expect(Expectation::ValueLost {
            key: "x".into(),
            value: "lost".into(),
        })
        .expect(Expectation::NoViolations)
}
