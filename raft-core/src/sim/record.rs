//! Recording the faults a run injects, so it can be replayed from an
//! explicit list (and shrunk: see [`super::shrink`]).
//!
//! When recording is on ([`Sim::record_faults`]), every fault or action the
//! simulation accepts (crashes, partitions, settings, client requests, …)
//! is noted with its time. Replaying the list with [`Sim::inject`] at the
//! same times, on the same configuration, gives the same run: the
//! simulation's randomness is its own, seeded by its configuration; the
//! nemesis that chose the faults is not needed any more.

use super::faults::ActionError;
use super::timeline::Action;
use super::world::Sim;
use crate::types::{NodeId, TimeUs};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// Most faults a recording keeps; beyond it the recording is marked
/// incomplete (a run of an hour with a fault every 100 ms stays below).
pub const MAX_RECORDED_FAULTS: usize = 65_536;

/// One fault or action injected into a run.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Fault {
    /// A user action (what links and the page can take too).
    Act(Action),
    /// Message reordering set ([`Sim::set_reorder`]).
    Reorder {
        /// Probability, parts per million.
        ppm: u32,
        /// Largest extra delay, microseconds.
        max_delay_us: TimeUs,
    },
    /// A crash in the middle of a node's oldest disk write: its first
    /// `steps` steps reached the disk.
    TornCrash {
        /// The node.
        node: NodeId,
        /// Steps of the write that reached the disk.
        steps: usize,
    },
}

impl Fault {
    /// Whether it is a client request (the rest are faults proper).
    pub fn is_client_request(&self) -> bool {
        matches!(self, Fault::Act(Action::ClientRequest { .. }))
    }

    /// Every node id it names.
    pub fn nodes(&self) -> Vec<NodeId> {
        match self {
            Fault::Act(a) => a.nodes(),
            Fault::Reorder { .. } => Vec::new(),
            Fault::TornCrash { node, .. } => alloc::vec![*node],
        }
    }
}

/// A fault and the virtual time it was injected at (after every event due
/// at or before that time).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TimedFault {
    /// When, microseconds.
    pub at_us: TimeUs,
    /// What.
    pub fault: Fault,
}

/// What a recording holds.
#[derive(Clone, Debug, Default)]
pub(crate) struct Recording {
    pub(crate) faults: Vec<TimedFault>,
    pub(crate) complete: bool,
}

impl Sim {
    /// Starts recording every fault and action accepted from now on.
    pub fn record_faults(&mut self) {
        self.recording = Some(Box::new(Recording {
            faults: Vec::new(),
            complete: true,
        }));
    }

    /// The faults recorded so far, and whether the recording is complete
    /// (it stops at [`MAX_RECORDED_FAULTS`]); `None` when not recording.
    pub fn recorded_faults(&self) -> Option<(&[TimedFault], bool)> {
        self.recording
            .as_ref()
            .map(|r| (r.faults.as_slice(), r.complete))
    }

    /// Notes `fault` as injected now (only while recording).
    pub(crate) fn note(&mut self, fault: impl FnOnce() -> Fault) {
        let now = self.now_us;
        if let Some(r) = self.recording.as_mut() {
            if r.faults.len() < MAX_RECORDED_FAULTS {
                r.faults.push(TimedFault {
                    at_us: now,
                    fault: fault(),
                });
            } else {
                r.complete = false;
            }
        }
    }

    /// Injects `fault` now, as the run that recorded it did.
    pub fn inject(&mut self, fault: &Fault) -> Result<(), ActionError> {
        match fault {
            Fault::Act(action) => self.apply(action),
            Fault::Reorder { ppm, max_delay_us } => self.set_reorder(*ppm, *max_delay_us),
            Fault::TornCrash { node, steps } => self.crash_during_write(*node, *steps),
        }
    }
}
