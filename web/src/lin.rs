//! Linearizability, checked live while the simulation plays.
//!
//! A full check after every change re-searches the whole client history, so
//! its cost grows with the run. [`LiveLin`] keeps raft-core's
//! [`IncrementalChecker`] (per-key verdicts reused while a key's operations
//! are unchanged, and for a changed key only the operations after its
//! settled prefix searched: over 10-minute default runs, natively, a check
//! after each completion takes 10-16 µs on average and at most 0.4 ms,
//! where searching whole keys took 0.4-0.5 ms on average and up to 3.4 ms,
//! growing with the run) and looks only at the trace events recorded
//! since its last look to decide whether anything needs judging at all: per
//! frame the cost is proportional to what is new.
//!
//! The incremental checker recognises unchanged keys by the history's
//! revision numbers, which are only meaningful along one branch of the run:
//! after a seek to the past (or a fork from there) the same numbers describe
//! another history. Any rewind the timeline's cursor reports
//! ([`Change::Rewound`]) therefore starts it afresh, so no path can judge a
//! new branch with an old branch's cache.

use crate::flow::cursor::Change;
use raft_core::check::linearizability::{IncrementalChecker, Verdict};
use raft_core::sim::{Sim, TraceKind};

/// Work allowed to one linearizability check (a bounded Wing & Gong search).
pub const LIN_CHECK_STEPS: u64 = 200_000;

/// The linearizability verdict as the checker panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum LinStatus {
    /// No completed client operation yet.
    Empty,
    /// Every completed operation fits a sequential order.
    Ok,
    /// A named set of operations cannot be linearized.
    Violation(String),
    /// The bounded search gave up.
    Unknown(String),
}

impl LinStatus {
    /// The status for a verdict on a history with (or without) a completed operation.
    pub fn from_verdict(verdict: Verdict, any_completed: bool) -> LinStatus {
        match verdict {
            _ if !any_completed => LinStatus::Empty,
            Verdict::Linearizable { .. } => LinStatus::Ok,
            Verdict::NotLinearizable { explanation, .. } => LinStatus::Violation(explanation),
            Verdict::Unknown { reason } => LinStatus::Unknown(reason),
        }
    }
}

/// The incremental checker of one branch of the run.
#[derive(Debug, Default)]
pub struct LiveLin {
    checker: IncrementalChecker,
    /// Some operation returned on this branch. Sticky (operations never
    /// un-return going forward), so the history is scanned only until then.
    any_completed: bool,
}

impl LiveLin {
    /// The status if `change` can change it (an operation returned, or a
    /// rewind: the whole history is judged afresh), else `None`.
    /// `max_steps` bounds the search work of this call.
    pub fn apply(&mut self, change: &Change, sim: &Sim, max_steps: u64) -> Option<LinStatus> {
        // Only a return can change the verdict: a new invocation is pending,
        // and a pending operation invoked after every return so far can
        // always be placed last (or dropped).
        let changed = match change {
            Change::Appended(added) => sim
                .trace()
                .since(added.start)
                .any(|e| matches!(e.kind, TraceKind::ClientReturn { .. })),
            Change::Rewound { .. } => {
                *self = LiveLin::default();
                true
            }
        };
        if !changed {
            return None;
        }
        let history = sim.history();
        if !self.any_completed {
            self.any_completed = history
                .operations()
                .iter()
                .any(|op| op.returned().is_some());
        }
        // Read-only: checking must not add events to the trace, or a run
        // would hash differently depending on when the user looked.
        let verdict = self.checker.check(history, max_steps);
        Some(LinStatus::from_verdict(verdict, self.any_completed))
    }
}
