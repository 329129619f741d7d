//! Property tests: random interleavings, losses, duplicates, crashes and
//! partitions never break the safety properties of paper Figure 3, and
//! arbitrary (malformed, stale, misaddressed) messages never panic a node.

mod common;

use common::*;
use proptest::prelude::*;
use raft_core::raft::{
    ConfChange, Entry, EntryPayload, Message, MessageBody, Node, Snapshot, SnapshotMeta,
};
use raft_core::{NodeId, Role};

#[derive(Clone, Debug)]
enum Action {
    Deliver(usize),
    Drop(usize),
    Duplicate(usize),
    Timeout,
    Propose(NodeId),
    CrashOrRestart(NodeId),
    Read(NodeId),
    Transfer(NodeId, NodeId),
    Compact(NodeId),
    Partition(NodeId),
    Heal,
}

fn action(n: u64) -> impl Strategy<Value = Action> {
    prop_oneof![
        12 => any::<usize>().prop_map(Action::Deliver),
        2 => any::<usize>().prop_map(Action::Drop),
        2 => any::<usize>().prop_map(Action::Duplicate),
        5 => Just(Action::Timeout),
        4 => (1..=n).prop_map(Action::Propose),
        1 => (1..=n).prop_map(Action::CrashOrRestart),
        1 => (1..=n).prop_map(Action::Read),
        1 => (1..=n, 1..=n).prop_map(|(a, b)| Action::Transfer(a, b)),
        1 => (1..=n).prop_map(Action::Compact),
        1 => (1..=n).prop_map(Action::Partition),
        1 => Just(Action::Heal),
    ]
}

/// Fires the earliest due timer(s) among live nodes.
fn fire_next_timer(c: &mut Cluster) {
    let next = c
        .nodes
        .iter()
        .filter(|(id, _)| !c.down.contains(id))
        .filter_map(|(_, n)| n.poll_timeout())
        .min();
    if let Some(t) = next {
        c.now = c.now.max(t);
        let now = c.now;
        let ids: Vec<NodeId> = c.nodes.keys().copied().collect();
        for id in ids {
            if !c.down.contains(&id) && c.nodes[&id].poll_timeout().is_some_and(|d| d <= now) {
                c.node_mut(id).handle_timeout(now);
            }
        }
    }
}

fn apply(c: &mut Cluster, a: Action, counter: &mut u64) {
    let now = c.now;
    match a {
        Action::Deliver(i) if !c.queue.is_empty() => {
            let m = c.queue.remove(i % c.queue.len()).unwrap();
            c.deliver(m);
        }
        Action::Drop(i) if !c.queue.is_empty() => {
            c.queue.remove(i % c.queue.len());
        }
        Action::Duplicate(i) if !c.queue.is_empty() => {
            let m = c.queue[i % c.queue.len()].clone();
            c.queue.push_back(m);
        }
        Action::Timeout => fire_next_timer(c),
        Action::Propose(id) if !c.down.contains(&id) => {
            *counter += 1;
            let _ = c.node_mut(id).propose(now, counter.to_le_bytes().to_vec());
        }
        Action::CrashOrRestart(id) => {
            if c.down.contains(&id) {
                c.restart(id);
            } else if c.down.len() + 1 < c.nodes.len() {
                c.crash(id);
            }
        }
        Action::Read(id) if !c.down.contains(&id) => {
            *counter += 1;
            let _ = c.node_mut(id).read_index(now, *counter);
        }
        Action::Transfer(a, b) if !c.down.contains(&a) => {
            let _ = c.node_mut(a).transfer_leadership(now, b);
        }
        Action::Compact(id) if !c.down.contains(&id) => {
            let applied = c.node(id).applied_index();
            let _ = c
                .node_mut(id)
                .compact(applied, applied.to_le_bytes().to_vec());
        }
        Action::Partition(id) => c.isolate(id),
        Action::Heal => c.heal(),
        _ => {}
    }
    c.collect(); // checks election safety, log matching, leader completeness, state machine safety
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Paper Figure 3 properties hold after every step of any schedule, and once
    /// the network is healed and every node is up, the cluster makes progress.
    #[test]
    fn safety_under_random_schedules(
        seed in any::<u64>(),
        five in any::<bool>(),
        pre_vote in any::<bool>(),
        check_quorum in any::<bool>(),
        actions in prop::collection::vec(action(5), 1..400),
    ) {
        let n = if five { 5 } else { 3 };
        let mut c = Cluster::with(n, |cfg| {
            cfg.pre_vote = pre_vote;
            cfg.check_quorum = check_quorum;
            cfg.max_entries_per_msg = 3;
            cfg.max_inflight_msgs = 2;
        });
        c.seed = seed;
        let mut counter = 0;
        for a in actions {
            let a = match a {
                Action::Propose(id) | Action::CrashOrRestart(id) | Action::Read(id) | Action::Compact(id) | Action::Partition(id) if id > n => Action::Timeout,
                Action::Transfer(a, b) if a > n || b > n => Action::Timeout,
                other => other,
            };
            apply(&mut c, a, &mut counter);
        }
        // Liveness once the storm is over.
        c.heal();
        for id in 1..=n {
            if c.down.contains(&id) {
                c.restart(id);
            }
        }
        c.advance(3_000_000);
        let leader = c.leader().expect("a leader after healing");
        let now = c.now;
        prop_assert!(c.node_mut(leader).propose(now, b"final".to_vec()).is_ok());
        c.advance(200_000);
        for id in 1..=n {
            prop_assert_eq!(c.node(id).commit_index(), c.node(leader).commit_index());
        }
    }
}

fn entries_strategy() -> impl Strategy<Value = Vec<Entry>> {
    prop::collection::vec(
        (
            0u64..12,
            0u64..6,
            prop_oneof![
                Just(EntryPayload::Noop),
                any::<u8>().prop_map(|b| EntryPayload::Command(vec![b].into())),
                (0u64..6).prop_map(|id| EntryPayload::ConfChange(ConfChange::AddLearner(id))),
                (0u64..6).prop_map(|id| EntryPayload::ConfChange(ConfChange::RemoveServer(id))),
                (0u64..6).prop_map(|id| EntryPayload::ConfChange(ConfChange::PromoteLearner(id))),
            ],
        )
            .prop_map(|(index, term, payload)| Entry {
                index,
                term,
                payload,
            }),
        0..4,
    )
}

fn index() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..12, Just(u64::MAX), Just(u64::MAX - 1), any::<u64>()]
}

fn body_strategy() -> impl Strategy<Value = MessageBody> {
    prop_oneof![
        (any::<bool>(), index(), 0u64..8, any::<bool>()).prop_map(
            |(pre_vote, last_log_index, last_log_term, leader_transfer)| {
                MessageBody::RequestVote {
                    pre_vote,
                    last_log_index,
                    last_log_term,
                    leader_transfer,
                }
            }
        ),
        (any::<bool>(), any::<bool>())
            .prop_map(|(pre_vote, granted)| MessageBody::RequestVoteResp { pre_vote, granted }),
        (index(), 0u64..8, entries_strategy(), index(), 0u64..4).prop_map(
            |(p, pt, mut entries, leader_commit, read_seq)| {
                // Half the time make the entries contiguous so they pass validation.
                if p < 12 && pt % 2 == 0 {
                    for (i, e) in entries.iter_mut().enumerate() {
                        e.index = p + 1 + i as u64;
                        e.term = pt.max(e.term);
                    }
                }
                MessageBody::AppendEntries {
                    prev_log_index: p,
                    prev_log_term: pt,
                    entries,
                    leader_commit,
                    read_seq,
                }
            }
        ),
        (any::<bool>(), index(), index(), index(), 0u64..8, 0u64..4).prop_map(
            |(success, index, last_index, conflict_index, conflict_term, read_seq)| {
                MessageBody::AppendEntriesResp {
                    success,
                    index,
                    last_index,
                    conflict_index,
                    conflict_term,
                    read_seq,
                }
            }
        ),
        (index(), 0u64..8, prop::collection::vec(0u64..6, 0..4)).prop_map(
            |(last_index, last_term, voters)| MessageBody::InstallSnapshot {
                snapshot: Box::new(Snapshot {
                    meta: SnapshotMeta {
                        last_index,
                        last_term,
                        membership: raft_core::raft::Membership::with_voters(&voters)
                    },
                    data: vec![1, 2, 3],
                }),
            }
        ),
        index().prop_map(|last_index| MessageBody::InstallSnapshotResp { last_index }),
        Just(MessageBody::TimeoutNow),
    ]
}

fn message_strategy() -> impl Strategy<Value = Message> {
    (
        0u64..6,
        0u64..6,
        prop_oneof![0u64..8, Just(u64::MAX)],
        body_strategy(),
    )
        .prop_map(|(from, to, term, body)| Message {
            from,
            to,
            term,
            body,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Bad input: arbitrary messages (stale, forged, misaddressed, out-of-range
    /// or overflowing indexes, answers to nothing asked) never panic a node in
    /// any role, and basic invariants survive.
    #[test]
    fn arbitrary_messages_never_panic(msgs in prop::collection::vec(message_strategy(), 1..60), role in 0u8..3) {
        let mut c = Cluster::new(3);
        match role {
            0 => c.elect(1),
            1 => { let now = c.now; c.node_mut(1).campaign(now); }
            _ => { c.elect(2); }
        }
        c.propose(c.leader().unwrap_or(1), b"x").ok();
        c.run();
        let mut n: Node = c.node(1).clone();
        let mut term = n.term();
        let mut t = c.now;
        for mut m in msgs {
            if m.to != 0 { m.to = 1; }
            t += 1_000;
            n.step(t, m);
            let _ = n.ready();
            n.handle_timeout(t);
            prop_assert!(n.term() >= term);
            term = n.term();
            prop_assert!(n.commit_index() <= n.log().last_index());
            prop_assert!(n.applied_index() <= n.commit_index());
            if n.role() == Role::Leader {
                prop_assert_eq!(n.leader_id(), Some(1));
            }
        }
    }
}
