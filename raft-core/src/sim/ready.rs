//! A node's output: its Readies followed as [`crate::raft::Ready`] says
//! (with or without disk latency), its timer, log compaction, and what the
//! trace and the checkers learn after each input.

use super::disk::{persist, PendingWrite, Written};
use super::event::Event;
use super::trace::TraceKind;
use super::world::Sim;
use crate::kv::KvStore;
use crate::raft::{Entry, EntryPayload, Ready, Snapshot};
use crate::types::{NodeId, Term};

impl Sim {
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
        let mut rd = self.ready_buf.take().unwrap_or_default();
        while let Some(term) = self.take_ready(i, &mut rd) {
            let writes = rd.hard_state.is_some() || rd.snapshot.is_some() || !rd.entries.is_empty();
            if self.cfg.disk_latency_us == 0 || (!writes && self.slots[i].disk_queue.is_empty()) {
                self.finish_ready_now(i, &mut rd, term);
            } else {
                self.queue_write(i, &mut rd, term, writes);
            }
        }
        self.ready_buf = Some(rd);
    }

    /// Takes the node's next Ready, if it has one, into `rd` (empty) and
    /// returns the node's term; its immediate messages have left.
    fn take_ready(&mut self, i: usize, rd: &mut Ready) -> Option<Term> {
        let slot = &mut self.slots[i];
        let id = slot.id;
        let node = slot.node.as_mut()?;
        if !node.has_ready() {
            return None;
        }
        node.ready_into(rd);
        let term = node.term();
        if let (Some(first), Some(last)) = (rd.entries.first(), rd.entries.last()) {
            // In memory only: the checker hears of entries once stored.
            let kind = TraceKind::EntryAppended {
                node: id,
                from_index: first.index,
                to_index: last.index,
                term: last.term,
            };
            self.trace.push(self.now_us, kind);
        }
        for m in rd.messages.drain(..) {
            self.send(m);
        }
        Some(term)
    }

    /// Durable at once (or nothing to write, nothing to wait for): the whole
    /// Ready in order; `rd` is left empty, its buffers kept for the next one.
    fn finish_ready_now(&mut self, i: usize, rd: &mut Ready, term: Term) {
        let snapshot = rd.snapshot.take();
        let hs = rd.hard_state.take();
        let skip = self.cfg.regressions.skip_old_snapshot;
        let disk = &mut self.slots[i].disk;
        let stored = persist(
            disk,
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
        let committed = core::mem::take(&mut rd.committed_entries);
        self.apply_ready(i, term, snapshot.as_ref(), &committed);
        rd.committed_entries = committed;
        match self.slots[i].node.as_mut() {
            Some(node) => node.advance_in_place(rd),
            None => *rd = Ready::default(),
        }
    }

    /// Puts a Ready behind the writes under way; one that writes gets its own
    /// DiskDone after the disk latency.
    fn queue_write(&mut self, i: usize, rd: &mut Ready, term: Term, writes: bool) {
        let id = self.slots[i].id;
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
        // Read states are not simulated; `rd` leaves empty.
        rd.read_states.clear();
        if self.cfg.regressions.ack_before_durable {
            // The fixed bug: the node hears its write is durable, and what
            // it committed is applied and answered, while the write is queued.
            if let Some(node) = self.slots[i].node.as_mut() {
                node.on_persisted(w.number);
            }
            let committed = core::mem::take(&mut w.committed);
            self.apply_ready(i, term, w.snapshot.as_ref(), &committed);
        }
        let slot = &mut self.slots[i];
        slot.disk_queue.push_back(w);
        if writes {
            let incarnation = slot.incarnation;
            let at = self.now_us + self.cfg.disk_latency_us;
            self.queue.push(
                at,
                Event::DiskDone {
                    node: id,
                    incarnation,
                },
            );
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

    /// Step 3 of a Ready, once its write is durable: the state machine takes
    /// its snapshot, then applies what it committed and answers the clients.
    pub(crate) fn apply_ready(
        &mut self,
        i: usize,
        term: Term,
        snapshot: Option<&Snapshot>,
        committed: &[Entry],
    ) {
        if let Some(snap) = snapshot {
            self.restore_store(i, snap);
        }
        if committed.is_empty() {
            // Most Readies commit nothing (a follower's append, an answer):
            // no entry to apply, no reply, no trace record.
            return;
        }
        let now = self.now_us;
        let slot = &mut self.slots[i];
        let id = slot.id;
        let mut completions = core::mem::take(&mut self.completions);
        for e in committed {
            self.checker.set_time(now);
            self.checker.observe_applied(id, term, e);
            if let EntryPayload::Command(bytes) = &e.payload {
                // Only a client waiting at this node gets a copy of the reply.
                let client = self.proposals.remove(&(id, e.index));
                let reply = slot.store.apply_entry(e.index, bytes, client.is_some());
                if let (Some(c), Some(reply)) = (client, reply) {
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

    /// Traces the violations the checker found since the last call.
    #[inline]
    pub(crate) fn flush_violations(&mut self) {
        // Checked after every event, almost always with nothing new.
        if self.checker.has_new() {
            self.trace_violations();
        }
    }

    #[cold]
    fn trace_violations(&mut self) {
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
}
