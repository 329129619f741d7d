//! Log replication and commitment (paper §5.3, §5.4.2).

use super::message::{Entry, EntryPayload, MessageBody};
use super::node::Node;
use super::progress::ProgressState;
use super::quorum::committed_index;
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};
use alloc::sync::Arc;
use alloc::vec::Vec;

impl Node {
    /// Proposes an application command (paper §5.3). Returns its log index; it
    /// is committed once it appears in `Ready::committed_entries`.
    pub fn propose(
        &mut self,
        now_us: TimeUs,
        data: Vec<u8>,
    ) -> Result<LogIndex, super::ProposeError> {
        self.propose_payload(now_us, data)
    }

    /// [`propose`](Self::propose) of bytes already shared: a caller that may
    /// propose the same command again (a client retrying at another node)
    /// encodes it once and hands out reference counts, and the log keeps
    /// this very allocation.
    pub fn propose_shared(
        &mut self,
        now_us: TimeUs,
        data: Arc<[u8]>,
    ) -> Result<LogIndex, super::ProposeError> {
        self.propose_payload(now_us, data)
    }

    fn propose_payload<D: AsRef<[u8]> + Into<Arc<[u8]>>>(
        &mut self,
        now_us: TimeUs,
        data: D,
    ) -> Result<LogIndex, super::ProposeError> {
        self.observe(now_us);
        self.check_can_propose()?;
        if data.as_ref().len() > self.cfg.max_size_per_msg_bytes {
            return Err(super::ProposeError::TooLarge);
        }
        Ok(self.append_as_leader(EntryPayload::Command(data.into())))
    }

    /// Common admission checks for anything a leader appends on a client's behalf.
    pub(super) fn check_can_propose(&self) -> Result<(), super::ProposeError> {
        if self.role != Role::Leader {
            return Err(super::ProposeError::NotLeader {
                leader_hint: self.leader_id,
            });
        }
        if self.transfer.is_some() {
            return Err(super::ProposeError::TransferInProgress);
        }
        if self.log.last_index() - self.commit >= self.cfg.max_uncommitted_entries {
            return Err(super::ProposeError::Busy);
        }
        Ok(())
    }

    /// Appends to the leader's own log; sending waits for the next `ready()` so
    /// back-to-back proposals share messages.
    pub(super) fn append_as_leader(&mut self, payload: EntryPayload) -> LogIndex {
        let index = self.log.last_index() + 1;
        let conf = match &payload {
            EntryPayload::ConfChange(cc) => Some(*cc),
            _ => None,
        };
        self.log.append(Entry {
            index,
            term: self.term,
            payload,
        });
        if let Some(cc) = conf {
            self.on_conf_appended(index, &cc);
        }
        self.broadcast_pending = true;
        // A lone voter commits on its own, once its disk has the entry (this
        // only matters with the `leader_counts_unpersisted_log` regression).
        self.maybe_commit();
        index
    }

    /// Sends whatever each follower can take (new entries or a commit update).
    pub(super) fn broadcast_append(&mut self) {
        // Sending changes no peer's presence in `progress`, so the peers are
        // listed once, into a stack buffer (clusters here have a few members),
        // instead of searching the map again for each next peer.
        const STACK_PEERS: usize = 16;
        let mut peers = [0 as NodeId; STACK_PEERS];
        let mut n = 0;
        for &peer in self.progress.keys() {
            if n == STACK_PEERS {
                n = usize::MAX;
                break;
            }
            peers[n] = peer;
            n += 1;
        }
        if n != usize::MAX {
            for &peer in &peers[..n] {
                while self.send_append(peer, true) {}
            }
            return;
        }
        let mut next = self.progress.keys().next().copied();
        while let Some(peer) = next {
            while self.send_append(peer, true) {}
            next = self.progress.range(peer + 1..).next().map(|(id, _)| *id);
        }
    }

    /// Sends one AppendEntries (or InstallSnapshot) to `peer` if flow control
    /// allows. With `allow_empty`, an entry-less message still goes out when
    /// the peer has not been told the latest commit index. True if sent.
    pub(super) fn send_append(&mut self, peer: NodeId, allow_empty: bool) -> bool {
        let (max_inflight, max_entries, max_bytes) = (
            self.cfg.max_inflight_msgs,
            self.cfg.max_entries_per_msg,
            self.cfg.max_size_per_msg_bytes,
        );
        let commit = self.commit;
        let Some(pr) = self.progress.get_mut(&peer) else {
            return false;
        };
        if pr.is_paused(max_inflight) {
            return false;
        }
        let prev = pr.next_index - 1;
        let Some(prev_term) = self.log.term_at(prev) else {
            // The entries it needs were compacted away (paper §7).
            return self.send_snapshot(peer);
        };
        let slice = self.log.slice(
            pr.next_index,
            pr.next_index.saturating_add(max_entries as u64 - 1),
        );
        let mut bytes = 0usize;
        let mut count = 0usize;
        for e in slice {
            bytes += e.payload.size_bytes();
            if count > 0 && bytes > max_bytes {
                break;
            }
            count += 1;
        }
        let slice = &slice[..count];
        if slice.is_empty()
            && !(allow_empty && (pr.sent_commit < commit || pr.state == ProgressState::Probe))
        {
            return false;
        }
        let last = prev + count as LogIndex;
        pr.sent_commit = commit;
        pr.sent_entries(last, max_inflight);
        let body = MessageBody::AppendEntries {
            prev_log_index: prev,
            prev_log_term: prev_term,
            entries: slice.to_vec(),
            leader_commit: commit,
            read_seq: self.read_seq,
        };
        self.send(peer, body);
        count > 0
    }

    /// An empty AppendEntries at `next_index - 1`, outside flow control.
    pub(super) fn send_gap_check(&mut self, peer: NodeId) {
        let Some(pr) = self.progress.get(&peer) else {
            return;
        };
        let prev = pr.next_index - 1;
        let Some(prev_term) = self.log.term_at(prev) else {
            return;
        };
        let body = MessageBody::AppendEntries {
            prev_log_index: prev,
            prev_log_term: prev_term,
            entries: Vec::new(),
            leader_commit: self.commit.min(prev),
            read_seq: self.read_seq,
        };
        self.send(peer, body);
    }

    /// Heartbeats (paper §5.2) carry the commit index up to what each follower
    /// is known to hold, and the current ReadIndex round. They never allocate.
    pub(super) fn broadcast_heartbeat(&mut self) {
        let mut next = self.progress.keys().next().copied();
        while let Some(peer) = next {
            self.send_heartbeat(peer);
            next = self.progress.range(peer + 1..).next().map(|(id, _)| *id);
        }
    }

    pub(super) fn send_heartbeat(&mut self, peer: NodeId) {
        let Some(pr) = self.progress.get_mut(&peer) else {
            return;
        };
        pr.gap_check_armed = true;
        // Anchor on the match point so the consistency check passes and the
        // commit index is never applied beyond entries known to match.
        let (prev, prev_term) = match self.log.term_at(pr.match_index) {
            Some(t) => (pr.match_index, t),
            None => (0, 0),
        };
        let body = MessageBody::AppendEntries {
            prev_log_index: prev,
            prev_log_term: prev_term,
            entries: Vec::new(),
            leader_commit: self.commit.min(prev),
            read_seq: self.read_seq,
        };
        self.send(peer, body);
    }

    /// Follower side of AppendEntries (paper Figure 2, receiver rules 1–5).
    pub(super) fn handle_append(
        &mut self,
        from: NodeId,
        prev: LogIndex,
        prev_term: Term,
        entries: Vec<Entry>,
        leader_commit: LogIndex,
        read_seq: u64,
    ) {
        if self.role == Role::Leader {
            return; // Two leaders in one term cannot exist (§5.2); this is forged.
        }
        if self.role != Role::Follower {
            self.become_follower(self.term, Some(from));
        }
        self.leader_id = Some(from);
        self.last_leader_contact_us = self.now_us;
        self.touch_election_timer();
        let last = self.log.last_index();
        let reject = |node: &Node, conflict_index, conflict_term| MessageBody::AppendEntriesResp {
            success: false,
            index: prev,
            last_index: node.log.last_index(),
            conflict_index,
            conflict_term,
            read_seq,
        };
        if self.membership.is_empty() {
            // A joining server knows no configuration yet: ask for a snapshot.
            let mut body = reject(self, 0, 0);
            if let MessageBody::AppendEntriesResp { index, .. } = &mut body {
                *index = 0;
            }
            self.send_persisted(from, body);
            return;
        }
        if prev < self.commit {
            // Everything up to commit already matches; tell the leader where we are.
            let body = self.ack(self.commit, read_seq);
            self.send_persisted(from, body);
            return;
        }
        let matches = match self.log.term_at(prev) {
            Some(t) => t == prev_term || (self.cfg.bugs.skip_consistency_check && prev <= last),
            None => false,
        };
        if !matches {
            // Fast backtracking hints (thesis §5.3).
            let body = match self.log.term_at(prev) {
                None => reject(self, last + 1, 0),
                Some(t) => reject(
                    self,
                    self.log.first_index_of_term_at(prev, self.commit + 1),
                    t,
                ),
            };
            self.send_persisted(from, body);
            return;
        }
        let last_new = prev + entries.len() as LogIndex;
        if !self.append_entries(entries) {
            return; // would overwrite committed entries: forged or corrupt, ignore
        }
        let new_commit = leader_commit.min(last_new);
        if new_commit > self.commit {
            self.commit = new_commit;
        }
        let body = self.ack(last_new, read_seq);
        self.send_persisted(from, body);
    }

    fn ack(&self, index: LogIndex, read_seq: u64) -> MessageBody {
        MessageBody::AppendEntriesResp {
            success: true,
            index,
            last_index: self.log.last_index(),
            conflict_index: 0,
            conflict_term: 0,
            read_seq,
        }
    }

    /// Appends entries after a passed consistency check: skip those already
    /// held, truncate at the first conflict (paper Figure 2 rule 3), append the
    /// rest. Returns false, changing nothing, if a committed entry would be lost.
    fn append_entries(&mut self, entries: Vec<Entry>) -> bool {
        let conflict = entries
            .iter()
            .position(|e| self.log.term_at(e.index) != Some(e.term));
        let Some(pos) = conflict else { return true };
        let at = entries[pos].index;
        if at <= self.commit {
            return false;
        }
        if at <= self.log.last_index() {
            self.log.truncate_from(at);
            self.unstable_from = self.unstable_from.min(at);
            self.forget_stable_after(at - 1);
            if self.conf_index >= at {
                self.membership = self.log.membership_at(self.log.last_index());
                self.conf_index = self.log.last_conf_index();
                self.refresh_voter_before_conf();
            }
        }
        for e in entries.into_iter().skip(pos) {
            if let EntryPayload::ConfChange(cc) = &e.payload {
                // Configurations take effect when appended (thesis §4.1).
                let was_voter = self.membership.is_voter(self.cfg.id);
                if self.membership.apply(cc) {
                    self.conf_index = e.index;
                    self.voter_before_conf = was_voter;
                }
            }
            self.log.append(e);
        }
        true
    }

    /// Leader side of the AppendEntries answer.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn handle_append_resp(
        &mut self,
        from: NodeId,
        success: bool,
        index: LogIndex,
        last_index: LogIndex,
        conflict_index: LogIndex,
        conflict_term: Term,
        read_seq: u64,
    ) {
        if self.role != Role::Leader || read_seq > self.read_seq {
            return;
        }
        let leader_last = self.log.last_index();
        let Some(pr) = self.progress.get_mut(&from) else {
            return;
        };
        pr.recent_active = true;
        pr.read_ack_seq = pr.read_ack_seq.max(read_seq);
        if !success {
            if index == 0 {
                // The follower has no configuration: it needs the snapshot base.
                if pr.state != ProgressState::Snapshot {
                    self.send_snapshot(from);
                }
                return;
            }
            let hint = if conflict_term > 0 {
                match self.log.last_index_of_term(conflict_term) {
                    Some(i) => i + 1,
                    None => conflict_index,
                }
            } else {
                conflict_index.min(last_index.saturating_add(1))
            };
            let hint = hint.clamp(1, leader_last + 1);
            if pr.maybe_decrease_to(index, hint) {
                self.send_append(from, true);
            }
        } else {
            if index > leader_last {
                return; // acknowledges entries we never sent
            }
            let was_paused = pr.is_paused(self.cfg.max_inflight_msgs);
            if pr.maybe_update(index) {
                match pr.state {
                    ProgressState::Probe => pr.become_replicate(),
                    ProgressState::Snapshot if pr.match_index + 1 >= self.log.first_index() => {
                        pr.become_probe();
                        pr.become_replicate();
                    }
                    ProgressState::Snapshot => {}
                    ProgressState::Replicate => pr.free_inflight_to(index),
                }
                if !self.maybe_commit() && was_paused {
                    self.send_append(from, true);
                }
                if !self.membership.contains(from) {
                    self.prune_progress(); // a removed server caught up with its removal
                }
                self.maybe_finish_transfer(from);
            } else if pr.state == ProgressState::Probe {
                // A heartbeat answer: the follower is reachable, probe again.
                pr.probe_sent = false;
            } else if pr.state == ProgressState::Replicate
                && pr.match_index < leader_last
                && core::mem::take(&mut pr.gap_check_armed)
            {
                // A heartbeat answer while entries are outstanding: some appends may
                // have been lost. An empty append at next_index reveals a gap (the
                // follower rejects it and we fall back to probing), as etcd does.
                pr.inflight.pop_front();
                self.send_gap_check(from);
            }
            self.maybe_auto_promote();
        }
        self.confirm_reads();
        if self.role == Role::Leader {
            while self.send_append(from, false) {}
        }
    }

    /// Paper §5.4.2: advance commit to the highest index replicated on a
    /// majority, but only if that entry is from the current term (Figure 8).
    /// Returns true if the commit index moved.
    pub(super) fn maybe_commit(&mut self) -> bool {
        if self.role != Role::Leader {
            return false;
        }
        let candidate = self.quorum_match_index();
        if candidate <= self.commit {
            return false;
        }
        // The planted bug counts replicas of entries from older terms too.
        if !self.cfg.bugs.commit_old_term && self.log.term_at(candidate) != Some(self.term) {
            return false;
        }
        self.commit = candidate;
        self.broadcast_pending = true;
        self.on_commit_advanced();
        true
    }

    /// The highest index held by a majority of voters (the leader counts its own
    /// log only while it is a voter, thesis §4.2.2).
    fn quorum_match_index(&self) -> LogIndex {
        // Only what is on our own disk counts (thesis §10.2.1): our messages may
        // leave before our write, and a crash must not undo a commit.
        let own = if self.cfg.regressions.leader_counts_unpersisted_log {
            self.log.last_index()
        } else {
            self.stable_index()
        };
        committed_index(&self.membership.voters, |id| {
            if id == self.cfg.id {
                own
            } else {
                self.progress.get(&id).map_or(0, |p| p.match_index)
            }
        })
    }

    /// Consequences of a commit: reads may be answered, a removed leader
    /// steps down, caught-up learners may be promoted.
    fn on_commit_advanced(&mut self) {
        if self.committed_in_term() {
            self.assign_read_indexes();
        }
        if self.conf_index <= self.commit && !self.membership.is_voter(self.cfg.id) {
            // Thesis §4.2.2: a leader removed from the configuration steps down
            // once the removal is committed.
            self.become_follower(self.term, None);
            return;
        }
        self.prune_progress();
        self.maybe_auto_promote();
    }

    /// Snapshots unanswered for an election timeout are presumed lost: probe again.
    pub(super) fn retry_stale_snapshots(&mut self) {
        let (now, timeout) = (self.now_us, self.cfg.election_timeout_min_us);
        for pr in self.progress.values_mut() {
            if pr.state == ProgressState::Snapshot
                && now >= pr.snapshot_sent_us.saturating_add(timeout)
            {
                pr.become_probe();
            }
        }
    }
}
