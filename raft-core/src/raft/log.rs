//! The in-memory replicated log: a snapshot base followed by entries.

use super::membership::Membership;
use super::message::{Entry, EntryPayload, Snapshot, SnapshotMeta};
use crate::types::{LogIndex, Term};
use alloc::vec::Vec;

/// A log whose prefix up to `snapshot.meta.last_index` has been compacted away.
///
/// Invariant: `entries[i].index == snapshot.meta.last_index + 1 + i`, and terms
/// never decrease along the log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RaftLog {
    snapshot: Snapshot,
    entries: Vec<Entry>,
}

impl RaftLog {
    /// A log holding only `snapshot` (for a fresh node: the bootstrap base at index 0).
    pub fn from_snapshot(snapshot: Snapshot) -> Self {
        RaftLog {
            snapshot,
            entries: Vec::new(),
        }
    }

    /// Rebuilds a log from persisted parts; entries not contiguous after the
    /// snapshot are dropped (a torn write can only lose a suffix).
    pub fn from_parts(snapshot: Snapshot, entries: Vec<Entry>) -> Self {
        let mut log = RaftLog::from_snapshot(snapshot);
        for e in entries {
            if e.index <= log.snapshot_index() {
                continue;
            }
            if e.index != log.last_index() + 1 || e.term < log.last_term() {
                break;
            }
            log.entries.push(e);
        }
        log
    }

    /// Index of the first entry still held (one past the snapshot).
    pub fn first_index(&self) -> LogIndex {
        self.snapshot.meta.last_index + 1
    }

    /// Index of the last entry (the snapshot's index when no entries follow it).
    pub fn last_index(&self) -> LogIndex {
        self.snapshot.meta.last_index + self.entries.len() as LogIndex
    }

    /// Term of the last entry.
    pub fn last_term(&self) -> Term {
        self.entries
            .last()
            .map_or(self.snapshot.meta.last_term, |e| e.term)
    }

    /// Index covered by the snapshot.
    pub fn snapshot_index(&self) -> LogIndex {
        self.snapshot.meta.last_index
    }

    /// The snapshot this log starts from.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Its metadata.
    pub fn snapshot_meta(&self) -> &SnapshotMeta {
        &self.snapshot.meta
    }

    /// Term of the entry at `index`, if known: the snapshot's last entry or a held entry.
    pub fn term_at(&self, index: LogIndex) -> Option<Term> {
        if index == self.snapshot.meta.last_index {
            return Some(self.snapshot.meta.last_term);
        }
        self.entry(index).map(|e| e.term)
    }

    /// The entry at `index`, if held.
    pub fn entry(&self, index: LogIndex) -> Option<&Entry> {
        let offset = self.offset(index)?;
        self.entries.get(offset)
    }

    /// All held entries, in order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Held entries with index in `lo..=hi` (clamped to what is held).
    pub fn slice(&self, lo: LogIndex, hi: LogIndex) -> &[Entry] {
        let lo = lo.max(self.first_index());
        let hi = hi.min(self.last_index());
        if lo > hi {
            return &[];
        }
        let (a, b) = (self.offset(lo).unwrap_or(0), self.offset(hi).unwrap_or(0));
        &self.entries[a..=b]
    }

    /// Whether a log ending at (`last_index`, `last_term`) is at least as
    /// up-to-date as this one (paper §5.4.1: later term wins, then longer log).
    pub fn is_up_to_date(&self, last_index: LogIndex, last_term: Term) -> bool {
        last_term > self.last_term()
            || (last_term == self.last_term() && last_index >= self.last_index())
    }

    /// First index of the run of entries sharing the term of the entry at
    /// `index`, never below `floor` (fast backtracking hint, thesis §5.3).
    pub fn first_index_of_term_at(&self, index: LogIndex, floor: LogIndex) -> LogIndex {
        let Some(term) = self.term_at(index) else {
            return index;
        };
        let mut i = index;
        while i > floor.max(self.first_index()) && self.term_at(i - 1) == Some(term) {
            i -= 1;
        }
        i
    }

    /// Last index holding an entry of `term`, if any (leader side of fast backtracking).
    pub fn last_index_of_term(&self, term: Term) -> Option<LogIndex> {
        if let Some(e) = self.entries.iter().rev().find(|e| e.term <= term) {
            return (e.term == term).then_some(e.index);
        }
        (self.snapshot.meta.last_term == term && self.snapshot.meta.last_index > 0)
            .then_some(self.snapshot.meta.last_index)
    }

    /// Membership as of `index`: the snapshot's, updated by every configuration
    /// entry up to `index`.
    pub fn membership_at(&self, index: LogIndex) -> Membership {
        let mut m = self.snapshot.meta.membership.clone();
        for e in self.slice(self.first_index(), index) {
            if let EntryPayload::ConfChange(cc) = &e.payload {
                m.apply(cc);
            }
        }
        m
    }

    /// Index of the newest configuration entry in the log (the snapshot index if none).
    pub fn last_conf_index(&self) -> LogIndex {
        self.entries
            .iter()
            .rev()
            .find(|e| matches!(e.payload, EntryPayload::ConfChange(_)))
            .map_or(self.snapshot_index(), |e| e.index)
    }

    pub(crate) fn append(&mut self, entry: Entry) {
        debug_assert_eq!(
            entry.index,
            self.last_index() + 1,
            "log must stay contiguous"
        );
        debug_assert!(
            entry.term >= self.last_term(),
            "terms never decrease along the log"
        );
        self.entries.push(entry);
    }

    /// Drops every entry with index >= `index`.
    pub(crate) fn truncate_from(&mut self, index: LogIndex) {
        if let Some(offset) = self.offset(index) {
            self.entries.truncate(offset);
        }
    }

    /// Discards entries up to `index` (which must be held), recording them in a snapshot.
    pub(crate) fn compact(&mut self, index: LogIndex, membership: Membership, data: Vec<u8>) {
        let Some(term) = self.term_at(index) else {
            return;
        };
        if index <= self.snapshot_index() {
            return;
        }
        let drop = self.offset(index).map_or(0, |o| o + 1);
        self.entries.drain(..drop);
        self.snapshot = Snapshot {
            meta: SnapshotMeta {
                last_index: index,
                last_term: term,
                membership,
            },
            data,
        };
    }

    /// Replaces the whole log by `snapshot` (a follower installing the leader's snapshot).
    pub(crate) fn restore(&mut self, snapshot: Snapshot) {
        self.entries.clear();
        self.snapshot = snapshot;
    }

    fn offset(&self, index: LogIndex) -> Option<usize> {
        if index < self.first_index() || index > self.last_index() {
            return None;
        }
        usize::try_from(index - self.first_index()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn log_of(terms: &[Term]) -> RaftLog {
        let entries = terms
            .iter()
            .enumerate()
            .map(|(i, &term)| Entry {
                index: i as LogIndex + 1,
                term,
                payload: EntryPayload::Noop,
            })
            .collect();
        RaftLog::from_parts(Snapshot::default(), entries)
    }

    #[test]
    fn indexes_and_terms() {
        let log = log_of(&[1, 1, 2, 3]);
        assert_eq!(
            (log.first_index(), log.last_index(), log.last_term()),
            (1, 4, 3)
        );
        assert_eq!(log.term_at(0), Some(0));
        assert_eq!(log.term_at(3), Some(2));
        assert_eq!(log.term_at(5), None);
        assert_eq!(log.term_at(u64::MAX), None);
        assert_eq!(log.slice(2, 3).len(), 2);
        assert_eq!(log.slice(4, 2).len(), 0);
    }

    /// Paper §5.4.1: compare last terms first, then lengths.
    #[test]
    fn up_to_date_rule() {
        let log = log_of(&[1, 2, 2]);
        assert!(log.is_up_to_date(3, 2));
        assert!(log.is_up_to_date(1, 3), "later term wins even if shorter");
        assert!(!log.is_up_to_date(2, 2), "same term, shorter");
        assert!(!log.is_up_to_date(9, 1), "older term, longer");
    }

    #[test]
    fn term_search_for_fast_backtracking() {
        let log = log_of(&[1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]);
        assert_eq!(log.first_index_of_term_at(10, 0), 7);
        assert_eq!(log.first_index_of_term_at(5, 0), 4);
        assert_eq!(log.last_index_of_term(2), Some(6));
        assert_eq!(log.last_index_of_term(4), None);
    }

    #[test]
    fn compact_and_restore() {
        let mut log = log_of(&[1, 1, 2, 2]);
        log.compact(2, Membership::with_voters(&[1]), vec![7]);
        assert_eq!((log.first_index(), log.last_index()), (3, 4));
        assert_eq!(log.term_at(2), Some(1));
        assert_eq!(log.term_at(1), None);
        assert_eq!(log.entry(3).map(|e| e.term), Some(2));
        log.truncate_from(4);
        assert_eq!(log.last_index(), 3);
        log.restore(Snapshot {
            meta: SnapshotMeta {
                last_index: 10,
                last_term: 5,
                ..Default::default()
            },
            data: vec![],
        });
        assert_eq!(
            (log.first_index(), log.last_index(), log.last_term()),
            (11, 10, 5)
        );
    }

    #[test]
    fn from_parts_drops_a_torn_suffix() {
        let entries = vec![
            Entry {
                index: 1,
                term: 1,
                payload: EntryPayload::Noop,
            },
            Entry {
                index: 3,
                term: 1,
                payload: EntryPayload::Noop,
            },
        ];
        assert_eq!(
            RaftLog::from_parts(Snapshot::default(), entries).last_index(),
            1
        );
    }
}
