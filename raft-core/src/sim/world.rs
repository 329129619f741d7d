//! The simulation object: nodes, network, clients, event loop.

use super::client::{self, Client, Phase, Request, MAX_REDIRECTS, MAX_USER_ATTEMPTS};
use super::clock::Clock;
use super::config::{ConfigError, SimConfig};
use super::event::{Event, EventQueue};
use super::network::{InFlight, Network};
use super::rng::{derive_seed, purpose, SimRng};
use super::trace::{DropReason, MsgSummary, Trace, TraceKind};
use crate::check::invariants::{InvariantChecker, Property, Violation};
use crate::check::linearizability::{self, History, Verdict};
use crate::kv::{Command, KvStore, Reply};
use crate::raft::{
    Entry, EntryPayload, HardState, Message, MessageBody, Node, PersistentState, ProposeError,
    Snapshot,
};
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::vec::Vec;

/// A disk write in progress; its messages leave when it completes.
#[derive(Clone, Debug)]
pub(crate) struct PendingWrite {
    pub(crate) hard_state: Option<HardState>,
    pub(crate) snapshot: Option<Snapshot>,
    pub(crate) entries: Vec<Entry>,
    pub(crate) messages: Vec<Message>,
}

/// One simulated server: the Raft node, its state machine and its disk.
#[derive(Clone, Debug)]
pub(crate) struct NodeSlot {
    pub(crate) id: NodeId,
    /// `None` while crashed.
    pub(crate) node: Option<Node>,
    pub(crate) store: KvStore,
    pub(crate) disk: PersistentState,
    pub(crate) disk_queue: VecDeque<PendingWrite>,
    pub(crate) paused: bool,
    /// Messages produced by disk writes that completed while paused.
    pub(crate) resume_outbox: Vec<Message>,
    /// Ids of messages that arrived while paused, in arrival order.
    pub(crate) held: VecDeque<u64>,
    pub(crate) incarnation: u64,
    pub(crate) timer_gen: u64,
    pub(crate) timer_at: Option<TimeUs>,
    pub(crate) clock: Clock,
    pub(crate) last_role: Role,
    pub(crate) last_term: Term,
    pub(crate) last_commit: LogIndex,
}

/// Applies a write to the simulated disk.
/// `entries` is drained (its buffer stays with the caller for reuse).
fn persist(
    disk: &mut PersistentState,
    hs: Option<HardState>,
    snap: Option<Snapshot>,
    entries: &mut Vec<Entry>,
) {
    if let Some(s) = snap {
        let (li, lt) = (s.meta.last_index, s.meta.last_term);
        if li <= disk.snapshot.meta.last_index {
            // Not newer than the disk's own (a restarted node hands back the
            // snapshot it was restored from): the entries after it stay.
            // Clearing them here once lost a restarted node's whole log tail.
        } else {
            if disk.entries.iter().any(|e| e.index == li && e.term == lt) {
                disk.entries.retain(|e| e.index > li);
            } else {
                disk.entries.clear();
            }
            disk.snapshot = s;
        }
    }
    if let Some(h) = hs {
        disk.term = h.term;
        disk.voted_for = h.voted_for;
    }
    if let Some(first) = entries.first() {
        let keep = disk.entries.partition_point(|e| e.index < first.index);
        disk.entries.truncate(keep);
        disk.entries.append(entries);
    }
}

/// A deterministic Raft cluster simulation. See the [module docs](super).
#[derive(Clone, Debug)]
pub struct Sim {
    pub(crate) cfg: SimConfig,
    pub(crate) now_us: TimeUs,
    pub(crate) queue: EventQueue,
    pub(crate) slots: Vec<NodeSlot>,
    pub(crate) net: Network,
    pub(crate) clients: BTreeMap<u64, Client>,
    pub(crate) client_rng: SimRng,
    pub(crate) proposals: BTreeMap<(NodeId, LogIndex), u64>,
    pub(crate) history: History,
    pub(crate) trace: Trace,
    pub(crate) checker: InvariantChecker,
    pub(crate) events_processed: u64,
    pub(crate) next_user_client: u64,
    pub(crate) drift_rng: SimRng,
    /// Scratch buffer for the client answers of one Ready (kept to reuse its allocation).
    pub(crate) completions: Vec<(u64, LogIndex, Term, Reply)>,
}

impl Sim {
    /// A fresh cluster of `config.nodes` nodes at time 0 (nothing happens until stepped).
    pub fn new(config: SimConfig) -> Result<Sim, ConfigError> {
        config.validate()?;
        let seed = config.seed;
        let mut sim = Sim {
            net: Network {
                cut: Default::default(),
                in_flight: Default::default(),
                next_id: 0,
                latency_min_us: config.latency_min_us,
                latency_max_us: config.latency_max_us,
                loss_ppm: config.loss_ppm,
                duplication_ppm: config.duplication_ppm,
                reorder_ppm: config.reorder_ppm,
                reorder_delay_max_us: config.reorder_delay_max_us,
                rng: SimRng::new(seed, purpose::NETWORK),
            },
            now_us: 0,
            queue: EventQueue::default(),
            slots: Vec::new(),
            clients: BTreeMap::new(),
            client_rng: SimRng::new(seed, purpose::CLIENTS),
            proposals: BTreeMap::new(),
            history: History::new(),
            trace: Trace::new(config.trace_capacity),
            checker: InvariantChecker::new(),
            events_processed: 0,
            next_user_client: client::USER_CLIENT_BASE,
            drift_rng: SimRng::new(seed, purpose::DRIFT),
            completions: Vec::new(),
            cfg: config,
        };
        let ids: Vec<NodeId> = (1..=sim.cfg.nodes as NodeId).collect();
        for &id in &ids {
            let clock = Clock::new(sim.draw_drift());
            let node = Node::new(
                sim.cfg.raft_config(id),
                &ids,
                derive_seed(seed, purpose::NODES, id << 32),
                clock.local(0),
            )
            .map_err(ConfigError::Raft)?;
            sim.slots.push(NodeSlot::new(id, node, clock));
        }
        for &id in &ids {
            sim.reschedule_timer(id, false);
        }
        for c in 1..=sim.cfg.clients as u64 {
            sim.clients.insert(c, Client::new(c, false));
            if let Some(at) = sim.draw_next_start(c) {
                sim.schedule_client(c, at);
            }
        }
        Ok(sim)
    }

    pub(crate) fn draw_drift(&mut self) -> i64 {
        let m = self.cfg.max_drift_ppm as u64;
        if m == 0 {
            return 0;
        }
        self.drift_rng.range_inclusive(0, 2 * m) as i64 - m as i64
    }

    // ----- time ------------------------------------------------------------

    /// Current virtual time, microseconds.
    pub fn now_us(&self) -> TimeUs {
        self.now_us
    }

    /// The configuration the run started with (rates may have changed since).
    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }

    /// When the next event is due (possibly a stale timer that does nothing).
    pub fn next_event_time(&self) -> Option<TimeUs> {
        self.queue.peek_time()
    }

    /// Number of events scheduled (stale timers included).
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }

    /// Number of events processed so far (stale timers not counted).
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// Processes exactly one event and returns its time; `None` when nothing is scheduled.
    pub fn step(&mut self) -> Option<TimeUs> {
        self.step_until(TimeUs::MAX)
    }

    /// Like [`step`](Self::step) but never processes an event after `limit_us`.
    fn step_until(&mut self, limit_us: TimeUs) -> Option<TimeUs> {
        loop {
            if self.queue.peek_time()? > limit_us {
                return None;
            }
            let (t, ev) = self.queue.pop()?;
            self.now_us = self.now_us.max(t);
            if self.is_stale(ev) {
                continue;
            }
            self.dispatch(ev);
            self.events_processed += 1;
            return Some(t);
        }
    }

    /// Processes every event due at or before `t_us`, then sets the clock to `t_us`.
    pub fn run_until(&mut self, t_us: TimeUs) {
        while self.step_until(t_us).is_some() {}
        self.now_us = self.now_us.max(t_us);
    }

    /// Runs for `d_us` more microseconds of virtual time.
    pub fn run_for(&mut self, d_us: TimeUs) {
        self.run_until(self.now_us.saturating_add(d_us));
    }

    /// Moves the clock to `t_us` without processing events (used by replay;
    /// only forward, and never past a pending event).
    ///
    /// Stale events due by `t_us` are dropped first: the recorded run's
    /// `run_until` had popped them (they do nothing), and left queued they
    /// would hold the clock back, so a replayed action would be taken
    /// earlier than it was recorded.
    pub(crate) fn set_now(&mut self, t_us: TimeUs) {
        self.drop_stale_until(t_us);
        let limit = self.queue.peek_time().unwrap_or(TimeUs::MAX);
        self.now_us = self.now_us.max(t_us.min(limit));
    }

    // ----- results -----------------------------------------------------------

    /// The client history recorded so far.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The trace (last events, total count, running hash).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The running hash over every trace event: equal for equal runs.
    pub fn trace_hash(&self) -> u64 {
        self.trace.hash()
    }

    /// Safety violations found so far (bounded, distinct).
    pub fn violations(&self) -> &[Violation] {
        self.checker.violations()
    }

    /// Checks the client history for linearizability with a search budget; a
    /// violation is also recorded (trace and [`violations`](Self::violations)).
    pub fn check_linearizability(&mut self, max_steps: u64) -> Verdict {
        let verdict = linearizability::check(&self.history, max_steps);
        if let Verdict::NotLinearizable {
            key, explanation, ..
        } = &verdict
        {
            let msg = format!("key {key:?}: {explanation}");
            self.checker.set_time(self.now_us);
            self.checker
                .report(Property::Linearizability, Vec::new(), Vec::new(), msg);
            self.flush_violations();
        }
        verdict
    }

    // ----- internals: lookup ---------------------------------------------------

    pub(crate) fn slot_index(&self, id: NodeId) -> Option<usize> {
        let i = usize::try_from(id).ok()?.checked_sub(1)?;
        (i < self.slots.len()).then_some(i)
    }

    /// The live leader with the highest term, if any.
    pub fn leader(&self) -> Option<NodeId> {
        self.slots
            .iter()
            .filter_map(|s| s.node.as_ref())
            .filter(|n| n.role() == Role::Leader)
            .max_by_key(|n| n.term())
            .map(|n| n.id())
    }

    /// Whether node `id` is up and believes it leads.
    pub fn leader_of(&self, id: NodeId) -> bool {
        self.slot_index(id)
            .and_then(|i| self.slots[i].node.as_ref())
            .is_some_and(|n| n.role() == Role::Leader)
    }

    // ----- internals: events ---------------------------------------------------

    /// Drops the stale events at the head of the queue that are due by
    /// `t_us` (they would do nothing; `run_until(t_us)` pops them the same
    /// way). Only for a moment the recorded run also reached: staleness can
    /// end (a paused node's timer), so nothing due later is dropped.
    pub(crate) fn drop_stale_until(&mut self, t_us: TimeUs) {
        while let Some((time_us, true)) = self.peek_event() {
            if time_us > t_us {
                break;
            }
            self.queue.pop();
        }
    }

    /// The next event's time and whether it is stale now.
    pub(crate) fn peek_event(&self) -> Option<(TimeUs, bool)> {
        self.queue.peek().map(|(t, ev)| (t, self.is_stale(ev)))
    }

    /// Whether `ev` would do nothing now (superseded or its target gone).
    /// The one definition of staleness: such events are dropped unprocessed
    /// and uncounted, and [`dispatch`](Self::dispatch) sees only the others.
    fn is_stale(&self, ev: Event) -> bool {
        match ev {
            Event::Deliver { msg } => self.net.in_flight.get(msg).is_none(),
            Event::Timer { node, gen } => self.slot_index(node).is_none_or(|i| {
                let slot = &self.slots[i];
                slot.timer_gen != gen || slot.paused || slot.node.is_none()
            }),
            Event::DiskDone { node, incarnation } => self.slot_index(node).is_none_or(|i| {
                let slot = &self.slots[i];
                slot.incarnation != incarnation || slot.disk_queue.is_empty()
            }),
            Event::Client { client, gen } => self.clients.get(&client).is_none_or(|c| c.gen != gen),
        }
    }

    /// Processes an event that is not stale.
    fn dispatch(&mut self, ev: Event) {
        match ev {
            Event::Deliver { msg } => self.deliver(msg),
            Event::Timer { node, .. } => self.fire_timer(node),
            Event::DiskDone { node, .. } => self.disk_done(node),
            Event::Client { client, .. } => self.client_wake(client),
        }
    }

    fn deliver(&mut self, id: u64) {
        let Some(f) = self.net.in_flight.get(id) else {
            return;
        };
        let (from, to) = (f.msg.from, f.msg.to);
        let reason = if f.lost {
            Some(DropReason::Loss)
        } else if self.net.is_cut(from, to) {
            Some(DropReason::LinkCutAtDelivery)
        } else {
            match self.slot_index(to) {
                None => Some(DropReason::UnknownNode),
                Some(i) if self.slots[i].node.is_none() => Some(DropReason::NodeDown),
                Some(i) if self.slots[i].paused => {
                    self.slots[i].held.push_back(id);
                    self.net.in_flight.hold(id);
                    return;
                }
                Some(_) => None,
            }
        };
        let f = self.net.in_flight.remove(id).expect("present");
        if let Some(reason) = reason {
            self.trace_at(TraceKind::Dropped {
                id,
                from,
                to,
                reason,
            });
            return;
        }
        self.trace_at(TraceKind::Delivered { id, from, to });
        self.step_node(to, f.msg);
    }

    pub(crate) fn step_node(&mut self, to: NodeId, msg: Message) {
        let Some(i) = self.slot_index(to) else { return };
        let now = self.now_us;
        let slot = &mut self.slots[i];
        let local = slot.clock.local(now);
        if let Some(node) = slot.node.as_mut() {
            node.step(local, msg);
            self.after_node(to, false);
        }
    }

    fn fire_timer(&mut self, id: NodeId) {
        let Some(i) = self.slot_index(id) else {
            return;
        };
        let now = self.now_us;
        let slot = &mut self.slots[i];
        slot.timer_at = None;
        let local = slot.clock.local(now);
        if let Some(node) = slot.node.as_mut() {
            node.handle_timeout(local);
        }
        self.trace_at(TraceKind::TimerFired { node: id });
        self.after_node(id, true);
    }

    fn disk_done(&mut self, id: NodeId) {
        let Some(i) = self.slot_index(id) else {
            return;
        };
        let slot = &mut self.slots[i];
        let Some(w) = slot.disk_queue.pop_front() else {
            return;
        };
        let mut entries = w.entries;
        persist(&mut slot.disk, w.hard_state, w.snapshot, &mut entries);
        if slot.paused {
            slot.resume_outbox.extend(w.messages);
        } else {
            for m in w.messages {
                self.send(m);
            }
        }
        self.maybe_compact(id);
    }

    // ----- internals: nodes ----------------------------------------------------

    /// After a node took input: drain its Ready, check invariants, reschedule its timer.
    pub(crate) fn after_node(&mut self, id: NodeId, from_timer: bool) {
        self.process_ready(id);
        self.maybe_compact(id);
        self.observe(id);
        self.reschedule_timer(id, from_timer);
    }

    fn process_ready(&mut self, id: NodeId) {
        let Some(i) = self.slot_index(id) else { return };
        let disk_latency = self.cfg.disk_latency_us;
        loop {
            let now = self.now_us;
            let slot = &mut self.slots[i];
            let Some(node) = slot.node.as_mut() else {
                return;
            };
            if !node.has_ready() {
                return;
            }
            let mut rd = node.ready();
            let term = node.term();
            if let (Some(first), Some(last)) = (rd.entries.first(), rd.entries.last()) {
                self.checker.set_time(now);
                self.checker.observe_written(id, &rd.entries, node.log());
                let kind = TraceKind::EntryAppended {
                    node: id,
                    from_index: first.index,
                    to_index: last.index,
                    term: last.term,
                };
                self.trace.push(now, kind);
            }
            if let Some(snap) = &rd.snapshot {
                slot.store = if snap.data.is_empty() {
                    KvStore::new()
                } else {
                    KvStore::restore(&snap.data).unwrap_or_default()
                };
                let index = snap.meta.last_index;
                self.trace
                    .push(now, TraceKind::SnapshotRestored { node: id, index });
            }
            let snapshot = rd.snapshot.take();
            let hs = rd.hard_state.take();
            if disk_latency == 0 {
                // Everything is durable at once: persisted messages may leave
                // with the others (after them, as before), and Ready's buffers
                // go back to the node for reuse.
                persist(&mut slot.disk, hs, snapshot, &mut rd.entries);
            } else if hs.is_some()
                || snapshot.is_some()
                || !rd.entries.is_empty()
                || !rd.persisted_messages.is_empty()
            {
                slot.disk_queue.push_back(PendingWrite {
                    hard_state: hs,
                    snapshot,
                    entries: core::mem::take(&mut rd.entries),
                    messages: core::mem::take(&mut rd.persisted_messages),
                });
                let incarnation = slot.incarnation;
                self.queue.push(
                    now + disk_latency,
                    Event::DiskDone {
                        node: id,
                        incarnation,
                    },
                );
            }
            let mut completions = core::mem::take(&mut self.completions);
            let mut last_applied = None;
            for e in &rd.committed_entries {
                self.checker.set_time(now);
                self.checker.observe_applied(id, term, e);
                last_applied = Some(e.index);
                if let EntryPayload::Command(bytes) = &e.payload {
                    let reply = slot.store.apply_bytes(e.index, bytes);
                    if let Some(c) = self.proposals.remove(&(id, e.index)) {
                        completions.push((c, e.index, e.term, reply));
                    }
                }
            }
            if let Some(index) = last_applied {
                self.trace.push(now, TraceKind::Applied { node: id, index });
            }
            for m in rd.messages.drain(..) {
                self.send(m);
            }
            // Empty unless the write was synchronous (it went to the disk queue).
            for m in rd.persisted_messages.drain(..) {
                self.send(m);
            }
            if let Some(node) = self.slots[i].node.as_mut() {
                node.recycle(rd);
            }
            for (c, index, term, reply) in completions.drain(..) {
                self.complete_client(c, id, index, term, reply);
            }
            self.completions = completions;
        }
    }

    fn maybe_compact(&mut self, id: NodeId) {
        let threshold = self.cfg.snapshot_threshold;
        let Some(i) = self.slot_index(id) else { return };
        let slot = &mut self.slots[i];
        if threshold == 0 || !slot.disk_queue.is_empty() {
            return;
        }
        let Some(node) = slot.node.as_mut() else {
            return;
        };
        if (node.log().entries().len() as u64) <= threshold {
            return;
        }
        let applied = node.applied_index();
        if applied <= node.log().snapshot_index() {
            return;
        }
        if node.compact(applied, slot.store.snapshot()).is_ok() {
            slot.disk.snapshot = node.log().snapshot().clone();
            slot.disk.entries.retain(|e| e.index > applied);
            self.trace.push(
                self.now_us,
                TraceKind::Compacted {
                    node: id,
                    index: applied,
                },
            );
        }
    }

    /// Traces role, term and commit changes and runs the invariant checker.
    fn observe(&mut self, id: NodeId) {
        let Some(i) = self.slot_index(id) else { return };
        let now = self.now_us;
        let slot = &mut self.slots[i];
        let Some(node) = slot.node.as_ref() else {
            return;
        };
        let (role, term, commit) = (node.role(), node.term(), node.commit_index());
        if term != slot.last_term {
            let from = slot.last_term;
            slot.last_term = term;
            self.trace.push(
                now,
                TraceKind::TermChanged {
                    node: id,
                    from,
                    to: term,
                },
            );
        }
        if role != slot.last_role {
            let from = slot.last_role;
            slot.last_role = role;
            self.trace.push(
                now,
                TraceKind::RoleChanged {
                    node: id,
                    from,
                    to: role,
                    term,
                },
            );
        }
        if commit != slot.last_commit {
            slot.last_commit = commit;
            self.trace.push(
                now,
                TraceKind::Committed {
                    node: id,
                    index: commit,
                },
            );
        }
        self.checker.set_time(now);
        self.checker.observe_node(node);
        self.flush_violations();
    }

    pub(crate) fn flush_violations(&mut self) {
        if !self.checker.has_new() {
            return;
        }
        let now = self.now_us;
        for v in self.checker.take_new() {
            self.trace.push(
                now,
                TraceKind::InvariantViolation {
                    property: v.property,
                    nodes: v.nodes.clone(),
                    entries: v.entries.clone(),
                    message: v.message.clone(),
                },
            );
        }
    }

    pub(crate) fn reschedule_timer(&mut self, id: NodeId, from_timer: bool) {
        let Some(i) = self.slot_index(id) else { return };
        let now = self.now_us;
        let slot = &mut self.slots[i];
        let Some(node) = slot.node.as_ref() else {
            return;
        };
        if slot.paused {
            return;
        }
        let Some(deadline) = node.poll_timeout() else {
            if slot.timer_at.take().is_some() {
                slot.timer_gen += 1;
                self.queue.cancel_timer(i);
            }
            return;
        };
        let mut g = slot.clock.global_at(deadline).max(now);
        if from_timer && g <= now {
            // Never spin at one instant.
            g = now + 1;
        }
        if slot.timer_at != Some(g) {
            slot.timer_gen += 1;
            slot.timer_at = Some(g);
            let gen = slot.timer_gen;
            self.queue.set_timer(i, g, Event::Timer { node: id, gen });
        }
    }

    // ----- internals: network --------------------------------------------------

    pub(crate) fn trace_at(&mut self, kind: TraceKind) {
        self.trace.push(self.now_us, kind);
    }

    pub(crate) fn send(&mut self, msg: Message) {
        let now = self.now_us;
        let id = self.net.next_id;
        self.net.next_id += 1;
        let (from, to, term) = (msg.from, msg.to, msg.term);
        if let MessageBody::RequestVoteResp {
            pre_vote: false,
            granted,
        } = msg.body
        {
            self.trace_at(TraceKind::Voted {
                voter: from,
                candidate: to,
                term,
                granted,
            });
        }
        let summary = MsgSummary::of(&msg.body);
        let reason = if self.slot_index(to).is_none() {
            Some(DropReason::UnknownNode)
        } else if self.net.is_cut(from, to) {
            Some(DropReason::LinkCutAtSend)
        } else if self.net.in_flight.len() >= self.cfg.max_in_flight {
            Some(DropReason::QueueFull)
        } else {
            None
        };
        if let Some(reason) = reason {
            self.trace_at(TraceKind::MessageSent {
                id,
                from,
                to,
                term,
                send_us: now,
                deliver_us: now,
                summary,
            });
            self.trace_at(TraceKind::Dropped {
                id,
                from,
                to,
                reason,
            });
            return;
        }
        let deliver_us = now + self.net.draw_delay();
        let lost = self.net.rng.chance_ppm(self.net.loss_ppm);
        let dup = self.net.rng.chance_ppm(self.net.duplication_ppm);
        self.trace_at(TraceKind::MessageSent {
            id,
            from,
            to,
            term,
            send_us: now,
            deliver_us,
            summary,
        });
        let copy = if dup && self.net.in_flight.len() + 1 < self.cfg.max_in_flight {
            Some(msg.clone())
        } else {
            None
        };
        self.net.in_flight.insert(
            id,
            InFlight {
                msg,
                send_us: now,
                deliver_us,
                lost,
                duplicate: false,
                held: false,
            },
        );
        self.queue.push(deliver_us, Event::Deliver { msg: id });
        if let Some(msg) = copy {
            let cid = self.net.next_id;
            self.net.next_id += 1;
            let deliver_us = now + self.net.draw_delay();
            let lost = self.net.rng.chance_ppm(self.net.loss_ppm);
            self.trace_at(TraceKind::Duplicated {
                id,
                copy: cid,
                deliver_us,
            });
            self.net.in_flight.insert(
                cid,
                InFlight {
                    msg,
                    send_us: now,
                    deliver_us,
                    lost,
                    duplicate: true,
                    held: false,
                },
            );
            self.queue.push(deliver_us, Event::Deliver { msg: cid });
        }
    }

    // ----- internals: clients --------------------------------------------------

    pub(crate) fn schedule_client(&mut self, c: u64, at: TimeUs) {
        if let Some(cl) = self.clients.get_mut(&c) {
            cl.gen += 1;
            let gen = cl.gen;
            self.queue.push(at, Event::Client { client: c, gen });
        }
    }

    /// Draws when client `c`'s next operation is due: a think time after now.
    fn draw_next_start(&mut self, c: u64) -> Option<TimeUs> {
        let n = self.cfg.clients;
        let d = client::think_time_us(&mut self.client_rng, n, self.cfg.client_ops_per_sec)?;
        let at = self.now_us + d;
        if let Some(cl) = self.clients.get_mut(&c) {
            cl.next_start_us = at;
        }
        Some(at)
    }

    fn random_node(&mut self) -> NodeId {
        1 + self.client_rng.below(self.slots.len() as u64)
    }

    fn client_wake(&mut self, c: u64) {
        let Some(cl) = self.clients.get(&c) else {
            return;
        };
        match cl.phase.clone() {
            Phase::Thinking => {
                let seq = cl.next_seq;
                let op = client::random_op(&mut self.client_rng, c, seq);
                let target = self.random_node();
                self.draw_next_start(c);
                let cl = self.clients.get_mut(&c).expect("present");
                cl.next_seq += 1;
                cl.request = Some(Request {
                    op,
                    seq,
                    history_id: None,
                    attempt: 0,
                    redirects: 0,
                });
                self.client_send(c, target);
            }
            Phase::Sending { node } => self.client_send(c, node),
            Phase::Waiting { node, proposal } => {
                // Timed out: retry with the same sequence number.
                if let Some((index, _)) = proposal {
                    if self.proposals.get(&(node, index)) == Some(&c) {
                        self.proposals.remove(&(node, index));
                    }
                }
                let hint = cl.leader_hint;
                let give_up = cl.user
                    && cl
                        .request
                        .as_ref()
                        .is_some_and(|r| r.attempt >= MAX_USER_ATTEMPTS);
                if give_up {
                    // Never answered now: the checker may stop waiting for it.
                    if let Some(hid) = cl.request.as_ref().and_then(|r| r.history_id) {
                        let _ = self.history.abandon(hid);
                    }
                    self.clients.remove(&c);
                    return;
                }
                let target = match hint {
                    Some(h) if h != node => h,
                    _ => self.random_node(),
                };
                if let Some(r) = self.clients.get_mut(&c).and_then(|cl| cl.request.as_mut()) {
                    r.redirects = 0;
                }
                self.client_send(c, target);
            }
        }
    }

    pub(crate) fn client_send(&mut self, c: u64, target: NodeId) {
        let now = self.now_us;
        let timeout = self.cfg.client_timeout_us;
        let Some(cl) = self.clients.get_mut(&c) else {
            return;
        };
        let Some(req) = cl.request.as_mut() else {
            return;
        };
        req.attempt += 1;
        let attempt = req.attempt;
        if req.history_id.is_none() {
            let hid = self.history.invoke(c, req.op.clone(), now);
            req.history_id = Some(hid);
            let description = req.op.describe();
            self.trace.push(
                now,
                TraceKind::ClientInvoke {
                    client: c,
                    op: hid,
                    description,
                },
            );
        }
        let bytes = Command::new(c, req.seq, req.op.clone()).encode();
        self.trace.push(
            now,
            TraceKind::ClientSend {
                client: c,
                node: target,
                attempt,
            },
        );
        let result = match self.slot_index(target) {
            Some(i) if !self.slots[i].paused => {
                let slot = &mut self.slots[i];
                let local = slot.clock.local(now);
                slot.node
                    .as_mut()
                    .map(|n| n.propose(local, bytes).map(|idx| (idx, n.term())))
            }
            _ => None,
        };
        let cl = self.clients.get_mut(&c).expect("present");
        match result {
            None => {
                // No answer from a crashed or paused node: wait for the timeout.
                cl.phase = Phase::Waiting {
                    node: target,
                    proposal: None,
                };
                self.schedule_client(c, now + timeout);
            }
            Some(Ok((index, term))) => {
                cl.phase = Phase::Waiting {
                    node: target,
                    proposal: Some((index, term)),
                };
                cl.leader_hint = Some(target);
                self.proposals.insert((target, index), c);
                self.schedule_client(c, now + timeout);
                self.after_node(target, false);
            }
            Some(Err(e)) => {
                let redirects = cl.request.as_ref().map_or(0, |r| r.redirects);
                let next = match e {
                    ProposeError::NotLeader {
                        leader_hint: Some(h),
                    } if h != target => Some(h),
                    _ => None,
                };
                if redirects >= MAX_REDIRECTS {
                    cl.phase = Phase::Waiting {
                        node: target,
                        proposal: None,
                    };
                    self.schedule_client(c, now + timeout);
                    return;
                }
                if let Some(r) = cl.request.as_mut() {
                    r.redirects += 1;
                }
                cl.leader_hint = next;
                let node = match next {
                    Some(h) => h,
                    None => self.random_node(),
                };
                let hop = self
                    .client_rng
                    .range_inclusive(self.net.latency_min_us, self.net.latency_max_us)
                    .max(1);
                let backoff = if next.is_some() {
                    hop
                } else {
                    hop + self.cfg.heartbeat_interval_us
                };
                if let Some(cl) = self.clients.get_mut(&c) {
                    cl.phase = Phase::Sending { node };
                }
                self.schedule_client(c, now + backoff);
            }
        }
    }

    fn complete_client(&mut self, c: u64, node: NodeId, index: LogIndex, term: Term, reply: Reply) {
        let now = self.now_us;
        let Some(cl) = self.clients.get_mut(&c) else {
            return;
        };
        if cl.phase
            != (Phase::Waiting {
                node,
                proposal: Some((index, term)),
            })
        {
            return;
        }
        let hid = cl.request.as_ref().and_then(|r| r.history_id);
        cl.request = None;
        cl.phase = Phase::Thinking;
        let user = cl.user;
        if let Some(hid) = hid {
            let _ = self.history.complete_reply(hid, &reply, now);
            self.trace.push(
                now,
                TraceKind::ClientReturn {
                    client: c,
                    op: hid,
                    reply: format!("{reply}"),
                },
            );
        }
        if user {
            self.clients.remove(&c);
        } else {
            let at = self
                .clients
                .get(&c)
                .map_or(now, |cl| cl.next_start_us.max(now));
            self.schedule_client(c, at);
        }
    }
}

impl NodeSlot {
    pub(crate) fn new(id: NodeId, node: Node, clock: Clock) -> Self {
        let (role, term, commit) = (node.role(), node.term(), node.commit_index());
        let disk = node.persistent_state();
        NodeSlot {
            id,
            node: Some(node),
            store: KvStore::new(),
            disk,
            disk_queue: VecDeque::new(),
            paused: false,
            resume_outbox: Vec::new(),
            held: VecDeque::new(),
            incarnation: 0,
            timer_gen: 0,
            timer_at: None,
            clock,
            last_role: role,
            last_term: term,
            last_commit: commit,
        }
    }
}
