//! The `membership`, `lone-voter` and `torn-write` nemeses: the fault kinds
//! that found no bug until an outside audit lost committed data with them.
//!
//! - `membership`: servers join (as learners the leader promotes once they
//!   catch up) and leave, the leader included, and joiners crash and come back.
//! - `lone-voter`: the cluster starts as one voter and grows by joins, and
//!   removals shrink it back, so configurations pass through a single voter
//!   with learners (a lone voter commits on its own disk alone).
//! - `torn-write`: a node crashes while a disk write is under way (disk
//!   latency is always on with it): its Ready's messages have left, and the
//!   write reached the disk only in part, or not at all.

use super::super::world::Sim;
use super::super::{SimRng, MAX_NODES};
use crate::types::{NodeId, TimeUs};
use alloc::vec::Vec;

/// How often the torn-write nemesis looks for a write under way, microseconds.
pub(super) const TORN_POLL_US: TimeUs = 2_000;

/// One membership change (or joiner crash), drawn at random.
pub(super) fn membership_step(sim: &mut Sim, rng: &mut SimRng) {
    let Some(leader) = sim.leader() else {
        return;
    };
    let Some(node) = sim.raft_node(leader) else {
        return;
    };
    let voters: Vec<NodeId> = node.voters().to_vec();
    let members: Vec<NodeId> = voters.iter().chain(node.learners()).copied().collect();
    let newest = sim.node_ids().into_iter().max().unwrap_or(1);
    match rng.below(6) {
        0 | 1 if sim.node_ids().len() < MAX_NODES => {
            let _ = sim.add_node();
        }
        2 if voters.len() > 1 => {
            // Any voter, the leader included (it steps down once its removal
            // is committed, thesis §4.2.2).
            let id = voters[rng.below(voters.len() as u64) as usize];
            let _ = sim.remove_node(id);
        }
        3 if members.len() > voters.len() => {
            // A learner still catching up leaves again.
            let learners: Vec<NodeId> = members[voters.len()..].to_vec();
            let id = learners[rng.below(learners.len() as u64) as usize];
            let _ = sim.remove_node(id);
        }
        _ => {
            // The newest server, the joiner, crashes (or comes back).
            if sim.is_crashed(newest) == Some(true) {
                let _ = sim.restart(newest);
            } else {
                let _ = sim.crash(newest);
            }
        }
    }
}

/// A lone-voter episode: while more than one voter is configured, remove
/// voters (never the last); otherwise add a server, which joins as a learner.
pub(super) fn lone_voter_step(sim: &mut Sim, rng: &mut SimRng) {
    let Some(leader) = sim.leader() else {
        return;
    };
    let Some(node) = sim.raft_node(leader) else {
        return;
    };
    let voters: Vec<NodeId> = node.voters().to_vec();
    if voters.len() > 1 && rng.below(2) == 0 {
        let id = voters[rng.below(voters.len() as u64) as usize];
        let _ = sim.remove_node(id);
    } else if sim.node_ids().len() < MAX_NODES {
        let _ = sim.add_node();
    }
}

/// With probability 1/8 per call, crashes one node whose disk write is under
/// way, keeping a random prefix of that write (all of it lost half the time).
/// Restarts the node at once half the time; otherwise the usual repairs do.
pub(super) fn maybe_tear_a_write(sim: &mut Sim, rng: &mut SimRng) {
    let writing: Vec<NodeId> = sim
        .node_ids()
        .into_iter()
        .filter(|&id| sim.write_under_way(id).is_some())
        .collect();
    if writing.is_empty() || rng.below(8) != 0 {
        return;
    }
    let id = writing[rng.below(writing.len() as u64) as usize];
    let steps = sim.write_under_way(id).unwrap_or(0);
    let kept = if rng.below(2) == 0 {
        0
    } else {
        rng.range_inclusive(0, steps as u64) as usize
    };
    if sim.crash_during_write(id, kept).is_ok() && rng.below(2) == 0 {
        let _ = sim.restart(id);
    }
}
