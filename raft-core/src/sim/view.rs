//! Read-only snapshots of the simulation for a UI.

use super::client::{Phase, Request};
use super::trace::MsgSummary;
use super::world::Sim;
use crate::kv::Command;
use crate::raft::{ConfChange, EntryPayload};
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// Most log entries a [`NodeView`] lists (the newest ones).
pub const MAX_LOG_VIEW: usize = 512;

/// A node's state as a UI shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum NodeStatus {
    /// Running in this role.
    Up(Role),
    /// Paused (frozen) in this role.
    Paused(Role),
    /// Crashed; only its disk remains.
    Crashed,
}

/// One log entry for display.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EntryView {
    /// Log index.
    pub index: LogIndex,
    /// Term.
    pub term: Term,
    /// e.g. `SET x=1`, `no-op`, `add learner 6`.
    pub description: String,
    /// Committed on this node.
    pub committed: bool,
}

/// The leader's view of one follower.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ProgressView {
    /// The follower.
    pub peer: NodeId,
    /// Highest index known replicated there.
    pub match_index: LogIndex,
    /// Next index to send.
    pub next_index: LogIndex,
    /// `probe`, `replicate` or `snapshot`.
    pub state: String,
    /// Heard from recently.
    pub recent_active: bool,
}

/// Everything about one node.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NodeView {
    /// Id.
    pub id: NodeId,
    /// Role, paused or crashed.
    pub status: NodeStatus,
    /// Current term (from disk when crashed).
    pub term: Term,
    /// Vote in the current term.
    pub voted_for: Option<NodeId>,
    /// Known leader.
    pub leader_id: Option<NodeId>,
    /// Commit index (0 when crashed).
    pub commit: LogIndex,
    /// Applied index (0 when crashed).
    pub applied: LogIndex,
    /// Last index covered by the snapshot.
    pub snapshot_index: LogIndex,
    /// Last log index.
    pub last_index: LogIndex,
    /// The newest log entries (at most [`MAX_LOG_VIEW`], or as many as asked
    /// of [`Sim::nodes_with_log`]).
    pub log: Vec<EntryView>,
    /// Leader only: its followers' progress.
    pub progress: Vec<ProgressView>,
    /// When the election timer fires, global virtual time (followers and candidates).
    pub election_deadline_us: Option<TimeUs>,
    /// The current randomized election timeout (node-local microseconds).
    pub election_timeout_us: TimeUs,
    /// Voters of its latest configuration.
    pub voters: Vec<NodeId>,
    /// Learners of its latest configuration.
    pub learners: Vec<NodeId>,
    /// Clock drift, ppm.
    pub drift_ppm: i64,
    /// Its key-value store (empty when crashed).
    pub store: Vec<(String, String)>,
    /// Disk writes not yet completed.
    pub pending_disk_writes: usize,
}

/// A message on its way.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MessageView {
    /// Id (as in the trace).
    pub id: u64,
    /// Sender.
    pub from: NodeId,
    /// Recipient.
    pub to: NodeId,
    /// `MessageBody::kind()`, e.g. `AppendEntries`.
    pub kind: String,
    /// Sender's term.
    pub term: Term,
    /// Send time.
    pub send_us: TimeUs,
    /// Due time.
    pub deliver_us: TimeUs,
    /// A short summary of its fields.
    pub summary: String,
    /// Will be dropped on arrival (random loss, or the link is cut now).
    pub will_drop: bool,
    /// A copy made by the network.
    pub duplicate: bool,
    /// Arrived at a paused node and waits.
    pub held: bool,
}

/// A user's request on its way to a node: its first hop from the client
/// (through the load balancer), or a redirect from a node that refused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHopView {
    /// The one-shot client (at or above `USER_CLIENT_BASE`).
    pub client: u64,
    /// The request, e.g. `SET x=1`.
    pub command: String,
    /// `None`: from the client; `Some(n)`: node `n` refused it (not leader).
    pub from: Option<NodeId>,
    /// The node it goes to.
    pub to: NodeId,
    /// Whether the refusing node named `to` as the leader.
    pub hinted: bool,
    /// When it left.
    pub since_us: TimeUs,
    /// When it arrives.
    pub arrive_us: TimeUs,
}

/// Short description of an entry payload.
pub fn describe_payload(payload: &EntryPayload) -> String {
    match payload {
        EntryPayload::Noop => String::from("no-op"),
        EntryPayload::Command(bytes) => match Command::decode(bytes) {
            Ok(c) => c.describe(),
            Err(_) => String::from("<malformed>"),
        },
        EntryPayload::ConfChange(ConfChange::AddLearner(id)) => format!("add learner {id}"),
        EntryPayload::ConfChange(ConfChange::PromoteLearner(id)) => format!("promote {id}"),
        EntryPayload::ConfChange(ConfChange::RemoveServer(id)) => format!("remove {id}"),
    }
}

impl Sim {
    /// Ids of all nodes (crashed ones included).
    pub fn node_ids(&self) -> Vec<NodeId> {
        self.slots.iter().map(|s| s.id).collect()
    }

    /// A view of every node.
    pub fn nodes(&self) -> Vec<NodeView> {
        self.nodes_with_log(MAX_LOG_VIEW)
    }

    /// A view of every node listing at most the newest `max_log` entries of
    /// each log. Describing entries is most of the cost of a view, so a UI
    /// redrawing every frame asks for only as many as it shows.
    pub fn nodes_with_log(&self, max_log: usize) -> Vec<NodeView> {
        self.slots
            .iter()
            .filter_map(|s| self.node_with_log(s.id, max_log))
            .collect()
    }

    /// A view of one node.
    pub fn node(&self, id: NodeId) -> Option<NodeView> {
        self.node_with_log(id, MAX_LOG_VIEW)
    }

    /// A view of one node listing at most the newest `max_log` log entries.
    pub fn node_with_log(&self, id: NodeId, max_log: usize) -> Option<NodeView> {
        let s = &self.slots[self.slot_index(id)?];
        let drift_ppm = s.clock.ppm;
        let Some(n) = s.node.as_ref() else {
            let snap = &s.disk.snapshot.meta;
            let skip = s.disk.entries.len().saturating_sub(max_log);
            return Some(NodeView {
                id,
                status: NodeStatus::Crashed,
                term: s.disk.term,
                voted_for: s.disk.voted_for,
                leader_id: None,
                commit: 0,
                applied: 0,
                snapshot_index: snap.last_index,
                last_index: s.disk.entries.last().map_or(snap.last_index, |e| e.index),
                log: s.disk.entries[skip..]
                    .iter()
                    .map(|e| EntryView {
                        index: e.index,
                        term: e.term,
                        description: describe_payload(&e.payload),
                        committed: false,
                    })
                    .collect(),
                progress: Vec::new(),
                election_deadline_us: None,
                election_timeout_us: 0,
                voters: snap.membership.voters.clone(),
                learners: snap.membership.learners.clone(),
                drift_ppm,
                store: Vec::new(),
                pending_disk_writes: 0,
            });
        };
        let role = n.role();
        let commit = n.commit_index();
        let entries = n.log().entries();
        let skip = entries.len().saturating_sub(max_log);
        let progress = if role == Role::Leader {
            n.membership()
                .members()
                .filter(|&p| p != id)
                .filter_map(|p| {
                    n.progress(p).map(|pr| ProgressView {
                        peer: p,
                        match_index: pr.match_index,
                        next_index: pr.next_index,
                        state: pr.state.as_str().to_string(),
                        recent_active: pr.recent_active,
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        Some(NodeView {
            id,
            status: if s.paused {
                NodeStatus::Paused(role)
            } else {
                NodeStatus::Up(role)
            },
            term: n.term(),
            voted_for: n.voted_for(),
            leader_id: n.leader_id(),
            commit,
            applied: n.applied_index(),
            snapshot_index: n.log().snapshot_index(),
            last_index: n.log().last_index(),
            log: entries[skip..]
                .iter()
                .map(|e| EntryView {
                    index: e.index,
                    term: e.term,
                    description: describe_payload(&e.payload),
                    committed: e.index <= commit,
                })
                .collect(),
            progress,
            election_deadline_us: n.election_deadline_us().map(|d| s.clock.global_at(d)),
            election_timeout_us: n.randomized_election_timeout_us(),
            voters: n.voters().to_vec(),
            learners: n.learners().to_vec(),
            drift_ppm,
            store: s
                .store
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            pending_disk_writes: s.disk_queue.len(),
        })
    }

    /// Messages on their way (and those waiting at paused nodes), by id.
    pub fn messages_in_flight(&self) -> Vec<MessageView> {
        self.net
            .in_flight
            .iter()
            .map(|(id, f)| {
                let summary = MsgSummary::of(&f.msg.body);
                MessageView {
                    id,
                    from: f.msg.from,
                    to: f.msg.to,
                    kind: f.msg.kind().to_string(),
                    term: f.msg.term,
                    send_us: f.send_us,
                    deliver_us: f.deliver_us,
                    summary: summary.to_string(),
                    will_drop: f.lost || self.net.is_cut(f.msg.from, f.msg.to),
                    duplicate: f.duplicate,
                    held: f.held,
                }
            })
            .collect()
    }

    /// User requests on their way to a node (see [`ClientHopView`]), by client id.
    pub fn client_hops(&self) -> Vec<ClientHopView> {
        self.clients
            .values()
            .filter(|c| c.user)
            .filter_map(|c| match (&c.phase, &c.request) {
                (
                    Phase::Sending {
                        node,
                        from,
                        hinted,
                        since_us,
                        arrive_us,
                    },
                    Some(Request { op: Some(op), .. }),
                ) => Some(ClientHopView {
                    client: c.id,
                    command: op.describe(),
                    from: *from,
                    to: *node,
                    hinted: *hinted,
                    since_us: *since_us,
                    arrive_us: *arrive_us,
                }),
                _ => None,
            })
            .collect()
    }

    /// Number of user requests on their way (as [`Sim::client_hops`] lists them).
    pub fn client_hop_count(&self) -> usize {
        self.clients
            .values()
            .filter(|c| c.user && matches!(c.phase, Phase::Sending { .. }))
            .count()
    }

    /// Number of messages in flight.
    pub fn in_flight_count(&self) -> usize {
        self.net.in_flight.len()
    }

    /// The KV store of a running node.
    pub fn store(&self, id: NodeId) -> Option<&crate::kv::KvStore> {
        let s = &self.slots[self.slot_index(id)?];
        s.node.as_ref().map(|_| &s.store)
    }

    /// The Raft node itself (None when crashed or unknown), for detailed inspection.
    pub fn raft_node(&self, id: NodeId) -> Option<&crate::raft::Node> {
        self.slots[self.slot_index(id)?].node.as_ref()
    }

    /// Whether a node is crashed (`None` for unknown ids).
    pub fn is_crashed(&self, id: NodeId) -> Option<bool> {
        Some(self.slots[self.slot_index(id)?].node.is_none())
    }

    /// The number of steps (snapshot, hard state, entries) of the disk write
    /// node `id` has under way, if any.
    pub(crate) fn write_under_way(&self, id: NodeId) -> Option<usize> {
        let slot = &self.slots[self.slot_index(id)?];
        slot.node.as_ref()?;
        let w = slot.disk_queue.front().filter(|w| w.writes)?;
        Some(
            usize::from(w.snapshot.is_some())
                + usize::from(w.hard_state.is_some())
                + w.entries.len(),
        )
    }

    /// Whether a node is paused (`None` for unknown ids).
    pub fn is_paused(&self, id: NodeId) -> Option<bool> {
        Some(self.slots[self.slot_index(id)?].paused)
    }
}
