//! The event queue: ordered by (time, sequence number), so ties are broken by
//! scheduling order and every run is reproducible.

use crate::types::{NodeId, TimeUs};
use alloc::collections::BinaryHeap;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// Something scheduled to happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// A message arrives (id into the network's in-flight table).
    Deliver { msg: u64 },
    /// A node's timer; stale unless `gen` is the node's current timer generation.
    Timer { node: NodeId, gen: u64 },
    /// A node's oldest pending disk write completes (stale if `incarnation` moved on).
    DiskDone { node: NodeId, incarnation: u64 },
    /// A client acts (sends, retries, or times out); stale unless `gen` matches.
    Client { client: u64, gen: u64 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Scheduled {
    time_us: TimeUs,
    seq: u64,
    event: Event,
}

impl Scheduled {
    /// (time, seq) as one number: one wide comparison instead of two.
    #[inline(always)]
    fn key(&self) -> u128 {
        ((self.time_us as u128) << 64) | self.seq as u128
    }
}

impl Ord for Scheduled {
    #[inline(always)]
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        other.key().cmp(&self.key())
    }
}

impl PartialOrd for Scheduled {
    #[inline(always)]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Min-queue of events by (time, sequence number).
///
/// Node timers live outside the heap, one slot per node: rescheduling a timer
/// replaces the slot instead of leaving a stale entry behind (a follower
/// re-arms its election timer on every message). Timers draw their sequence
/// numbers from the same counter, so the order is exactly (time, seq).
#[derive(Clone, Debug, Default)]
pub(crate) struct EventQueue {
    heap: BinaryHeap<Scheduled>,
    next_seq: u64,
    /// Armed timer per slot index.
    timers: Vec<Option<Scheduled>>,
    /// Index of the earliest armed timer (cached).
    min_timer: Option<usize>,
}

impl EventQueue {
    #[inline]
    pub(crate) fn push(&mut self, time_us: TimeUs, event: Event) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Scheduled {
            time_us,
            seq,
            event,
        });
    }

    /// Arms timer slot `slot` (replacing whatever it held).
    #[inline]
    pub(crate) fn set_timer(&mut self, slot: usize, time_us: TimeUs, event: Event) {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.timers.len() <= slot {
            self.timers.resize(slot + 1, None);
        }
        let new = Scheduled {
            time_us,
            seq,
            event,
        };
        let was_min = self.min_timer == Some(slot);
        let earlier = match self.timer_head() {
            Some(head) => new.key() < head.key(),
            None => true,
        };
        self.timers[slot] = Some(new);
        if earlier {
            self.min_timer = Some(slot);
        } else if was_min {
            // The earliest timer moved later: another may be first now.
            self.recompute_min();
        }
    }

    /// Disarms timer slot `slot`.
    pub(crate) fn cancel_timer(&mut self, slot: usize) {
        if let Some(t) = self.timers.get_mut(slot) {
            if t.take().is_some() && self.min_timer == Some(slot) {
                self.recompute_min();
            }
        }
    }

    fn recompute_min(&mut self) {
        let mut best: Option<(usize, u128)> = None;
        for (i, t) in self.timers.iter().enumerate() {
            if let Some(t) = t {
                if best.is_none_or(|(_, key)| t.key() < key) {
                    best = Some((i, t.key()));
                }
            }
        }
        self.min_timer = best.map(|(i, _)| i);
    }

    fn timer_head(&self) -> Option<&Scheduled> {
        self.min_timer.and_then(|i| self.timers[i].as_ref())
    }

    /// Whether the earliest timer comes before the heap's top.
    fn timer_first(&self) -> bool {
        match (self.timer_head(), self.heap.peek()) {
            (Some(t), Some(h)) => t.key() < h.key(),
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// The next event and its time, without removing it.
    pub(crate) fn peek(&self) -> Option<(TimeUs, Event)> {
        let s = if self.timer_first() {
            self.timer_head()
        } else {
            self.heap.peek()
        };
        s.map(|s| (s.time_us, s.event))
    }

    pub(crate) fn peek_time(&self) -> Option<TimeUs> {
        self.peek().map(|(t, _)| t)
    }

    #[inline]
    pub(crate) fn pop(&mut self) -> Option<(TimeUs, Event)> {
        if self.timer_first() {
            let i = self.min_timer.expect("timer present");
            let t = self.timers[i].take().expect("timer present");
            self.recompute_min();
            return Some((t.time_us, t.event));
        }
        self.heap.pop().map(|s| (s.time_us, s.event))
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len() + self.timers.iter().filter(|t| t.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_then_fifo() {
        let mut q = EventQueue::default();
        q.push(5, Event::Deliver { msg: 1 });
        q.push(3, Event::Deliver { msg: 2 });
        q.push(5, Event::Deliver { msg: 3 });
        assert_eq!(q.pop(), Some((3, Event::Deliver { msg: 2 })));
        assert_eq!(q.pop(), Some((5, Event::Deliver { msg: 1 })));
        assert_eq!(q.pop(), Some((5, Event::Deliver { msg: 3 })));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn pops_in_time_then_seq_order_under_random_pushes_and_pops() {
        let mut q = EventQueue::default();
        let mut model: Vec<(TimeUs, u64)> = Vec::new();
        let (mut state, mut next_msg) = (7u64, 0u64);
        for _ in 0..5_000 {
            state = crate::sim::splitmix64(state);
            if state % 3 == 0 {
                model.sort_unstable();
                let want = (!model.is_empty()).then(|| model.remove(0));
                let got = q.pop().map(|(t, e)| match e {
                    Event::Deliver { msg } => (t, msg),
                    _ => unreachable!(),
                });
                assert_eq!(got, want);
            } else {
                let t = state % 50;
                q.push(t, Event::Deliver { msg: next_msg });
                model.push((t, next_msg));
                next_msg += 1;
            }
        }
    }

    #[test]
    fn timers_and_events_pop_in_order_under_random_rearming() {
        let mut q = EventQueue::default();
        // Model: (time, seq, what) for heap events and one armed timer per slot.
        let mut heap: Vec<(TimeUs, u64, u64)> = Vec::new();
        let mut timers: [Option<(TimeUs, u64, u64)>; 5] = [None; 5];
        let (mut state, mut seq) = (11u64, 0u64);
        for _ in 0..20_000 {
            state = crate::sim::splitmix64(state);
            let t = (state >> 8) % 40;
            let slot = (state >> 20) as usize % 5;
            match state % 5 {
                0 => {
                    q.push(t, Event::Deliver { msg: seq });
                    heap.push((t, seq, seq));
                }
                1 | 2 => {
                    q.set_timer(
                        slot,
                        t,
                        Event::Timer {
                            node: slot as u64,
                            gen: seq,
                        },
                    );
                    timers[slot] = Some((t, seq, seq));
                }
                3 => {
                    q.cancel_timer(slot);
                    timers[slot] = None;
                }
                _ => {
                    let first = heap
                        .iter()
                        .copied()
                        .chain(timers.iter().flatten().copied())
                        .min();
                    let got = q.pop().map(|(t, e)| match e {
                        Event::Deliver { msg } => (t, msg),
                        Event::Timer { gen, .. } => (t, gen),
                        _ => unreachable!(),
                    });
                    assert_eq!(got, first.map(|(t, _, what)| (t, what)));
                    if let Some(f) = first {
                        heap.retain(|&e| e != f);
                        for slot in timers.iter_mut() {
                            if *slot == Some(f) {
                                *slot = None;
                            }
                        }
                    }
                }
            }
            seq += 1;
            let next = heap
                .iter()
                .chain(timers.iter().flatten())
                .map(|&(t, _, _)| t)
                .min();
            assert_eq!(q.peek_time(), next);
        }
    }

    #[test]
    fn timers_interleave_by_time_then_seq() {
        let mut q = EventQueue::default();
        q.push(5, Event::Deliver { msg: 1 });
        q.set_timer(0, 5, Event::Timer { node: 1, gen: 1 });
        q.set_timer(1, 3, Event::Timer { node: 2, gen: 1 });
        q.set_timer(1, 4, Event::Timer { node: 2, gen: 2 });
        q.push(5, Event::Deliver { msg: 2 });
        assert_eq!(q.len(), 4);
        assert_eq!(q.peek_time(), Some(4));
        assert_eq!(q.pop(), Some((4, Event::Timer { node: 2, gen: 2 })));
        assert_eq!(q.pop(), Some((5, Event::Deliver { msg: 1 })));
        assert_eq!(q.pop(), Some((5, Event::Timer { node: 1, gen: 1 })));
        q.set_timer(0, 9, Event::Timer { node: 1, gen: 2 });
        q.cancel_timer(0);
        assert_eq!(q.pop(), Some((5, Event::Deliver { msg: 2 })));
        assert_eq!(q.pop(), None);
    }
}
