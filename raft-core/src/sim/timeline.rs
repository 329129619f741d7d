//! Time travel: checkpoints, seeking and forking on top of a [`Sim`].
//!
//! The timeline records every user action with the virtual time and the
//! number of events processed when it was taken, and keeps a clone of the
//! simulation at every multiple of a checkpoint interval. Checkpoints stay
//! evenly spaced: when there would be more than [`MAX_CHECKPOINTS`], the
//! interval doubles and every other one is dropped, so the replay a seek needs
//! is at most one interval long anywhere in the run (a 10-minute run keeps
//! checkpoints 8 s apart at most). Seeking restores the nearest checkpoint at
//! or before the target and replays events and recorded actions
//! deterministically. Acting in the past forks: the recorded actions after
//! that point are discarded.
//!
//! A timeline also holds a schedule: actions to take when time reaches them
//! (a guided story's, a share link's). A scheduled action, once taken, is
//! recorded like any other; a fork drops the recorded copies later than the
//! fork but not the schedule, so they are taken again when time gets there.
//! The recorded actions followed by the schedule still ahead are, in time
//! order, every action of the branch ([`Timeline::timed_actions`]): what a
//! share link carries.

use super::config::{ConfigError, SimConfig};
use super::faults::ActionError;
use super::trace::Trace;
use super::world::Sim;
use crate::kv::Op;
use crate::types::{NodeId, TimeUs};
use alloc::vec::Vec;

/// Most checkpoints kept; beyond it the interval doubles (every other one is dropped).
pub const MAX_CHECKPOINTS: usize = 96;
/// Trace events a checkpoint keeps in memory (the hash and count cover all).
pub const CHECKPOINT_TRACE_EVENTS: usize = 2_000;

/// A user action that a [`Timeline`] can record and replay.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Action {
    /// [`Sim::crash`].
    Crash(NodeId),
    /// [`Sim::restart`].
    Restart(NodeId),
    /// [`Sim::pause`].
    Pause(NodeId),
    /// [`Sim::resume`].
    Resume(NodeId),
    /// [`Sim::timeout_now`].
    TimeoutNow(NodeId),
    /// [`Sim::transfer_leader`].
    TransferLeader(NodeId),
    /// [`Sim::add_node`].
    AddNode,
    /// [`Sim::remove_node`].
    RemoveNode(NodeId),
    /// [`Sim::partition`].
    Partition(Vec<Vec<NodeId>>),
    /// [`Sim::cut_link`].
    CutLink {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
    },
    /// [`Sim::heal_link`].
    HealLink {
        /// Sender side.
        from: NodeId,
        /// Receiver side.
        to: NodeId,
    },
    /// [`Sim::heal_all`].
    HealAll,
    /// [`Sim::set_loss`].
    SetLoss(u32),
    /// [`Sim::set_duplication`].
    SetDuplication(u32),
    /// [`Sim::set_latency`].
    SetLatency {
        /// Lower bound, microseconds.
        min_us: TimeUs,
        /// Upper bound, microseconds.
        max_us: TimeUs,
    },
    /// [`Sim::set_drift`].
    SetDrift {
        /// The node.
        node: NodeId,
        /// Drift, ppm.
        ppm: i64,
    },
    /// [`Sim::client_request`].
    ClientRequest {
        /// The operation.
        op: Op,
        /// First node asked (`None`: the load balancer picks).
        target: Option<NodeId>,
    },
    /// [`Sim::set_reorder`]: what [`super::record::Fault::Reorder`]
    /// records, as an action, so a share link can replay a swarm run.
    SetReorder {
        /// Probability, parts per million.
        ppm: u32,
        /// Largest extra delay, microseconds.
        max_delay_us: TimeUs,
    },
    /// A crash in the middle of the node's oldest disk write, its first
    /// `steps` steps on disk: what [`super::record::Fault::TornCrash`]
    /// records, as an action (the page offers it nowhere; links of swarm
    /// runs carry it).
    TornCrash {
        /// The node.
        node: NodeId,
        /// Steps of the write that reached the disk.
        steps: usize,
    },
}

impl Sim {
    /// Applies an [`Action`] at the current time.
    pub fn apply(&mut self, action: &Action) -> Result<(), ActionError> {
        match action {
            Action::Crash(id) => self.crash(*id),
            Action::Restart(id) => self.restart(*id),
            Action::Pause(id) => self.pause(*id),
            Action::Resume(id) => self.resume(*id),
            Action::TimeoutNow(id) => self.timeout_now(*id),
            Action::TransferLeader(id) => self.transfer_leader(*id),
            Action::AddNode => self.add_node().map(|_| ()),
            Action::RemoveNode(id) => self.remove_node(*id),
            Action::Partition(groups) => self.partition(groups.clone()),
            Action::CutLink { from, to } => self.cut_link(*from, *to),
            Action::HealLink { from, to } => self.heal_link(*from, *to),
            Action::HealAll => self.heal_all(),
            Action::SetLoss(ppm) => self.set_loss(*ppm),
            Action::SetDuplication(ppm) => self.set_duplication(*ppm),
            Action::SetLatency { min_us, max_us } => self.set_latency(*min_us, *max_us),
            Action::SetDrift { node, ppm } => self.set_drift(*node, *ppm),
            Action::ClientRequest { op, target } => {
                self.client_request(op.clone(), *target).map(|_| ())
            }
            Action::SetReorder { ppm, max_delay_us } => self.set_reorder(*ppm, *max_delay_us),
            Action::TornCrash { node, steps } => self.crash_during_write(*node, *steps),
        }
    }
}

impl Action {
    /// Every node id it names.
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            Action::Crash(id)
            | Action::Restart(id)
            | Action::Pause(id)
            | Action::Resume(id)
            | Action::TimeoutNow(id)
            | Action::TransferLeader(id)
            | Action::RemoveNode(id)
            | Action::SetDrift { node: id, .. }
            | Action::TornCrash { node: id, .. } => alloc::vec![*id],
            Action::CutLink { from, to } | Action::HealLink { from, to } => alloc::vec![*from, *to],
            Action::Partition(groups) => groups.iter().flatten().copied().collect(),
            Action::ClientRequest { target, .. } => target.iter().copied().collect(),
            Action::AddNode
            | Action::HealAll
            | Action::SetLoss(_)
            | Action::SetDuplication(_)
            | Action::SetLatency { .. }
            | Action::SetReorder { .. } => Vec::new(),
        }
    }
}

/// An action and the virtual time at which it is taken.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TimedAction {
    /// Virtual time, microseconds. The action is taken after every event due
    /// at or before this time.
    pub at_us: TimeUs,
    /// What is done.
    pub action: Action,
}

impl TimedAction {
    /// `action` at `at_us`.
    pub fn new(at_us: TimeUs, action: Action) -> Self {
        TimedAction { at_us, action }
    }
}

/// A scheduled action the simulation refused when its time came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Its place in the schedule.
    pub index: usize,
    /// Its time.
    pub at_us: TimeUs,
    /// Why it was refused.
    pub error: ActionError,
}

/// An action as recorded: when, and after how many events.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RecordedAction {
    /// Virtual time it was taken.
    pub time_us: TimeUs,
    /// [`Sim::events_processed`] at that moment.
    pub at_event: u64,
    /// What was done.
    pub action: Action,
}

/// What [`Timeline::act`] did besides applying the action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ActOutcome {
    /// The action was taken in the past: the old future was discarded.
    pub forked: bool,
    /// Recorded actions discarded by the fork.
    pub discarded_actions: usize,
}

#[derive(Clone, Debug)]
struct Checkpoint {
    time_us: TimeUs,
    actions_applied: usize,
    sim: Sim,
}

/// A [`Sim`] with recorded actions, checkpoints, seek and fork.
#[derive(Clone, Debug)]
pub struct Timeline {
    sim: Sim,
    actions: Vec<RecordedAction>,
    applied: usize,
    checkpoints: Vec<Checkpoint>,
    interval_us: TimeUs,
    max_reached_us: TimeUs,
    /// Actions to take when time reaches them, in time order.
    schedule: Vec<TimedAction>,
    /// How many of `schedule` this branch has taken (each one also recorded).
    /// Those not taken yet all lie at or after `max_reached_us`.
    schedule_taken: usize,
    /// Scheduled actions refused since [`Timeline::take_refusals`] last ran
    /// (at most one per scheduled action taken).
    refusals: Vec<Refusal>,
}

impl Timeline {
    /// A timeline over a fresh simulation, with a checkpoint every second.
    pub fn new(config: SimConfig) -> Result<Self, ConfigError> {
        Self::with_interval(config, 1_000_000)
    }

    /// Like [`new`](Self::new) with another checkpoint interval (at least 1 µs).
    pub fn with_interval(config: SimConfig, interval_us: TimeUs) -> Result<Self, ConfigError> {
        let sim = Sim::new(config)?;
        let mut t = Timeline {
            sim,
            actions: Vec::new(),
            applied: 0,
            checkpoints: Vec::new(),
            interval_us: interval_us.max(1),
            max_reached_us: 0,
            schedule: Vec::new(),
            schedule_taken: 0,
            refusals: Vec::new(),
        };
        t.checkpoint();
        Ok(t)
    }

    /// The simulation at the current point.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// Current virtual time.
    pub fn now_us(&self) -> TimeUs {
        self.sim.now_us()
    }

    /// The furthest time reached on the current branch.
    pub fn max_reached_us(&self) -> TimeUs {
        self.max_reached_us
    }

    /// Recorded actions of the current branch (including any after the current point).
    pub fn actions(&self) -> &[RecordedAction] {
        &self.actions
    }

    /// Replaces the schedule: `actions` are taken, in time order (ties in the
    /// order given), when time reaches them, each after the events due at or
    /// before its time. Those due before now are never taken.
    pub fn schedule(&mut self, mut actions: Vec<TimedAction>) {
        actions.sort_by_key(|a| a.at_us);
        let now = self.sim.now_us();
        self.schedule_taken = actions.partition_point(|a| a.at_us < now);
        self.schedule = actions;
    }

    /// The schedule (taken or not).
    pub fn scheduled(&self) -> &[TimedAction] {
        &self.schedule
    }

    /// Every action of this branch in time order: those recorded (taken by
    /// the user or from the schedule, including any after the current point)
    /// and then the scheduled ones still ahead. Replaying them by time from
    /// time zero gives this branch again: what a share link carries.
    pub fn timed_actions(&self) -> Vec<TimedAction> {
        let recorded = self
            .actions
            .iter()
            .map(|a| TimedAction::new(a.time_us, a.action.clone()));
        let ahead = self.schedule[self.schedule_taken..].iter().cloned();
        let all: Vec<TimedAction> = recorded.chain(ahead).collect();
        debug_assert!(all.windows(2).all(|w| w[0].at_us <= w[1].at_us));
        all
    }

    /// The scheduled actions refused since the last call, oldest first.
    pub fn take_refusals(&mut self) -> Vec<Refusal> {
        core::mem::take(&mut self.refusals)
    }

    /// The next scheduled action due at or before `t_us`, if every recorded
    /// action has been replayed (before that, the recorded copies replay).
    fn scheduled_due(&self, t_us: TimeUs) -> Option<&TimedAction> {
        if self.applied < self.actions.len() {
            return None;
        }
        self.schedule
            .get(self.schedule_taken)
            .filter(|a| a.at_us <= t_us)
    }

    /// Takes the next scheduled action (its time has come).
    fn take_scheduled(&mut self) {
        let index = self.schedule_taken;
        let a = self.schedule[index].clone();
        self.schedule_taken += 1;
        self.sim.run_until(a.at_us);
        if let Err(error) = self.act(a.action) {
            self.refusals.push(Refusal {
                index,
                at_us: a.at_us,
                error,
            });
        }
    }

    /// Times of the checkpoints kept.
    pub fn checkpoint_times(&self) -> Vec<TimeUs> {
        self.checkpoints.iter().map(|c| c.time_us).collect()
    }

    /// Keeps a clone of the simulation now, if now is a checkpoint time not kept yet.
    fn checkpoint(&mut self) {
        let t = self.sim.now_us();
        if t % self.interval_us != 0 {
            return;
        }
        let Err(at) = self.checkpoints.binary_search_by_key(&t, |c| c.time_us) else {
            return;
        };
        // Clone everything but the trace, whose ring buffer can hold far more
        // events than a restored view needs.
        let trace = core::mem::replace(&mut self.sim.trace, Trace::new(1));
        let mut sim = self.sim.clone();
        sim.trace = trace.tail(CHECKPOINT_TRACE_EVENTS);
        self.sim.trace = trace;
        self.checkpoints.insert(
            at,
            Checkpoint {
                time_us: t,
                actions_applied: self.applied,
                sim,
            },
        );
        while self.checkpoints.len() > MAX_CHECKPOINTS {
            // Stay evenly spaced: double the interval, keep its multiples.
            self.interval_us = self.interval_us.saturating_mul(2);
            let interval = self.interval_us;
            self.checkpoints.retain(|c| c.time_us % interval == 0);
        }
        debug_assert!(self
            .checkpoints
            .windows(2)
            .all(|w| w[0].time_us < w[1].time_us));
    }

    fn next_boundary(&self) -> TimeUs {
        (self.sim.now_us() / self.interval_us + 1) * self.interval_us
    }

    /// Runs (replaying recorded actions) to `t_us`, taking checkpoints on the way.
    fn advance_to(&mut self, t_us: TimeUs) {
        loop {
            let boundary = self.next_boundary();
            let pending = self
                .actions
                .get(self.applied)
                .filter(|a| a.time_us <= t_us && a.time_us <= boundary)
                .cloned();
            if let Some(a) = pending {
                while self.sim.events_processed() < a.at_event {
                    if self.sim.step().is_none() {
                        break;
                    }
                }
                self.sim.set_now(a.time_us);
                let _ = self.sim.apply(&a.action);
                self.applied += 1;
                continue;
            }
            if self.scheduled_due(t_us.min(boundary)).is_some() {
                self.take_scheduled();
                continue;
            }
            if boundary <= t_us {
                self.sim.run_until(boundary);
                self.checkpoint();
                continue;
            }
            self.sim.run_until(t_us);
            break;
        }
        self.max_reached_us = self.max_reached_us.max(self.sim.now_us());
    }

    /// Runs forward to `t_us` (no-op if in the past; use [`seek`](Self::seek)).
    pub fn run_until(&mut self, t_us: TimeUs) {
        if t_us >= self.sim.now_us() {
            self.advance_to(t_us);
        }
    }

    /// Processes the next instant: the next event and every other event due
    /// at the same virtual time (replaying any recorded action due before).
    ///
    /// Events of one instant are simultaneous (with a fixed latency, a
    /// broadcast arrives everywhere at once). Stopping between them would
    /// let a user act at a moment that a replay by time (a share link
    /// records each action's time, not its place among simultaneous
    /// events) cannot reproduce.
    pub fn step(&mut self) -> Option<TimeUs> {
        loop {
            let (next, stale) = self.sim.peek_event()?;
            // Recorded actions and checkpoints due before the next event come
            // first: an action may schedule something sooner, or revive a
            // stale event (resuming a paused node revives its timer).
            let before = next.saturating_sub(1);
            let due_before = self
                .actions
                .get(self.applied)
                .is_some_and(|a| a.time_us <= before)
                || self.scheduled_due(before).is_some()
                || self.next_boundary() <= before;
            if due_before && before >= self.sim.now_us() {
                self.advance_to(before);
                continue;
            }
            if stale {
                // Nothing acts before it and it does nothing: as `run_until`.
                self.sim.drop_stale_until(next);
                continue;
            }
            self.advance_to(next);
            return Some(next);
        }
    }

    /// Moves to virtual time `t_us`, backwards (restore + replay) or forwards.
    ///
    /// Forwards, a checkpoint between now and `t_us` (kept from an earlier
    /// visit of this branch) is restored instead of replaying up to it.
    pub fn seek(&mut self, t_us: TimeUs) {
        let now = self.sim.now_us();
        let cp = self
            .checkpoints
            .iter()
            .rev()
            .find(|c| c.time_us <= t_us)
            .unwrap_or(&self.checkpoints[0]);
        if t_us < now || (cp.time_us > now && cp.actions_applied >= self.applied) {
            self.sim = cp.sim.clone();
            self.applied = cp.actions_applied;
        }
        self.advance_to(t_us);
    }

    /// Takes an action at the current time and records it. If recorded
    /// actions lie ahead (after a seek back), they are discarded: a fork.
    pub fn act(&mut self, action: Action) -> Result<ActOutcome, ActionError> {
        let now = self.sim.now_us();
        self.sim.apply(&action)?;
        let mut discarded = self.actions.len() - self.applied;
        let forked = discarded > 0 || now < self.max_reached_us;
        if forked {
            // Scheduled actions later than now are taken again when time
            // gets there (their recorded copies go with the old future, but
            // were not the user's to lose).
            let taken = self.schedule.partition_point(|a| a.at_us <= now);
            discarded = discarded.saturating_sub(self.schedule_taken.saturating_sub(taken));
            self.schedule_taken = taken;
            self.actions.truncate(self.applied);
            let applied = self.applied;
            self.checkpoints
                .retain(|c| c.time_us <= now && c.actions_applied <= applied);
            self.max_reached_us = now;
        }
        self.actions.push(RecordedAction {
            time_us: now,
            at_event: self.sim.events_processed(),
            action,
        });
        self.applied += 1;
        // What the action made due at its own instant (a timer whose deadline
        // passed while its node was paused, a proposal's heartbeat) happens
        // now too: a replay by time (a share link: run to the action's time,
        // act, run to the moment shown) cannot stop between the two.
        self.sim.run_until(now);
        Ok(ActOutcome {
            forked,
            discarded_actions: discarded,
        })
    }
}
