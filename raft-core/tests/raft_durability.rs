//! The `Ready` contract, tested from the outside: servers whose disk holds
//! only what Readies hand out (persisted as `Ready`'s docs say), a network
//! the test controls, and crashes between any two steps, including after a
//! Ready's `messages` left and before its state was written. Whatever the
//! crash, no index is ever applied with two different entries.
//!
//! Each scenario also runs with the fix switched off
//! ([`Regressions::leader_counts_unpersisted_log`]) to show it catches the bug.

use raft_core::raft::{
    ConfChange, Config, Entry, Message, Node, PersistentState, Ready, Regressions,
};
use raft_core::types::{LogIndex, NodeId, Role};
use std::collections::{BTreeMap, VecDeque};

/// A server: the node, the disk built from its Readies, and what it applied.
struct Server {
    cfg: Config,
    node: Node,
    disk: PersistentState,
    /// The state machine: entries applied since the last (re)start, by index.
    applied: BTreeMap<LogIndex, Entry>,
    incarnation: u64,
}

/// Step 1 of a Ready, exactly as its documentation says.
fn persist(disk: &mut PersistentState, rd: &Ready) {
    if let Some(s) = &rd.snapshot {
        let (li, lt) = (s.meta.last_index, s.meta.last_term);
        if disk.entries.iter().any(|e| e.index == li && e.term == lt) {
            disk.entries.retain(|e| e.index > li);
        } else {
            disk.entries.clear();
        }
        disk.snapshot = s.clone();
    }
    if let Some(h) = rd.hard_state {
        disk.term = h.term;
        disk.voted_for = h.voted_for;
    }
    if let Some(first) = rd.entries.first() {
        disk.entries.retain(|e| e.index < first.index);
        disk.entries.extend(rd.entries.iter().cloned());
    }
}

struct Cluster {
    servers: BTreeMap<NodeId, Server>,
    net: VecDeque<Message>,
    now: u64,
    /// Every entry any server ever applied, by index (State Machine Safety).
    applied_ever: BTreeMap<LogIndex, (NodeId, Entry)>,
    violations: Vec<String>,
    /// A server whose disk writes never finish: its Readies' immediate
    /// messages leave, nothing is stored, nothing acknowledged.
    stalled_disk: Option<NodeId>,
}

fn config(id: NodeId, regressions: Regressions) -> Config {
    let mut cfg = Config::new(id);
    // Node 2 stays a learner, so node 1 is the only voter throughout.
    cfg.auto_promote_learners = false;
    cfg.regressions = regressions;
    cfg
}

impl Cluster {
    /// Node 1 the only voter, elected; node 2 a caught-up learner.
    fn lone_voter_and_learner(regressions: Regressions) -> Cluster {
        let mut c = Cluster {
            servers: BTreeMap::new(),
            net: VecDeque::new(),
            now: 0,
            applied_ever: BTreeMap::new(),
            violations: Vec::new(),
            stalled_disk: None,
        };
        for (id, voters) in [(1, vec![1]), (2, vec![])] {
            let cfg = config(id, regressions);
            let node = Node::new(cfg.clone(), &voters, id, 0).unwrap();
            let server = Server {
                cfg,
                node,
                disk: PersistentState::default(),
                applied: BTreeMap::new(),
                incarnation: 0,
            };
            c.servers.insert(id, server);
        }
        c.elect(1);
        let now = c.now;
        c.srv(1)
            .node
            .propose_conf_change(now, ConfChange::AddLearner(2))
            .unwrap();
        c.settle();
        assert_eq!(c.srv(2).node.learners(), [2]);
        c.propose(b"before");
        c.settle();
        assert_eq!(c.srv(2).node.commit_index(), c.srv(1).node.commit_index());
        c
    }

    /// Nodes 1 and 2, both voters, node 1 elected.
    fn two_voters() -> Cluster {
        let mut c = Cluster {
            servers: BTreeMap::new(),
            net: VecDeque::new(),
            now: 0,
            applied_ever: BTreeMap::new(),
            violations: Vec::new(),
            stalled_disk: None,
        };
        for id in [1, 2] {
            let cfg = config(id, Regressions::default());
            let node = Node::new(cfg.clone(), &[1, 2], id, 0).unwrap();
            let disk = node.persistent_state();
            let server = Server {
                cfg,
                node,
                disk,
                applied: BTreeMap::new(),
                incarnation: 0,
            };
            c.servers.insert(id, server);
        }
        c.elect(1);
        c
    }

    /// Lets `duration_us` pass in 10 ms steps: timers fire, the network settles.
    fn run_for(&mut self, duration_us: u64) {
        let end = self.now + duration_us;
        while self.now < end {
            self.now += 10_000;
            let now = self.now;
            for s in self.servers.values_mut() {
                s.node.handle_timeout(now);
            }
            self.settle();
        }
    }

    fn leader(&self) -> Option<NodeId> {
        self.servers
            .iter()
            .find(|(_, s)| s.node.role() == Role::Leader)
            .map(|(id, _)| *id)
    }

    fn srv(&mut self, id: NodeId) -> &mut Server {
        self.servers.get_mut(&id).unwrap()
    }

    fn elect(&mut self, id: NodeId) {
        self.now += 1_000;
        let now = self.now;
        assert!(self.srv(id).node.campaign(now));
        self.settle();
        assert_eq!(self.srv(id).node.role(), Role::Leader);
    }

    fn propose(&mut self, data: &[u8]) -> LogIndex {
        let now = self.now;
        self.srv(1).node.propose(now, data.to_vec()).unwrap()
    }

    /// Steps 2–4 of a Ready whose step 1 is done.
    fn finish(&mut self, id: NodeId, rd: Ready) {
        self.net.extend(rd.messages.iter().cloned());
        self.net.extend(rd.persisted_messages.iter().cloned());
        let srv = self.servers.get_mut(&id).unwrap();
        if rd.snapshot.is_some() {
            srv.applied.clear();
        }
        for e in &rd.committed_entries {
            srv.applied.insert(e.index, e.clone());
            match self.applied_ever.get(&e.index) {
                Some((who, first)) if first != e => self.violations.push(format!(
                    "node {id} applied {e:?} at {} where node {who} applied {first:?}",
                    e.index
                )),
                Some(_) => {}
                None => {
                    self.applied_ever.insert(e.index, (id, e.clone()));
                }
            }
        }
        srv.node.advance(rd);
    }

    /// Every server processes its Readies in full and the network delivers
    /// everything, until nothing moves.
    fn settle(&mut self) {
        for _ in 0..10_000 {
            let ids: Vec<NodeId> = self.servers.keys().copied().collect();
            for id in ids {
                while self.srv(id).node.has_ready() {
                    let rd = self.srv(id).node.ready();
                    if self.stalled_disk == Some(id) {
                        self.net.extend(rd.messages);
                        continue;
                    }
                    persist(&mut self.srv(id).disk, &rd);
                    self.finish(id, rd);
                }
            }
            let Some(m) = self.net.pop_front() else {
                return;
            };
            self.now += 10;
            let now = self.now;
            if let Some(s) = self.servers.get_mut(&m.to) {
                s.node.step(now, m);
            }
        }
        panic!("the cluster never settled");
    }

    /// Node `id`'s disk stalls: its Readies' immediate `messages` leave and the
    /// others answer them, but nothing it is handed reaches its disk. Then it
    /// crashes: the worst moment for it to have promised anything.
    fn messages_leave_then_crash(&mut self, id: NodeId) {
        self.stalled_disk = Some(id);
        self.settle();
        self.stalled_disk = None;
        self.restart(id);
    }

    /// A crash and restart from what the disk holds.
    fn restart(&mut self, id: NodeId) {
        self.now += 1_000;
        let now = self.now;
        let srv = self.srv(id);
        srv.incarnation += 1;
        srv.node = Node::restart(
            srv.cfg.clone(),
            srv.disk.clone(),
            100 + srv.incarnation,
            now,
        )
        .unwrap();
        // The state machine comes back from the stored snapshot.
        srv.applied.clear();
    }

    /// Both servers hold the same log up to node 1's commit index.
    fn converged(&mut self) -> bool {
        let commit = self.srv(1).node.commit_index();
        let log = |c: &mut Cluster, id| {
            let n = &c.srv(id).node;
            (n.log().first_index()..=commit)
                .map(|i| n.log().term_at(i))
                .collect::<Vec<_>>()
        };
        self.srv(2).node.commit_index() == commit && log(self, 1) == log(self, 2)
    }
}

/// Finding 1: a lone voter with a learner. The leader's Ready holds a new entry;
/// its AppendEntries leaves; the leader crashes before writing it, comes back
/// without it and commits something else at that index. The learner must not
/// have been told the lost entry was committed.
fn leader_crashes_before_its_entry_is_on_disk(regressions: Regressions) -> Result<(), String> {
    let mut c = Cluster::lone_voter_and_learner(regressions);
    let index = c.propose(b"lost?");
    c.messages_leave_then_crash(1);
    if c.srv(2).applied.contains_key(&index) {
        // Not yet a violation by itself, but the lost entry was applied.
        c.violations.push(format!(
            "the learner applied index {index} the leader never stored"
        ));
    }
    c.elect(1);
    c.propose(b"after");
    c.settle();
    if !c.converged() {
        c.violations.push("the learner never caught up".into());
    }
    match c.violations.is_empty() {
        true => Ok(()),
        false => Err(c.violations.join("; ")),
    }
}

/// The same with a new term: the lone voter elects itself, so its term is not
/// on disk when its first AppendEntries of that term could leave. Back from a
/// crash it wins the same term again and sends different entries under it:
/// the learner, holding an entry of that index and term, would keep the old one.
fn leader_crashes_before_its_term_is_on_disk(regressions: Regressions) -> Result<(), String> {
    let mut c = Cluster::lone_voter_and_learner(regressions);
    c.restart(1); // everything stored: a follower again, of the same term
    let now = c.now + 1_000;
    assert!(c.srv(1).node.campaign(now));
    assert_eq!(
        c.srv(1).node.role(),
        Role::Leader,
        "a lone voter wins at once"
    );
    let term = c.srv(1).node.term();
    let index = c.propose(b"first reign");
    c.messages_leave_then_crash(1);
    c.elect(1);
    assert_eq!(
        c.srv(1).node.term(),
        term,
        "the same term again: it was never stored"
    );
    assert_eq!(c.propose(b"second reign"), index);
    c.settle();
    if !c.converged() {
        c.violations
            .push("the learner's log differs from the leader's".into());
    }
    match c.violations.is_empty() {
        true => Ok(()),
        false => Err(c.violations.join("; ")),
    }
}

const FIXED: Regressions = Regressions {
    leader_counts_unpersisted_log: false,
    skip_old_snapshot: false,
    ack_before_durable: false,
};
const REVERTED: Regressions = Regressions {
    leader_counts_unpersisted_log: true,
    ..FIXED
};

#[test]
fn a_lone_leader_commits_only_what_its_disk_holds() {
    assert_eq!(leader_crashes_before_its_entry_is_on_disk(FIXED), Ok(()));
}

#[test]
fn counting_the_unpersisted_log_loses_a_committed_entry() {
    let err = leader_crashes_before_its_entry_is_on_disk(REVERTED).unwrap_err();
    println!("caught with the fix reverted: {err}");
}

#[test]
fn no_message_carries_a_term_before_it_is_on_disk() {
    assert_eq!(leader_crashes_before_its_term_is_on_disk(FIXED), Ok(()));
}

#[test]
fn sending_an_unstored_term_lets_one_term_hold_two_entries() {
    let err = leader_crashes_before_its_term_is_on_disk(REVERTED).unwrap_err();
    println!("caught with the fix reverted: {err}");
}

/// A Ready acknowledged late (an asynchronous disk): the lone leader commits
/// only when the write is acknowledged, not when it is handed out.
#[test]
fn a_lone_leader_commits_on_acknowledgement() {
    let mut n = Node::new(Config::new(1), &[1], 7, 0).unwrap();
    assert!(n.campaign(0));
    let rd = n.ready();
    assert!(
        rd.snapshot.is_some(),
        "the first Ready carries the bootstrap configuration"
    );
    assert_eq!(rd.entries.len(), 1, "the leader's no-op");
    assert_eq!(n.commit_index(), 0, "not on disk yet");
    let first = rd.number;
    let index = n.propose(0, b"x".to_vec()).unwrap();
    let rd2 = n.ready();
    assert!(rd2.committed_entries.is_empty());
    n.on_persisted(first);
    assert_eq!(
        n.commit_index(),
        index - 1,
        "the no-op is durable, the proposal is not"
    );
    n.on_persisted(rd2.number);
    assert_eq!(n.commit_index(), index);
    let rd3 = n.ready();
    assert_eq!(rd3.committed_entries.len(), 2);
    n.on_persisted(rd2.number + 100); // never handed out: ignored
    n.advance(rd3);
}

/// An application that stores only what Readies hand out can restart a node
/// that has never had a snapshot: the first Ready carried its configuration.
#[test]
fn the_first_ready_carries_the_bootstrap_configuration() {
    let mut n = Node::new(Config::new(1), &[1, 2, 3], 7, 0).unwrap();
    let rd = n.ready();
    let mut disk = PersistentState::default();
    persist(&mut disk, &rd);
    n.advance(rd);
    let mut back = Node::restart(Config::new(1), disk, 7, 10).unwrap();
    assert_eq!(back.voters(), [1, 2, 3]);
    assert!(back.ready().snapshot.is_none(), "no echo after a restart");
}

/// Found by the widened swarm: the leader of {1, 2} proposes removing node 2;
/// node 2 appends that configuration, the leader crashes before storing it.
/// Node 1 (config {1, 2}, the shorter log) needs node 2's vote, which node
/// 2 must refuse (its log is more up-to-date); node 2 (config {1}) is not a
/// voter of its latest configuration. Node 2 must still campaign, as a
/// removed leader still leads until its removal commits (thesis §4.2.2).
#[test]
fn a_server_whose_removal_is_uncommitted_still_campaigns() {
    let mut c = Cluster::two_voters();
    let now = c.now;
    c.srv(1)
        .node
        .propose_conf_change(now, ConfChange::RemoveServer(2))
        .unwrap();
    c.messages_leave_then_crash(1);
    assert_eq!(c.srv(1).node.voters(), [1, 2], "node 1 lost the change");
    assert_eq!(c.srv(2).node.voters(), [1], "node 2 holds it");
    c.run_for(3_000_000);
    let leader = c.leader().expect("a leader within 3 s");
    assert_eq!(
        leader, 1,
        "node 2 won, committed its removal, and stepped down"
    );
    assert_eq!(c.srv(1).node.voters(), [1]);
    let now = c.now;
    let index = c.srv(1).node.propose(now, b"after".to_vec()).unwrap();
    c.run_for(100_000);
    assert!(c.srv(1).node.commit_index() >= index);
    assert!(c.violations.is_empty(), "{:?}", c.violations);
}

/// Finding 4: times near the top of the range saturate instead of overflowing.
#[test]
fn times_near_u64_max_do_not_overflow() {
    let top = u64::MAX - 5;
    let mut n = Node::new(Config::new(1), &[1, 2, 3], 7, top).unwrap();
    n.handle_timeout(u64::MAX);
    assert!(n.campaign(u64::MAX));
    assert_eq!(n.poll_timeout(), Some(u64::MAX));
    let mut solo = Node::new(Config::new(1), &[1], 7, top).unwrap();
    solo.handle_timeout(u64::MAX);
    assert_eq!(solo.role(), Role::Leader);
    solo.handle_timeout(u64::MAX);
    let _ = solo.transfer_leadership(u64::MAX, 2);
    let rd = solo.ready();
    solo.advance(rd);
}
