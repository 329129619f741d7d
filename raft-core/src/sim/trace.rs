//! The typed record of everything that happened, with a running hash.
//!
//! Only the last `capacity` events are kept (a ring buffer); every event, kept
//! or not, is folded into a 64-bit running hash of a canonical encoding
//! ([`TraceHasher`]), so two runs can be compared event for event in constant
//! memory.

use crate::check::invariants::Property;
use crate::raft::MessageBody;
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// The running hash of a [`Trace`] (hand-rolled: no_std and stable across
/// platforms, WebAssembly included).
///
/// An event is a sequence of `u64` words (its time, a tag, its fields; text
/// goes in as its length and then 8 bytes per word, little-endian). Word `i`
/// of an event contributes `(w ^ i·G)·K ^ i·G` to a wrapping sum, so the words
/// of one event are mixed independently, with no chain of dependent
/// multiplies (hashing was a hot spot of the simulator). The sum and the word
/// count are then folded into the running value with one multiply and
/// xor-shift, a bijection: runs whose traces differ in one event keep
/// different values unless they collide later by chance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TraceHasher(pub u64);

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl TraceHasher {
    const FOLD: u64 = 0xc4ce_b9fe_1a85_ec53;

    /// Folds one event, given as its words, into the running value.
    pub fn event(&mut self, words: &[u64]) {
        let mut e = EventWords::default();
        words.iter().for_each(|&w| e.word(w));
        self.fold(e);
    }

    #[inline(always)]
    fn fold(&mut self, e: EventWords) {
        let h = (self.0 ^ e.sum ^ e.count.rotate_left(32)).wrapping_mul(Self::FOLD);
        self.0 = h ^ (h >> 29);
    }
}

/// The words of one event being hashed (see [`TraceHasher`]).
#[derive(Default)]
struct EventWords {
    sum: u64,
    count: u64,
}

impl EventWords {
    const LANE: u64 = 0x9e37_79b9_7f4a_7c15;
    const MUL: u64 = 0xff51_afd7_ed55_8ccd;

    #[inline(always)]
    fn word(&mut self, v: u64) {
        let lane = self.count.wrapping_mul(Self::LANE);
        self.sum = self
            .sum
            .wrapping_add((v ^ lane).wrapping_mul(Self::MUL) ^ lane);
        self.count += 1;
    }

    /// Text: its length, then its bytes eight at a time.
    fn text(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.word(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.word(u64::from_le_bytes(w));
        }
    }
}

/// The fields of a message worth showing, without its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MsgSummary {
    /// RequestVote or PreVote.
    Vote {
        /// A PreVote request.
        pre_vote: bool,
        /// Candidate's last log index.
        last_log_index: LogIndex,
        /// Candidate's last log term.
        last_log_term: Term,
    },
    /// Answer to a (pre-)vote request.
    VoteResp {
        /// Answers a PreVote.
        pre_vote: bool,
        /// Granted or not.
        granted: bool,
    },
    /// AppendEntries (a heartbeat when `entries == 0`).
    Append {
        /// Index before the entries.
        prev_log_index: LogIndex,
        /// Its term.
        prev_log_term: Term,
        /// Number of entries carried.
        entries: u64,
        /// Leader's commit index.
        leader_commit: LogIndex,
    },
    /// Answer to AppendEntries.
    AppendResp {
        /// Consistency check passed.
        success: bool,
        /// Match index (success) or rejected index.
        index: LogIndex,
        /// Follower's last index.
        last_index: LogIndex,
    },
    /// InstallSnapshot.
    Snapshot {
        /// Last index covered.
        last_index: LogIndex,
        /// Its term.
        last_term: Term,
    },
    /// Answer to InstallSnapshot.
    SnapshotResp {
        /// Follower's committed index.
        last_index: LogIndex,
    },
    /// TimeoutNow (leadership transfer).
    TimeoutNow,
}

impl MsgSummary {
    /// Summarizes a message body.
    pub fn of(body: &MessageBody) -> Self {
        match body {
            MessageBody::RequestVote {
                pre_vote,
                last_log_index,
                last_log_term,
                ..
            } => MsgSummary::Vote {
                pre_vote: *pre_vote,
                last_log_index: *last_log_index,
                last_log_term: *last_log_term,
            },
            MessageBody::RequestVoteResp { pre_vote, granted } => MsgSummary::VoteResp {
                pre_vote: *pre_vote,
                granted: *granted,
            },
            MessageBody::AppendEntries {
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                ..
            } => MsgSummary::Append {
                prev_log_index: *prev_log_index,
                prev_log_term: *prev_log_term,
                entries: entries.len() as u64,
                leader_commit: *leader_commit,
            },
            MessageBody::AppendEntriesResp {
                success,
                index,
                last_index,
                ..
            } => MsgSummary::AppendResp {
                success: *success,
                index: *index,
                last_index: *last_index,
            },
            MessageBody::InstallSnapshot { snapshot } => MsgSummary::Snapshot {
                last_index: snapshot.meta.last_index,
                last_term: snapshot.meta.last_term,
            },
            MessageBody::InstallSnapshotResp { last_index } => MsgSummary::SnapshotResp {
                last_index: *last_index,
            },
            MessageBody::TimeoutNow => MsgSummary::TimeoutNow,
        }
    }

    /// The same kind names as [`MessageBody::kind`].
    pub const fn kind(&self) -> &'static str {
        match self {
            MsgSummary::Vote { pre_vote: true, .. } => "PreVote",
            MsgSummary::Vote { .. } => "RequestVote",
            MsgSummary::VoteResp { pre_vote: true, .. } => "PreVoteResp",
            MsgSummary::VoteResp { .. } => "RequestVoteResp",
            MsgSummary::Append { .. } => "AppendEntries",
            MsgSummary::AppendResp { .. } => "AppendEntriesResp",
            MsgSummary::Snapshot { .. } => "InstallSnapshot",
            MsgSummary::SnapshotResp { .. } => "InstallSnapshotResp",
            MsgSummary::TimeoutNow => "TimeoutNow",
        }
    }

    #[inline(always)]
    fn encode(&self, h: &mut EventWords) {
        match *self {
            MsgSummary::Vote {
                pre_vote,
                last_log_index,
                last_log_term,
            } => [1, pre_vote as u64, last_log_index, last_log_term]
                .iter()
                .for_each(|&v| h.word(v)),
            MsgSummary::VoteResp { pre_vote, granted } => [2, pre_vote as u64, granted as u64]
                .iter()
                .for_each(|&v| h.word(v)),
            MsgSummary::Append {
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            } => [3, prev_log_index, prev_log_term, entries, leader_commit]
                .iter()
                .for_each(|&v| h.word(v)),
            MsgSummary::AppendResp {
                success,
                index,
                last_index,
            } => [4, success as u64, index, last_index]
                .iter()
                .for_each(|&v| h.word(v)),
            MsgSummary::Snapshot {
                last_index,
                last_term,
            } => [5, last_index, last_term].iter().for_each(|&v| h.word(v)),
            MsgSummary::SnapshotResp { last_index } => {
                [6, last_index].iter().for_each(|&v| h.word(v))
            }
            MsgSummary::TimeoutNow => h.word(7),
        }
    }
}

impl fmt::Display for MsgSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MsgSummary::Vote {
                last_log_index,
                last_log_term,
                ..
            } => write!(f, "last={last_log_index}@t{last_log_term}"),
            MsgSummary::VoteResp { granted, .. } => {
                f.write_str(if granted { "granted" } else { "rejected" })
            }
            MsgSummary::Append {
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            } => write!(
                f,
                "prev={prev_log_index}@t{prev_log_term} n={entries} commit={leader_commit}"
            ),
            MsgSummary::AppendResp {
                success,
                index,
                last_index,
            } => write!(
                f,
                "{} index={index} last={last_index}",
                if success { "ok" } else { "reject" }
            ),
            MsgSummary::Snapshot {
                last_index,
                last_term,
            } => write!(f, "upto={last_index}@t{last_term}"),
            MsgSummary::SnapshotResp { last_index } => write!(f, "last={last_index}"),
            MsgSummary::TimeoutNow => f.write_str("campaign now"),
        }
    }
}

/// Why a message never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DropReason {
    /// The link was cut when the message was sent.
    LinkCutAtSend,
    /// The link was cut when the message was due to arrive.
    LinkCutAtDelivery,
    /// Random loss.
    Loss,
    /// The recipient was crashed on arrival (or crashed while the message waited).
    NodeDown,
    /// No such node.
    UnknownNode,
    /// Too many messages in flight ([`SimConfig::max_in_flight`](super::SimConfig::max_in_flight)).
    QueueFull,
}

impl DropReason {
    /// A short lowercase name.
    pub const fn as_str(self) -> &'static str {
        match self {
            DropReason::LinkCutAtSend => "link cut at send",
            DropReason::LinkCutAtDelivery => "link cut at delivery",
            DropReason::Loss => "loss",
            DropReason::NodeDown => "node down",
            DropReason::UnknownNode => "unknown node",
            DropReason::QueueFull => "queue full",
        }
    }
}

/// What happened (see [`TraceEvent`] for when).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TraceKind {
    /// A message left `from`; it is due at `deliver_us`.
    MessageSent {
        /// Message id (unique per run).
        id: u64,
        /// Sender.
        from: NodeId,
        /// Recipient.
        to: NodeId,
        /// Sender's term.
        term: Term,
        /// Send time.
        send_us: TimeUs,
        /// Due time (equal to `send_us` for a message dropped at once).
        deliver_us: TimeUs,
        /// What it says.
        summary: MsgSummary,
    },
    /// A message reached its recipient and was handled.
    Delivered {
        /// Message id.
        id: u64,
        /// Sender.
        from: NodeId,
        /// Recipient.
        to: NodeId,
    },
    /// A message was dropped.
    Dropped {
        /// Message id.
        id: u64,
        /// Sender.
        from: NodeId,
        /// Recipient.
        to: NodeId,
        /// Why.
        reason: DropReason,
    },
    /// The network duplicated message `id` as `copy`.
    Duplicated {
        /// Original id.
        id: u64,
        /// The copy's id.
        copy: u64,
        /// Its due time.
        deliver_us: TimeUs,
    },
    /// A node's timer fired.
    TimerFired {
        /// The node.
        node: NodeId,
    },
    /// A node changed role.
    RoleChanged {
        /// The node.
        node: NodeId,
        /// Previous role.
        from: Role,
        /// New role.
        to: Role,
        /// Term at the change.
        term: Term,
    },
    /// A node's term changed.
    TermChanged {
        /// The node.
        node: NodeId,
        /// Previous term.
        from: Term,
        /// New term.
        to: Term,
    },
    /// A (real, not pre-) vote answer was sent.
    Voted {
        /// Who voted.
        voter: NodeId,
        /// For whom.
        candidate: NodeId,
        /// In which term.
        term: Term,
        /// Whether granted.
        granted: bool,
    },
    /// A node wrote log entries `from_index..=to_index` (replacing any there).
    EntryAppended {
        /// The node.
        node: NodeId,
        /// First index written.
        from_index: LogIndex,
        /// Last index written.
        to_index: LogIndex,
        /// Term of the last entry.
        term: Term,
    },
    /// A node's commit index advanced.
    Committed {
        /// The node.
        node: NodeId,
        /// New commit index.
        index: LogIndex,
    },
    /// A node applied entries up to `index` to its store.
    Applied {
        /// The node.
        node: NodeId,
        /// Last index applied.
        index: LogIndex,
    },
    /// A node compacted its log into a snapshot.
    Compacted {
        /// The node.
        node: NodeId,
        /// Last index covered.
        index: LogIndex,
    },
    /// A node installed a snapshot (from the leader or at restart).
    SnapshotRestored {
        /// The node.
        node: NodeId,
        /// Last index covered.
        index: LogIndex,
    },
    /// A client sent its operation for the first time (history id `op`).
    ClientInvoke {
        /// Client id.
        client: u64,
        /// History operation id.
        op: u64,
        /// Short description, e.g. `SET x=1`.
        description: String,
    },
    /// A client sent (or re-sent) its request to a node.
    ClientSend {
        /// Client id.
        client: u64,
        /// Node asked.
        node: NodeId,
        /// Attempt number (1 = first).
        attempt: u32,
    },
    /// A client got its answer.
    ClientReturn {
        /// Client id.
        client: u64,
        /// History operation id.
        op: u64,
        /// The reply, in words.
        reply: String,
    },
    /// A node crashed.
    Crash {
        /// The node.
        node: NodeId,
    },
    /// A crashed node restarted from its disk.
    Restart {
        /// The node.
        node: NodeId,
    },
    /// A node was paused.
    Pause {
        /// The node.
        node: NodeId,
    },
    /// A paused node resumed.
    Resume {
        /// The node.
        node: NodeId,
    },
    /// The network was split into groups.
    Partition {
        /// The groups.
        groups: Vec<Vec<NodeId>>,
    },
    /// One directional link was cut.
    LinkCut {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
    },
    /// One directional link was healed.
    LinkHealed {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
    },
    /// Every link was healed.
    Heal,
    /// A user or fault action not covered above (e.g. `set_loss`), in words.
    Action {
        /// What was done.
        description: String,
    },
    /// A node was added to the simulation.
    NodeAdded {
        /// Its id.
        node: NodeId,
    },
    /// A safety property was violated.
    InvariantViolation {
        /// Which property.
        property: Property,
        /// The nodes involved.
        nodes: Vec<NodeId>,
        /// The entries involved, as (index, term).
        entries: Vec<(LogIndex, Term)>,
        /// Explanation.
        message: String,
    },
}

impl TraceKind {
    #[inline(always)]
    fn encode(&self, h: &mut EventWords) {
        match self {
            TraceKind::MessageSent {
                id,
                from,
                to,
                term,
                send_us,
                deliver_us,
                summary,
            } => {
                for v in [1, *id, *from, *to, *term, *send_us, *deliver_us] {
                    h.word(v);
                }
                summary.encode(h);
            }
            TraceKind::Delivered { id, from, to } => {
                [2, *id, *from, *to].iter().for_each(|&v| h.word(v))
            }
            TraceKind::Dropped {
                id,
                from,
                to,
                reason,
            } => [3, *id, *from, *to, *reason as u64]
                .iter()
                .for_each(|&v| h.word(v)),
            TraceKind::Duplicated {
                id,
                copy,
                deliver_us,
            } => [4, *id, *copy, *deliver_us].iter().for_each(|&v| h.word(v)),
            TraceKind::TimerFired { node } => [5, *node].iter().for_each(|&v| h.word(v)),
            TraceKind::RoleChanged {
                node,
                from,
                to,
                term,
            } => [6, *node, *from as u64, *to as u64, *term]
                .iter()
                .for_each(|&v| h.word(v)),
            TraceKind::TermChanged { node, from, to } => {
                [7, *node, *from, *to].iter().for_each(|&v| h.word(v))
            }
            TraceKind::Voted {
                voter,
                candidate,
                term,
                granted,
            } => [8, *voter, *candidate, *term, *granted as u64]
                .iter()
                .for_each(|&v| h.word(v)),
            TraceKind::EntryAppended {
                node,
                from_index,
                to_index,
                term,
            } => [9, *node, *from_index, *to_index, *term]
                .iter()
                .for_each(|&v| h.word(v)),
            TraceKind::Committed { node, index } => {
                [10, *node, *index].iter().for_each(|&v| h.word(v))
            }
            TraceKind::Applied { node, index } => {
                [11, *node, *index].iter().for_each(|&v| h.word(v))
            }
            TraceKind::Compacted { node, index } => {
                [12, *node, *index].iter().for_each(|&v| h.word(v))
            }
            TraceKind::SnapshotRestored { node, index } => {
                [13, *node, *index].iter().for_each(|&v| h.word(v))
            }
            TraceKind::ClientInvoke {
                client,
                op,
                description,
            } => {
                [14, *client, *op].iter().for_each(|&v| h.word(v));
                h.text(description);
            }
            TraceKind::ClientSend {
                client,
                node,
                attempt,
            } => [15, *client, *node, *attempt as u64]
                .iter()
                .for_each(|&v| h.word(v)),
            TraceKind::ClientReturn { client, op, reply } => {
                [16, *client, *op].iter().for_each(|&v| h.word(v));
                h.text(reply);
            }
            TraceKind::Crash { node } => [17, *node].iter().for_each(|&v| h.word(v)),
            TraceKind::Restart { node } => [18, *node].iter().for_each(|&v| h.word(v)),
            TraceKind::Pause { node } => [19, *node].iter().for_each(|&v| h.word(v)),
            TraceKind::Resume { node } => [20, *node].iter().for_each(|&v| h.word(v)),
            TraceKind::Partition { groups } => {
                h.word(21);
                for g in groups {
                    h.word(g.len() as u64);
                    g.iter().for_each(|&v| h.word(v));
                }
            }
            TraceKind::LinkCut { from, to } => [22, *from, *to].iter().for_each(|&v| h.word(v)),
            TraceKind::LinkHealed { from, to } => [23, *from, *to].iter().for_each(|&v| h.word(v)),
            TraceKind::Heal => h.word(24),
            TraceKind::Action { description } => {
                h.word(25);
                h.text(description);
            }
            TraceKind::NodeAdded { node } => [26, *node].iter().for_each(|&v| h.word(v)),
            TraceKind::InvariantViolation {
                property,
                nodes,
                entries,
                message,
            } => {
                h.word(27);
                h.text(property.as_str());
                nodes.iter().for_each(|&v| h.word(v));
                for &(i, t) in entries {
                    h.word(i);
                    h.word(t);
                }
                h.text(message);
            }
        }
    }
}

/// One event with its virtual time and its position in the run.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TraceEvent {
    /// Position in the run (0-based, counting dropped-from-memory events too).
    pub seq: u64,
    /// Virtual time, microseconds.
    pub time_us: TimeUs,
    /// What happened.
    pub kind: TraceKind,
}

/// Bounded trace: the last `capacity` events, plus a hash and count of all.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Trace {
    events: VecDeque<TraceEvent>,
    capacity: usize,
    total: u64,
    hash: TraceHasher,
}

impl Trace {
    /// An empty trace keeping at most `capacity` events in memory.
    pub fn new(capacity: usize) -> Self {
        Trace {
            events: VecDeque::new(),
            capacity: capacity.max(1),
            total: 0,
            hash: TraceHasher::default(),
        }
    }

    /// Records an event.
    #[inline]
    pub fn push(&mut self, time_us: TimeUs, kind: TraceKind) {
        let mut words = EventWords::default();
        words.word(time_us);
        kind.encode(&mut words);
        self.hash.fold(words);
        if self.events.len() >= self.capacity {
            self.events.pop_front();
        }
        self.events.push_back(TraceEvent {
            seq: self.total,
            time_us,
            kind,
        });
        self.total += 1;
    }

    /// The events kept in memory, oldest first.
    pub fn events(&self) -> &VecDeque<TraceEvent> {
        &self.events
    }

    /// Events recorded since `seq` (those still in memory), for incremental UIs.
    pub fn since(&self, seq: u64) -> impl Iterator<Item = &TraceEvent> + '_ {
        let first = self.events.front().map_or(self.total, |e| e.seq);
        let skip = seq.saturating_sub(first) as usize;
        self.events.iter().skip(skip)
    }

    /// Number of events ever recorded.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// How many events the ring buffer keeps.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The running hash over every event recorded ([`TraceHasher`]).
    pub fn hash(&self) -> u64 {
        self.hash.0
    }
}

impl Trace {
    /// A copy holding only the last `n` events in memory (hash, count and
    /// capacity unchanged): cheaper than a full clone for checkpoints.
    pub(crate) fn tail(&self, n: usize) -> Trace {
        let skip = self.events.len().saturating_sub(n);
        Trace {
            events: self.events.iter().skip(skip).cloned().collect(),
            capacity: self.capacity,
            total: self.total,
            hash: self.hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_the_documented_fold_of_each_events_words() {
        let mut t = Trace::new(2);
        t.push(5, TraceKind::TimerFired { node: 3 });
        t.push(
            9,
            TraceKind::Action {
                description: String::from("loss 10%, ok"),
            },
        );
        let mut h = TraceHasher::default();
        h.event(&[5, 5, 3]);
        // "loss 10%, ok" is 12 bytes: its length, then two little-endian words.
        h.event(&[
            9,
            25,
            12,
            u64::from_le_bytes(*b"loss 10%"),
            u64::from_le_bytes(*b", ok\0\0\0\0"),
        ]);
        assert_eq!(t.hash(), h.0);
        // Every word counts.
        let mut other = Trace::new(2);
        other.push(5, TraceKind::TimerFired { node: 4 });
        assert_ne!(other.hash(), Trace::new(2).hash());
        let mut one = Trace::new(2);
        one.push(5, TraceKind::TimerFired { node: 3 });
        assert_ne!(one.hash(), other.hash());
    }
}
