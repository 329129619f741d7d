//! Raft's safety properties (paper Figure 3), checked incrementally while a
//! cluster runs.
//!
//! The caller (the simulator) reports what each node stores in its log
//! ([`InvariantChecker::observe_stored`]; an entry a node held only in memory
//! and lost in a crash before any copy of it left was never in anyone's
//! log, so the simulator reports entries once they are on a disk), applies
//! ([`InvariantChecker::observe_applied`]) and its state after each event
//! ([`InvariantChecker::observe_node`]). The checker remembers just enough
//! (leaders per term, committed entries, a fingerprint of every `(index, term)`
//! ever written) to notice:
//!
//! - **Election Safety**: at most one leader per term, ever.
//! - **Leader Append-Only**: a leader never overwrites or deletes its entries.
//! - **Log Matching**: two entries with the same index and term hold the same
//!   command and follow entries of the same term (by induction: identical
//!   prefixes).
//! - **Leader Completeness**: a leader of term T holds every entry committed
//!   in an earlier term.
//! - **State Machine Safety**: no two nodes commit or apply different entries
//!   at one index.
//! - **Monotonicity**: per node incarnation, term, commit and applied index
//!   never decrease.
//!
//! Memory is bounded: at most [`MAX_TRACKED_ENTRIES`] entries are remembered
//! per table (the oldest indexes are forgotten first), and at most
//! [`MAX_REPORTED_VIOLATIONS`] distinct violations are kept.

use crate::raft::{ConfChange, Entry, EntryPayload, Node, RaftLog};
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

/// Most committed entries and most `(index, term)` fingerprints remembered.
pub const MAX_TRACKED_ENTRIES: usize = 200_000;
/// Most distinct violations kept (later ones are only counted).
pub const MAX_REPORTED_VIOLATIONS: usize = 1_000;
/// Most recent commits remembered for the ongoing Leader Completeness check.
pub const MAX_RECENT_COMMITS: usize = 4_096;

/// A safety property.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Property {
    /// At most one leader per term.
    ElectionSafety,
    /// A leader never overwrites or deletes entries in its log.
    LeaderAppendOnly,
    /// Same index and term means same entry and same preceding log.
    LogMatching,
    /// A leader holds every entry committed in earlier terms.
    LeaderCompleteness,
    /// No two nodes commit or apply different entries at the same index.
    StateMachineSafety,
    /// A node's term never decreases (within one incarnation).
    MonotonicTerm,
    /// A node's commit index never decreases (within one incarnation).
    MonotonicCommit,
    /// A node's applied index never decreases (within one incarnation).
    MonotonicApplied,
    /// The client history is not linearizable.
    Linearizability,
}

impl Property {
    /// The property's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Property::ElectionSafety => "Election Safety",
            Property::LeaderAppendOnly => "Leader Append-Only",
            Property::LogMatching => "Log Matching",
            Property::LeaderCompleteness => "Leader Completeness",
            Property::StateMachineSafety => "State Machine Safety",
            Property::MonotonicTerm => "Monotonic Term",
            Property::MonotonicCommit => "Monotonic Commit",
            Property::MonotonicApplied => "Monotonic Applied",
            Property::Linearizability => "Linearizability",
        }
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One violation found.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Violation {
    /// When it was noticed (virtual microseconds).
    pub time_us: TimeUs,
    /// Which property.
    pub property: Property,
    /// The nodes involved.
    pub nodes: Vec<NodeId>,
    /// The entries involved, as (index, term).
    pub entries: Vec<(LogIndex, Term)>,
    /// Explanation in words.
    pub message: String,
}

/// Fingerprint of an entry's payload: a kind tag and the length, then the
/// bytes eight at a time, each step `x = (h ^ word)·K; h = x ^ (x >> 32)`
/// (a bijection of `h`, so payloads of one length that differ in one word
/// never collide). Word-wise: every entry is hashed when stored, committed
/// and applied on each node.
pub fn payload_hash(payload: &EntryPayload) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |h: u64, w: u64| {
        let x = (h ^ w).wrapping_mul(K);
        x ^ (x >> 32)
    };
    match payload {
        EntryPayload::Noop => mix(0, 0),
        EntryPayload::Command(data) => {
            let mut h = mix(1, data.len() as u64);
            let mut chunks = data.chunks_exact(8);
            for c in &mut chunks {
                let mut w = [0u8; 8];
                w.copy_from_slice(c);
                h = mix(h, u64::from_le_bytes(w));
            }
            let rest = chunks.remainder();
            if !rest.is_empty() {
                let mut w = [0u8; 8];
                w[..rest.len()].copy_from_slice(rest);
                h = mix(h, u64::from_le_bytes(w));
            }
            h
        }
        EntryPayload::ConfChange(cc) => {
            let kind = match cc {
                ConfChange::AddLearner(_) => 0,
                ConfChange::PromoteLearner(_) => 1,
                ConfChange::RemoveServer(_) => 2,
            };
            mix(mix(2, kind), cc.node_id())
        }
    }
}

/// What an [`IndexWindow`] holds at one index.
trait Slot: Default {
    /// Number of records in the slot.
    fn records(&self) -> usize;

    /// Forgets one record (the slot's lowest); true when none is left.
    fn pop_lowest(&mut self) -> bool;
}

impl<T> Slot for Option<T> {
    fn records(&self) -> usize {
        self.is_some() as usize
    }

    fn pop_lowest(&mut self) -> bool {
        *self = None;
        true
    }
}

/// Records per log index for a window of consecutive indexes (log indexes
/// grow one by one, so this replaces a B-tree keyed by index: lookups and
/// inserts are O(1)). `T::default()` is an empty slot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct IndexWindow<T> {
    /// Index of `slots[0]`.
    base: LogIndex,
    slots: VecDeque<T>,
    /// Records held; whoever adds one through [`Self::slot`] counts it here.
    records: usize,
}

impl<T: Slot> IndexWindow<T> {
    /// Most indexes one window spans, holes included (far more than it ever
    /// holds records for: Raft's indexes have no holes in practice).
    const MAX_SPAN: usize = 4 * MAX_TRACKED_ENTRIES;

    fn get(&self, index: LogIndex) -> Option<&T> {
        let i = usize::try_from(index.checked_sub(self.base)?).ok()?;
        self.slots.get(i)
    }

    /// The slot for `index`, made (empty) if needed. Returns `None` when
    /// `index` lies more than [`Self::MAX_SPAN`] below the newest slot.
    fn slot(&mut self, index: LogIndex) -> Option<&mut T> {
        if self.slots.is_empty() {
            self.base = index;
        }
        if index < self.base {
            let grow = self.base - index;
            if grow + self.slots.len() as u64 > Self::MAX_SPAN as u64 {
                return None;
            }
            for _ in 0..grow {
                self.slots.push_front(T::default());
            }
            self.base = index;
        }
        let i = index - self.base;
        if i >= self.slots.len() as u64 {
            let grow = i + 1 - self.slots.len() as u64;
            if grow > Self::MAX_SPAN as u64 {
                // A jump this far forgets everything before it.
                self.slots.clear();
                self.records = 0;
                self.base = index;
            } else {
                for _ in 0..grow {
                    self.slots.push_back(T::default());
                }
            }
        }
        while self.slots.len() > Self::MAX_SPAN {
            self.pop_front();
        }
        let i = usize::try_from(index - self.base).expect("in the window");
        self.slots.get_mut(i)
    }

    /// Forgets the lowest record held (the lowest index's, and within it
    /// the slot's lowest), as a B-tree's `pop_first` would.
    fn forget_lowest(&mut self) {
        while let Some(front) = self.slots.front_mut() {
            if front.records() == 0 {
                self.pop_front();
                continue;
            }
            let emptied = front.pop_lowest();
            self.records -= 1;
            if emptied {
                self.pop_front();
            }
            return;
        }
    }

    /// Drops the lowest slot and its records.
    fn pop_front(&mut self) {
        if let Some(t) = self.slots.pop_front() {
            self.records -= t.records();
            self.base += 1;
        }
    }

    /// `(index, slot)` from `from` on, in index order.
    fn range_from(&self, from: LogIndex) -> impl Iterator<Item = (LogIndex, &T)> + '_ {
        let skip = usize::try_from(from.saturating_sub(self.base)).unwrap_or(usize::MAX);
        let base = self.base;
        self.slots
            .iter()
            .enumerate()
            .skip(skip)
            .map(move |(k, t)| (base + k as LogIndex, t))
    }
}

/// What was written at one `(index, term)`: payload fingerprint, the term
/// before it in the writer's log, and the writer.
type Written = (u64, Option<Term>, NodeId);

/// Everything written at one index, by term (almost always a single term).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct WrittenAt {
    first: Option<(Term, Written)>,
    /// Further terms (an uncommitted entry overwritten), unordered.
    more: Vec<(Term, Written)>,
}

impl Slot for WrittenAt {
    fn records(&self) -> usize {
        self.first.is_some() as usize + self.more.len()
    }

    /// Forgets the record with the lowest term.
    fn pop_lowest(&mut self) -> bool {
        let lowest_more = self
            .more
            .iter()
            .enumerate()
            .min_by_key(|(_, (t, _))| *t)
            .map(|(k, (t, _))| (k, *t));
        match (&self.first, lowest_more) {
            (Some((t, _)), Some((k, m))) if m < *t => {
                self.more.swap_remove(k);
            }
            (Some(_), _) => self.first = self.more.pop(),
            (None, Some((k, _))) => {
                self.more.swap_remove(k);
            }
            (None, None) => {}
        }
        self.first.is_none() && self.more.is_empty()
    }
}

impl WrittenAt {
    fn get(&self, term: Term) -> Option<&Written> {
        match &self.first {
            Some((t, w)) if *t == term => Some(w),
            _ => self.more.iter().find(|(t, _)| *t == term).map(|(_, w)| w),
        }
    }

    fn insert(&mut self, term: Term, w: Written) {
        if self.first.is_none() {
            self.first = Some((term, w));
        } else {
            self.more.push((term, w));
        }
    }
}

/// What makes two violations the same report.
type ViolationKey = (Property, Vec<NodeId>, Vec<(LogIndex, Term)>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Committed {
    term: Term,
    hash: u64,
    /// Term of the first node seen with it committed (the committing leader's term).
    commit_term: Term,
    node: NodeId,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Watch {
    term: Term,
    commit: LogIndex,
    applied: LogIndex,
    leader_term: Option<Term>,
    leader_last: (LogIndex, Term),
    /// Last entry of `recent_commits` checked against this node as leader.
    checked_commit_seq: u64,
    /// `leaders` maps `leader_term` to this node.
    owns_term: bool,
}

/// The incremental checker. See the module documentation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InvariantChecker {
    now_us: TimeUs,
    leaders: BTreeMap<Term, NodeId>,
    committed: IndexWindow<Option<Committed>>,
    written: IndexWindow<WrittenAt>,
    /// Per-node state, a short list (clusters have at most a few nodes).
    watch: Vec<(NodeId, Watch)>,
    recent_commits: VecDeque<(u64, LogIndex)>,
    commit_seq: u64,
    seen: BTreeSet<ViolationKey>,
    reported: Vec<Violation>,
    fresh: usize,
    total: u64,
}

impl InvariantChecker {
    /// A checker that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the time stamped on violations found from now on.
    #[inline]
    pub fn set_time(&mut self, now_us: TimeUs) {
        self.now_us = now_us;
    }

    /// Every distinct violation found so far (at most [`MAX_REPORTED_VIOLATIONS`]).
    pub fn violations(&self) -> &[Violation] {
        &self.reported
    }

    /// Violations found since the last call (for the caller's trace).
    pub fn take_new(&mut self) -> &[Violation] {
        let from = self.reported.len() - self.fresh;
        self.fresh = 0;
        &self.reported[from..]
    }

    /// Whether any violation was found since the last [`take_new`](Self::take_new).
    pub fn has_new(&self) -> bool {
        self.fresh > 0
    }

    /// Number of violations found, repeats included.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Reports a violation found elsewhere (e.g. by the linearizability checker).
    pub fn report(
        &mut self,
        property: Property,
        nodes: Vec<NodeId>,
        entries: Vec<(LogIndex, Term)>,
        message: String,
    ) {
        self.total += 1;
        if self.reported.len() >= MAX_REPORTED_VIOLATIONS {
            return;
        }
        if !self.seen.insert((property, nodes.clone(), entries.clone())) {
            return;
        }
        self.reported.push(Violation {
            time_us: self.now_us,
            property,
            nodes,
            entries,
            message,
        });
        self.fresh += 1;
    }

    /// A node restarted: its volatile state (commit, applied, role) starts over.
    pub fn node_restarted(&mut self, node: NodeId) {
        self.watch.retain(|(id, _)| *id != node);
    }

    /// `node` wrote `entries` to its log; `log` is its log after the write.
    pub fn observe_written(&mut self, node: NodeId, entries: &[Entry], log: &RaftLog) {
        let prev = entries.first().and_then(|e| match e.index {
            1 => Some(0),
            i => log.term_at(i - 1),
        });
        self.observe_stored(node, entries, prev);
    }

    /// `node` stored `entries` (consecutive) in its log, right after an entry
    /// of term `prev_term` (0 before index 1; `None` if unknown).
    pub fn observe_stored(&mut self, node: NodeId, entries: &[Entry], prev_term: Option<Term>) {
        let mut next_prev = prev_term;
        for e in entries {
            let hash = payload_hash(&e.payload);
            let prev = next_prev;
            next_prev = Some(e.term);
            let known = self
                .written
                .get(e.index)
                .and_then(|at| at.get(e.term))
                .copied();
            match known {
                None => {
                    if let Some(at) = self.written.slot(e.index) {
                        at.insert(e.term, (hash, prev, node));
                        self.written.records += 1;
                    }
                    if self.written.records > MAX_TRACKED_ENTRIES {
                        self.written.forget_lowest();
                    }
                }
                Some((h, p, other)) => {
                    if h != hash {
                        self.report(
                            Property::LogMatching,
                            vec![other, node],
                            vec![(e.index, e.term)],
                            format!(
                                "nodes {other} and {node} hold different entries at index {} term {}",
                                e.index, e.term
                            ),
                        );
                    } else if let (Some(p), Some(q)) = (p, prev) {
                        if p != q {
                            self.report(
                                Property::LogMatching,
                                vec![other, node],
                                vec![(e.index, e.term), (e.index - 1, p), (e.index - 1, q)],
                                format!(
                                    "entry {}@t{} follows term {p} on node {other} but term {q} on node {node}",
                                    e.index, e.term
                                ),
                            );
                        }
                    }
                }
            }
        }
    }

    /// `node` applied `entry` to its state machine.
    pub fn observe_applied(&mut self, node: NodeId, node_term: Term, entry: &Entry) {
        let hash = payload_hash(&entry.payload);
        self.record_committed(node, node_term, entry.index, entry.term, hash, true);
    }

    fn record_committed(
        &mut self,
        node: NodeId,
        node_term: Term,
        index: LogIndex,
        term: Term,
        hash: u64,
        applied: bool,
    ) {
        match self.committed.get(index).copied().flatten() {
            None => {
                let Some(slot) = self.committed.slot(index) else {
                    return; // far below everything remembered
                };
                *slot = Some(Committed {
                    term,
                    hash,
                    commit_term: node_term,
                    node,
                });
                self.committed.records += 1;
                if self.committed.records > MAX_TRACKED_ENTRIES {
                    self.committed.forget_lowest();
                }
                self.commit_seq += 1;
                self.recent_commits.push_back((self.commit_seq, index));
                if self.recent_commits.len() > MAX_RECENT_COMMITS {
                    self.recent_commits.pop_front();
                }
            }
            Some(c) if c.term != term || c.hash != hash => {
                let (other, other_term) = (c.node, c.term);
                let what = if applied { "applied" } else { "committed" };
                self.report(
                    Property::StateMachineSafety,
                    vec![other, node],
                    vec![(index, other_term), (index, term)],
                    format!(
                        "index {index}: node {other} committed term {other_term}, node {node} {what} term {term} (or a different command)"
                    ),
                );
            }
            Some(_) => {}
        }
    }

    /// Checks `node`'s state after an event (call for each node the event touched).
    pub fn observe_node(&mut self, node: &Node) {
        let id = node.id();
        let slot = match self.watch.iter().position(|(n, _)| *n == id) {
            Some(k) => k,
            None => {
                self.watch.push((id, Watch::default()));
                self.watch.len() - 1
            }
        };
        let mut w = core::mem::take(&mut self.watch[slot].1);
        let term = node.term();
        if term < w.term {
            self.report(
                Property::MonotonicTerm,
                vec![id],
                vec![],
                format!("node {id}: term went from {} down to {term}", w.term),
            );
        }
        w.term = term;
        let log = node.log();
        let commit = node.commit_index();
        if commit < w.commit {
            self.report(
                Property::MonotonicCommit,
                vec![id],
                vec![],
                format!(
                    "node {id}: commit index went from {} down to {commit}",
                    w.commit
                ),
            );
        } else if commit > w.commit {
            let lo = (w.commit + 1).max(log.first_index());
            for i in lo..=commit {
                if let Some(e) = log.entry(i) {
                    let hash = payload_hash(&e.payload);
                    let t = e.term;
                    self.record_committed(id, term, i, t, hash, false);
                }
            }
        }
        w.commit = commit;
        let applied = node.applied_index();
        if applied < w.applied {
            self.report(
                Property::MonotonicApplied,
                vec![id],
                vec![],
                format!(
                    "node {id}: applied index went from {} down to {applied}",
                    w.applied
                ),
            );
        }
        w.applied = applied;
        // A leader whose term is not on its disk yet has sent nothing of that
        // term: a crash now erases a leadership nobody heard of (a lone voter
        // that elected itself may then win the same term again, or vote for
        // another). It counts as a leader from when its term is stored.
        if node.role() == Role::Leader && node.stable_term() >= term {
            self.check_leader(node, &mut w);
        } else {
            w.leader_term = None;
            w.owns_term = false;
        }
        // A report above never touches `watch`, so the slot is still ours.
        self.watch[slot].1 = w;
    }

    fn check_leader(&mut self, node: &Node, w: &mut Watch) {
        let id = node.id();
        let term = node.term();
        let log = node.log();
        // Once this node is recorded as the leader of `term`, the lookup can
        // only find itself again: skip it.
        if !(w.owns_term && w.leader_term == Some(term)) {
            w.owns_term = false;
            match self.leaders.get(&term) {
                Some(&other) if other != id => self.report(
                    Property::ElectionSafety,
                    vec![other, id],
                    vec![],
                    format!("nodes {other} and {id} were both leader in term {term}"),
                ),
                Some(_) => w.owns_term = true,
                None => {
                    self.leaders.insert(term, id);
                    w.owns_term = true;
                    if self.leaders.len() > MAX_TRACKED_ENTRIES {
                        self.leaders.pop_first();
                    }
                }
            }
        }
        let snap = log.snapshot_index();
        if w.leader_term != Some(term) {
            // Newly elected: it must hold everything committed in earlier terms.
            let missing = self
                .committed
                .range_from(snap + 1)
                .filter_map(|(i, c)| Some((i, (*c)?)))
                .find(|&(i, c)| c.commit_term < term && log.term_at(i) != Some(c.term));
            if let Some((i, c)) = missing {
                self.report_incomplete(id, term, log, i, c);
            }
            w.leader_term = Some(term);
            w.checked_commit_seq = self.commit_seq;
        } else {
            let (li, lt) = w.leader_last;
            if li > snap && (log.last_index() < li || log.term_at(li) != Some(lt)) {
                self.report(
                    Property::LeaderAppendOnly,
                    vec![id],
                    vec![(li, lt)],
                    format!("leader {id} of term {term} lost or replaced its entry {li}@t{lt}"),
                );
            }
            if w.checked_commit_seq < self.commit_seq {
                let from = self
                    .recent_commits
                    .partition_point(|(s, _)| *s <= w.checked_commit_seq);
                // By position: a report never touches `recent_commits`.
                for k in from..self.recent_commits.len() {
                    let i = self.recent_commits[k].1;
                    let Some(c) = self.committed.get(i).copied().flatten() else {
                        continue;
                    };
                    if i > snap && c.commit_term < term && log.term_at(i) != Some(c.term) {
                        self.report_incomplete(id, term, log, i, c);
                    }
                }
                w.checked_commit_seq = self.commit_seq;
            }
        }
        w.leader_last = (log.last_index(), log.last_term());
    }

    fn report_incomplete(
        &mut self,
        id: NodeId,
        term: Term,
        log: &RaftLog,
        i: LogIndex,
        c: Committed,
    ) {
        let has = match log.term_at(i) {
            Some(t) => format!("holds term {t} there"),
            None => String::from("has no entry there"),
        };
        self.report(
            Property::LeaderCompleteness,
            vec![id, c.node],
            vec![(i, c.term)],
            format!(
                "leader {id} of term {term} lacks entry {i}@t{} committed in term {} (seen on node {}); it {has}",
                c.term, c.commit_term, c.node
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raft::{Config, Snapshot};

    fn entry(index: LogIndex, term: Term, byte: u8) -> Entry {
        Entry {
            index,
            term,
            payload: EntryPayload::Command(vec![byte].into()),
        }
    }

    #[test]
    fn log_matching_catches_different_payloads_and_predecessors() {
        let mut c = InvariantChecker::new();
        let a = RaftLog::from_parts(Snapshot::default(), vec![entry(1, 1, 1), entry(2, 2, 2)]);
        c.observe_written(1, a.entries(), &a);
        let b = RaftLog::from_parts(Snapshot::default(), vec![entry(1, 1, 1), entry(2, 2, 9)]);
        c.observe_written(2, &b.entries()[1..], &b);
        assert_eq!(c.violations()[0].property, Property::LogMatching);
        let d = RaftLog::from_parts(Snapshot::default(), vec![entry(1, 2, 1), entry(2, 2, 2)]);
        c.observe_written(3, &d.entries()[1..], &d);
        assert_eq!(c.violations().len(), 2);
        assert_eq!(c.take_new().len(), 2);
        assert!(!c.has_new());
    }

    #[test]
    fn applied_conflicts_are_state_machine_violations() {
        let mut c = InvariantChecker::new();
        c.observe_applied(1, 1, &entry(1, 1, 1));
        c.observe_applied(2, 1, &entry(1, 1, 1));
        assert!(c.violations().is_empty());
        c.observe_applied(3, 2, &entry(1, 2, 5));
        assert_eq!(c.violations()[0].property, Property::StateMachineSafety);
    }

    #[test]
    fn the_oldest_records_are_forgotten_first() {
        let n = MAX_TRACKED_ENTRIES as LogIndex;
        let mut c = InvariantChecker::new();
        // Two terms at index 1 (the first overwritten), then one per index.
        let stale = RaftLog::from_parts(Snapshot::default(), vec![entry(1, 1, 7)]);
        c.observe_written(1, stale.entries(), &stale);
        let log = RaftLog::from_parts(
            Snapshot::default(),
            (1..=n).map(|i| entry(i, 2, i as u8)).collect(),
        );
        c.observe_written(1, log.entries(), &log);
        for e in log.entries() {
            c.observe_applied(1, 2, e);
        }
        assert!(c.violations().is_empty());
        // One record too many in each table: 1@t1 is forgotten from the
        // written ones, index 1 from the committed ones.
        let next = RaftLog::from_parts(Snapshot::default(), vec![entry(n + 1, 2, 0)]);
        c.observe_written(1, next.entries(), &next);
        c.observe_applied(1, 2, &entry(n + 1, 2, 0));
        let other = RaftLog::from_parts(Snapshot::default(), vec![entry(1, 1, 9)]);
        c.observe_written(2, other.entries(), &other);
        c.observe_applied(2, 3, &entry(1, 3, 9));
        assert!(c.violations().is_empty(), "{:?}", c.violations());
        // The next ones are still remembered.
        let other = RaftLog::from_parts(Snapshot::default(), vec![entry(1, 2, 9)]);
        c.observe_written(2, other.entries(), &other);
        c.observe_applied(2, 3, &entry(2, 3, 9));
        let found: Vec<Property> = c.violations().iter().map(|v| v.property).collect();
        assert_eq!(
            found,
            [Property::LogMatching, Property::StateMachineSafety],
            "{:?}",
            c.violations()
        );
    }

    #[test]
    fn single_node_leader_is_fine() {
        let mut n = Node::new(Config::new(1), &[1], 7, 0).unwrap();
        let t = n.poll_timeout().unwrap();
        n.handle_timeout(t);
        let mut c = InvariantChecker::new();
        let rd = n.ready();
        c.observe_written(1, &rd.entries, n.log());
        for e in &rd.committed_entries {
            c.observe_applied(1, n.term(), e);
        }
        c.observe_node(&n);
        assert_eq!(n.role(), Role::Leader);
        assert!(c.violations().is_empty(), "{:?}", c.violations());
    }
}
