//! Leadership transfer (thesis §3.10).

use super::message::MessageBody;
use super::node::Node;
use super::ProposeError;
use crate::types::{NodeId, Role, TimeUs};

impl Node {
    /// Hands leadership to voter `target`: stop accepting proposals, bring the
    /// target's log up to date, then send it TimeoutNow so it campaigns at once.
    /// Gives up after one minimum election timeout.
    pub fn transfer_leadership(
        &mut self,
        now_us: TimeUs,
        target: NodeId,
    ) -> Result<(), ProposeError> {
        self.observe(now_us);
        if self.role != Role::Leader {
            return Err(ProposeError::NotLeader {
                leader_hint: self.leader_id,
            });
        }
        if target == self.cfg.id {
            return Ok(());
        }
        if !self.membership.is_voter(target) || !self.progress.contains_key(&target) {
            return Err(ProposeError::InvalidTarget);
        }
        if let Some((current, _)) = self.transfer {
            if current == target {
                return Ok(());
            }
        }
        self.transfer = Some((
            target,
            self.now_us.saturating_add(self.cfg.election_timeout_min_us),
        ));
        if !self.maybe_finish_transfer(target) && !self.send_append(target, true) {
            // Nothing new to send: the target may have lost appends; find out now.
            self.send_gap_check(target);
        }
        Ok(())
    }

    /// Sends TimeoutNow once the transfer target holds the leader's whole log.
    pub(super) fn maybe_finish_transfer(&mut self, peer: NodeId) -> bool {
        if self.role != Role::Leader || self.lead_transferee() != Some(peer) {
            return false;
        }
        let caught_up = self
            .progress
            .get(&peer)
            .is_some_and(|p| p.match_index == self.log.last_index());
        if caught_up {
            self.send(peer, MessageBody::TimeoutNow);
        }
        caught_up
    }
}
