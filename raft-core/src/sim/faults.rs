//! User actions and injected faults, applied at the current virtual time.

use super::client::{Client, Phase, Request, MAX_USER_REQUESTS};
use super::clock::Clock;
use super::config::{check_latency, ConfigError, MAX_DRIFT_PPM, MAX_NODES, PPM};
use super::disk::{persist_pending, Written};
use super::network::Network;
use super::record::Fault;
use super::rng::{derive_seed, purpose};
use super::timeline::Action;
use super::trace::{ActionFact, DropReason, TraceKind};
use super::world::{NodeSlot, Sim};
use crate::kv::{CommandError, KvStore, Op};
use crate::raft::{ConfChange, Node, ProposeError};
use crate::types::{NodeId, TimeUs};
use alloc::vec::Vec;
use core::fmt;

/// Why a user action was refused. Nothing changed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ActionError {
    /// No node has this id.
    UnknownNode(NodeId),
    /// The node is crashed.
    NodeCrashed(NodeId),
    /// The node is running (restart needs a crashed node).
    NodeNotCrashed(NodeId),
    /// The node is paused.
    NodePaused(NodeId),
    /// The node is not paused.
    NodeNotPaused(NodeId),
    /// The node may not campaign (already leader, learner or removed).
    CannotCampaign(NodeId),
    /// The action needs a leader and there is none.
    NoLeader,
    /// The leader refused.
    Refused(ProposeError),
    /// The cluster already has [`MAX_NODES`] nodes.
    TooManyNodes,
    /// The command breaks a size limit.
    InvalidCommand(CommandError),
    /// Too many user requests outstanding.
    TooManyRequests,
    /// A setting is out of range.
    InvalidSetting(ConfigError),
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionError::UnknownNode(id) => write!(f, "no node {id}"),
            ActionError::NodeCrashed(id) => write!(f, "node {id} is crashed"),
            ActionError::NodeNotCrashed(id) => write!(f, "node {id} is not crashed"),
            ActionError::NodePaused(id) => write!(f, "node {id} is paused"),
            ActionError::NodeNotPaused(id) => write!(f, "node {id} is not paused"),
            ActionError::CannotCampaign(id) => write!(f, "node {id} cannot campaign"),
            ActionError::NoLeader => f.write_str("no leader"),
            ActionError::Refused(e) => write!(f, "the leader refused it: {e}"),
            ActionError::TooManyNodes => write!(f, "at most {MAX_NODES} nodes"),
            ActionError::InvalidCommand(e) => write!(f, "invalid command: {e}"),
            ActionError::TooManyRequests => {
                write!(f, "at most {MAX_USER_REQUESTS} requests outstanding")
            }
            ActionError::InvalidSetting(e) => write!(f, "invalid setting: {e}"),
        }
    }
}

impl Sim {
    fn live_index(&self, id: NodeId) -> Result<usize, ActionError> {
        let i = self.slot_index(id).ok_or(ActionError::UnknownNode(id))?;
        if self.slots[i].node.is_none() {
            return Err(ActionError::NodeCrashed(id));
        }
        Ok(i)
    }

    fn running_index(&self, id: NodeId) -> Result<usize, ActionError> {
        let i = self.live_index(id)?;
        if self.slots[i].paused {
            return Err(ActionError::NodePaused(id));
        }
        Ok(i)
    }

    /// Crashes a node: volatile state, pending disk writes and held messages
    /// are lost; what reached its disk survives.
    pub fn crash(&mut self, id: NodeId) -> Result<(), ActionError> {
        self.crash_quietly(id)?;
        self.note(|| Fault::Act(Action::Crash(id)));
        Ok(())
    }

    /// [`Sim::crash`] without noting it (a torn write notes itself).
    fn crash_quietly(&mut self, id: NodeId) -> Result<(), ActionError> {
        let i = self.live_index(id)?;
        let slot = &mut self.slots[i];
        slot.node = None;
        slot.paused = false;
        slot.disk_queue.clear();
        slot.durable_while_paused.clear();
        slot.incarnation += 1;
        slot.timer_gen += 1;
        slot.timer_at = None;
        slot.store = KvStore::new();
        let held: Vec<u64> = slot.held.drain(..).collect();
        self.trace_at(TraceKind::Crash { node: id });
        for m in held {
            if let Some(f) = self.net.in_flight.remove(m) {
                self.trace_at(TraceKind::Dropped {
                    id: m,
                    from: f.msg.from,
                    to: f.msg.to,
                    reason: DropReason::NodeDown,
                });
            }
        }
        self.proposals.retain(|&(n, _), _| n != id);
        Ok(())
    }

    /// Crashes a node in the middle of its oldest disk write: the first
    /// `steps` steps of it reach the disk (snapshot, hard state, then entries
    /// one by one, the order a Ready is persisted in), the rest is lost, as
    /// is every later write. Its Ready's messages may have left already.
    pub(crate) fn crash_during_write(
        &mut self,
        id: NodeId,
        steps: usize,
    ) -> Result<(), ActionError> {
        let i = self.live_index(id)?;
        let skip = self.cfg.regressions.skip_old_snapshot;
        let slot = &mut self.slots[i];
        if let Some(w) = slot.disk_queue.front_mut().filter(|w| w.writes) {
            let stored = persist_pending(&mut slot.disk, w, Written::Prefix(steps), skip);
            self.observe_stored(i, stored);
        }
        self.crash_quietly(id)?;
        self.note(|| Fault::TornCrash { node: id, steps });
        Ok(())
    }

    /// Restarts a crashed node from what its disk holds.
    pub fn restart(&mut self, id: NodeId) -> Result<(), ActionError> {
        let i = self.slot_index(id).ok_or(ActionError::UnknownNode(id))?;
        if self.slots[i].node.is_some() {
            return Err(ActionError::NodeNotCrashed(id));
        }
        let now = self.now_us;
        let cfg = self.cfg.raft_config(id);
        let slot = &mut self.slots[i];
        let seed = derive_seed(self.cfg.seed, purpose::NODES, (id << 32) | slot.incarnation);
        let node = Node::restart(cfg, slot.disk.clone(), seed, slot.clock.local(now))
            .map_err(|e| ActionError::InvalidSetting(ConfigError::Raft(e)))?;
        slot.last_role = node.role();
        slot.last_term = node.term();
        slot.last_commit = node.commit_index();
        slot.node = Some(node);
        self.checker.node_restarted(id);
        self.trace_at(TraceKind::Restart { node: id });
        // The state machine comes back from the snapshot on disk (no Ready
        // hands it out again); committed entries then follow it.
        let snap = self.slots[i].disk.snapshot.clone();
        self.restore_store(i, &snap);
        self.after_node(id, false);
        self.note(|| Fault::Act(Action::Restart(id)));
        Ok(())
    }

    /// Pauses a node: it processes nothing; messages for it wait.
    pub fn pause(&mut self, id: NodeId) -> Result<(), ActionError> {
        let i = self.running_index(id)?;
        let slot = &mut self.slots[i];
        slot.paused = true;
        slot.timer_gen += 1;
        slot.timer_at = None;
        self.trace_at(TraceKind::Pause { node: id });
        self.note(|| Fault::Act(Action::Pause(id)));
        Ok(())
    }

    /// Resumes a paused node: waiting messages are handled in arrival order.
    pub fn resume(&mut self, id: NodeId) -> Result<(), ActionError> {
        let i = self.live_index(id)?;
        if !self.slots[i].paused {
            return Err(ActionError::NodeNotPaused(id));
        }
        self.slots[i].paused = false;
        self.trace_at(TraceKind::Resume { node: id });
        let durable: Vec<_> = self.slots[i].durable_while_paused.drain(..).collect();
        for w in durable {
            self.finish_write(i, w);
        }
        let held: Vec<u64> = self.slots[i].held.drain(..).collect();
        for m in held {
            let Some(f) = self.net.in_flight.remove(m) else {
                continue;
            };
            if self.slots[i].node.is_none() {
                break;
            }
            self.trace_at(TraceKind::Delivered {
                id: m,
                from: f.msg.from,
                to: f.msg.to,
            });
            self.step_node(id, f.msg);
        }
        self.reschedule_timer(id, false);
        self.note(|| Fault::Act(Action::Resume(id)));
        Ok(())
    }

    /// Makes a node start an election now (as if its election timer fired).
    pub fn timeout_now(&mut self, id: NodeId) -> Result<(), ActionError> {
        let i = self.running_index(id)?;
        let now = self.now_us;
        let slot = &mut self.slots[i];
        let local = slot.clock.local(now);
        let node = slot.node.as_mut().ok_or(ActionError::NodeCrashed(id))?;
        if !node.campaign(local) {
            return Err(ActionError::CannotCampaign(id));
        }
        self.trace_at(TraceKind::Action {
            action: ActionFact::TimeoutNow { node: id },
        });
        self.after_node(id, false);
        self.note(|| Fault::Act(Action::TimeoutNow(id)));
        Ok(())
    }

    fn leader_index(&self) -> Result<usize, ActionError> {
        let id = self.leader().ok_or(ActionError::NoLeader)?;
        self.running_index(id)
    }

    /// Asks the current leader to hand leadership to `to`.
    pub fn transfer_leader(&mut self, to: NodeId) -> Result<(), ActionError> {
        self.slot_index(to).ok_or(ActionError::UnknownNode(to))?;
        let i = self.leader_index()?;
        let now = self.now_us;
        let slot = &mut self.slots[i];
        let local = slot.clock.local(now);
        let node = slot.node.as_mut().ok_or(ActionError::NoLeader)?;
        let leader = node.id();
        node.transfer_leadership(local, to)
            .map_err(ActionError::Refused)?;
        self.trace_at(TraceKind::Action {
            action: ActionFact::TransferLeader { to },
        });
        self.after_node(leader, false);
        self.note(|| Fault::Act(Action::TransferLeader(to)));
        Ok(())
    }

    /// Adds a new server (next free id) as a learner through the leader; the
    /// leader promotes it once it has caught up. Returns its id.
    pub fn add_node(&mut self) -> Result<NodeId, ActionError> {
        if self.slots.len() >= MAX_NODES {
            return Err(ActionError::TooManyNodes);
        }
        let id = self.slots.len() as NodeId + 1;
        let i = self.leader_index()?;
        let now = self.now_us;
        let slot = &mut self.slots[i];
        let local = slot.clock.local(now);
        let node = slot.node.as_mut().ok_or(ActionError::NoLeader)?;
        let leader = node.id();
        node.propose_conf_change(local, ConfChange::AddLearner(id))
            .map_err(ActionError::Refused)?;
        let clock = Clock::new(self.draw_drift());
        let seed = derive_seed(self.cfg.seed, purpose::NODES, id << 32);
        let joining = Node::new_joining(self.cfg.raft_config(id), seed, clock.local(now))
            .map_err(|e| ActionError::InvalidSetting(ConfigError::Raft(e)))?;
        self.slots.push(NodeSlot::new(id, joining, clock));
        self.trace_at(TraceKind::NodeAdded { node: id });
        self.after_node(leader, false);
        self.reschedule_timer(id, false);
        self.note(|| Fault::Act(Action::AddNode));
        Ok(id)
    }

    /// Removes a server from the membership through the leader. The node keeps
    /// its slot (it simply stops being contacted).
    pub fn remove_node(&mut self, id: NodeId) -> Result<(), ActionError> {
        self.slot_index(id).ok_or(ActionError::UnknownNode(id))?;
        let i = self.leader_index()?;
        let now = self.now_us;
        let slot = &mut self.slots[i];
        let local = slot.clock.local(now);
        let node = slot.node.as_mut().ok_or(ActionError::NoLeader)?;
        let leader = node.id();
        node.propose_conf_change(local, ConfChange::RemoveServer(id))
            .map_err(ActionError::Refused)?;
        self.trace_at(TraceKind::Action {
            action: ActionFact::RemoveNode { node: id },
        });
        self.after_node(leader, false);
        self.note(|| Fault::Act(Action::RemoveNode(id)));
        Ok(())
    }

    fn check_ids(&self, ids: &[NodeId]) -> Result<(), ActionError> {
        for &id in ids {
            self.slot_index(id).ok_or(ActionError::UnknownNode(id))?;
        }
        Ok(())
    }

    /// Splits the network into `groups` (both directions cut between groups;
    /// nodes listed nowhere form one more group). Replaces earlier cuts.
    pub fn partition(&mut self, groups: Vec<Vec<NodeId>>) -> Result<(), ActionError> {
        for g in &groups {
            self.check_ids(g)?;
        }
        let all: Vec<NodeId> = self.slots.iter().map(|s| s.id).collect();
        self.net.cut = Network::partition_cuts(&all, &groups);
        self.note(|| Fault::Act(Action::Partition(groups.clone())));
        self.trace_at(TraceKind::Partition { groups });
        Ok(())
    }

    /// Cuts the directional link `from → to`.
    pub fn cut_link(&mut self, from: NodeId, to: NodeId) -> Result<(), ActionError> {
        self.check_ids(&[from, to])?;
        self.net.cut.insert((from, to));
        self.trace_at(TraceKind::LinkCut { from, to });
        self.note(|| Fault::Act(Action::CutLink { from, to }));
        Ok(())
    }

    /// Heals the directional link `from → to`.
    pub fn heal_link(&mut self, from: NodeId, to: NodeId) -> Result<(), ActionError> {
        self.check_ids(&[from, to])?;
        self.net.cut.remove(&(from, to));
        self.trace_at(TraceKind::LinkHealed { from, to });
        self.note(|| Fault::Act(Action::HealLink { from, to }));
        Ok(())
    }

    /// Heals every link.
    pub fn heal_all(&mut self) -> Result<(), ActionError> {
        self.net.cut.clear();
        self.trace_at(TraceKind::Heal);
        self.note(|| Fault::Act(Action::HealAll));
        Ok(())
    }

    /// Whether the link `from → to` is cut.
    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        self.net.is_cut(from, to)
    }

    /// Sets the message loss probability (parts per million).
    pub fn set_loss(&mut self, ppm: u32) -> Result<(), ActionError> {
        check_ppm("loss_ppm", ppm)?;
        self.net.loss_ppm = ppm;
        self.trace_at(TraceKind::Action {
            action: ActionFact::Loss { ppm },
        });
        self.note(|| Fault::Act(Action::SetLoss(ppm)));
        Ok(())
    }

    /// Sets the message duplication probability (parts per million).
    pub fn set_duplication(&mut self, ppm: u32) -> Result<(), ActionError> {
        check_ppm("duplication_ppm", ppm)?;
        self.net.duplication_ppm = ppm;
        self.trace_at(TraceKind::Action {
            action: ActionFact::Duplication { ppm },
        });
        self.note(|| Fault::Act(Action::SetDuplication(ppm)));
        Ok(())
    }

    /// Sets the reordering probability (ppm) and the largest extra delay.
    pub fn set_reorder(&mut self, ppm: u32, max_delay_us: TimeUs) -> Result<(), ActionError> {
        check_ppm("reorder_ppm", ppm)?;
        check_latency(0, max_delay_us).map_err(ActionError::InvalidSetting)?;
        self.net.reorder_ppm = ppm;
        self.net.reorder_delay_max_us = max_delay_us;
        self.trace_at(TraceKind::Action {
            action: ActionFact::Reorder { ppm, max_delay_us },
        });
        self.note(|| Fault::Reorder { ppm, max_delay_us });
        Ok(())
    }

    /// Sets the one-way latency range of new messages.
    pub fn set_latency(&mut self, min_us: TimeUs, max_us: TimeUs) -> Result<(), ActionError> {
        check_latency(min_us, max_us).map_err(ActionError::InvalidSetting)?;
        self.net.latency_min_us = min_us;
        self.net.latency_max_us = max_us;
        self.trace_at(TraceKind::Action {
            action: ActionFact::Latency { min_us, max_us },
        });
        self.note(|| Fault::Act(Action::SetLatency { min_us, max_us }));
        Ok(())
    }

    /// Sets a node's clock drift (ppm, within ±[`MAX_DRIFT_PPM`]).
    pub fn set_drift(&mut self, id: NodeId, ppm: i64) -> Result<(), ActionError> {
        let i = self.slot_index(id).ok_or(ActionError::UnknownNode(id))?;
        if ppm.unsigned_abs() > MAX_DRIFT_PPM as u64 {
            return Err(ActionError::InvalidSetting(ConfigError::Drift {
                ppm: ppm.unsigned_abs().min(u32::MAX as u64) as u32,
            }));
        }
        let now = self.now_us;
        self.slots[i].clock.set_ppm(now, ppm);
        self.trace_at(TraceKind::Action {
            action: ActionFact::Drift { node: id, ppm },
        });
        self.reschedule_timer(id, false);
        self.note(|| Fault::Act(Action::SetDrift { node: id, ppm }));
        Ok(())
    }

    /// A user request: a one-shot client sends `op` to `target` (or to a node
    /// picked by the load balancer), follows redirects and retries with the
    /// same sequence number until it gets a reply. Returns the client id.
    pub fn client_request(&mut self, op: Op, target: Option<NodeId>) -> Result<u64, ActionError> {
        op.validate().map_err(ActionError::InvalidCommand)?;
        if let Some(t) = target {
            self.slot_index(t).ok_or(ActionError::UnknownNode(t))?;
        }
        let outstanding = self.clients.values().filter(|c| c.user).count();
        if outstanding >= MAX_USER_REQUESTS {
            return Err(ActionError::TooManyRequests);
        }
        self.note(|| {
            Fault::Act(Action::ClientRequest {
                op: op.clone(),
                target,
            })
        });
        let c = self.next_user_client;
        self.next_user_client += 1;
        let mut cl = Client::new(c, true);
        cl.request = Some(Request {
            op: Some(op),
            seq: 1,
            command: None,
            history_id: None,
            attempt: 0,
            redirects: 0,
        });
        cl.next_seq = 2;
        let target = match target {
            Some(t) => t,
            None => 1 + self.client_rng.below(self.slots.len() as u64),
        };
        // The request crosses the network to its first node (through the
        // load balancer when it picks): one hop, like any message, so the
        // stage can draw it arriving before the node acts on it.
        let since_us = self.now_us;
        let arrive_us = since_us + self.client_hop_us();
        cl.phase = Phase::Sending {
            node: target,
            from: None,
            hinted: false,
            since_us,
            arrive_us,
        };
        self.clients.insert(c, cl);
        self.schedule_client(c, arrive_us);
        Ok(c)
    }
}

fn check_ppm(field: &str, ppm: u32) -> Result<(), ActionError> {
    if ppm > PPM {
        return Err(ActionError::InvalidSetting(ConfigError::Probability {
            field: field.into(),
            value: ppm,
        }));
    }
    Ok(())
}
