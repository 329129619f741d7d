//! Log compaction and InstallSnapshot (paper §7).

mod common;

use common::*;
use raft_core::raft::{
    CompactError, ConfChange, Message, MessageBody, Node, Snapshot, SnapshotMeta,
};

/// Paper §7: the application snapshots applied state; the log prefix goes.
#[test]
fn compact_discards_the_applied_prefix() {
    let mut c = Cluster::new(1);
    c.elect(1);
    for i in 0..5u8 {
        c.propose(1, &[i]).unwrap();
    }
    c.run();
    let n = c.node_mut(1);
    assert_eq!(n.compact(9, vec![]), Err(CompactError::NotApplied));
    n.compact(4, b"state@4".to_vec()).unwrap();
    assert_eq!(n.compact(3, vec![]), Err(CompactError::AlreadyCompacted));
    assert_eq!((n.log().first_index(), n.log().last_index()), (5, 6));
    assert_eq!(n.snapshot_meta().last_index, 4);
    assert_eq!(n.snapshot_meta().membership.voters, [1]);
    assert_eq!(n.log().snapshot().data, b"state@4");
}

fn lagging_follower_cluster() -> Cluster {
    let mut c = Cluster::new(3);
    c.elect(1);
    c.crash(3);
    for i in 0..10u8 {
        c.propose(1, &[i]).unwrap();
    }
    c.run();
    let applied = c.node(1).applied_index();
    c.node_mut(1).compact(applied, b"snap".to_vec()).unwrap();
    c.node_mut(2).compact(applied, b"snap".to_vec()).unwrap();
    c
}

/// Paper §7: a follower that needs compacted entries receives the snapshot,
/// hands its data to the application, and continues from the log.
#[test]
fn lagging_follower_is_sent_a_snapshot() {
    let mut c = lagging_follower_cluster();
    c.restart(3);
    c.propose(1, b"after").unwrap();
    c.advance(50_000);
    assert_eq!(c.count_delivered("InstallSnapshot"), 1);
    assert_eq!(c.snapshots[&3].last().unwrap().data, b"snap");
    assert_eq!(c.applied_commands(3), [b"after".to_vec()]);
    assert_eq!(c.node(3).log().snapshot_index(), 11);
    assert_eq!(c.node(3).commit_index(), c.node(1).commit_index());
}

/// A lost InstallSnapshot is sent again after an election timeout.
#[test]
fn lost_snapshot_is_retried() {
    let mut c = lagging_follower_cluster();
    c.restart(3);
    c.cut.insert((1, 3));
    c.advance(20_000);
    c.heal();
    c.advance(300_000);
    assert_eq!(
        c.count_delivered("InstallSnapshot"),
        1,
        "the first one was dropped by the cut link"
    );
    assert_eq!(c.node(3).log().snapshot_index(), 11);
}

/// A node restarts from snapshot plus log. The application rebuilds its state
/// machine from the snapshot it stored (no Ready hands it out again: read
/// literally, "store this snapshot" would wipe the entries after it), and
/// committed entries resume right after the snapshot.
#[test]
fn restart_from_snapshot_and_log() {
    let mut c = lagging_follower_cluster();
    c.propose(1, b"tail").unwrap();
    c.run();
    c.crash(2);
    let handed_out = c.snapshots.get(&2).map_or(0, Vec::len);
    c.restart(2);
    assert_eq!(c.node(2).log().snapshot_index(), 11);
    assert_eq!(c.node(2).log().snapshot().data, b"snap");
    assert_eq!(c.node(2).commit_index(), 11);
    c.advance(50_000);
    assert_eq!(
        c.snapshots.get(&2).map_or(0, Vec::len),
        handed_out,
        "no echo of the stored snapshot"
    );
    assert_eq!(c.applied_commands(2), [b"tail".to_vec()]);
}

/// A snapshot older than what the follower committed changes nothing.
#[test]
fn stale_snapshot_is_ignored() {
    let mut n = Node::restart(test_config(2), persisted(&[1, 2, 3], 2, &[1, 1, 2]), 2, 0).unwrap();
    let ae = Message {
        from: 1,
        to: 2,
        term: 2,
        body: MessageBody::AppendEntries {
            prev_log_index: 3,
            prev_log_term: 2,
            entries: vec![],
            leader_commit: 3,
            read_seq: 0,
        },
    };
    n.step(0, ae);
    let snap = Snapshot {
        meta: SnapshotMeta {
            last_index: 2,
            last_term: 1,
            membership: n.membership().clone(),
        },
        data: b"old".to_vec(),
    };
    n.step(
        0,
        Message {
            from: 1,
            to: 2,
            term: 2,
            body: MessageBody::InstallSnapshot {
                snapshot: Box::new(snap),
            },
        },
    );
    assert_eq!(n.log().snapshot_index(), 0);
    assert_eq!(n.log().last_index(), 3);
    let mut rd = n.ready();
    assert!(rd.snapshot.is_none());
    assert!(rd
        .all_messages()
        .any(|m| m.body == MessageBody::InstallSnapshotResp { last_index: 3 }));
}

/// A server joining after compaction learns the membership from the snapshot.
#[test]
fn joiner_after_compaction_learns_membership_from_snapshot() {
    let mut c = lagging_follower_cluster();
    c.restart(3);
    c.advance(20_000);
    c.add_joiner(4, |_| {});
    let now = c.now;
    c.node_mut(1)
        .propose_conf_change(now, ConfChange::AddLearner(4))
        .unwrap();
    c.advance(50_000);
    assert_eq!(c.node(4).voters(), &[1, 2, 3, 4]);
    assert_eq!(c.node(4).log().snapshot_index(), 11);
    assert_eq!(c.snapshots[&4].last().unwrap().data, b"snap");
}
