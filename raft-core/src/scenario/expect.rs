//! Machine-checkable promises of a scenario, and the run that checks them.

use super::{Scenario, ScenarioError};
use crate::check::invariants::{Property, Violation};
use crate::kv::{Op, Outcome};
use crate::sim::{NodeStatus, NodeView, TraceKind};
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Search budget of the linearizability check at the end of a scenario.
pub const LIN_CHECK_STEPS: u64 = 500_000;

/// Largest gap between two looks at the trace while checking, microseconds.
const SCAN_STEP_US: TimeUs = 100_000;

/// An outcome a scenario promises, checked by [`check_expectations`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Expectation {
    /// No safety violation (invariants, and linearizability at the end).
    NoViolations,
    /// The checkers report a violation of this property.
    ViolationOf {
        /// The property broken.
        property: Property,
    },
    /// Some node becomes leader by this time.
    LeaderElectedBy {
        /// Deadline, microseconds.
        by_us: TimeUs,
    },
    /// At `at_us`, `node` is the leader (of the highest term among live leaders).
    LeaderIs {
        /// The node.
        node: NodeId,
        /// When.
        at_us: TimeUs,
    },
    /// By `by_us`, some node becomes leader in a term above `term`.
    NewLeaderTermAbove {
        /// The term to exceed.
        term: Term,
        /// Deadline, microseconds.
        by_us: TimeUs,
    },
    /// A split vote: some term had two or more candidates and no leader, and
    /// a later term elected one by `by_us`.
    SplitVote {
        /// Deadline, microseconds.
        by_us: TimeUs,
    },
    /// The node leading at `from_us` leads until `to_us`; no node changes
    /// term, campaigns or takes or leaves leadership in between.
    StableLeader {
        /// Start of the window.
        from_us: TimeUs,
        /// End of the window.
        to_us: TimeUs,
    },
    /// `node` leads throughout the window holding entries it cannot commit:
    /// its commit index does not move and its log ends beyond it at `to_us`.
    MinorityLeaderCannotCommit {
        /// The isolated leader.
        node: NodeId,
        /// Start of the window.
        from_us: TimeUs,
        /// End of the window.
        to_us: TimeUs,
    },
    /// `node` was leader at some point before `by_us` and is not at `by_us`.
    SteppedDown {
        /// The former leader.
        node: NodeId,
        /// Deadline, microseconds.
        by_us: TimeUs,
    },
    /// An entry `node` held at `held_at_us` has been replaced by another
    /// (same index, other term) by `by_us`.
    EntriesRolledBack {
        /// The node.
        node: NodeId,
        /// When it held the entries.
        held_at_us: TimeUs,
        /// Deadline, microseconds.
        by_us: TimeUs,
    },
    /// Some node's commit index reaches `index` by `by_us`.
    CommittedBy {
        /// The index.
        index: LogIndex,
        /// Deadline, microseconds.
        by_us: TimeUs,
    },
    /// At the end, every running node's store maps `key` to `value`.
    KeyApplied {
        /// The key.
        key: String,
        /// Its value.
        value: String,
    },
    /// At the end, no running node's store maps `key` to `value`.
    ValueLost {
        /// The key.
        key: String,
        /// The value that must be gone.
        value: String,
    },
    /// At `at_us`, a read straight from `node`'s local store (not through
    /// the log) would return `value` (`None`: absent).
    LocalRead {
        /// The node read from.
        node: NodeId,
        /// The key.
        key: String,
        /// What it holds.
        value: Option<String>,
        /// When.
        at_us: TimeUs,
    },
    /// A `GET key` through the log returned `value` to its client by `by_us`.
    ReadReturned {
        /// The key.
        key: String,
        /// The value read (`None`: absent).
        value: Option<String>,
        /// Deadline, microseconds.
        by_us: TimeUs,
    },
    /// `node` installs a snapshot sent by a leader by `by_us`.
    SnapshotInstalled {
        /// The node.
        node: NodeId,
        /// Deadline, microseconds.
        by_us: TimeUs,
    },
    /// At `at_us`, the leader's configuration has exactly these voters.
    VotersAre {
        /// The voters, ascending.
        voters: Vec<NodeId>,
        /// When.
        at_us: TimeUs,
    },
    /// At `at_us`, two running nodes hold different entries (terms) at the
    /// same index: their logs diverge.
    LogsDiverge {
        /// When.
        at_us: TimeUs,
    },
    /// At `at_us`, every running node's log holds the same entries.
    LogsMatch {
        /// When.
        at_us: TimeUs,
    },
}

impl Expectation {
    /// The moments at which the state must be sampled.
    fn sample_times(&self) -> Vec<TimeUs> {
        match self {
            Expectation::LeaderIs { at_us, .. }
            | Expectation::LocalRead { at_us, .. }
            | Expectation::VotersAre { at_us, .. }
            | Expectation::LogsDiverge { at_us }
            | Expectation::LogsMatch { at_us } => alloc::vec![*at_us],
            Expectation::StableLeader { from_us, to_us }
            | Expectation::MinorityLeaderCannotCommit { from_us, to_us, .. } => {
                alloc::vec![*from_us, *to_us]
            }
            Expectation::SteppedDown { by_us, .. } => alloc::vec![*by_us],
            Expectation::EntriesRolledBack {
                held_at_us, by_us, ..
            } => alloc::vec![*held_at_us, *by_us],
            _ => Vec::new(),
        }
    }
}

/// The state at one moment.
struct Sample {
    leader: Option<NodeId>,
    nodes: Vec<NodeView>,
    stores: BTreeMap<NodeId, Vec<(String, String)>>,
}

impl Sample {
    fn node(&self, id: NodeId) -> Option<&NodeView> {
        self.nodes.iter().find(|n| n.id == id)
    }
}

/// What happened during the run, as far as expectations care.
#[derive(Default)]
struct Observed {
    /// (time, node, term) of every election won.
    became_leader: Vec<(TimeUs, NodeId, Term)>,
    /// Candidates per term.
    candidates: BTreeMap<Term, BTreeSet<NodeId>>,
    /// Time of every role or term change: (time, node, description).
    changes: Vec<(TimeUs, NodeId)>,
    /// (time, node, new commit index).
    commits: Vec<(TimeUs, NodeId, LogIndex)>,
    /// (time, node) of snapshots installed while running.
    snapshots: Vec<(TimeUs, NodeId)>,
    /// Nodes restarted, by time (a restart restores a snapshot too).
    restarts: Vec<(TimeUs, NodeId)>,
    samples: BTreeMap<TimeUs, Sample>,
}

impl Observed {
    fn see(&mut self, time_us: TimeUs, kind: &TraceKind) {
        match kind {
            TraceKind::RoleChanged {
                node,
                from,
                to,
                term,
            } => {
                if *to == Role::Leader {
                    self.became_leader.push((time_us, *node, *term));
                }
                if *to == Role::Candidate {
                    self.candidates.entry(*term).or_default().insert(*node);
                }
                if *to != Role::PreCandidate && *from != Role::PreCandidate {
                    self.changes.push((time_us, *node));
                }
            }
            TraceKind::TermChanged { node, .. } => self.changes.push((time_us, *node)),
            TraceKind::Committed { node, index } => self.commits.push((time_us, *node, *index)),
            TraceKind::SnapshotRestored { node, .. } => self.snapshots.push((time_us, *node)),
            TraceKind::Restart { node } => self.restarts.push((time_us, *node)),
            _ => {}
        }
    }
}

/// The result of running a scenario to its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// One sentence per broken promise (or refused action); empty if all held.
    pub failures: Vec<String>,
    /// Every safety violation found (invariants and linearizability).
    pub violations: Vec<Violation>,
    /// The trace hash at `end_us`.
    pub trace_hash: u64,
}

/// Runs `s` to its `end_us` and reports which expectations failed.
pub fn evaluate(s: &Scenario) -> Evaluation {
    let mut failures = Vec::new();
    let mut tl = match s.timeline() {
        Ok(tl) => tl,
        Err(e) => {
            return Evaluation {
                failures: alloc::vec![format!("{e}")],
                violations: Vec::new(),
                trace_hash: 0,
            }
        }
    };
    let mut points: BTreeSet<TimeUs> = s.expect.iter().flat_map(|e| e.sample_times()).collect();
    let sample_at = points.clone();
    points.extend(s.actions.iter().map(|a| a.at_us));
    points.insert(s.end_us);
    let mut t = 0;
    while t < s.end_us {
        t += SCAN_STEP_US;
        points.insert(t.min(s.end_us));
    }
    let mut obs = Observed::default();
    let mut seen = 0u64;
    for &p in points.iter().filter(|&&p| p <= s.end_us) {
        // Events due at `p` are processed, then actions due at `p` are taken.
        tl.run_until(p);
        for r in tl.take_refusals() {
            let e = ScenarioError::Action {
                index: r.index,
                at_us: r.at_us,
                error: r.error,
            };
            failures.push(format!("{e}"));
        }
        let sim = tl.sim();
        for ev in sim.trace().since(seen) {
            obs.see(ev.time_us, &ev.kind);
        }
        seen = sim.trace().total();
        if sample_at.contains(&p) {
            let nodes = sim.nodes();
            let stores = nodes.iter().map(|n| (n.id, n.store.clone())).collect();
            obs.samples.insert(
                p,
                Sample {
                    leader: sim.leader(),
                    nodes,
                    stores,
                },
            );
        }
    }
    let mut sim = tl.sim().clone();
    let _ = sim.check_linearizability(LIN_CHECK_STEPS);
    let violations = sim.violations().to_vec();
    let final_nodes = sim.nodes();
    for e in &s.expect {
        if let Err(msg) = judge(e, &obs, &violations, &final_nodes, &sim) {
            failures.push(msg);
        }
    }
    Evaluation {
        failures,
        violations,
        trace_hash: sim.trace_hash(),
    }
}

/// Runs `s` to its `end_us` and checks every expectation; the error lists
/// each broken promise (and any refused action), one sentence each.
pub fn check_expectations(s: &Scenario) -> Result<(), String> {
    let ev = evaluate(s);
    if ev.failures.is_empty() {
        Ok(())
    } else {
        Err(ev.failures.join("; "))
    }
}

fn running(n: &NodeView) -> bool {
    matches!(n.status, NodeStatus::Up(_) | NodeStatus::Paused(_))
}

fn is_leader(n: &NodeView) -> bool {
    matches!(
        n.status,
        NodeStatus::Up(Role::Leader) | NodeStatus::Paused(Role::Leader)
    )
}

fn value_of<'a>(store: &'a [(String, String)], key: &str) -> Option<&'a str> {
    store
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn judge(
    e: &Expectation,
    obs: &Observed,
    violations: &[Violation],
    final_nodes: &[NodeView],
    sim: &crate::sim::Sim,
) -> Result<(), String> {
    let sample = |t: &TimeUs| obs.samples.get(t).expect("sampled");
    match e {
        Expectation::NoViolations => match violations.first() {
            None => Ok(()),
            Some(v) => Err(format!(
                "expected no violation, found {} at {} us: {}",
                v.property, v.time_us, v.message
            )),
        },
        Expectation::ViolationOf { property } => {
            if violations.iter().any(|v| v.property == *property) {
                Ok(())
            } else {
                Err(format!(
                    "expected a {property} violation, found {:?}",
                    violations.iter().map(|v| v.property).collect::<Vec<_>>()
                ))
            }
        }
        Expectation::LeaderElectedBy { by_us } => {
            if obs.became_leader.iter().any(|&(t, _, _)| t <= *by_us) {
                Ok(())
            } else {
                Err(format!("no leader elected by {by_us} us"))
            }
        }
        Expectation::LeaderIs { node, at_us } => {
            let found = sample(at_us).leader;
            if found == Some(*node) {
                Ok(())
            } else {
                Err(format!(
                    "expected node {node} to lead at {at_us} us, found {found:?}"
                ))
            }
        }
        Expectation::NewLeaderTermAbove { term, by_us } => {
            if obs
                .became_leader
                .iter()
                .any(|&(t, _, tm)| t <= *by_us && tm > *term)
            {
                Ok(())
            } else {
                Err(format!("no leader of a term above {term} by {by_us} us"))
            }
        }
        Expectation::SplitVote { by_us } => {
            let won: BTreeSet<Term> = obs
                .became_leader
                .iter()
                .filter(|l| l.0 <= *by_us)
                .map(|l| l.2)
                .collect();
            let split = obs
                .candidates
                .iter()
                .filter(|(term, c)| c.len() >= 2 && !won.contains(term))
                .any(|(term, _)| won.iter().any(|w| w > term));
            if split {
                Ok(())
            } else {
                Err(format!(
                    "no split vote followed by an election by {by_us} us"
                ))
            }
        }
        Expectation::StableLeader { from_us, to_us } => {
            let Some(l) = sample(from_us).leader else {
                return Err(format!("no leader at {from_us} us"));
            };
            if sample(to_us).leader != Some(l) {
                return Err(format!("node {l} no longer leads at {to_us} us"));
            }
            match obs.changes.iter().find(|c| c.0 > *from_us && c.0 <= *to_us) {
                None => Ok(()),
                Some((t, n)) => Err(format!(
                    "node {n} changed role or term at {t} us, disrupting leader {l}"
                )),
            }
        }
        Expectation::MinorityLeaderCannotCommit {
            node,
            from_us,
            to_us,
        } => {
            let (a, b) = (sample(from_us).node(*node), sample(to_us).node(*node));
            let (Some(a), Some(b)) = (a, b) else {
                return Err(format!("no node {node}"));
            };
            if !is_leader(a) || !is_leader(b) || a.term != b.term {
                return Err(format!(
                    "node {node} does not lead throughout {from_us}..{to_us} us"
                ));
            }
            if b.commit != a.commit {
                return Err(format!(
                    "node {node} committed ({} -> {}) while in the minority",
                    a.commit, b.commit
                ));
            }
            if b.last_index <= b.commit {
                return Err(format!(
                    "node {node} holds no uncommitted entry at {to_us} us"
                ));
            }
            Ok(())
        }
        Expectation::SteppedDown { node, by_us } => {
            let led = obs
                .became_leader
                .iter()
                .any(|&(t, n, _)| n == *node && t <= *by_us);
            let still = sample(by_us).node(*node).is_some_and(is_leader);
            if led && !still {
                Ok(())
            } else {
                Err(format!("node {node} did not step down by {by_us} us"))
            }
        }
        Expectation::EntriesRolledBack {
            node,
            held_at_us,
            by_us,
        } => {
            let (Some(a), Some(b)) = (sample(held_at_us).node(*node), sample(by_us).node(*node))
            else {
                return Err(format!("no node {node}"));
            };
            let replaced = a.log.iter().any(|old| {
                b.log
                    .iter()
                    .any(|new| new.index == old.index && new.term != old.term)
            });
            if replaced {
                Ok(())
            } else {
                Err(format!(
                    "no entry node {node} held at {held_at_us} us was replaced by {by_us} us"
                ))
            }
        }
        Expectation::CommittedBy { index, by_us } => {
            if obs
                .commits
                .iter()
                .any(|&(t, _, i)| t <= *by_us && i >= *index)
            {
                Ok(())
            } else {
                Err(format!("index {index} not committed by {by_us} us"))
            }
        }
        Expectation::KeyApplied { key, value } => {
            let up: Vec<&NodeView> = final_nodes.iter().filter(|n| running(n)).collect();
            match up
                .iter()
                .find(|n| value_of(&n.store, key) != Some(value.as_str()))
            {
                None if !up.is_empty() => Ok(()),
                None => Err(String::from("no node is running at the end")),
                Some(n) => Err(format!(
                    "node {} holds {key} = {:?} at the end, expected {value:?}",
                    n.id,
                    value_of(&n.store, key)
                )),
            }
        }
        Expectation::ValueLost { key, value } => {
            match final_nodes
                .iter()
                .filter(|n| running(n))
                .find(|n| value_of(&n.store, key) == Some(value.as_str()))
            {
                None => Ok(()),
                Some(n) => Err(format!("node {} still holds {key} = {value:?}", n.id)),
            }
        }
        Expectation::LocalRead {
            node,
            key,
            value,
            at_us,
        } => {
            let s = sample(at_us);
            let found = s.stores.get(node).and_then(|st| value_of(st, key));
            if found == value.as_deref() {
                Ok(())
            } else {
                Err(format!(
                    "a local read of {key} at node {node} at {at_us} us gives {found:?}, expected {value:?}"
                ))
            }
        }
        Expectation::ReadReturned { key, value, by_us } => {
            let ok = sim.history().operations().iter().any(|o| {
                matches!(&o.input, Op::Get { key: k } if k == key)
                    && o.returned().is_some_and(|(t, out)| {
                        t <= *by_us && *out == Outcome::Value(value.clone())
                    })
            });
            if ok {
                Ok(())
            } else {
                Err(format!("no GET {key} returned {value:?} by {by_us} us"))
            }
        }
        Expectation::SnapshotInstalled { node, by_us } => {
            let restarted = |t: TimeUs| obs.restarts.iter().any(|r| r.0 == t && r.1 == *node);
            if obs
                .snapshots
                .iter()
                .any(|&(t, n)| n == *node && t <= *by_us && !restarted(t))
            {
                Ok(())
            } else {
                Err(format!("node {node} installed no snapshot by {by_us} us"))
            }
        }
        Expectation::VotersAre { voters, at_us } => {
            let s = sample(at_us);
            let Some(l) = s.leader.and_then(|l| s.node(l)) else {
                return Err(format!("no leader at {at_us} us"));
            };
            let mut found = l.voters.clone();
            found.sort_unstable();
            if &found == voters {
                Ok(())
            } else {
                Err(format!(
                    "voters at {at_us} us are {found:?}, expected {voters:?}"
                ))
            }
        }
        Expectation::LogsDiverge { at_us } | Expectation::LogsMatch { at_us } => {
            let up: Vec<&NodeView> = sample(at_us).nodes.iter().filter(|n| running(n)).collect();
            let mut diverge = false;
            let mut same = true;
            for a in &up {
                for b in &up {
                    if a.last_index != b.last_index {
                        same = false;
                    }
                    for x in &a.log {
                        if let Some(y) = b.log.iter().find(|y| y.index == x.index) {
                            if y.term != x.term {
                                diverge = true;
                                same = false;
                            }
                        }
                    }
                }
            }
            match (e, diverge, same) {
                (Expectation::LogsDiverge { .. }, true, _) => Ok(()),
                (Expectation::LogsMatch { .. }, _, true) => Ok(()),
                (Expectation::LogsDiverge { .. }, ..) => {
                    Err(format!("the logs do not diverge at {at_us} us"))
                }
                _ => Err(format!("the logs differ at {at_us} us")),
            }
        }
    }
}
