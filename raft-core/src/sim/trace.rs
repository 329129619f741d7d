//! The typed record of everything that happened, with a running hash.
//!
//! Only the last `capacity` events are kept (a ring buffer); every event, kept
//! or not, is folded into a 64-bit running hash of a canonical encoding
//! ([`TraceHasher`]), so two runs can be compared event for event in constant
//! memory.

use crate::check::invariants::Property;
use crate::kv::{Op, Reply};
use crate::raft::MessageBody;
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

mod hash;

use hash::EventWords;
pub use hash::TraceHasher;

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
        /// What it asks for.
        command: Op,
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
        /// The reply.
        reply: Reply,
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
    /// A user or fault action not covered above (e.g. `set_loss`).
    Action {
        /// What was done.
        action: ActionFact,
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

/// The actions that have no [`TraceKind`] of their own, as facts (the
/// view puts them into words).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ActionFact {
    /// A node was told to start an election now.
    TimeoutNow {
        /// The node.
        node: NodeId,
    },
    /// The leader was asked to hand leadership to `to`.
    TransferLeader {
        /// The new leader asked for.
        to: NodeId,
    },
    /// The leader was asked to remove `node` from the configuration.
    RemoveNode {
        /// The node.
        node: NodeId,
    },
    /// Message loss was set.
    Loss {
        /// Probability, parts per million.
        ppm: u32,
    },
    /// Message duplication was set.
    Duplication {
        /// Probability, parts per million.
        ppm: u32,
    },
    /// Reordering was set.
    Reorder {
        /// Probability, parts per million.
        ppm: u32,
        /// Largest extra delay, microseconds.
        max_delay_us: TimeUs,
    },
    /// The latency range of new messages was set.
    Latency {
        /// Lower bound, microseconds.
        min_us: TimeUs,
        /// Upper bound, microseconds.
        max_us: TimeUs,
    },
    /// A node's clock drift was set.
    Drift {
        /// The node.
        node: NodeId,
        /// Drift, ppm.
        ppm: i64,
    },
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
        self.push_inlined(time_us, kind);
    }

    /// [`push`](Self::push) inlined into the caller, for the few hottest
    /// call sites (each message sent and delivered): with the kind known
    /// there, the encoding's match and its constant words fold away and the
    /// event is built in place. Everywhere else `push` keeps one copy.
    #[inline(always)]
    pub(crate) fn push_inlined(&mut self, time_us: TimeUs, kind: TraceKind) {
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
