//! The simulated disk: a write takes `disk_latency_us`, writes complete in
//! order, a crash can tear the one under way, and what a Ready promised
//! (messages, applying what it committed) waits until its write is durable.

use super::world::Sim;
use crate::raft::{Entry, HardState, Message, PersistentState, Snapshot};
use crate::types::{NodeId, Term};
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
pub(crate) fn persist(
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

impl Sim {
    /// The oldest write of `id` is durable: store it, then let the node (unless
    /// paused) act on it and on the Readies that only waited behind it.
    pub(crate) fn disk_done(&mut self, id: NodeId) {
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
            self.apply_ready(i, w.term, w.snapshot.as_ref(), &w.committed);
        }
    }
}
