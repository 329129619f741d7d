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
//! another history. Any rewind therefore [`reset`](LiveLin::reset)s it, and
//! [`LiveLin::update`] also detects one on its own (the trace's event count
//! went down), so no path can judge a new branch with an old branch's cache.

use raft_core::check::linearizability::{IncrementalChecker, Verdict};
use raft_core::sim::{Sim, TraceKind};

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

/// The incremental checker plus what it has already seen of one branch.
#[derive(Debug, Default)]
pub struct LiveLin {
    checker: IncrementalChecker,
    /// `Trace::total()` at the last look.
    seen_events: u64,
    /// Some operation returned on this branch. Sticky (operations never
    /// un-return going forward), so the history is scanned only until then.
    any_completed: bool,
    /// Judge on the next look whatever the trace says (new, or rewound).
    dirty: bool,
}

impl LiveLin {
    /// A checker that will judge the whole history on its first look.
    pub fn new() -> LiveLin {
        LiveLin {
            dirty: true,
            ..LiveLin::default()
        }
    }

    /// Forgets every cached verdict: the history was rewound or replaced.
    pub fn reset(&mut self) {
        *self = LiveLin::new();
    }

    /// The status if anything that can change it happened since the last
    /// look (an operation returned, or a rewind), else `None`. `max_steps`
    /// bounds the search work of this call.
    pub fn update(&mut self, sim: &Sim, max_steps: u64) -> Option<LinStatus> {
        let trace = sim.trace();
        let total = trace.total();
        if total < self.seen_events {
            // Fewer events than last time: the run went back in time.
            self.reset();
        }
        let oldest_kept = trace.events().front().map_or(total, |e| e.seq);
        // Only a return can change the verdict: a new invocation is pending,
        // and a pending operation invoked after every return so far can
        // always be placed last (or dropped).
        let changed = self.dirty
            || self.seen_events < oldest_kept
            || trace
                .since(self.seen_events)
                .any(|e| matches!(e.kind, TraceKind::ClientReturn { .. }));
        self.seen_events = total;
        self.dirty = false;
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
