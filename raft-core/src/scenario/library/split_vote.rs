//! Split vote.

use super::{quiet, Scenario};
use crate::scenario::Expectation;
use crate::sim::{Action, SimConfig};

/// Four nodes campaign at the same moment; no one gets a majority, and the
/// randomized timeouts settle it in the next term.
pub(super) fn scenario() -> Scenario {
    let config = SimConfig {
        pre_vote: false,
        check_quorum: false,
        ..quiet(4)
    };
    Scenario::new("split-vote", "Split vote", config, 2_500_000)
        .at(0, Action::TimeoutNow(1))
        .at(0, Action::TimeoutNow(2))
        .at(0, Action::TimeoutNow(3))
        .at(0, Action::TimeoutNow(4))
        .step(
            0,
            "Four candidates at once",
            "Nodes 1 to 4 time out together and become candidates in term 1. Each votes \
             for itself; node 5 can give its single vote to only one of them. (PreVote is \
             off here, so candidates go straight to a real election.)",
        )
        .step(
            50_000,
            "No majority",
            "A candidate needs 3 of the 5 votes; the best one can get is 2. The term \
             ends without a leader, and every candidate waits for a new randomized \
             timeout.",
        )
        .step(
            200_000,
            "Randomness settles it",
            "The candidate whose new timeout expires first starts term 2 and asks again, \
             usually before anyone else competes: it wins.",
        )
        .expect(Expectation::SplitVote { by_us: 1_500_000 })
        .expect(Expectation::NoViolations)
}
