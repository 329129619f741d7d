//! One cursor over the timeline: what is new in the trace since the last look.

use raft_core::sim::{ActOutcome, Action, ActionError, Refusal, TimedAction, Timeline};
use std::ops::{Deref, Range};

/// The timeline as the page plays it: a [`Timeline`] that also counts its
/// rewinds, the moves after which its trace may stop extending what was
/// read before (a seek, a fork). Reads go through `Deref`; every move goes
/// through the methods here, so none can rewind unnoticed.
#[derive(Debug)]
pub struct Track {
    timeline: Timeline,
    rewinds: u64,
}

impl Track {
    /// A track over `timeline`, never rewound.
    pub fn new(timeline: Timeline) -> Track {
        Track {
            timeline,
            rewinds: 0,
        }
    }

    /// How many times the trace may have stopped extending itself.
    pub fn rewinds(&self) -> u64 {
        self.rewinds
    }

    /// Runs forward to `t_us` (never a rewind), taking scheduled actions
    /// at their times; returns those the simulation refused (since the last
    /// run).
    pub fn run_until(&mut self, t_us: u64) -> Vec<Refusal> {
        self.timeline.run_until(t_us);
        self.timeline.take_refusals()
    }

    /// Actions to take when time reaches them (see [`Timeline::schedule`]).
    pub fn schedule(&mut self, actions: Vec<TimedAction>) {
        self.timeline.schedule(actions);
    }

    /// Runs the next event and any others due at the same instant.
    pub fn step(&mut self) -> Option<u64> {
        self.timeline.step()
    }

    /// Goes to `t_us` from a checkpoint: a rewind, even to now (another
    /// branch may follow from here).
    pub fn seek(&mut self, t_us: u64) {
        self.timeline.seek(t_us);
        self.rewinds += 1;
    }

    /// Takes `action` now; one taken in the past forks the run: a rewind.
    pub fn act(&mut self, action: Action) -> Result<ActOutcome, ActionError> {
        let outcome = self.timeline.act(action)?;
        if outcome.forked {
            self.rewinds += 1;
        }
        Ok(outcome)
    }
}

impl Deref for Track {
    type Target = Timeline;

    fn deref(&self) -> &Timeline {
        &self.timeline
    }
}

/// What is new in the trace since a reader's last look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// The trace grew by these events (sequence numbers; empty when nothing
    /// happened).
    Appended(Range<u64>),
    /// The trace is not an extension of what was read: the first look, a
    /// seek, a fork, or events forgotten by the trace before they were
    /// read. Views read it afresh; events from `new_from` on were never
    /// read before (a host page hears of those only).
    Rewound {
        /// The first sequence number not read before.
        new_from: u64,
    },
}

/// Where a reader stopped: the track's rewinds and the trace's length at
/// its last look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceCursor {
    seen: Option<(u64, u64)>,
}

impl TraceCursor {
    /// What changed since the last look, and moves the cursor to now.
    pub fn look(&mut self, track: &Track) -> Change {
        let trace = track.sim().trace();
        let total = trace.total();
        let oldest = trace.events().front().map_or(total, |e| e.seq);
        let change = match self.seen {
            None => Change::Rewound { new_from: oldest },
            Some((rewinds, seen)) if rewinds != track.rewinds() => Change::Rewound {
                new_from: seen.min(total),
            },
            Some((_, seen)) if seen < oldest || seen > total => Change::Rewound {
                new_from: seen.min(total),
            },
            Some((_, seen)) => Change::Appended(seen..total),
        };
        self.seen = Some((track.rewinds(), total));
        change
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::sim::SimConfig;

    fn track() -> Track {
        Track::new(Timeline::new(SimConfig::default()).unwrap())
    }

    #[test]
    fn the_first_look_reads_everything_then_only_what_is_new() {
        let mut t = track();
        t.run_until(300_000);
        let mut cursor = TraceCursor::default();
        assert_eq!(cursor.look(&t), Change::Rewound { new_from: 0 });
        let seen = t.sim().trace().total();
        assert_eq!(cursor.look(&t), Change::Appended(seen..seen), "nothing new");
        t.run_until(600_000);
        let now = t.sim().trace().total();
        assert!(now > seen);
        assert_eq!(cursor.look(&t), Change::Appended(seen..now));
    }

    #[test]
    fn a_seek_or_a_fork_is_a_rewind_and_says_what_was_never_read() {
        let mut t = track();
        t.run_until(800_000);
        let mut cursor = TraceCursor::default();
        cursor.look(&t);
        // Back in time: nothing after it is new.
        t.seek(300_000);
        let at_seek = t.sim().trace().total();
        assert_eq!(cursor.look(&t), Change::Rewound { new_from: at_seek });
        // A fork from there: what it records is new.
        let leader = t.sim().leader().unwrap();
        assert!(t.act(Action::Crash(leader)).unwrap().forked);
        t.run_until(1_600_000);
        assert_eq!(cursor.look(&t), Change::Rewound { new_from: at_seek });
        // An action at the end of the run is no fork.
        let seen = t.sim().trace().total();
        assert!(!t.act(Action::HealAll).unwrap().forked);
        let now = t.sim().trace().total();
        assert_eq!(cursor.look(&t), Change::Appended(seen..now));
    }

    #[test]
    fn events_forgotten_before_they_were_read_mean_reading_afresh() {
        let small = SimConfig {
            trace_capacity: 100,
            ..SimConfig::default()
        };
        let mut t = Track::new(Timeline::new(small).unwrap());
        let mut cursor = TraceCursor::default();
        cursor.look(&t);
        t.run_until(2_000_000);
        assert!(t.sim().trace().total() > 100);
        assert_eq!(cursor.look(&t), Change::Rewound { new_from: 0 });
    }
}
