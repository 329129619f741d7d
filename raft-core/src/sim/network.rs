//! The simulated network: latency, loss, duplication, reordering and cut links.

use super::rng::SimRng;
use super::trace::DropReason;
use crate::raft::Message;
use crate::types::{NodeId, TimeUs};
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::vec::Vec;

/// A message on its way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InFlight {
    pub(crate) msg: Message,
    pub(crate) send_us: TimeUs,
    pub(crate) deliver_us: TimeUs,
    /// Decided at send time: random loss will drop it on arrival.
    pub(crate) lost: bool,
    /// A copy made by the network.
    pub(crate) duplicate: bool,
    /// Arrived at a paused node and waits for it to resume.
    pub(crate) held: bool,
}

/// Messages in flight by id.
///
/// Ids are handed out in increasing order and messages mostly arrive in about
/// that order, so the table is a window over ids (a deque of slots starting at
/// `base`) instead of a B-tree: insert, lookup and remove are O(1) and never
/// move other messages. A message held at a paused node may wait for ever, so
/// it is parked in a separate map to keep the window short.
#[derive(Clone, Debug, Default)]
pub(crate) struct InFlightTable {
    base: u64,
    window: VecDeque<Option<InFlight>>,
    live: usize,
    parked: BTreeMap<u64, InFlight>,
}

impl InFlightTable {
    /// Number of messages in flight (held ones included).
    pub(crate) fn len(&self) -> usize {
        self.live + self.parked.len()
    }

    fn slot(&self, id: u64) -> Option<usize> {
        let i = usize::try_from(id.checked_sub(self.base)?).ok()?;
        (i < self.window.len()).then_some(i)
    }

    /// Adds message `id`; ids must come in increasing order.
    #[inline]
    pub(crate) fn insert(&mut self, id: u64, f: InFlight) {
        if self.window.is_empty() {
            self.base = id;
        }
        match self.slot(id) {
            Some(i) => {
                if self.window[i].replace(f).is_none() {
                    self.live += 1;
                }
            }
            None if id >= self.base => {
                let i = (id - self.base) as usize;
                while self.window.len() < i {
                    self.window.push_back(None);
                }
                self.window.push_back(Some(f));
                self.live += 1;
            }
            None => {
                self.parked.insert(id, f);
            }
        }
    }

    /// The message `id`, if in flight.
    pub(crate) fn get(&self, id: u64) -> Option<&InFlight> {
        match self.slot(id) {
            Some(i) => self.window[i].as_ref(),
            None => self.parked.get(&id),
        }
    }

    /// Takes message `id` out.
    #[inline]
    pub(crate) fn remove(&mut self, id: u64) -> Option<InFlight> {
        let Some(i) = self.slot(id) else {
            return self.parked.remove(&id);
        };
        let f = self.window[i].take()?;
        self.live -= 1;
        while let Some(None) = self.window.front() {
            self.window.pop_front();
            self.base += 1;
        }
        Some(f)
    }

    /// Marks message `id` as held at a paused node (and parks it).
    pub(crate) fn hold(&mut self, id: u64) {
        if let Some(mut f) = self.remove(id) {
            f.held = true;
            self.parked.insert(id, f);
        }
    }

    /// Every message in flight, by id.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &InFlight)> + '_ {
        let mut all: Vec<(u64, &InFlight)> = self
            .window
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.as_ref().map(|f| (self.base + i as u64, f)))
            .chain(self.parked.iter().map(|(&id, f)| (id, f)))
            .collect();
        all.sort_unstable_by_key(|&(id, _)| id);
        all.into_iter()
    }
}

/// Links, fault rates and the in-flight table.
#[derive(Clone, Debug)]
pub(crate) struct Network {
    /// Cut directional links (from, to).
    pub(crate) cut: BTreeSet<(NodeId, NodeId)>,
    pub(crate) in_flight: InFlightTable,
    pub(crate) next_id: u64,
    pub(crate) latency_min_us: TimeUs,
    pub(crate) latency_max_us: TimeUs,
    pub(crate) loss_ppm: u32,
    pub(crate) duplication_ppm: u32,
    pub(crate) reorder_ppm: u32,
    pub(crate) reorder_delay_max_us: TimeUs,
    pub(crate) rng: SimRng,
}

/// What the network did with a message handed to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sent {
    /// Dropped at once, never in flight.
    Dropped(DropReason),
    /// In flight, due at `deliver_us` (loss is drawn now and seen on
    /// arrival); `copy` is a duplicate's id and due time.
    InFlight {
        deliver_us: TimeUs,
        copy: Option<(u64, TimeUs)>,
    },
}

impl Network {
    /// Takes message `id` sent at `now_us`: drops it (unknown recipient, cut
    /// link, full network) or puts it, and maybe a duplicate, in flight.
    #[inline]
    pub(crate) fn send(
        &mut self,
        id: u64,
        msg: Message,
        now_us: TimeUs,
        recipient_known: bool,
        max_in_flight: usize,
    ) -> Sent {
        let reason = if !recipient_known {
            Some(DropReason::UnknownNode)
        } else if self.is_cut(msg.from, msg.to) {
            Some(DropReason::LinkCutAtSend)
        } else if self.in_flight.len() >= max_in_flight {
            Some(DropReason::QueueFull)
        } else {
            None
        };
        if let Some(reason) = reason {
            return Sent::Dropped(reason);
        }
        let deliver_us = now_us + self.draw_delay();
        let lost = self.rng.chance_ppm(self.loss_ppm);
        let dup = self.rng.chance_ppm(self.duplication_ppm);
        let copy = (dup && self.in_flight.len() + 1 < max_in_flight).then(|| msg.clone());
        self.put_in_flight(id, msg, now_us, deliver_us, lost, false);
        let copy = copy.map(|msg| {
            let cid = self.next_id;
            self.next_id += 1;
            let deliver_us = now_us + self.draw_delay();
            let lost = self.rng.chance_ppm(self.loss_ppm);
            self.put_in_flight(cid, msg, now_us, deliver_us, lost, true);
            (cid, deliver_us)
        });
        Sent::InFlight { deliver_us, copy }
    }

    #[inline]
    fn put_in_flight(
        &mut self,
        id: u64,
        msg: Message,
        send_us: TimeUs,
        deliver_us: TimeUs,
        lost: bool,
        duplicate: bool,
    ) {
        let f = InFlight {
            msg,
            send_us,
            deliver_us,
            lost,
            duplicate,
            held: false,
        };
        self.in_flight.insert(id, f);
    }

    pub(crate) fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        !self.cut.is_empty() && self.cut.contains(&(from, to))
    }

    /// One-way delay of a message: latency plus, sometimes, a reordering delay.
    #[inline]
    pub(crate) fn draw_delay(&mut self) -> TimeUs {
        let mut d = self
            .rng
            .range_inclusive(self.latency_min_us, self.latency_max_us);
        if self.rng.chance_ppm(self.reorder_ppm) {
            d += self.rng.range_inclusive(0, self.reorder_delay_max_us);
        }
        d
    }

    /// The directional links a partition into `groups` cuts: every pair of
    /// nodes in different groups, both ways. Nodes in no group form one more group.
    pub(crate) fn partition_cuts(
        all: &[NodeId],
        groups: &[Vec<NodeId>],
    ) -> BTreeSet<(NodeId, NodeId)> {
        let group_of = |id: NodeId| {
            groups
                .iter()
                .position(|g| g.contains(&id))
                .unwrap_or(groups.len())
        };
        let mut cut = BTreeSet::new();
        for &a in all {
            for &b in all {
                if a != b && group_of(a) != group_of(b) {
                    cut.insert((a, b));
                }
            }
        }
        cut
    }
}
