//! Log compaction and InstallSnapshot (paper §7).

use super::message::{MessageBody, Snapshot};
use super::node::Node;
use super::progress::ProgressState;
use super::CompactError;
use crate::types::{LogIndex, NodeId, Role};
use alloc::boxed::Box;
use alloc::vec::Vec;

impl Node {
    /// Discards the log up to `applied_index`, which the application has applied
    /// and captured in `snapshot_data`. Followers that need discarded entries
    /// get an InstallSnapshot instead.
    ///
    /// No Ready hands this snapshot out. On `Ok`, the application:
    /// 1. stores [`Node::log`]`().snapshot()` in place of its stored snapshot;
    /// 2. then may drop its stored entries up to `applied_index`.
    ///
    /// A crash before either step loses nothing: the old snapshot and the
    /// entries are still on disk (applied entries always are, see [`Ready`]).
    ///
    /// [`Ready`]: super::Ready
    pub fn compact(
        &mut self,
        applied_index: LogIndex,
        snapshot_data: Vec<u8>,
    ) -> Result<(), CompactError> {
        if applied_index > self.applied {
            return Err(CompactError::NotApplied);
        }
        if applied_index <= self.log.snapshot_index() {
            return Err(CompactError::AlreadyCompacted);
        }
        let membership = self.log.membership_at(applied_index);
        self.log.compact(applied_index, membership, snapshot_data);
        Ok(())
    }

    /// Sends the latest snapshot to `peer` and waits for its answer.
    pub(super) fn send_snapshot(&mut self, peer: NodeId) -> bool {
        let now = self.now_us;
        let index = self.log.snapshot_index();
        let Some(pr) = self.progress.get_mut(&peer) else {
            return false;
        };
        pr.become_snapshot(index, now);
        let snapshot = Box::new(self.log.snapshot().clone());
        self.send(peer, MessageBody::InstallSnapshot { snapshot });
        false
    }

    /// Follower side: replace the log with the snapshot unless it holds nothing new.
    pub(super) fn handle_snapshot(&mut self, from: NodeId, snapshot: Snapshot) {
        if self.role == Role::Leader {
            return;
        }
        if self.role != Role::Follower {
            self.become_follower(self.term, Some(from));
        }
        self.leader_id = Some(from);
        self.last_leader_contact_us = self.now_us;
        self.touch_election_timer();
        let meta = &snapshot.meta;
        let knows_config = !self.membership.is_empty();
        // Never behind the commit index, configuration known or not (a
        // forged removal of everyone must not let a snapshot roll it back).
        if (knows_config && meta.last_index <= self.commit) || meta.last_index < self.commit {
            let body = MessageBody::InstallSnapshotResp {
                last_index: self.commit,
            };
            self.send_persisted(from, body);
            return;
        }
        if knows_config && self.log.term_at(meta.last_index) == Some(meta.last_term) {
            // We hold that entry already: just learn it is committed (paper §7 last rule).
            self.commit = meta.last_index;
            let body = MessageBody::InstallSnapshotResp {
                last_index: meta.last_index,
            };
            self.send_persisted(from, body);
            return;
        }
        let last_index = meta.last_index;
        self.membership = meta.membership.clone();
        self.log.restore(snapshot);
        // Nothing of the new log is known on disk until this Ready is.
        self.forget_stable_after(0);
        self.conf_index = last_index;
        self.voter_before_conf = false; // a snapshot's configuration is committed
        self.commit = last_index;
        self.applied = last_index;
        self.unstable_from = last_index + 1;
        self.snapshot_pending = true;
        self.send_persisted(from, MessageBody::InstallSnapshotResp { last_index });
    }

    /// Leader side: the follower holds everything up to `last_index`.
    pub(super) fn handle_snapshot_resp(&mut self, from: NodeId, last_index: LogIndex) {
        if self.role != Role::Leader || last_index > self.log.last_index() {
            return;
        }
        let Some(pr) = self.progress.get_mut(&from) else {
            return;
        };
        pr.recent_active = true;
        pr.maybe_update(last_index);
        if pr.state == ProgressState::Snapshot {
            pr.become_probe();
        }
        self.maybe_commit();
        self.maybe_auto_promote();
        if self.role == Role::Leader {
            self.send_append(from, true);
            while self.send_append(from, false) {}
        }
    }
}
