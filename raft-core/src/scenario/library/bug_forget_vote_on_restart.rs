//! Planted bug `forget-vote-on-restart`.

use super::{quiet, Scenario};
use crate::check::invariants::Property;
use crate::raft::Bugs;
use crate::scenario::Expectation;
use crate::sim::{Action, SimConfig};

/// `votedFor` is not persisted: a voter that restarts right after voting
/// votes again in the same term, and two leaders are elected.
pub(super) fn scenario() -> Scenario {
    let config = SimConfig {
        nodes: 3,
        pre_vote: false,
        check_quorum: false,
        bugs: Bugs {
            forget_vote_on_restart: true,
            ..Bugs::default()
        },
        ..quiet(14)
    };
    Scenario::new(
        "bug-forget-vote-on-restart",
        "Break Raft: forget the vote on restart",
        config,
        2_000_000,
    )
    .at(0, Action::TimeoutNow(1))
    .at(0, Action::TimeoutNow(2))
    .at(VOTE_US, Action::Crash(3))
    .at(VOTE_US, Action::Restart(3))
    .step(
        0,
        "Two candidates",
        "Nodes 1 and 2 campaign in the same term. Each votes for itself; node 3 \
         decides.",
    )
    .step(
        VOTE_US,
        "Vote, crash, forget",
        "Node 3 votes for the first candidate and crashes at once. It restarts with \
         its term but, because of the bug, without remembering whom it voted for.",
    )
    .step(
        VOTE_US + 20_000,
        "Two leaders in one term",
        "The second candidate's request arrives and node 3 votes again. Both candidates \
         hold two votes of three: two leaders in the same term. The checker reports an \
         Election Safety violation.",
    )
    .expect(Expectation::ViolationOf {
        property: Property::ElectionSafety,
    })
}

/// When node 3 has granted its first vote (found by running the seed).
const VOTE_US: u64 = 15_000;
