//! Single-server membership changes (thesis §4.1–§4.2).

use super::message::{ConfChange, EntryPayload};
use super::node::Node;
use super::progress::Progress;
use super::ProposeError;
use crate::types::{LogIndex, Role, TimeUs};

impl Node {
    /// Proposes a membership change. One change at a time, and only after the
    /// leader has committed an entry of its term (the fix to single-server
    /// changes from Ongaro's 2015 erratum). The new configuration is used as
    /// soon as the entry is appended; a learner is promoted only once its log
    /// has caught up with the commit index (thesis §4.2.1).
    pub fn propose_conf_change(
        &mut self,
        now_us: TimeUs,
        change: ConfChange,
    ) -> Result<LogIndex, ProposeError> {
        self.observe(now_us);
        self.check_can_propose()?;
        if self.conf_index > self.commit || !self.committed_in_term() {
            return Err(ProposeError::ConfChangePending);
        }
        if !self.membership.check(&change) {
            return Err(ProposeError::InvalidConfChange);
        }
        if let ConfChange::PromoteLearner(id) = change {
            if self
                .progress
                .get(&id)
                .is_none_or(|p| p.match_index < self.commit)
            {
                return Err(ProposeError::InvalidConfChange);
            }
        }
        Ok(self.append_as_leader(EntryPayload::ConfChange(change)))
    }

    /// A configuration entry was appended to the leader's log: use it now.
    pub(super) fn on_conf_appended(&mut self, index: LogIndex, change: &ConfChange) {
        let was_voter = self.membership.is_voter(self.cfg.id);
        if !self.membership.apply(change) {
            return;
        }
        self.conf_index = index;
        self.voter_before_conf = was_voter;
        if self.role != Role::Leader {
            return;
        }
        let me = self.cfg.id;
        let next = self.log.last_index() + 1;
        let max_inflight = self.cfg.max_inflight_msgs;
        for id in self.membership.members() {
            if id != me && !self.progress.contains_key(&id) {
                let mut pr = Progress::new(next, max_inflight);
                // Count a new member as active so it cannot trip CheckQuorum at once.
                pr.recent_active = true;
                self.progress.insert(id, pr);
            }
        }
        // Removed servers keep receiving the log until the change commits, so
        // they learn of their removal and stop campaigning (see `prune_progress`).
        if self
            .transfer
            .is_some_and(|(t, _)| !self.membership.is_voter(t))
        {
            self.transfer = None;
        }
    }

    /// Proposes `PromoteLearner` for the first learner that has caught up, if
    /// enabled and no other change is pending.
    pub(super) fn maybe_auto_promote(&mut self) {
        if !self.cfg.auto_promote_learners
            || self.role != Role::Leader
            || self.transfer.is_some()
            || self.conf_index > self.commit
            || !self.committed_in_term()
        {
            return;
        }
        let commit = self.commit;
        let ready = self.membership.learners.iter().copied().find(|id| {
            self.progress
                .get(id)
                .is_some_and(|p| p.match_index >= commit)
        });
        if let Some(id) = ready {
            self.append_as_leader(EntryPayload::ConfChange(ConfChange::PromoteLearner(id)));
        }
    }

    /// Once the latest configuration is committed, forget removed servers,
    /// each once it holds its removal and has been told it is committed (a
    /// final heartbeat): a server whose removal may still be uncommitted
    /// keeps campaigning (see [`Node::is_promotable`]), one that knows stops.
    pub(super) fn prune_progress(&mut self) {
        if self.conf_index > self.commit {
            return;
        }
        // The common case, checked without a lookup per peer: everyone tracked is a member.
        if self.progress.keys().all(|&id| self.membership.contains(id)) {
            return;
        }
        let mut next = self.progress.keys().next().copied();
        while let Some(id) = next {
            let holds_removal = self.progress[&id].match_index >= self.conf_index;
            if !self.membership.contains(id) && holds_removal {
                self.send_heartbeat(id);
                self.progress.remove(&id);
            }
            next = self.progress.range(id + 1..).next().map(|(id, _)| *id);
        }
    }
}
