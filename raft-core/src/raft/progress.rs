//! What a leader knows about each follower's log (flow control in the style of
//! etcd's tracker: Probe, Replicate and Snapshot states).

use crate::types::{LogIndex, TimeUs};
use alloc::collections::VecDeque;

/// How the leader is currently feeding a follower.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ProgressState {
    /// Unknown match point: one AppendEntries at a time until one succeeds.
    Probe,
    /// Match point known: stream entries optimistically, bounded by inflight messages.
    Replicate,
    /// An InstallSnapshot is on its way; send nothing else until it is answered.
    Snapshot,
}

impl ProgressState {
    /// Lowercase name for the UI.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProgressState::Probe => "probe",
            ProgressState::Replicate => "replicate",
            ProgressState::Snapshot => "snapshot",
        }
    }
}

/// The leader's view of one follower (paper Figure 2: nextIndex and matchIndex).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Progress {
    /// Next entry to send.
    pub next_index: LogIndex,
    /// Highest entry known to be replicated on the follower.
    pub match_index: LogIndex,
    /// Flow-control state.
    pub state: ProgressState,
    /// Heard from within the current CheckQuorum period.
    pub recent_active: bool,
    /// Probe state: a probe is outstanding, wait for its answer or a heartbeat answer.
    pub(crate) probe_sent: bool,
    /// Replicate state: last index of each AppendEntries not yet acknowledged.
    pub(crate) inflight: VecDeque<LogIndex>,
    /// Snapshot state: index of the snapshot being sent.
    pub(crate) pending_snapshot: LogIndex,
    /// When the snapshot was sent, so a lost one is retried.
    pub(crate) snapshot_sent_us: TimeUs,
    /// Highest ReadIndex round the follower has echoed this term.
    pub(crate) read_ack_seq: u64,
    /// Commit index last sent, so commit updates are not repeated.
    pub(crate) sent_commit: LogIndex,
    /// A heartbeat went out since the last gap check: the next answer may
    /// trigger one. Without this, every answer to an empty append would send
    /// another while entries are in flight, a ping-pong that never stops
    /// under steady load (etcd checks once per heartbeat answer too).
    pub(crate) gap_check_armed: bool,
}

impl Progress {
    /// A follower about which nothing is known: probe from `next_index`.
    pub fn new(next_index: LogIndex, max_inflight: usize) -> Self {
        Progress {
            next_index,
            match_index: 0,
            state: ProgressState::Probe,
            recent_active: false,
            probe_sent: false,
            inflight: VecDeque::with_capacity(max_inflight),
            pending_snapshot: 0,
            snapshot_sent_us: 0,
            read_ack_seq: 0,
            sent_commit: 0,
            gap_check_armed: false,
        }
    }

    /// Number of AppendEntries in flight (Replicate state).
    pub fn inflight_count(&self) -> usize {
        self.inflight.len()
    }

    /// Whether nothing more may be sent right now.
    pub fn is_paused(&self, max_inflight: usize) -> bool {
        match self.state {
            ProgressState::Probe => self.probe_sent,
            ProgressState::Replicate => self.inflight.len() >= max_inflight,
            ProgressState::Snapshot => true,
        }
    }

    pub(crate) fn become_probe(&mut self) {
        let after_snapshot = self.state == ProgressState::Snapshot;
        self.next_index = self.match_index + 1;
        if after_snapshot {
            self.next_index = self.next_index.max(self.pending_snapshot.saturating_add(1));
        }
        self.state = ProgressState::Probe;
        self.probe_sent = false;
        self.inflight.clear();
        self.pending_snapshot = 0;
    }

    pub(crate) fn become_replicate(&mut self) {
        self.next_index = self.match_index + 1;
        self.state = ProgressState::Replicate;
        self.probe_sent = false;
        self.inflight.clear();
    }

    pub(crate) fn become_snapshot(&mut self, index: LogIndex, now_us: TimeUs) {
        self.state = ProgressState::Snapshot;
        self.pending_snapshot = index;
        self.snapshot_sent_us = now_us;
        self.probe_sent = false;
        self.inflight.clear();
    }

    /// Records that the follower holds everything up to `index`; true if that is news.
    pub(crate) fn maybe_update(&mut self, index: LogIndex) -> bool {
        let updated = index > self.match_index;
        if updated {
            self.match_index = index;
            self.probe_sent = false;
        }
        self.next_index = self.next_index.max(index.saturating_add(1));
        updated
    }

    /// Records that an AppendEntries ending at `last` was sent.
    pub(crate) fn sent_entries(&mut self, last: LogIndex, max_inflight: usize) {
        match self.state {
            ProgressState::Replicate => {
                if last >= self.next_index {
                    self.next_index = last + 1;
                    debug_assert!(self.inflight.len() < max_inflight, "sent while paused");
                    self.inflight.push_back(last);
                }
            }
            ProgressState::Probe => self.probe_sent = true,
            ProgressState::Snapshot => debug_assert!(false, "no appends in snapshot state"),
        }
    }

    /// Frees inflight slots for acknowledged messages.
    pub(crate) fn free_inflight_to(&mut self, index: LogIndex) {
        while self.inflight.front().is_some_and(|&last| last <= index) {
            self.inflight.pop_front();
        }
    }

    /// The follower rejected `rejected` (a prev_log_index) and hints that the
    /// next try should start at `hint`. Returns false for a stale rejection.
    pub(crate) fn maybe_decrease_to(&mut self, rejected: LogIndex, hint: LogIndex) -> bool {
        if rejected <= self.match_index {
            // Known to match there already: stale, or a follower that broke its
            // promises (only possible with planted bugs). Retrying would loop.
            return false;
        }
        match self.state {
            ProgressState::Replicate => {
                self.become_probe();
            }
            ProgressState::Probe => {
                if self.next_index.checked_sub(1) != Some(rejected) {
                    return false;
                }
                self.probe_sent = false;
            }
            ProgressState::Snapshot => return false,
        }
        self.next_index = hint.min(rejected).max(self.match_index + 1);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_sends_one_at_a_time() {
        let mut p = Progress::new(5, 4);
        assert!(!p.is_paused(4));
        p.sent_entries(7, 4);
        assert!(p.is_paused(4));
        assert!(p.maybe_update(7));
        assert!(!p.is_paused(4));
        assert_eq!(p.next_index, 8);
    }

    #[test]
    fn replicate_is_bounded_by_inflight() {
        let mut p = Progress::new(1, 2);
        p.become_replicate();
        p.sent_entries(3, 2);
        p.sent_entries(6, 2);
        assert!(p.is_paused(2));
        assert_eq!(p.next_index, 7);
        p.maybe_update(3);
        p.free_inflight_to(3);
        assert_eq!(p.inflight_count(), 1);
        assert!(!p.is_paused(2));
    }

    #[test]
    fn stale_rejections_are_ignored() {
        let mut p = Progress::new(10, 2);
        assert!(!p.maybe_decrease_to(5, 3), "probe expects a rejection of 9");
        assert!(p.maybe_decrease_to(9, 4));
        assert_eq!(p.next_index, 4);
        p.match_index = 6;
        p.become_replicate();
        assert!(!p.maybe_decrease_to(6, 1), "already matched");
        assert!(p.maybe_decrease_to(8, 2));
        assert_eq!((p.state, p.next_index), (ProgressState::Probe, 7));
    }
}
