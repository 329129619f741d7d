//! Leader election (paper §5.2, §5.4.1), PreVote (thesis §9.6), CheckQuorum
//! and leader stickiness (thesis §6.2, §4.2.3).

use super::message::{EntryPayload, Message, MessageBody};
use super::node::Node;
use super::progress::Progress;
use super::quorum::{has_majority, vote_result, VoteResult};
use crate::types::{NodeId, Role, Term, TimeUs};

impl Node {
    /// Starts an election now, as if the election timer had fired (the UI's
    /// "time out now" button). With PreVote on this starts a pre-vote round.
    /// Returns false if this node may not campaign (leader already, learner,
    /// joining or removed server).
    pub fn campaign(&mut self, now_us: TimeUs) -> bool {
        self.observe(now_us);
        self.hup(false)
    }

    /// Election timer fired (or TimeoutNow arrived when `transfer` is set).
    pub(super) fn hup(&mut self, transfer: bool) -> bool {
        if self.role == Role::Leader || !self.is_promotable() {
            return false;
        }
        if self.cfg.pre_vote && !transfer {
            self.become_pre_candidate();
        } else {
            self.become_candidate(transfer);
        }
        true
    }

    /// PreVote (thesis §9.6): ask whether we could win before bumping the term,
    /// so a node rejoining after a partition does not disrupt the cluster.
    fn become_pre_candidate(&mut self) {
        self.role = Role::PreCandidate;
        self.leader_id = None;
        self.votes.clear();
        self.reset_election_timer();
        self.votes.insert(self.cfg.id, true);
        if self.tally() == Some(true) {
            self.become_candidate(false);
            return;
        }
        self.request_votes(true, false);
    }

    /// Paper §5.2: increment term, vote for self, ask everyone else.
    fn become_candidate(&mut self, transfer: bool) {
        self.term += 1;
        self.voted_for = Some(self.cfg.id);
        self.role = Role::Candidate;
        self.leader_id = None;
        self.votes.clear();
        self.reset_election_timer();
        self.votes.insert(self.cfg.id, true);
        if self.tally() == Some(true) {
            self.become_leader();
            return;
        }
        self.request_votes(false, transfer);
    }

    fn request_votes(&mut self, pre_vote: bool, leader_transfer: bool) {
        let body = MessageBody::RequestVote {
            pre_vote,
            last_log_index: self.log.last_index(),
            last_log_term: self.log.last_term(),
            leader_transfer,
        };
        // A pre-vote asks on behalf of the next term without entering it.
        let term = if pre_vote { self.term + 1 } else { self.term };
        for i in 0..self.membership.voters.len() {
            let to = self.membership.voters[i];
            if to == self.cfg.id {
                continue;
            }
            let msg = Message {
                from: self.cfg.id,
                to,
                term,
                body: body.clone(),
            };
            // Our own vote must be durable before anyone counts on this election.
            if pre_vote {
                self.msgs.push(msg)
            } else {
                self.persisted_msgs.push(msg)
            }
        }
    }

    /// Paper §5.2 and §8: a new leader resets progress and appends a no-op so
    /// that it commits an entry of its own term (needed for ReadIndex and
    /// membership changes, thesis §6.4).
    pub(super) fn become_leader(&mut self) {
        debug_assert_eq!(self.role, Role::Candidate);
        self.role = Role::Leader;
        self.leader_id = Some(self.cfg.id);
        self.votes.clear();
        self.transfer = None;
        self.progress.clear();
        let next = self.log.last_index() + 1;
        for id in self.membership.members() {
            if id != self.cfg.id {
                self.progress
                    .insert(id, Progress::new(next, self.cfg.max_inflight_msgs));
            }
        }
        self.heartbeat_deadline_us = self.now_us.saturating_add(self.cfg.heartbeat_interval_us);
        self.check_quorum_deadline_us =
            self.now_us.saturating_add(self.cfg.election_timeout_min_us);
        self.last_leader_contact_us = self.now_us;
        self.append_as_leader(EntryPayload::Noop);
        self.broadcast_append();
        self.maybe_commit();
    }

    pub(super) fn handle_request_vote(
        &mut self,
        from: NodeId,
        msg_term: Term,
        pre_vote: bool,
        last_log_index: u64,
        last_log_term: Term,
    ) {
        // One vote per term (paper §5.2); a pre-vote for a future term binds nothing.
        let can_vote = self.voted_for == Some(from)
            || (self.voted_for.is_none() && self.leader_id.is_none())
            || (pre_vote && msg_term > self.term);
        // Paper §5.4.1; the planted bug skips it.
        let up_to_date = self.cfg.bugs.vote_without_log_check
            || self.log.is_up_to_date(last_log_index, last_log_term);
        // Learners do answer: a learner whose configuration is stale may already be a
        // voter in the candidate's eyes (etcd does the same). Candidates only count
        // votes from their own voters, and learners never campaign.
        let granted = can_vote && up_to_date && msg_term >= self.term;
        if pre_vote {
            let term = if granted { msg_term } else { self.term };
            self.msgs.push(Message {
                from: self.cfg.id,
                to: from,
                term,
                body: MessageBody::RequestVoteResp {
                    pre_vote: true,
                    granted,
                },
            });
            return;
        }
        if granted {
            self.voted_for = Some(from);
            self.reset_election_timer();
        }
        self.send_persisted(
            from,
            MessageBody::RequestVoteResp {
                pre_vote: false,
                granted,
            },
        );
    }

    pub(super) fn handle_vote_resp(
        &mut self,
        from: NodeId,
        msg_term: Term,
        pre_vote: bool,
        granted: bool,
    ) {
        let counts = match self.role {
            Role::PreCandidate => {
                pre_vote && (msg_term == self.term + 1 || (!granted && msg_term == self.term))
            }
            Role::Candidate => !pre_vote && msg_term == self.term,
            _ => false,
        };
        if !counts || !self.membership.is_voter(from) {
            return;
        }
        self.votes.entry(from).or_insert(granted);
        match (self.tally(), self.role) {
            (Some(true), Role::PreCandidate) => self.become_candidate(false),
            (Some(true), _) => self.become_leader(),
            (Some(false), _) => self.become_follower(self.term, None),
            (None, _) => {}
        }
    }

    /// `Some(true)` won, `Some(false)` lost, `None` undecided; only voters count.
    fn tally(&self) -> Option<bool> {
        match vote_result(&self.membership.voters, |id| self.votes.get(&id).copied()) {
            VoteResult::Won => Some(true),
            VoteResult::Lost => Some(false),
            VoteResult::Pending => None,
        }
    }

    /// CheckQuorum (thesis §6.2): a leader that has not heard from a majority
    /// during the last election timeout steps down, so clients find the real leader.
    pub(super) fn check_quorum(&mut self) {
        let me = self.cfg.id;
        let active = has_majority(&self.membership.voters, |id| {
            id == me || self.progress.get(&id).is_some_and(|p| p.recent_active)
        });
        for pr in self.progress.values_mut() {
            pr.recent_active = false;
        }
        if !active {
            self.become_follower(self.term, None);
        }
    }

    /// A message from an older term: tell stale leaders and pre-candidates our
    /// term (so they step down); ignore everything else.
    pub(super) fn answer_stale(&mut self, msg: &Message) {
        match &msg.body {
            MessageBody::AppendEntries {
                prev_log_index,
                read_seq,
                ..
            } => {
                let body = MessageBody::AppendEntriesResp {
                    success: false,
                    index: *prev_log_index,
                    last_index: self.log.last_index(),
                    conflict_index: 0,
                    conflict_term: 0,
                    read_seq: *read_seq,
                };
                self.send(msg.from, body);
            }
            MessageBody::InstallSnapshot { .. } => {
                self.send(
                    msg.from,
                    MessageBody::InstallSnapshotResp {
                        last_index: self.commit,
                    },
                );
            }
            MessageBody::RequestVote { pre_vote: true, .. } => {
                self.send(
                    msg.from,
                    MessageBody::RequestVoteResp {
                        pre_vote: true,
                        granted: false,
                    },
                );
            }
            _ => {}
        }
    }

    /// Leadership transfer (thesis §3.10): the leader asks us to campaign now,
    /// skipping PreVote; our RequestVotes bypass leader stickiness.
    pub(super) fn handle_timeout_now(&mut self, from: NodeId) {
        if self.role == Role::Leader || self.leader_id != Some(from) {
            return;
        }
        self.hup(true);
    }
}
