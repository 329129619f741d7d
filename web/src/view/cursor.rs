//! Where an incremental view of the trace stopped reading.

use raft_core::sim::Trace;

/// Where an incremental view of the trace stopped reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceCursor {
    /// [`Playground::epoch`](crate::state::Playground::epoch) when last read.
    epoch: u64,
    /// `Trace::total()` when last read.
    seen: u64,
    /// Read at least once.
    started: bool,
}

impl TraceCursor {
    /// Moves the cursor to the end of `trace`. Returns the sequence number
    /// to continue reading from, or `None` when the view must start over:
    /// first use, another epoch (new run, seek back, fork), or events lost
    /// from the trace's memory before they were read.
    pub fn advance(&mut self, epoch: u64, trace: &Trace) -> Option<u64> {
        let total = trace.total();
        let oldest = trace.events().front().map_or(total, |e| e.seq);
        let from =
            (self.started && epoch == self.epoch && self.seen <= total && self.seen >= oldest)
                .then_some(self.seen);
        *self = TraceCursor {
            epoch,
            seen: total,
            started: true,
        };
        from
    }
}
