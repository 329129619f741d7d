//! The simulation object: nodes, network, clients, event loop.

use super::client::{self, Client};
use super::clock::Clock;
use super::config::{ConfigError, SimConfig};
use super::disk::PendingWrite;
use super::event::{Event, EventQueue};
use super::network::{Network, Sent};
use super::rng::{derive_seed, purpose, SimRng};
use super::trace::{DropReason, MsgSummary, Trace, TraceKind};
use crate::check::invariants::{InvariantChecker, Property, Violation};
use crate::check::linearizability::{self, History, Verdict};
use crate::kv::{KvStore, Reply};
use crate::raft::{Message, MessageBody, Node, PersistentState};
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::vec::Vec;

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
    /// Scratch buffer a client's command is encoded in before it is shared
    /// (kept to reuse its allocation: one allocation per command, the shared one).
    pub(crate) encode_buf: Vec<u8>,
    /// The Ready every node's output is taken into, boxed so that passing
    /// it around moves a pointer instead of its few hundred bytes; `None`
    /// only while in use.
    pub(crate) ready_buf: Option<alloc::boxed::Box<crate::raft::Ready>>,
    /// The faults injected, while recording ([`Sim::record_faults`]).
    pub(crate) recording: Option<alloc::boxed::Box<super::record::Recording>>,
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
            encode_buf: Vec::new(),
            ready_buf: None,
            recording: None,
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
    #[inline]
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
        self.trace
            .push_inlined(self.now_us, TraceKind::Delivered { id, from, to });
        self.step_node(to, f.msg);
    }

    #[inline]
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

    // ----- internals: network --------------------------------------------------

    pub(crate) fn trace_at(&mut self, kind: TraceKind) {
        self.trace.push(self.now_us, kind);
    }

    /// Hands a message to the network and traces what became of it.
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
        let known = self.slot_index(to).is_some();
        let sent = self.net.send(id, msg, now, known, self.cfg.max_in_flight);
        let deliver_us = match sent {
            Sent::Dropped(_) => now,
            Sent::InFlight { deliver_us, .. } => deliver_us,
        };
        let fact = TraceKind::MessageSent {
            id,
            from,
            to,
            term,
            send_us: now,
            deliver_us,
            summary,
        };
        self.trace.push_inlined(now, fact);
        match sent {
            Sent::Dropped(reason) => self.trace_at(TraceKind::Dropped {
                id,
                from,
                to,
                reason,
            }),
            Sent::InFlight { deliver_us, copy } => {
                self.queue.push(deliver_us, Event::Deliver { msg: id });
                if let Some((cid, copy_us)) = copy {
                    self.trace_at(TraceKind::Duplicated {
                        id,
                        copy: cid,
                        deliver_us: copy_us,
                    });
                    self.queue.push(copy_us, Event::Deliver { msg: cid });
                }
            }
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
