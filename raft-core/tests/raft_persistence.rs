//! Persistence (paper §5.1, Figure 2 "Persistent state on all servers") and
//! the planted bugs that break it and its neighbours.

mod common;

use common::*;
use raft_core::raft::{Message, MessageBody, Node};
use raft_core::Role;

fn vote_req(from: u64, to: u64, term: u64, lli: u64, llt: u64) -> Message {
    Message {
        from,
        to,
        term,
        body: MessageBody::RequestVote {
            pre_vote: false,
            last_log_index: lli,
            last_log_term: llt,
            leader_transfer: false,
        },
    }
}

fn granted(node: &mut Node) -> Vec<bool> {
    let mut rd = node.ready();
    rd.all_messages()
        .filter_map(|m| match m.body {
            MessageBody::RequestVoteResp { granted, .. } => Some(granted),
            _ => None,
        })
        .collect()
}

/// §5.1: term, vote and log survive a crash; role and commit index do not.
#[test]
fn restart_restores_only_persistent_state() {
    let mut c = Cluster::new(3);
    c.elect(1);
    c.propose(1, b"a").unwrap();
    c.run();
    let before = c.node(1).persistent_state();
    c.crash(1);
    c.restart(1);
    let n = c.node(1);
    assert_eq!(n.persistent_state(), before);
    assert_eq!((n.role(), n.leader_id()), (Role::Follower, None));
    assert_eq!(n.term(), before.term);
    assert_eq!(n.voted_for(), Some(1));
    assert_eq!(n.commit_index(), 0, "commit is volatile and relearned");
    assert_eq!(n.log().last_index(), 2);
}

/// A restarted node relearns the commit index and re-applies its log.
#[test]
fn restarted_node_reapplies_committed_entries() {
    let mut c = Cluster::new(3);
    c.elect(1);
    for d in [b"a", b"b"] {
        c.propose(1, d).unwrap();
    }
    c.run();
    c.crash(2);
    c.propose(1, b"c").unwrap();
    c.run();
    c.restart(2);
    c.advance(50_000);
    assert_eq!(
        c.applied_commands(2),
        [b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]
    );
}

/// Whole-cluster crash: everything committed survives (state machine safety).
#[test]
fn whole_cluster_restart_keeps_committed_entries() {
    let mut c = Cluster::new(3);
    c.elect(1);
    for i in 0..5u8 {
        c.propose(1, &[i]).unwrap();
    }
    c.run();
    for id in 1..=3 {
        c.crash(id);
    }
    for id in 1..=3 {
        c.restart(id);
    }
    c.advance(1_000_000);
    let l = c.leader().unwrap();
    c.propose(l, b"after").unwrap();
    c.advance(50_000);
    let mut expected: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i]).collect();
    expected.push(b"after".to_vec());
    for id in 1..=3 {
        assert_eq!(c.applied_commands(id), expected);
    }
}

/// §5.1: the vote is persisted, so a restarted node does not vote twice in a term.
#[test]
fn restart_remembers_the_vote() {
    let mut n = Node::new(test_config(1), &[1, 2, 3], 1, 0).unwrap();
    n.step(0, vote_req(2, 1, 5, 0, 0));
    assert_eq!(granted(&mut n), [true]);
    let mut n = Node::restart(test_config(1), n.persistent_state(), 1, 0).unwrap();
    n.step(0, vote_req(3, 1, 5, 0, 0));
    assert_eq!(granted(&mut n), [false]);
}

/// Planted bug `forget_vote_on_restart`: the same restart now votes twice in term 5.
#[test]
fn bug_forget_vote_on_restart_votes_twice_in_a_term() {
    let mut cfg = test_config(1);
    cfg.bugs.forget_vote_on_restart = true;
    let mut n = Node::new(cfg.clone(), &[1, 2, 3], 1, 0).unwrap();
    n.step(0, vote_req(2, 1, 5, 0, 0));
    assert_eq!(granted(&mut n), [true]);
    let mut n = Node::restart(cfg, n.persistent_state(), 1, 0).unwrap();
    assert_eq!(n.voted_for(), None);
    n.step(0, vote_req(3, 1, 5, 0, 0));
    assert_eq!(granted(&mut n), [true], "second vote in term 5");
}

/// Planted bug `vote_without_log_check`: a candidate with a stale log gets the vote.
#[test]
fn bug_vote_without_log_check_grants_stale_candidates() {
    let st = persisted(&[1, 2, 3], 2, &[1, 2]);
    let mut n = Node::restart(test_config(1), st.clone(), 1, 0).unwrap();
    n.step(0, vote_req(2, 1, 3, 1, 1));
    assert_eq!(granted(&mut n), [false]);
    let mut cfg = test_config(1);
    cfg.bugs.vote_without_log_check = true;
    let mut n = Node::restart(cfg, st, 1, 0).unwrap();
    n.step(0, vote_req(2, 1, 3, 1, 1));
    assert_eq!(granted(&mut n), [true]);
}

/// With `vote_without_log_check` in a cluster, a node missing a committed
/// entry becomes leader and the checkers see leader completeness break.
#[test]
fn bug_vote_without_log_check_breaks_leader_completeness() {
    let mut c = Cluster::with(3, |cfg| {
        cfg.bugs.vote_without_log_check = true;
        cfg.pre_vote = false;
        cfg.check_quorum = false;
    });
    c.checks = false;
    c.elect(1);
    c.cut.insert((1, 3));
    c.propose(1, b"x").unwrap();
    c.run();
    assert_eq!(c.node(1).commit_index(), 2);
    c.crash(1);
    c.heal();
    c.elect(3);
    assert!(
        c.violations
            .iter()
            .any(|v| v.contains("leader completeness")),
        "{:?}",
        c.violations
    );
}

/// Planted bug `skip_consistency_check`: a follower accepts entries after a
/// mismatched predecessor, so two logs agree at index 3 but differ at index 2.
#[test]
fn bug_skip_consistency_check_accepts_mismatched_appends() {
    let append = Message {
        from: 1,
        to: 2,
        term: 3,
        body: MessageBody::AppendEntries {
            prev_log_index: 2,
            prev_log_term: 3,
            entries: vec![cmd(3, 3)],
            leader_commit: 0,
            read_seq: 0,
        },
    };
    let st = persisted(&[1, 2, 3], 3, &[1, 2]);
    let mut ok = Node::restart(test_config(2), st.clone(), 2, 0).unwrap();
    ok.step(0, append.clone());
    assert_eq!(ok.log().last_index(), 2, "consistency check refuses");
    let mut cfg = test_config(2);
    cfg.bugs.skip_consistency_check = true;
    let mut buggy = Node::restart(cfg, st, 2, 0).unwrap();
    buggy.step(0, append);
    assert_eq!(buggy.log().last_index(), 3, "the bug accepts");
    let leader = Node::restart(test_config(1), persisted(&[1, 2, 3], 3, &[1, 3, 3]), 1, 0).unwrap();
    assert!(log_matching_violation(&leader, &buggy).is_some());
}

/// HardState is reported exactly when term, vote or commit change.
#[test]
fn hard_state_is_reported_when_it_changes() {
    let mut n = Node::new(test_config(1), &[1, 2, 3], 1, 0).unwrap();
    assert_eq!(n.ready().hard_state, None);
    n.step(0, vote_req(2, 1, 1, 0, 0));
    let hs = n.ready().hard_state.unwrap();
    assert_eq!((hs.term, hs.voted_for, hs.commit), (1, Some(2), 0));
    assert_eq!(n.ready().hard_state, None);
}
