//! Leader election (paper §5.2, §5.4.1), PreVote (thesis §9.6), CheckQuorum
//! (thesis §6.2) and leader stickiness (thesis §4.2.3).

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

fn granted(node: &mut Node) -> Vec<(u64, bool)> {
    let mut rd = node.ready();
    rd.all_messages()
        .filter_map(|m| match m.body {
            MessageBody::RequestVoteResp { granted, .. } => Some((m.to, granted)),
            _ => None,
        })
        .collect()
}

/// §5.2: timers fire, one node wins a majority, the others follow it.
#[test]
fn election_from_timeouts_yields_exactly_one_leader() {
    let mut c = Cluster::new(3);
    c.advance(1_000_000);
    let leader = c.leader().expect("a leader");
    for (id, n) in &c.nodes {
        if *id != leader {
            assert_eq!(n.role(), Role::Follower);
            assert_eq!(n.leader_id(), Some(leader));
            assert_eq!(n.term(), c.node(leader).term());
        }
    }
}

/// §5.2: a candidate votes for itself, increments its term and collects votes.
#[test]
fn candidate_votes_for_itself_and_wins_with_majority() {
    let mut c = Cluster::new(3);
    c.elect(1);
    assert_eq!(c.node(1).term(), 1);
    assert_eq!(c.node(1).voted_for(), Some(1));
    assert_eq!(c.node(2).voted_for(), Some(1));
    assert_eq!(
        c.count_delivered("PreVote"),
        2,
        "pre-vote round first (thesis §9.6)"
    );
    assert_eq!(c.count_delivered("RequestVote"), 2);
}

/// §5.2: each server votes for at most one candidate per term, and the vote
/// is handed out only in `persisted_messages` (it must be durable first).
#[test]
fn one_vote_per_term() {
    let mut n = Node::new(test_config(1), &[1, 2, 3], 1, 0).unwrap();
    n.step(0, vote_req(2, 1, 5, 0, 0));
    let mut rd = n.ready();
    assert!(rd.messages.is_empty());
    assert!(matches!(
        rd.persisted_messages[0].body,
        MessageBody::RequestVoteResp { granted: true, .. }
    ));
    assert_eq!(
        rd.hard_state.map(|h| (h.term, h.voted_for)),
        Some((5, Some(2)))
    );
    rd.persisted_messages.clear();
    n.step(0, vote_req(3, 1, 5, 9, 9));
    assert_eq!(granted(&mut n), vec![(3, false)]);
    n.step(0, vote_req(2, 1, 5, 0, 0));
    assert_eq!(
        granted(&mut n),
        vec![(2, true)],
        "repeating the same vote is fine"
    );
}

/// §5.4.1: votes go only to candidates whose log is at least as up-to-date.
#[test]
fn vote_denied_to_candidate_with_stale_log() {
    let st = persisted(&[1, 2, 3], 2, &[1, 2]);
    let mut n = Node::restart(test_config(1), st, 1, 0).unwrap();
    n.step(0, vote_req(2, 1, 3, 5, 1));
    assert_eq!(
        granted(&mut n),
        vec![(2, false)],
        "older last term loses even if longer"
    );
    n.step(0, vote_req(3, 1, 4, 1, 2));
    assert_eq!(
        granted(&mut n),
        vec![(3, false)],
        "same last term but shorter"
    );
    n.step(0, vote_req(3, 1, 5, 2, 2));
    assert_eq!(granted(&mut n), vec![(3, true)]);
}

/// §5.4.1 in a cluster: a node missing committed entries cannot be elected.
#[test]
fn node_missing_committed_entries_cannot_win() {
    let mut c = Cluster::new(3);
    c.elect(1);
    c.cut.insert((1, 3));
    c.propose(1, b"x").unwrap();
    c.run();
    c.heal();
    c.crash(1);
    let now = c.now;
    assert!(c.node_mut(3).campaign(now));
    c.run();
    assert_ne!(c.node(3).role(), Role::Leader);
    c.elect(2);
}

/// §5.1: any message with a higher term turns a leader into a follower.
#[test]
fn higher_term_makes_leader_step_down() {
    let mut c = Cluster::new(3);
    c.elect(1);
    let t = c.node(1).term();
    let msg = Message {
        from: 2,
        to: 1,
        term: t + 3,
        body: MessageBody::RequestVoteResp {
            pre_vote: false,
            granted: false,
        },
    };
    c.node_mut(1).step(0, msg);
    assert_eq!(c.node(1).role(), Role::Follower);
    assert_eq!(c.node(1).term(), t + 3);
    assert_eq!(c.node(1).voted_for(), None);
}

/// §5.1: a stale leader learns the new term from the rejection of its append.
#[test]
fn stale_leader_is_told_the_new_term() {
    let mut c = Cluster::new(3);
    c.elect(1);
    c.isolate(1);
    c.advance(1_000_000);
    let new_leader = c.leader().unwrap();
    assert_ne!(new_leader, 1);
    c.heal();
    c.advance(100_000);
    assert_eq!(c.node(1).role(), Role::Follower);
    assert_eq!(c.node(1).leader_id(), Some(new_leader));
}

/// Thesis §9.6: a partitioned node running PreVote never wins a pre-vote, so it
/// never increments its term and does not disrupt the cluster when it rejoins.
#[test]
fn prevote_keeps_partitioned_node_from_inflating_its_term() {
    let mut c = Cluster::new(3);
    c.elect(1);
    let term = c.node(1).term();
    c.isolate(3);
    c.advance(2_000_000);
    assert_eq!(
        c.node(3).term(),
        term,
        "pre-votes fail without bumping the term"
    );
    assert_eq!(c.node(3).role(), Role::PreCandidate);
    c.heal();
    c.advance(300_000);
    assert_eq!(c.leader(), Some(1), "the leader was not disrupted");
    assert_eq!(c.node(1).term(), term);
    assert_eq!(c.node(3).role(), Role::Follower);
}

/// Contrast for thesis §9.6: without PreVote the same partition inflates the
/// term and the rejoining node deposes a healthy leader.
#[test]
fn without_prevote_rejoining_node_disrupts_the_leader() {
    let mut c = Cluster::with(3, |cfg| {
        cfg.pre_vote = false;
        cfg.check_quorum = false;
    });
    c.elect(1);
    let term = c.node(1).term();
    c.isolate(3);
    c.advance(2_000_000);
    assert!(c.node(3).term() > term + 3);
    c.heal();
    c.advance(10_000);
    assert!(
        c.node(1).term() > term,
        "the leader was forced into a new term"
    );
}

/// Thesis §6.2: a leader that cannot reach a majority for an election timeout steps down.
#[test]
fn check_quorum_steps_down_an_isolated_leader() {
    let mut c = Cluster::new(3);
    c.elect(1);
    c.isolate(1);
    c.advance(250_000);
    assert_eq!(c.node(1).role(), Role::Follower);
    assert_eq!(c.node(1).leader_id(), None);
}

/// Contrast: without CheckQuorum an isolated leader believes it leads forever.
#[test]
fn without_check_quorum_isolated_leader_stays_leader() {
    let mut c = Cluster::with(3, |cfg| cfg.check_quorum = false);
    c.elect(1);
    c.isolate(1);
    c.advance(2_000_000);
    assert_eq!(c.node(1).role(), Role::Leader);
}

/// Thesis §4.2.3: a follower that heard from its leader within the minimum
/// election timeout ignores RequestVote from a would-be disruptor.
#[test]
fn leader_stickiness_ignores_disruptive_vote_requests() {
    let mut c = Cluster::with(3, |cfg| cfg.pre_vote = false);
    c.elect(1);
    let t = c.node(1).term();
    let last = c.node(2).log().last_index();
    let now = c.now;
    c.node_mut(2).step(now, vote_req(3, 2, t + 1, last, t));
    assert_eq!(c.node(2).term(), t, "request ignored, term unchanged");
    assert!(!c.node(2).has_ready());
}

/// Learners receive the log but never campaign.
#[test]
fn learners_never_campaign() {
    let mut c = Cluster::with(3, |cfg| cfg.auto_promote_learners = false);
    c.elect(1);
    let now = c.now;
    c.nodes
        .insert(4, Node::new_joining(test_config(4), 4, now).unwrap());
    c.configs.insert(4, test_config(4));
    c.advance(50_000);
    c.node_mut(1)
        .propose_conf_change(now, raft_core::raft::ConfChange::AddLearner(4))
        .unwrap();
    c.advance(50_000);
    assert_eq!(c.node(4).learners(), &[4]);
    assert_eq!(
        c.node(4).poll_timeout(),
        None,
        "no election timer for a learner"
    );
    assert!(!c.node_mut(4).campaign(now));
    c.isolate(4);
    c.advance(2_000_000);
    assert_eq!(c.node(4).role(), Role::Follower);
}

/// §5.2: election timeouts are drawn from [min, max) and re-drawn.
#[test]
fn randomized_election_timeout_is_within_bounds() {
    let mut n = Node::new(test_config(1), &[1, 2, 3], 9, 1_000).unwrap();
    for _ in 0..50 {
        let to = n.randomized_election_timeout_us();
        assert!((100_000..200_000).contains(&to));
        assert_eq!(n.election_deadline_us(), Some(n.now_us() + to));
        let t = n.poll_timeout().unwrap();
        n.handle_timeout(t);
        assert_eq!(n.role(), Role::PreCandidate);
    }
}

/// Same seed and same inputs give the same run (the simulator relies on it).
#[test]
fn runs_are_deterministic() {
    let run = || {
        let mut c = Cluster::new(5);
        c.advance(3_000_000);
        (c.leader(), c.node(1).term(), c.delivered.len())
    };
    assert_eq!(run(), run());
}

/// A candidate that hears from a leader of its own term steps back (§5.2).
#[test]
fn candidate_yields_to_leader_of_same_term() {
    let mut cfg = test_config(3);
    cfg.pre_vote = false;
    let mut n = Node::new(cfg, &[1, 2, 3], 3, 0).unwrap();
    assert!(n.campaign(0));
    assert_eq!((n.role(), n.term()), (Role::Candidate, 1));
    let heartbeat = Message {
        from: 1,
        to: 3,
        term: 1,
        body: MessageBody::AppendEntries {
            prev_log_index: 0,
            prev_log_term: 0,
            entries: vec![],
            leader_commit: 0,
            read_seq: 0,
        },
    };
    n.step(10, heartbeat);
    assert_eq!(
        (n.role(), n.term(), n.leader_id()),
        (Role::Follower, 1, Some(1))
    );
    assert_eq!(n.voted_for(), Some(3), "the vote of the term is kept");
}

/// A candidate rejected by a majority gives up instead of waiting (§5.2).
#[test]
fn candidate_rejected_by_majority_becomes_follower() {
    let st = |terms: &[u64]| persisted(&[1, 2, 3], 1, terms);
    let mut c = Cluster::from_states(
        vec![(1, st(&[1])), (2, st(&[1, 1])), (3, st(&[1, 1]))],
        |cfg| cfg.pre_vote = false,
    );
    let now = c.now;
    c.node_mut(1).campaign(now);
    c.run();
    assert_eq!(c.node(1).role(), Role::Follower);
    assert_eq!(c.node(1).votes().len(), 0);
}

/// Single-voter clusters elect themselves and commit alone.
#[test]
fn single_node_elects_itself_and_commits() {
    let mut c = Cluster::new(1);
    c.advance(300_000);
    assert_eq!(c.leader(), Some(1));
    c.propose(1, b"solo").unwrap();
    c.run();
    assert_eq!(c.applied_commands(1), vec![b"solo".to_vec()]);
}
