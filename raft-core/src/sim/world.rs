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

/// A Ready waiting for the disk: what it writes, and what may happen only
/// once that write (and every write before it) is durable: the messages that
/// promise it, and applying what it committed (the order of [`crate::raft::Ready`]).
#[derive(Clone, Debug)]
pub(crate) struct PendingWrite {
    /// The Ready's number, acknowledged with `Node::on_persisted` when durable.
    pub(crate) number: u64,
    /// False for a Ready with nothing to write that only waits its turn.
    pub(crate) writes: bool,
    pub(crate) hard_state: Option<HardState>,
    pub(crate) snapshot: Option<Snapshot>,
    pub(crate) entries: Vec<Entry>,
    pub(crate) messages: Vec<Message>,
    /// Term of the node when the Ready was taken (for the checker).
    pub(crate) term: Term,
    pub(crate) committed: Vec<Entry>,
}

/// One simulated server: the Raft node, its state machine and its disk.
#[derive(Clone, Debug)]
pub(crate) struct NodeSlot {
    pub(crate) id: NodeId,
    /// `None` while crashed.
    pub(crate) node: Option<Node>,
    pub(crate) store: KvStore,
    pub(crate) disk: PersistentState,
    /// Readies whose writes are under way, oldest first.
    pub(crate) disk_queue: VecDeque<PendingWrite>,
    pub(crate) paused: bool,
    /// Writes that became durable while the node was paused: the node hears
    /// of them (and sends, applies) when it resumes.
    pub(crate) durable_while_paused: Vec<PendingWrite>,
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

/// How much of a write reaches the disk when a crash interrupts it, in the
/// order a Ready is persisted: snapshot, hard state, then entries one by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Written {
    /// The whole write.
    All,
    /// The first `n` steps of it (0: nothing).
    Prefix(usize),
}

/// Applies a write (or its first steps) to the simulated disk: the snapshot
/// replaces the stored one (a Ready hands one out only when it must be stored;
/// entries after it stay if the disk holds its last entry), then the hard
/// state, then entries overwrite from their first index.
/// `entries` is drained (its buffer stays with the caller for reuse).
/// Returns how many entries reached the disk.
fn persist(
    disk: &mut PersistentState,
    hs: Option<HardState>,
    snap: Option<&Snapshot>,
    entries: &mut Vec<Entry>,
    written: Written,
    skip_old_snapshot: bool,
) -> usize {
    let mut budget = match written {
        Written::All => usize::MAX,
        Written::Prefix(n) => n,
    };
    if let Some(s) = snap {
        if budget == 0 {
            return 0;
        }
        budget -= 1;
        let (li, lt) = (s.meta.last_index, s.meta.last_term);
        // The fixed bug: a snapshot not newer than the disk's own was taken for
        // an echo and dropped, losing a joiner's first configuration.
        if !(skip_old_snapshot && li <= disk.snapshot.meta.last_index) {
            if disk.entries.iter().any(|e| e.index == li && e.term == lt) {
                disk.entries.retain(|e| e.index > li);
            } else {
                disk.entries.clear();
            }
            disk.snapshot = s.clone();
        }
    }
    if let Some(h) = hs {
        if budget == 0 {
            return 0;
        }
        budget -= 1;
        disk.term = h.term;
        disk.voted_for = h.voted_for;
    }
    let n = entries.len().min(budget);
    if let Some(first) = entries.first().filter(|_| n > 0) {
        let keep = disk.entries.partition_point(|e| e.index < first.index);
        disk.entries.truncate(keep);
        disk.entries.extend(entries.drain(..n));
    }
    entries.clear();
    n
}

/// Persists (all or the first steps of) a pending write; its snapshot stays
/// in `w` to be restored into the state machine afterwards. Returns how many
/// entries reached the disk.
pub(crate) fn persist_pending(
    disk: &mut PersistentState,
    w: &mut PendingWrite,
    written: Written,
    skip_old_snapshot: bool,
) -> usize {
    let hs = w.hard_state.take();
    persist(
        disk,
        hs,
        w.snapshot.as_ref(),
        &mut w.entries,
        written,
        skip_old_snapshot,
    )
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

    /// The oldest write of `id` is durable: store it, then let the node (unless
    /// paused) act on it and on the Readies that only waited behind it.
    fn disk_done(&mut self, id: NodeId) {
        let Some(i) = self.slot_index(id) else {
            return;
        };
        let skip_old_snapshot = self.cfg.regressions.skip_old_snapshot;
        let slot = &mut self.slots[i];
        let Some(mut w) = slot.disk_queue.pop_front() else {
            return;
        };
        assert!(w.writes, "only a Ready that writes schedules a DiskDone");
        let mut done = alloc::vec![];
        let stored = persist_pending(&mut slot.disk, &mut w, Written::All, skip_old_snapshot);
        self.observe_stored(i, stored);
        let slot = &mut self.slots[i];
        done.push(w);
        while slot.disk_queue.front().is_some_and(|w| !w.writes) {
            done.extend(slot.disk_queue.pop_front());
        }
        if slot.paused {
            slot.durable_while_paused.extend(done);
            return;
        }
        for w in done {
            self.finish_write(i, w);
        }
        self.after_node(id, false);
    }

    /// Tells the checker about the last `count` entries on node `i`'s disk,
    /// which a write has just stored.
    pub(crate) fn observe_stored(&mut self, i: usize, count: usize) {
        let slot = &self.slots[i];
        let disk = &slot.disk;
        let Some(start) = disk.entries.len().checked_sub(count).filter(|_| count > 0) else {
            return;
        };
        let stored = &disk.entries[start..];
        let before = stored[0].index - 1;
        let prev = match start.checked_sub(1) {
            Some(k) => Some(disk.entries[k].term),
            None if disk.snapshot.meta.last_index == before => Some(disk.snapshot.meta.last_term),
            None => None,
        };
        self.checker.set_time(self.now_us);
        self.checker.observe_stored(slot.id, stored, prev);
    }

    /// The node hears that a write is durable; the messages that promised it
    /// leave, and what its Ready committed is applied (step 3 after step 1).
    pub(crate) fn finish_write(&mut self, i: usize, mut w: PendingWrite) {
        let ack_early = self.cfg.regressions.ack_before_durable;
        let slot = &mut self.slots[i];
        let id = slot.id;
        let Some(node) = slot.node.as_mut() else {
            return;
        };
        if !ack_early {
            node.on_persisted(w.number);
        }
        for m in w.messages.drain(..) {
            self.send(m);
        }
        if !ack_early {
            if let Some(snap) = &w.snapshot {
                self.restore_store(i, snap);
            }
            self.apply_committed(i, id, w.term, &w.committed);
        }
    }

    /// Step 3 of a Ready: the state machine takes a snapshot's data.
    pub(crate) fn restore_store(&mut self, i: usize, snap: &Snapshot) {
        let slot = &mut self.slots[i];
        slot.store = if snap.data.is_empty() {
            KvStore::new()
        } else {
            KvStore::restore(&snap.data).unwrap_or_default()
        };
        let (node, index) = (slot.id, snap.meta.last_index);
        self.trace
            .push(self.now_us, TraceKind::SnapshotRestored { node, index });
    }

    /// Step 3 of a Ready: applies committed entries and answers their clients.
    fn apply_committed(&mut self, i: usize, id: NodeId, term: Term, committed: &[Entry]) {
        let now = self.now_us;
        let slot = &mut self.slots[i];
        let mut completions = core::mem::take(&mut self.completions);
        for e in committed {
            self.checker.set_time(now);
            self.checker.observe_applied(id, term, e);
            if let EntryPayload::Command(bytes) = &e.payload {
                let reply = slot.store.apply_bytes(e.index, bytes);
                if let Some(c) = self.proposals.remove(&(id, e.index)) {
                    completions.push((c, e.index, e.term, reply));
                }
            }
        }
        if let Some(last) = committed.last() {
            let index = last.index;
            self.trace.push(now, TraceKind::Applied { node: id, index });
        }
        for (c, index, term, reply) in completions.drain(..) {
            self.complete_client(c, id, index, term, reply);
        }
        self.completions = completions;
    }

    // ----- internals: nodes ----------------------------------------------------

    /// After a node took input: drain its Ready, check invariants, reschedule its timer.
    pub(crate) fn after_node(&mut self, id: NodeId, from_timer: bool) {
        self.process_ready(id);
        self.maybe_compact(id);
        self.observe(id);
        self.reschedule_timer(id, from_timer);
    }

    /// Takes the node's Readies and follows their contract: messages leave at
    /// once; state is persisted (now, or after the disk latency), and only then
    /// is the node told, do the messages promising it leave, and is what the
    /// Ready committed applied.
    fn process_ready(&mut self, id: NodeId) {
        let Some(i) = self.slot_index(id) else { return };
        let disk_latency = self.cfg.disk_latency_us;
        let regress = self.cfg.regressions;
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
                // In memory only: the checker hears of entries once stored.
                let kind = TraceKind::EntryAppended {
                    node: id,
                    from_index: first.index,
                    to_index: last.index,
                    term: last.term,
                };
                self.trace.push(now, kind);
            }
            for m in rd.messages.drain(..) {
                self.send(m);
            }
            let slot = &mut self.slots[i];
            let writes = rd.hard_state.is_some() || rd.snapshot.is_some() || !rd.entries.is_empty();
            if disk_latency == 0 || (!writes && slot.disk_queue.is_empty()) {
                // Durable at once (or nothing to write, nothing to wait for):
                // the whole Ready in order, and its buffers go back for reuse.
                let snapshot = rd.snapshot.take();
                let hs = rd.hard_state.take();
                let skip = regress.skip_old_snapshot;
                let stored = persist(
                    &mut slot.disk,
                    hs,
                    snapshot.as_ref(),
                    &mut rd.entries,
                    Written::All,
                    skip,
                );
                self.observe_stored(i, stored);
                for m in rd.persisted_messages.drain(..) {
                    self.send(m);
                }
                if let Some(snap) = &snapshot {
                    self.restore_store(i, snap);
                }
                let committed = core::mem::take(&mut rd.committed_entries);
                self.apply_committed(i, id, term, &committed);
                rd.committed_entries = committed;
                if let Some(node) = self.slots[i].node.as_mut() {
                    node.advance(rd);
                }
                continue;
            }
            let mut w = PendingWrite {
                number: rd.number,
                writes,
                hard_state: rd.hard_state.take(),
                snapshot: rd.snapshot.take(),
                entries: core::mem::take(&mut rd.entries),
                messages: core::mem::take(&mut rd.persisted_messages),
                term,
                committed: core::mem::take(&mut rd.committed_entries),
            };
            if regress.ack_before_durable {
                // The fixed bug: the node hears its write is durable, and what
                // it committed is applied and answered, while the write is queued.
                if let Some(node) = slot.node.as_mut() {
                    node.on_persisted(w.number);
                }
                if let Some(snap) = &w.snapshot {
                    self.restore_store(i, snap);
                }
                let committed = core::mem::take(&mut w.committed);
                self.apply_committed(i, id, term, &committed);
            }
            let slot = &mut self.slots[i];
            slot.disk_queue.push_back(w);
            if writes {
                let incarnation = slot.incarnation;
                self.queue.push(
                    now + disk_latency,
                    Event::DiskDone {
                        node: id,
                        incarnation,
                    },
                );
            }
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
            let command = req.op.clone();
            self.trace.push(
                now,
                TraceKind::ClientInvoke {
                    client: c,
                    op: hid,
                    command,
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
                    reply,
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
        // A server is created with its bootstrap state on disk (as etcd writes
        // it before starting): a crash before its first Ready is stored must
        // not make a founding voter forget the cluster. Its first Ready hands
        // out the same snapshot again, which stores nothing new.
        let disk = node.persistent_state();
        NodeSlot {
            id,
            node: Some(node),
            store: KvStore::new(),
            disk,
            disk_queue: VecDeque::new(),
            paused: false,
            durable_while_paused: Vec::new(),
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
