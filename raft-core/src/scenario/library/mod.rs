//! The built-in scenarios, one small file each.
//!
//! To add one: write `my_story.rs` with `pub(super) fn scenario() -> Scenario`
//! (see `first_election.rs` for the shape), then add `my_story` to the
//! `mod` lines and to [`LIST`]. The test suite (`tests/scenario_library.rs`)
//! then checks every promise it makes.

use super::Scenario;
use crate::kv::Op;
use crate::sim::{Action, SimConfig};
use crate::types::NodeId;
use alloc::string::String;
use alloc::vec::Vec;

mod bug_forget_vote_on_restart;
mod bug_skip_consistency_check;
mod bug_vote_without_log_check;
mod check_quorum;
mod figure_8;
mod first_election;
mod leader_crash;
mod leader_transfer;
mod linearizable_reads;
mod log_reconciliation;
mod log_replication;
mod membership_change;
mod network_partition;
mod prevote;
mod snapshot_catch_up;
mod split_vote;

/// Every built-in scenario, in picker order.
pub const LIST: &[fn() -> Scenario] = &[
    first_election::scenario,
    log_replication::scenario,
    leader_crash::scenario,
    split_vote::scenario,
    network_partition::scenario,
    log_reconciliation::scenario,
    figure_8::scenario,
    figure_8::scenario_bug,
    prevote::scenario,
    check_quorum::scenario,
    leader_transfer::scenario,
    membership_change::scenario,
    snapshot_catch_up::scenario,
    linearizable_reads::scenario,
    bug_vote_without_log_check::scenario,
    bug_forget_vote_on_restart::scenario,
    bug_skip_consistency_check::scenario,
];

/// Every built-in scenario, in picker order.
pub fn library() -> Vec<Scenario> {
    LIST.iter().map(|f| f()).collect()
}

/// The ids of the built-in scenarios, in picker order.
pub fn ids() -> Vec<String> {
    LIST.iter().map(|f| f().id).collect()
}

/// The built-in scenario with this id.
pub fn by_id(id: &str) -> Option<Scenario> {
    LIST.iter().map(|f| f()).find(|s| s.id == id)
}

/// Defaults without background clients: only the story's own requests.
fn quiet(seed: u64) -> SimConfig {
    SimConfig {
        clients: 0,
        ..SimConfig::with_seed(seed)
    }
}

/// A user `SET key=value`, sent to `target` (`None`: the load balancer picks).
fn set(key: &str, value: &str, target: Option<NodeId>) -> Action {
    Action::ClientRequest {
        op: Op::Set {
            key: key.into(),
            value: value.into(),
        },
        target,
    }
}

/// A user `GET key` (a read through the log), sent to `target`.
fn get(key: &str, target: Option<NodeId>) -> Action {
    Action::ClientRequest {
        op: Op::Get { key: key.into() },
        target,
    }
}
