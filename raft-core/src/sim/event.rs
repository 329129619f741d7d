//! The event queue: ordered by (time, sequence number), so ties are broken by
//! scheduling order and every run is reproducible.

use crate::types::{NodeId, TimeUs};
use alloc::collections::BinaryHeap;
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

impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        (other.time_us, other.seq).cmp(&(self.time_us, self.seq))
    }
}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Min-queue of events by (time, sequence number).
#[derive(Clone, Debug, Default)]
pub(crate) struct EventQueue {
    heap: BinaryHeap<Scheduled>,
    next_seq: u64,
}

impl EventQueue {
    pub(crate) fn push(&mut self, time_us: TimeUs, event: Event) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Scheduled {
            time_us,
            seq,
            event,
        });
    }

    pub(crate) fn peek_time(&self) -> Option<TimeUs> {
        self.heap.peek().map(|s| s.time_us)
    }

    pub(crate) fn pop(&mut self) -> Option<(TimeUs, Event)> {
        self.heap.pop().map(|s| (s.time_us, s.event))
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len()
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
}
