//! A deterministic in-memory network for scenario tests.
//!
//! Messages are queued in send order and delivered one at a time (or by the
//! test, out of order). Links can be cut, nodes crashed and restarted from
//! their persisted state. After every step the safety properties of paper
//! Figure 3 are checked unless a test turns the checks off to watch a bug.
#![allow(dead_code)]

use raft_core::raft::{
    Config, Entry, EntryPayload, Message, Node, PersistentState, ProposeError, ReadState, Snapshot,
};
use raft_core::{LogIndex, NodeId, Role, Term, TimeUs};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Fast timers for tests: 10 ms heartbeats, 100–200 ms elections.
pub fn test_config(id: NodeId) -> Config {
    let mut c = Config::new(id);
    c.election_timeout_min_us = 100_000;
    c.election_timeout_max_us = 200_000;
    c.heartbeat_interval_us = 10_000;
    c
}

/// An entry with a command payload, for building logs by hand.
pub fn cmd(index: LogIndex, term: Term) -> Entry {
    Entry {
        index,
        term,
        payload: EntryPayload::Command(vec![index as u8, term as u8].into()),
    }
}

/// Persistent state holding a log with the given terms (index i+1 has terms[i]).
pub fn persisted(voters: &[NodeId], term: Term, terms: &[Term]) -> PersistentState {
    let mut st = PersistentState {
        term,
        ..Default::default()
    };
    st.snapshot.meta.membership = raft_core::raft::Membership::with_voters(voters);
    st.entries = terms
        .iter()
        .enumerate()
        .map(|(i, &t)| cmd(i as LogIndex + 1, t))
        .collect();
    st
}

pub struct Cluster {
    pub nodes: BTreeMap<NodeId, Node>,
    pub configs: BTreeMap<NodeId, Config>,
    pub now: TimeUs,
    pub queue: VecDeque<Message>,
    pub down: BTreeSet<NodeId>,
    /// Directed links that drop everything.
    pub cut: BTreeSet<(NodeId, NodeId)>,
    /// Entries each node applied (cleared when it restores a snapshot).
    pub applied: BTreeMap<NodeId, Vec<Entry>>,
    /// Snapshots each node was handed.
    pub snapshots: BTreeMap<NodeId, Vec<Snapshot>>,
    pub read_states: BTreeMap<NodeId, Vec<ReadState>>,
    /// Every delivered message, for counting.
    pub delivered: Vec<Message>,
    /// index -> (entry, term of the node that applied it) first seen applied anywhere.
    pub committed: BTreeMap<LogIndex, (Entry, Term)>,
    pub leaders: BTreeMap<Term, NodeId>,
    pub persisted: BTreeMap<NodeId, PersistentState>,
    /// Check safety after every step (off to watch planted bugs).
    pub checks: bool,
    pub violations: Vec<String>,
    pub seed: u64,
}

impl Cluster {
    pub fn new(n: u64) -> Self {
        Self::with(n, |_| {})
    }

    pub fn with(n: u64, tweak: impl Fn(&mut Config)) -> Self {
        let ids: Vec<NodeId> = (1..=n).collect();
        let mut c = Cluster::empty(7);
        for &id in &ids {
            let mut cfg = test_config(id);
            tweak(&mut cfg);
            c.nodes
                .insert(id, Node::new(cfg.clone(), &ids, c.seed + id, 0).unwrap());
            c.configs.insert(id, cfg);
        }
        c
    }

    /// Nodes restarted from hand-built persistent states.
    pub fn from_states(
        states: Vec<(NodeId, PersistentState)>,
        tweak: impl Fn(&mut Config),
    ) -> Self {
        let mut c = Cluster::empty(7);
        for (id, st) in states {
            let mut cfg = test_config(id);
            tweak(&mut cfg);
            c.nodes
                .insert(id, Node::restart(cfg.clone(), st, c.seed + id, 0).unwrap());
            c.configs.insert(id, cfg);
        }
        c
    }

    fn empty(seed: u64) -> Self {
        Cluster {
            nodes: BTreeMap::new(),
            configs: BTreeMap::new(),
            now: 0,
            queue: VecDeque::new(),
            down: BTreeSet::new(),
            cut: BTreeSet::new(),
            applied: BTreeMap::new(),
            snapshots: BTreeMap::new(),
            read_states: BTreeMap::new(),
            delivered: Vec::new(),
            committed: BTreeMap::new(),
            leaders: BTreeMap::new(),
            persisted: BTreeMap::new(),
            checks: true,
            violations: Vec::new(),
            seed,
        }
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[&id]
    }

    pub fn node_mut(&mut self, id: NodeId) -> &mut Node {
        self.nodes.get_mut(&id).unwrap()
    }

    /// Drains every live node's Ready into the network and the applied logs.
    pub fn collect(&mut self) {
        let ids: Vec<NodeId> = self.nodes.keys().copied().collect();
        for id in ids {
            if self.down.contains(&id) {
                continue;
            }
            while self.nodes[&id].has_ready() {
                let node = self.nodes.get_mut(&id).unwrap();
                let term = node.term();
                let mut rd = node.ready();
                if let Some(s) = rd.snapshot.take() {
                    self.applied.entry(id).or_default().clear();
                    self.snapshots.entry(id).or_default().push(s);
                }
                for e in rd.committed_entries.drain(..) {
                    match self.committed.get(&e.index) {
                        Some((first, _)) if first != &e => self.violations.push(format!(
                            "state machine safety: node {id} applied {e:?} at {} but {first:?} was applied before",
                            e.index
                        )),
                        Some(_) => {}
                        None => {
                            self.committed.insert(e.index, (e.clone(), term));
                        }
                    }
                    self.applied.entry(id).or_default().push(e);
                }
                self.read_states
                    .entry(id)
                    .or_default()
                    .append(&mut rd.read_states);
                self.queue.extend(rd.all_messages());
                self.nodes.get_mut(&id).unwrap().advance(rd);
            }
        }
        self.check();
    }

    /// Delivers one message (dropped if its link is cut or its target down).
    pub fn deliver(&mut self, msg: Message) {
        if self.down.contains(&msg.to)
            || self.cut.contains(&(msg.from, msg.to))
            || !self.nodes.contains_key(&msg.to)
        {
            return;
        }
        self.delivered.push(msg.clone());
        let now = self.now;
        self.nodes.get_mut(&msg.to).unwrap().step(now, msg);
    }

    /// Delivers messages until the network is quiet.
    pub fn run(&mut self) {
        for _ in 0..1_000_000 {
            self.collect();
            let Some(msg) = self.queue.pop_front() else {
                return;
            };
            self.deliver(msg);
        }
        let tail: Vec<_> = self.delivered.iter().rev().take(6).collect();
        panic!("network never went quiet: {tail:#?}");
    }

    /// Advances virtual time by `dt_us`, firing timers in order and delivering
    /// messages instantly between them.
    pub fn advance(&mut self, dt_us: TimeUs) {
        let target = self.now + dt_us;
        self.run();
        loop {
            let next = self
                .nodes
                .iter()
                .filter(|(id, _)| !self.down.contains(id))
                .filter_map(|(_, n)| n.poll_timeout())
                .min();
            match next {
                Some(t) if t <= target => {
                    self.now = self.now.max(t);
                    let now = self.now;
                    let ids: Vec<NodeId> = self.nodes.keys().copied().collect();
                    for id in ids {
                        if !self.down.contains(&id)
                            && self.nodes[&id].poll_timeout().is_some_and(|d| d <= now)
                        {
                            self.nodes.get_mut(&id).unwrap().handle_timeout(now);
                        }
                    }
                    self.run();
                }
                _ => break,
            }
        }
        self.now = target;
    }

    /// Makes `id` campaign (as if its timer fired) and settles the network.
    pub fn elect(&mut self, id: NodeId) {
        let now = self.now;
        self.node_mut(id).campaign(now);
        self.run();
        assert_eq!(
            self.node(id).role(),
            Role::Leader,
            "node {id} should have won"
        );
    }

    /// The live leader with the highest term.
    pub fn leader(&self) -> Option<NodeId> {
        self.nodes
            .iter()
            .filter(|(id, n)| !self.down.contains(id) && n.role() == Role::Leader)
            .max_by_key(|(_, n)| n.term())
            .map(|(id, _)| *id)
    }

    pub fn propose(&mut self, id: NodeId, data: &[u8]) -> Result<LogIndex, ProposeError> {
        let now = self.now;
        self.node_mut(id).propose(now, data.to_vec())
    }

    pub fn crash(&mut self, id: NodeId) {
        self.collect();
        self.down.insert(id);
        let st = self.node(id).persistent_state();
        self.persisted.insert(id, st);
    }

    pub fn restart(&mut self, id: NodeId) {
        let st = self
            .persisted
            .remove(&id)
            .unwrap_or_else(|| self.node(id).persistent_state());
        let node = Node::restart(
            self.configs[&id].clone(),
            st,
            self.seed + id + self.now,
            self.now,
        )
        .unwrap();
        self.nodes.insert(id, node);
        self.applied.insert(id, Vec::new());
        self.down.remove(&id);
    }

    pub fn isolate(&mut self, id: NodeId) {
        for &other in self.nodes.keys() {
            if other != id {
                self.cut.insert((id, other));
                self.cut.insert((other, id));
            }
        }
    }

    pub fn heal(&mut self) {
        self.cut.clear();
    }

    /// Terms of a node's log entries (from its first held index).
    pub fn log_terms(&self, id: NodeId) -> Vec<Term> {
        self.node(id)
            .log()
            .entries()
            .iter()
            .map(|e| e.term)
            .collect()
    }

    /// Application commands applied by `id`, in order.
    pub fn applied_commands(&self, id: NodeId) -> Vec<Vec<u8>> {
        self.applied
            .get(&id)
            .map(|v| {
                v.iter()
                    .filter_map(|e| match &e.payload {
                        EntryPayload::Command(d) => Some(d.to_vec()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn count_delivered(&self, kind: &str) -> usize {
        self.delivered.iter().filter(|m| m.kind() == kind).count()
    }

    /// Election safety, log matching, leader completeness (paper Figure 3);
    /// state machine safety is checked as entries are applied.
    pub fn check(&mut self) {
        let mut found = Vec::new();
        for (id, n) in &self.nodes {
            if n.role() == Role::Leader {
                match self.leaders.get(&n.term()) {
                    Some(other) if other != id => found.push(format!(
                        "election safety: {other} and {id} both lead term {}",
                        n.term()
                    )),
                    _ => {
                        self.leaders.insert(n.term(), *id);
                    }
                }
                if self.down.contains(id) {
                    continue;
                }
                for (index, (entry, term)) in &self.committed {
                    if n.term() > *term
                        && *index > n.log().snapshot_index()
                        && n.log().entry(*index) != Some(entry)
                    {
                        found.push(format!(
                            "leader completeness: leader {id} of term {} lacks {entry:?}",
                            n.term()
                        ));
                    }
                }
            }
            if n.commit_index() > n.log().last_index() {
                found.push(format!(
                    "node {id} commit {} beyond its log",
                    n.commit_index()
                ));
            }
        }
        let nodes: Vec<(&NodeId, &Node)> = self.nodes.iter().collect();
        for (i, (a_id, a)) in nodes.iter().enumerate() {
            for (b_id, b) in &nodes[i + 1..] {
                if let Some(msg) = log_matching_violation(a, b) {
                    found.push(format!("log matching between {a_id} and {b_id}: {msg}"));
                }
            }
        }
        if self.checks {
            assert!(
                found.is_empty() && self.violations.is_empty(),
                "{found:?} {:?}",
                self.violations
            );
        }
        self.violations.extend(found);
    }
}

/// Paper §5.3: if two logs hold an entry with the same index and term, they
/// are identical up to that index.
pub fn log_matching_violation(a: &Node, b: &Node) -> Option<String> {
    let lo = a.log().first_index().max(b.log().first_index());
    let hi = a.log().last_index().min(b.log().last_index());
    let mut i = hi;
    while i >= lo && i > 0 {
        if a.log().term_at(i) == b.log().term_at(i) {
            break;
        }
        i -= 1;
    }
    let mut j = i;
    while j >= lo && j > 0 {
        if a.log().entry(j) != b.log().entry(j) {
            return Some(format!(
                "both have term {:?} at {i} but differ at {j}",
                a.log().term_at(i)
            ));
        }
        j -= 1;
    }
    None
}

impl Cluster {
    /// Delivers messages one by one until `pred` holds; false if the network went quiet first.
    pub fn run_until(&mut self, pred: impl Fn(&Cluster) -> bool) -> bool {
        for _ in 0..1_000_000 {
            self.collect();
            if pred(self) {
                return true;
            }
            let Some(msg) = self.queue.pop_front() else {
                return false;
            };
            self.deliver(msg);
        }
        false
    }

    /// Rejected AppendEntries answers sent by `id`.
    pub fn rejections_from(&self, id: NodeId) -> usize {
        self.delivered
            .iter()
            .filter(|m| {
                m.from == id
                    && matches!(
                        m.body,
                        raft_core::raft::MessageBody::AppendEntriesResp { success: false, .. }
                    )
            })
            .count()
    }
}

impl Cluster {
    /// Starts a joining server (empty log, no configuration) on the network.
    pub fn add_joiner(&mut self, id: NodeId, tweak: impl Fn(&mut Config)) {
        let mut cfg = test_config(id);
        tweak(&mut cfg);
        self.nodes.insert(
            id,
            Node::new_joining(cfg.clone(), self.seed + id, self.now).unwrap(),
        );
        self.configs.insert(id, cfg);
    }
}
