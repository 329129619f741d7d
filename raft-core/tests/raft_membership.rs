//! Single-server membership changes (thesis chapter 4: §4.1, §4.2.1, §4.2.2).

mod common;

use common::*;
use raft_core::raft::{ConfChange, Entry, EntryPayload, Message, MessageBody, Node, ProposeError};
use raft_core::Role;

fn change(c: &mut Cluster, id: u64, cc: ConfChange) -> Result<u64, ProposeError> {
    let now = c.now;
    c.node_mut(id).propose_conf_change(now, cc)
}

/// Thesis §4.2.1: a new server joins as a learner, learns the configuration
/// from the leader's snapshot base and log, catches up, and is promoted
/// automatically once its log reaches the commit index.
#[test]
fn joining_server_is_added_as_learner_then_promoted() {
    let mut c = Cluster::new(3);
    c.elect(1);
    c.propose(1, b"before").unwrap();
    c.run();
    c.add_joiner(4, |_| {});
    change(&mut c, 1, ConfChange::AddLearner(4)).unwrap();
    c.advance(50_000);
    for id in 1..=4 {
        assert_eq!(c.node(id).voters(), &[1, 2, 3, 4], "node {id}");
        assert!(c.node(id).learners().is_empty());
    }
    assert_eq!(c.applied_commands(4), [b"before".to_vec()]);
    assert_eq!(
        c.count_delivered("InstallSnapshot"),
        1,
        "the bootstrap base"
    );
    c.crash(1);
    c.crash(2);
    c.advance(1_000_000);
    assert!(
        c.leader().is_none(),
        "4 voters: 2 of them are not a majority"
    );
}

/// Thesis §4.2.1: without automatic promotion, a learner that has not caught
/// up cannot be promoted; one that has, can.
#[test]
fn promotion_requires_a_caught_up_learner() {
    let mut c = Cluster::with(3, |cfg| cfg.auto_promote_learners = false);
    c.elect(1);
    change(&mut c, 1, ConfChange::AddLearner(4)).unwrap();
    c.run();
    assert_eq!(c.node(1).learners(), &[4]);
    assert_eq!(
        change(&mut c, 1, ConfChange::PromoteLearner(4)),
        Err(ProposeError::InvalidConfChange)
    );
    c.add_joiner(4, |cfg| cfg.auto_promote_learners = false);
    c.advance(50_000);
    assert_eq!(c.node(4).learners(), &[4]);
    change(&mut c, 1, ConfChange::PromoteLearner(4)).unwrap();
    c.run();
    assert_eq!(c.node(4).voters(), &[1, 2, 3, 4]);
}

/// Thesis §4.1: one change at a time; the next waits for the previous to commit.
#[test]
fn only_one_change_may_be_pending() {
    let mut c = Cluster::with(3, |cfg| cfg.auto_promote_learners = false);
    c.elect(1);
    change(&mut c, 1, ConfChange::AddLearner(4)).unwrap();
    assert_eq!(
        change(&mut c, 1, ConfChange::AddLearner(5)),
        Err(ProposeError::ConfChangePending)
    );
    c.run();
    assert!(change(&mut c, 1, ConfChange::AddLearner(5)).is_ok());
}

/// Thesis §4.1: a server uses the latest configuration in its log, committed or not.
#[test]
fn configuration_takes_effect_when_appended() {
    let mut c = Cluster::new(3);
    c.elect(1);
    c.isolate(1);
    change(&mut c, 1, ConfChange::RemoveServer(3)).unwrap();
    assert_eq!(c.node(1).voters(), &[1, 2]);
    assert!(
        c.node(1).progress(3).is_some(),
        "kept until the removal commits"
    );
    assert!(c.node(1).commit_index() < c.node(1).log().last_index());
}

/// A follower drops a configuration entry that gets truncated, reverting to
/// the previous configuration.
#[test]
fn truncated_configuration_entry_is_rolled_back() {
    let mut n = Node::restart(test_config(2), persisted(&[1, 2, 3], 2, &[1]), 2, 0).unwrap();
    let ae = |term, entries: Vec<Entry>| Message {
        from: 1,
        to: 2,
        term,
        body: MessageBody::AppendEntries {
            prev_log_index: 1,
            prev_log_term: 1,
            entries,
            leader_commit: 0,
            read_seq: 0,
        },
    };
    let conf = Entry {
        index: 2,
        term: 2,
        payload: EntryPayload::ConfChange(ConfChange::AddLearner(4)),
    };
    n.step(0, ae(2, vec![conf]));
    assert_eq!(n.learners(), &[4]);
    n.step(
        0,
        ae(
            3,
            vec![Entry {
                index: 2,
                term: 3,
                payload: EntryPayload::Noop,
            }],
        ),
    );
    assert!(n.learners().is_empty());
}

/// Removing a follower shrinks the majority; the removed server stops campaigning.
#[test]
fn removed_follower_stops_campaigning() {
    let mut c = Cluster::new(3);
    c.elect(1);
    change(&mut c, 1, ConfChange::RemoveServer(3)).unwrap();
    c.run();
    assert_eq!(c.node(3).voters(), &[1, 2]);
    assert_eq!(c.node(3).poll_timeout(), None);
    let term = c.node(1).term();
    c.advance(2_000_000);
    assert_eq!(c.node(3).term(), term);
    assert_eq!(c.node(3).role(), Role::Follower);
    c.crash(2);
    assert_eq!(c.propose(1, b"x").map(|_| ()), Ok(()));
    c.run();
    assert!(
        c.node(1).commit_index() < c.node(1).log().last_index(),
        "needs 2 of {{1, 2}}"
    );
}

/// Thesis §4.2.2: a leader that removes itself keeps leading (without
/// counting itself) until the change commits, then steps down; the rest elect.
#[test]
fn removed_leader_steps_down_after_commit() {
    let mut c = Cluster::new(3);
    c.elect(1);
    let idx = change(&mut c, 1, ConfChange::RemoveServer(1)).unwrap();
    assert_eq!(c.node(1).role(), Role::Leader);
    c.run();
    assert!(c.node(1).commit_index() >= idx);
    assert_eq!(c.node(1).role(), Role::Follower);
    c.advance(1_000_000);
    let l = c.leader().unwrap();
    assert_ne!(l, 1);
    assert_eq!(c.node(l).voters(), &[2, 3]);
    assert_eq!(c.node(1).poll_timeout(), None, "never campaigns again");
}

/// Ongaro's 2015 erratum: a new leader may change membership only after it has
/// committed an entry of its own term.
#[test]
fn no_change_before_the_leader_commits_in_its_term() {
    let mut c = Cluster::new(3);
    let now = c.now;
    c.node_mut(1).campaign(now);
    assert!(c.run_until(|c| c.node(1).role() == Role::Leader));
    assert_eq!(
        change(&mut c, 1, ConfChange::AddLearner(4)),
        Err(ProposeError::ConfChangePending)
    );
    c.run();
    assert!(change(&mut c, 1, ConfChange::AddLearner(4)).is_ok());
}

/// Invalid changes are refused up front.
#[test]
fn invalid_changes_are_refused() {
    let mut c = Cluster::new(1);
    c.elect(1);
    assert_eq!(
        change(&mut c, 1, ConfChange::RemoveServer(1)),
        Err(ProposeError::InvalidConfChange)
    );
    assert_eq!(
        change(&mut c, 1, ConfChange::AddLearner(1)),
        Err(ProposeError::InvalidConfChange)
    );
    assert_eq!(
        change(&mut c, 1, ConfChange::PromoteLearner(2)),
        Err(ProposeError::InvalidConfChange)
    );
    assert_eq!(
        change(&mut c, 1, ConfChange::AddLearner(0)),
        Err(ProposeError::InvalidConfChange)
    );
}

/// Restart recovers membership from the log.
#[test]
fn membership_survives_restart() {
    let mut c = Cluster::with(3, |cfg| cfg.auto_promote_learners = false);
    c.elect(1);
    change(&mut c, 1, ConfChange::AddLearner(4)).unwrap();
    c.run();
    c.crash(2);
    c.restart(2);
    assert_eq!(c.node(2).learners(), &[4]);
    let st = c.node(2).persistent_state();
    let n = Node::restart(test_config(2), st, 1, 0).unwrap();
    assert_eq!(n.voters(), &[1, 2, 3]);
}
