//! Client interaction (paper §8): redirects, ReadIndex (thesis §6.4) and
//! leadership transfer (thesis §3.10).

mod common;

use common::*;
use raft_core::raft::{ProposeError, ReadState};
use raft_core::Role;

fn reads(c: &Cluster, id: u64) -> Vec<ReadState> {
    c.read_states.get(&id).cloned().unwrap_or_default()
}

/// Thesis §6.4: the leader records its commit index, confirms leadership with a
/// heartbeat round, and answers once that index is applied — no log write.
#[test]
fn read_index_answers_after_a_heartbeat_round() {
    let mut c = Cluster::new(3);
    c.elect(1);
    c.propose(1, b"w").unwrap();
    c.run();
    let last = c.node(1).log().last_index();
    let now = c.now;
    c.node_mut(1).read_index(now, 7).unwrap();
    c.collect();
    assert!(reads(&c, 1).is_empty(), "not before a majority confirmed");
    assert_eq!(c.queue.iter().filter(|m| m.body.is_heartbeat()).count(), 2);
    c.run();
    assert_eq!(
        reads(&c, 1),
        [ReadState {
            request_id: 7,
            index: 2
        }]
    );
    assert_eq!(c.node(1).log().last_index(), last, "no log write");
}

/// A leader cut off from the majority never answers a read (it may be stale).
#[test]
fn read_index_needs_a_quorum() {
    let mut c = Cluster::new(3);
    c.elect(1);
    c.isolate(1);
    let now = c.now;
    c.node_mut(1).read_index(now, 1).unwrap();
    c.advance(50_000);
    assert!(reads(&c, 1).is_empty());
    assert_eq!(c.node(1).pending_reads(), 1);
    c.advance(300_000);
    assert_ne!(
        c.node(1).role(),
        Role::Leader,
        "CheckQuorum stepped it down"
    );
    assert_eq!(c.node(1).pending_reads(), 0, "dropped; the client retries");
}

/// Thesis §6.4: a new leader answers reads only after committing an entry of its term.
#[test]
fn read_index_waits_for_the_leaders_first_commit() {
    let mut c = Cluster::new(3);
    let now = c.now;
    c.node_mut(1).campaign(now);
    assert!(c.run_until(|c| c.node(1).role() == Role::Leader));
    assert!(c.node(1).commit_index() < c.node(1).log().last_index());
    c.node_mut(1).read_index(now, 3).unwrap();
    c.run();
    assert_eq!(
        reads(&c, 1),
        [ReadState {
            request_id: 3,
            index: 1
        }]
    );
}

/// Followers redirect reads like writes.
#[test]
fn read_index_on_follower_is_redirected() {
    let mut c = Cluster::new(3);
    c.elect(1);
    let now = c.now;
    assert_eq!(
        c.node_mut(2).read_index(now, 1),
        Err(ProposeError::NotLeader {
            leader_hint: Some(1)
        })
    );
}

/// Reads are answered in request order.
#[test]
fn reads_are_answered_in_order() {
    let mut c = Cluster::new(5);
    c.elect(1);
    let now = c.now;
    for id in 10..15 {
        c.node_mut(1).read_index(now, id).unwrap();
    }
    c.run();
    let ids: Vec<u64> = reads(&c, 1).iter().map(|r| r.request_id).collect();
    assert_eq!(ids, [10, 11, 12, 13, 14]);
}

/// Thesis §3.10: the leader brings the target up to date and sends TimeoutNow;
/// the target wins at once, bypassing PreVote and leader stickiness.
#[test]
fn leadership_transfer_hands_over_to_target() {
    let mut c = Cluster::new(3);
    c.elect(1);
    let term = c.node(1).term();
    let now = c.now;
    c.node_mut(1).transfer_leadership(now, 2).unwrap();
    c.run();
    assert_eq!(c.leader(), Some(2));
    assert_eq!(c.node(2).term(), term + 1);
    assert_eq!(c.count_delivered("TimeoutNow"), 1);
    assert_eq!(c.node(1).role(), Role::Follower);
}

/// Thesis §3.10: a lagging target is caught up before TimeoutNow, and the
/// leader refuses proposals while the transfer is under way.
#[test]
fn leadership_transfer_catches_up_a_lagging_target() {
    let mut c = Cluster::new(3);
    c.elect(1);
    c.cut.insert((1, 3));
    for i in 0..5u8 {
        c.propose(1, &[i]).unwrap();
    }
    c.run();
    c.heal();
    let now = c.now;
    c.node_mut(1).transfer_leadership(now, 3).unwrap();
    assert_eq!(c.propose(1, b"no"), Err(ProposeError::TransferInProgress));
    c.run();
    assert_eq!(c.leader(), Some(3));
    assert_eq!(
        c.node(3).log().entries()[..6],
        c.node(1).log().entries()[..6]
    );
}

/// A transfer to an unreachable target is abandoned after an election timeout.
#[test]
fn leadership_transfer_times_out() {
    let mut c = Cluster::new(3);
    c.elect(1);
    c.crash(3);
    let now = c.now;
    c.node_mut(1).transfer_leadership(now, 3).unwrap();
    assert_eq!(c.node(1).lead_transferee(), Some(3));
    c.advance(150_000);
    assert_eq!(c.node(1).lead_transferee(), None);
    assert_eq!(c.leader(), Some(1));
    assert!(c.propose(1, b"again").is_ok());
}

/// Transfers only go to voters, and only leaders transfer.
#[test]
fn leadership_transfer_validates_its_target() {
    let mut c = Cluster::new(3);
    c.elect(1);
    let now = c.now;
    assert_eq!(
        c.node_mut(1).transfer_leadership(now, 9),
        Err(ProposeError::InvalidTarget)
    );
    assert_eq!(
        c.node_mut(2).transfer_leadership(now, 3),
        Err(ProposeError::NotLeader {
            leader_hint: Some(1)
        })
    );
    assert_eq!(c.node_mut(1).transfer_leadership(now, 1), Ok(()));
}

/// TimeoutNow from anyone but the current leader is ignored.
#[test]
fn timeout_now_from_non_leader_is_ignored() {
    let mut c = Cluster::new(3);
    c.elect(1);
    let term = c.node(2).term();
    let now = c.now;
    c.node_mut(2).step(
        now,
        raft_core::raft::Message {
            from: 3,
            to: 2,
            term,
            body: raft_core::raft::MessageBody::TimeoutNow,
        },
    );
    assert_eq!(c.node(2).role(), Role::Follower);
    assert_eq!(c.node(2).term(), term);
}
