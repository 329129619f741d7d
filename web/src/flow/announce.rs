//! What a host page hears of the run (the events of the postMessage API,
//! `host.rs`): leaders elected, entries committed, violations, in trace
//! order, each once.

use super::cursor::Change;
use raft_core::sim::{Sim, TraceKind};
use raft_core::{NodeId, Role};

/// One event for the host page.
#[derive(Clone, Debug, PartialEq)]
pub enum HostEvent {
    /// A node became leader.
    LeaderElected {
        /// Which.
        node: NodeId,
        /// In which term.
        term: u64,
        /// When (virtual µs).
        time_us: u64,
    },
    /// An entry was committed (the highest index so far).
    EntryCommitted {
        /// Its index.
        index: u64,
        /// When (virtual µs).
        time_us: u64,
    },
    /// A safety property broke.
    Violation {
        /// Which property.
        property: &'static str,
        /// What happened.
        message: String,
        /// When (virtual µs).
        time_us: u64,
    },
}

/// The host events not yet posted.
#[derive(Clone, Debug, Default)]
pub struct Announcer {
    /// Events before this sequence number were run before the page showed
    /// the run (a link replayed to its moment): they are not announced.
    from_seq: u64,
    /// The highest commit index announced.
    highest_commit: u64,
    pending: Vec<HostEvent>,
}

impl Announcer {
    /// Announces the events from sequence number `from_seq` on.
    pub fn new(from_seq: u64) -> Announcer {
        Announcer {
            from_seq,
            ..Announcer::default()
        }
    }

    /// Queues what `change` brought that was never read before: after a
    /// jump back in time, nothing old is announced again.
    pub fn apply(&mut self, change: &Change, sim: &Sim) {
        let from = match change {
            Change::Appended(added) => added.start,
            Change::Rewound { new_from } => *new_from,
        };
        for ev in sim.trace().since(from.max(self.from_seq)) {
            let time_us = ev.time_us;
            match &ev.kind {
                TraceKind::RoleChanged {
                    node,
                    to: Role::Leader,
                    term,
                    ..
                } => self.pending.push(HostEvent::LeaderElected {
                    node: *node,
                    term: *term,
                    time_us,
                }),
                TraceKind::Committed { index, .. } if *index > self.highest_commit => {
                    self.highest_commit = *index;
                    self.pending.push(HostEvent::EntryCommitted {
                        index: *index,
                        time_us,
                    });
                }
                TraceKind::InvariantViolation {
                    property, message, ..
                } => self.pending.push(HostEvent::Violation {
                    property: property.as_str(),
                    message: message.clone(),
                    time_us,
                }),
                _ => {}
            }
        }
    }

    /// The events queued since the last call, oldest first.
    pub fn take(&mut self) -> Vec<HostEvent> {
        std::mem::take(&mut self.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::cursor::{TraceCursor, Track};
    use raft_core::sim::{SimConfig, Timeline};

    #[test]
    fn each_event_is_announced_once_and_a_seek_back_announces_nothing_old() {
        let mut track = Track::new(Timeline::new(SimConfig::default()).unwrap());
        let (mut host, mut cursor) = (Announcer::new(0), TraceCursor::default());
        host.apply(&cursor.look(&track), track.sim());
        track.run_until(2_000_000);
        host.apply(&cursor.look(&track), track.sim());
        let heard = host.take();
        assert!(
            matches!(heard[0], HostEvent::LeaderElected { .. }),
            "{heard:?}"
        );
        let commits: Vec<u64> = heard
            .iter()
            .filter_map(|e| match e {
                HostEvent::EntryCommitted { index, .. } => Some(*index),
                _ => None,
            })
            .collect();
        assert!(commits.len() > 3 && commits.windows(2).all(|w| w[0] < w[1]));
        assert!(host.take().is_empty(), "taken");
        // Back, then forward over what was announced: nothing again but
        // what is new (a commit beyond the highest announced).
        track.seek(1_000_000);
        host.apply(&cursor.look(&track), track.sim());
        assert!(host.take().is_empty());
        track.run_until(2_000_000);
        host.apply(&cursor.look(&track), track.sim());
        assert!(host.take().iter().all(
            |e| !matches!(e, HostEvent::EntryCommitted { index, .. } if commits.contains(index))
        ));
    }

    #[test]
    fn a_run_opened_at_a_moment_announces_only_what_follows() {
        let mut track = Track::new(Timeline::new(SimConfig::default()).unwrap());
        track.run_until(2_000_000);
        let mut host = Announcer::new(track.sim().trace().total());
        let mut cursor = TraceCursor::default();
        host.apply(&cursor.look(&track), track.sim());
        assert!(host.take().is_empty());
        track.run_until(4_000_000);
        host.apply(&cursor.look(&track), track.sim());
        assert!(!host.take().is_empty());
    }
}
