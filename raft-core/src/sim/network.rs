//! The simulated network: latency, loss, duplication, reordering and cut links.

use super::rng::SimRng;
use crate::raft::Message;
use crate::types::{NodeId, TimeUs};
use alloc::collections::{BTreeMap, BTreeSet};
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

/// Links, fault rates and the in-flight table.
#[derive(Clone, Debug)]
pub(crate) struct Network {
    /// Cut directional links (from, to).
    pub(crate) cut: BTreeSet<(NodeId, NodeId)>,
    pub(crate) in_flight: BTreeMap<u64, InFlight>,
    pub(crate) next_id: u64,
    pub(crate) latency_min_us: TimeUs,
    pub(crate) latency_max_us: TimeUs,
    pub(crate) loss_ppm: u32,
    pub(crate) duplication_ppm: u32,
    pub(crate) reorder_ppm: u32,
    pub(crate) reorder_delay_max_us: TimeUs,
    pub(crate) rng: SimRng,
}

impl Network {
    pub(crate) fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        !self.cut.is_empty() && self.cut.contains(&(from, to))
    }

    /// One-way delay of a message: latency plus, sometimes, a reordering delay.
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
