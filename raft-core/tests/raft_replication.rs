//! Log replication and commitment (paper §5.3, §5.4.2, Figures 7 and 8).

mod common;

use common::*;
use raft_core::raft::{
    Entry, EntryPayload, Message, MessageBody, Node, ProgressState, ProposeError,
};
use raft_core::Role;

/// Paper Figure 7: the leader of term 8 meets followers (a)–(f) whose logs are
/// missing entries, have extra uncommitted ones, or both. Replication makes
/// every log identical to the leader's.
#[test]
fn figure_7_leader_reconciles_every_follower_log() {
    let voters = [1, 2, 3, 4, 5, 6, 7];
    let leader = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    let followers: [&[u64]; 6] = [
        &[1, 1, 1, 4, 4, 5, 5, 6, 6],          // (a) missing one
        &[1, 1, 1, 4],                         // (b) missing many
        &[1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],    // (c) one extra
        &[1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7], // (d) extra from term 7
        &[1, 1, 1, 4, 4, 4, 4],                // (e) missing and extra
        &[1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],    // (f) a leader of terms 2–3
    ];
    let mut states = vec![(1, persisted(&voters, 7, &leader))];
    for (i, f) in followers.iter().enumerate() {
        states.push((i as u64 + 2, persisted(&voters, 7, f)));
    }
    let mut c = Cluster::from_states(states, |_| {});
    c.elect(1);
    assert_eq!(c.node(1).term(), 8);
    c.advance(50_000);
    let expected: Vec<u64> = leader.iter().copied().chain([8]).collect();
    for id in voters {
        assert_eq!(c.log_terms(id), expected, "follower {id}");
        assert_eq!(c.node(id).commit_index(), 11);
    }
    // Fast backtracking (thesis §5.3): one or two rejections per follower, not one per entry.
    let rejections: Vec<usize> = (2..=7).map(|id| c.rejections_from(id)).collect();
    assert_eq!(rejections, [1, 1, 0, 0, 2, 2]);
}

fn figure_8(commit_old_term: bool) -> Cluster {
    let v = [1, 2, 3, 4, 5];
    let mut c = Cluster::from_states(
        vec![
            (1, persisted(&v, 3, &[1, 2])),
            (2, persisted(&v, 3, &[1, 2])),
            (3, persisted(&v, 3, &[1])),
            (4, persisted(&v, 3, &[1])),
            (5, persisted(&v, 3, &[1, 3])),
        ],
        |cfg| {
            cfg.pre_vote = false;
            cfg.check_quorum = false;
            cfg.max_entries_per_msg = 1;
            cfg.bugs.commit_old_term = commit_old_term;
        },
    );
    c.checks = !commit_old_term;
    // (c): S5 is down, S4 unreachable; S1 wins term 4 with S2 and S3 ...
    c.down.insert(5);
    c.cut.insert((1, 4));
    c.cut.insert((4, 1));
    let now = c.now;
    c.node_mut(1).campaign(now);
    assert!(c.run_until(|c| c.node(1).progress(3).is_some_and(|p| p.match_index == 2)));
    assert_eq!((c.node(1).role(), c.node(1).term()), (Role::Leader, 4));
    // ... and replicates the term-2 entry to S3, but not its term-4 entry.
    c.cut.insert((1, 3));
    c.run();
    c
}

/// Paper §5.4.2 / Figure 8 (c): the entry of term 2 sits on a majority, yet
/// the leader of term 4 must not commit it by counting replicas.
#[test]
fn figure_8_old_term_entry_is_not_committed_by_counting_replicas() {
    let c = figure_8(false);
    assert_eq!(c.node(1).progress(2).unwrap().match_index, 3);
    assert_eq!(c.node(1).progress(3).unwrap().match_index, 2);
    assert_eq!(c.node(1).commit_index(), 0);
}

/// Figure 8 with the planted bug `commit_old_term`: the leader commits the
/// term-2 entry, then (d) S5 is elected and overwrites it: a committed entry
/// is lost and two state machines apply different commands at index 2.
#[test]
fn figure_8_bug_commit_old_term_loses_a_committed_entry() {
    let mut c = figure_8(true);
    assert_eq!(
        c.node(1).commit_index(),
        2,
        "the bug commits the old-term entry"
    );
    assert_eq!(
        c.applied[&1].last().map(|e| (e.index, e.term)),
        Some((2, 2))
    );
    c.crash(1);
    c.down.remove(&5);
    c.heal();
    for _ in 0..3 {
        let now = c.now;
        if c.node_mut(5).campaign(now) {
            c.run();
        }
    }
    assert_eq!(c.node(5).role(), Role::Leader);
    c.advance(50_000);
    assert!(
        c.violations
            .iter()
            .any(|v| v.contains("state machine safety")),
        "{:?}",
        c.violations
    );
}

/// The same scenario without the bug stays safe through S5's election.
#[test]
fn figure_8_without_bug_stays_safe_when_s5_wins() {
    let mut c = figure_8(false);
    c.crash(1);
    c.down.remove(&5);
    c.heal();
    for _ in 0..3 {
        let now = c.now;
        if c.node_mut(5).campaign(now) {
            c.run();
        }
    }
    c.advance(50_000);
    assert!(c.violations.is_empty());
    assert_eq!(c.log_terms(3), [1, 3, 5]);
}

fn append(
    from: u64,
    to: u64,
    term: u64,
    prev: (u64, u64),
    entries: Vec<Entry>,
    commit: u64,
) -> Message {
    Message {
        from,
        to,
        term,
        body: MessageBody::AppendEntries {
            prev_log_index: prev.0,
            prev_log_term: prev.1,
            entries,
            leader_commit: commit,
            read_seq: 0,
        },
    }
}

fn responses(n: &mut Node) -> Vec<(bool, u64, u64, u64)> {
    let mut rd = n.ready();
    rd.all_messages()
        .filter_map(|m| match m.body {
            MessageBody::AppendEntriesResp {
                success,
                index,
                conflict_index,
                conflict_term,
                ..
            } => Some((success, index, conflict_index, conflict_term)),
            _ => None,
        })
        .collect()
}

/// §5.3: a follower refuses entries whose predecessor does not match, and hints
/// where its log diverges.
#[test]
fn consistency_check_rejects_mismatched_prev_entry() {
    let mut n = Node::restart(test_config(2), persisted(&[1, 2, 3], 3, &[1, 1, 2]), 2, 0).unwrap();
    n.step(0, append(1, 2, 3, (3, 3), vec![cmd(4, 3)], 0));
    assert_eq!(responses(&mut n), vec![(false, 3, 3, 2)]);
    n.step(0, append(1, 2, 3, (5, 3), vec![], 0));
    assert_eq!(
        responses(&mut n),
        vec![(false, 5, 4, 0)],
        "missing entries: hint last + 1"
    );
    assert_eq!(n.log().last_index(), 3);
}

/// §5.3 Figure 2 rule 3: a conflicting suffix is truncated and replaced.
#[test]
fn follower_truncates_conflicting_suffix() {
    let mut n = Node::restart(
        test_config(2),
        persisted(&[1, 2, 3], 3, &[1, 1, 2, 2]),
        2,
        0,
    )
    .unwrap();
    n.step(0, append(1, 2, 3, (2, 1), vec![cmd(3, 3)], 0));
    assert_eq!(responses(&mut n), vec![(true, 3, 0, 0)]);
    let terms: Vec<u64> = n.log().entries().iter().map(|e| e.term).collect();
    assert_eq!(terms, [1, 1, 3]);
}

/// The truncation is reported to storage: Ready.entries starts at the
/// overwritten index, and entries already held are not repeated.
#[test]
fn ready_entries_report_overwrites() {
    let mut n = Node::restart(
        test_config(2),
        persisted(&[1, 2, 3], 3, &[1, 1, 2, 2]),
        2,
        0,
    )
    .unwrap();
    assert!(n.ready().entries.is_empty());
    n.step(0, append(1, 2, 3, (1, 1), vec![cmd(2, 1), cmd(3, 3)], 0));
    let rd = n.ready();
    assert_eq!(
        rd.entries
            .iter()
            .map(|e| (e.index, e.term))
            .collect::<Vec<_>>(),
        [(3, 3)]
    );
}

/// A follower never commits beyond the last entry the leader has confirmed
/// to match (Figure 2 rule 5: min(leaderCommit, index of last new entry)).
#[test]
fn follower_commit_is_capped_by_last_new_entry() {
    let mut n = Node::restart(
        test_config(2),
        persisted(&[1, 2, 3], 3, &[1, 1, 2, 2]),
        2,
        0,
    )
    .unwrap();
    n.step(0, append(1, 2, 3, (2, 1), vec![], 4));
    assert_eq!(n.commit_index(), 2, "entries 3–4 are not known to match");
}

/// A forged append that would overwrite committed entries is ignored.
#[test]
fn committed_entries_are_never_truncated() {
    let mut n = Node::restart(test_config(2), persisted(&[1, 2, 3], 3, &[1, 1, 2]), 2, 0).unwrap();
    n.step(0, append(1, 2, 3, (3, 2), vec![], 3));
    assert_eq!(n.commit_index(), 3);
    n.ready();
    n.step(0, append(1, 2, 3, (1, 1), vec![cmd(2, 3)], 3));
    assert_eq!(n.log().term_at(2), Some(1));
    assert_eq!(n.log().last_index(), 3);
}

/// Committed entries come out in index order, each exactly once.
#[test]
fn committed_entries_are_applied_in_order_exactly_once() {
    let mut c = Cluster::new(5);
    c.elect(1);
    for i in 0..50u8 {
        c.propose(1, &[i]).unwrap();
        if i % 7 == 0 {
            c.run();
        }
    }
    c.advance(100_000);
    for id in 1..=5 {
        let idx: Vec<u64> = c.applied[&id].iter().map(|e| e.index).collect();
        assert_eq!(idx, (1..=51).collect::<Vec<_>>(), "node {id}");
        assert_eq!(
            c.applied_commands(id),
            (0..50u8).map(|i| vec![i]).collect::<Vec<_>>()
        );
    }
}

/// Flow control: no AppendEntries carries more than `max_entries_per_msg`
/// entries, and proposals made back to back share messages.
#[test]
fn appends_are_batched_and_bounded() {
    let mut c = Cluster::with(3, |cfg| cfg.max_entries_per_msg = 4);
    c.elect(1);
    c.delivered.clear();
    for i in 0..10u8 {
        c.propose(1, &[i]).unwrap();
    }
    c.run();
    let sizes: Vec<usize> = c
        .delivered
        .iter()
        .filter_map(|m| match &m.body {
            MessageBody::AppendEntries { entries, .. } if m.to == 2 && !entries.is_empty() => {
                Some(entries.len())
            }
            _ => None,
        })
        .collect();
    assert_eq!(sizes, [4, 4, 2]);
    assert_eq!(c.node(2).commit_index(), 11);
}

/// Flow control: in Replicate state at most `max_inflight_msgs` appends are
/// unacknowledged; the leader pauses until acks free slots.
#[test]
fn inflight_appends_are_bounded() {
    let mut c = Cluster::with(3, |cfg| {
        cfg.max_entries_per_msg = 1;
        cfg.max_inflight_msgs = 3;
    });
    c.elect(1);
    c.cut.insert((2, 1));
    for i in 0..10u8 {
        c.propose(1, &[i]).unwrap();
    }
    c.collect();
    let to2 = c
        .queue
        .iter()
        .filter(|m| m.to == 2 && !m.body.is_heartbeat())
        .count();
    assert_eq!(to2, 3);
    let pr = c.node(1).progress(2).unwrap();
    assert_eq!(
        (pr.state, pr.inflight_count()),
        (ProgressState::Replicate, 3)
    );
    c.heal();
    c.run();
    assert_eq!(c.node(2).log().last_index(), 11);
}

/// Lost appends are recovered through heartbeats and probing.
#[test]
fn lost_appends_are_retransmitted() {
    let mut c = Cluster::new(3);
    c.elect(1);
    c.propose(1, b"a").unwrap();
    c.collect();
    c.queue.retain(|m| m.to != 3);
    c.run();
    c.propose(1, b"b").unwrap();
    c.collect();
    c.queue.retain(|m| m.to != 3);
    c.advance(100_000);
    assert_eq!(c.applied_commands(3), [b"a".to_vec(), b"b".to_vec()]);
}

/// Heartbeats go out every heartbeat interval and carry the commit index.
#[test]
fn heartbeats_keep_followers_and_carry_commit() {
    let mut c = Cluster::new(3);
    c.elect(1);
    c.delivered.clear();
    c.advance(100_000);
    let beats = c
        .delivered
        .iter()
        .filter(|m| m.from == 1 && m.body.is_heartbeat())
        .count();
    assert_eq!(beats, 20, "10 ms interval, 2 followers");
    assert_eq!(c.node(2).commit_index(), 1);
    assert_eq!(c.leader(), Some(1));
}

/// Clients of a follower are redirected with a leader hint (paper §8).
#[test]
fn followers_refuse_proposals_with_leader_hint() {
    let mut c = Cluster::new(3);
    assert_eq!(
        c.propose(2, b"x"),
        Err(ProposeError::NotLeader { leader_hint: None })
    );
    c.elect(1);
    assert_eq!(
        c.propose(2, b"x"),
        Err(ProposeError::NotLeader {
            leader_hint: Some(1)
        })
    );
}

/// Oversized proposals and a full uncommitted window are refused.
#[test]
fn proposals_are_bounded() {
    let mut c = Cluster::with(3, |cfg| {
        cfg.max_size_per_msg_bytes = 8;
        cfg.max_uncommitted_entries = 3;
    });
    c.elect(1);
    assert_eq!(c.propose(1, &[0; 9]), Err(ProposeError::TooLarge));
    c.isolate(1);
    c.propose(1, b"1").unwrap();
    c.propose(1, b"2").unwrap();
    c.propose(1, b"3").unwrap();
    assert_eq!(c.propose(1, b"4"), Err(ProposeError::Busy));
}

/// The no-op a new leader appends commits earlier-term entries indirectly (§5.4.2).
#[test]
fn new_leader_commits_old_entries_through_its_noop() {
    let v = [1, 2, 3];
    let mut c = Cluster::from_states(
        vec![
            (1, persisted(&v, 2, &[1, 2])),
            (2, persisted(&v, 2, &[1, 2])),
            (3, persisted(&v, 2, &[1])),
        ],
        |_| {},
    );
    c.elect(1);
    c.advance(20_000);
    for id in v {
        assert_eq!(c.node(id).commit_index(), 3);
        assert!(matches!(
            c.node(id).log().entry(3).unwrap().payload,
            EntryPayload::Noop
        ));
    }
}
