//! Linearizable reads without writing to the log (ReadIndex, thesis §6.4).
//!
//! The leader records its commit index, confirms it is still leader by a round
//! of heartbeats acknowledged by a majority, waits until that index is applied,
//! then answers. Rounds are numbered (`read_seq`) and echoed by followers.

use super::node::Node;
use super::quorum::has_majority;
use super::ready::ReadState;
use super::{ProposeError, MAX_PENDING_READS};
use crate::types::{LogIndex, Role, TimeUs};

/// One ReadIndex request waiting for confirmation or for the state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PendingRead {
    /// Caller's id for the request.
    pub request_id: u64,
    /// Heartbeat round that confirms leadership for it.
    pub seq: u64,
    /// Commit index to wait for; `None` until the leader has committed an entry
    /// of its own term (before that its commit index may be stale).
    pub index: Option<LogIndex>,
    /// A majority acknowledged round `seq`.
    pub confirmed: bool,
}

impl PendingRead {
    /// Ready to answer once `applied` has reached its index.
    pub fn releasable(&self, applied: LogIndex) -> bool {
        self.confirmed && self.index.is_some_and(|i| i <= applied)
    }
}

impl Node {
    /// Starts a linearizable read. The answer comes out in `Ready::read_states`
    /// as `ReadState { request_id, index }` once a majority confirmed this
    /// node's leadership and `index` is applied. Requests are dropped if the
    /// node loses leadership; clients retry on timeout.
    pub fn read_index(&mut self, now_us: TimeUs, request_id: u64) -> Result<(), ProposeError> {
        self.observe(now_us);
        if self.role != Role::Leader {
            return Err(ProposeError::NotLeader {
                leader_hint: self.leader_id,
            });
        }
        if self.reads.len() >= MAX_PENDING_READS {
            return Err(ProposeError::Busy);
        }
        self.read_seq += 1;
        let index = self.committed_in_term().then_some(self.commit);
        self.reads.push_back(PendingRead {
            request_id,
            seq: self.read_seq,
            index,
            confirmed: false,
        });
        self.broadcast_heartbeat();
        self.confirm_reads();
        Ok(())
    }

    /// The leader has committed an entry of its term: waiting reads take the
    /// current commit index.
    pub(super) fn assign_read_indexes(&mut self) {
        let commit = self.commit;
        for r in self.reads.iter_mut().filter(|r| r.index.is_none()) {
            r.index = Some(commit);
        }
    }

    /// Marks reads whose round a majority of voters has echoed.
    pub(super) fn confirm_reads(&mut self) {
        if self.role != Role::Leader {
            return;
        }
        let me = self.cfg.id;
        for i in 0..self.reads.len() {
            if self.reads[i].confirmed {
                continue;
            }
            let seq = self.reads[i].seq;
            let echoed = has_majority(&self.membership.voters, |id| {
                id == me
                    || self
                        .progress
                        .get(&id)
                        .is_some_and(|p| p.read_ack_seq >= seq)
            });
            if !echoed {
                break; // later rounds cannot be confirmed before earlier ones
            }
            self.reads[i].confirmed = true;
        }
    }

    /// Moves answerable reads to the output, in request order.
    pub(super) fn release_reads(&mut self) {
        while let Some(r) = self.reads.front() {
            if !r.releasable(self.applied) {
                break;
            }
            let (request_id, index) = (r.request_id, r.index.unwrap_or(0));
            self.reads.pop_front();
            self.read_states.push(ReadState { request_id, index });
        }
    }
}
