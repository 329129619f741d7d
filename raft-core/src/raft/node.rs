//! The node: state, constructors, introspection and the input/output loop.
//!
//! Protocol rules live in sibling files (`election.rs`, `replication.rs`, ...),
//! each adding methods to [`Node`].

use super::config::{Config, ConfigError};
use super::log::RaftLog;
use super::membership::Membership;
use super::message::{Message, MessageBody, Snapshot, SnapshotMeta};
use super::progress::Progress;
use super::read_index::PendingRead;
use super::ready::{HardState, PersistentState, ReadState, Ready};
use super::rng::ElectionRng;
use super::MAX_OUTBOX_MSGS;
use crate::types::{LogIndex, NodeId, Role, Term, TimeUs};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

/// At most this many committed entries are handed out per Ready, so one Ready
/// stays bounded after a long partition heals.
pub const MAX_COMMITTED_PER_READY: u64 = 4096;

/// Messages claiming a term at or above this are refused as forged.
pub const MAX_TERM: Term = u64::MAX / 2;

/// At most this many handed-out Readies are remembered until acknowledged;
/// beyond that the oldest is forgotten, so its acknowledgement waits for a
/// newer one's (safe: it only delays commits).
pub const MAX_UNPERSISTED_READIES: usize = 1024;

/// What one handed-out [`Ready`] puts on disk once persisted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(super) struct Unpersisted {
    /// The Ready's number.
    number: u64,
    /// Its log holds entries up to here (lowered if the log is truncated since).
    index: LogIndex,
    /// Its hard state holds this term.
    term: Term,
}

/// A sans-IO Raft node. Feed it with [`Node::step`], [`Node::handle_timeout`]
/// and the client calls; drain it with [`Node::ready`]; sleep until
/// [`Node::poll_timeout`]. Same seed and same inputs give the same behaviour.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Node {
    pub(super) cfg: Config,
    pub(super) term: Term,
    pub(super) voted_for: Option<NodeId>,
    pub(super) role: Role,
    pub(super) leader_id: Option<NodeId>,
    pub(super) log: RaftLog,
    /// Latest configuration in the log, committed or not (thesis §4.1).
    pub(super) membership: Membership,
    pub(super) conf_index: LogIndex,
    /// A voter of the configuration before the one at `conf_index`.
    pub(super) voter_before_conf: bool,
    pub(super) commit: LogIndex,
    /// Last index handed out in `committed_entries` (or restored from a snapshot).
    pub(super) applied: LogIndex,
    /// First index not yet handed out in `Ready::entries`.
    pub(super) unstable_from: LogIndex,
    pub(super) snapshot_pending: bool,
    pub(super) progress: BTreeMap<NodeId, Progress>,
    pub(super) votes: BTreeMap<NodeId, bool>,
    pub(super) rng: ElectionRng,
    pub(super) now_us: TimeUs,
    pub(super) randomized_timeout_us: TimeUs,
    pub(super) election_deadline_us: TimeUs,
    pub(super) heartbeat_deadline_us: TimeUs,
    pub(super) check_quorum_deadline_us: TimeUs,
    pub(super) last_leader_contact_us: TimeUs,
    /// Leadership transfer target and the time at which to give up.
    pub(super) transfer: Option<(NodeId, TimeUs)>,
    pub(super) reads: VecDeque<PendingRead>,
    pub(super) read_seq: u64,
    pub(super) read_states: Vec<ReadState>,
    pub(super) msgs: Vec<Message>,
    pub(super) persisted_msgs: Vec<Message>,
    pub(super) dropped_msgs: u64,
    pub(super) prev_hard: HardState,
    /// Number of the latest [`Ready`] handed out.
    pub(super) ready_number: u64,
    /// What each handed-out Ready puts on disk, oldest first, until it is
    /// acknowledged with [`Node::on_persisted`].
    pub(super) unpersisted: VecDeque<Unpersisted>,
    /// Highest log index known to be on this node's own disk: a leader counts
    /// itself toward a commit only up to here (thesis §10.2.1).
    pub(super) stable_index: LogIndex,
    /// The term known to be on this node's own disk: no message leaves with a
    /// higher term before it is persisted (see [`Node::push`]).
    pub(super) stable_term: Term,
    /// New entries or commit progress to broadcast at the next `ready()`, so
    /// proposals made back to back travel in one AppendEntries.
    pub(super) broadcast_pending: bool,
    #[cfg_attr(feature = "serde", serde(skip))]
    pub(super) spare: Ready,
}

impl Node {
    /// A member of a fresh cluster whose initial voters are `initial_voters`
    /// (the bootstrap membership, stored as a snapshot at index 0). With no
    /// voters this is a joining server, see [`Node::new_joining`].
    pub fn new(
        config: Config,
        initial_voters: &[NodeId],
        seed: u64,
        now_us: TimeUs,
    ) -> Result<Self, ConfigError> {
        let snapshot = Snapshot {
            meta: SnapshotMeta {
                last_index: 0,
                last_term: 0,
                membership: Membership::with_voters(initial_voters),
            },
            data: Vec::new(),
        };
        let mut node = Node::from_parts(
            config,
            0,
            None,
            RaftLog::from_snapshot(snapshot),
            seed,
            now_us,
        )?;
        // The first Ready carries the bootstrap configuration, so an
        // application that stores only what Readies hand out can restart.
        node.snapshot_pending = true;
        Ok(node)
    }

    /// A server about to be added to a running cluster: empty log, no
    /// configuration. It never campaigns, and learns the membership from the
    /// leader's snapshot once it is added as a learner.
    pub fn new_joining(config: Config, seed: u64, now_us: TimeUs) -> Result<Self, ConfigError> {
        Node::new(config, &[], seed, now_us)
    }

    /// A node coming back from a crash with only its persisted state (paper
    /// §5.1): term, vote, snapshot and log. Role, commit index and leader
    /// progress start afresh; membership is recovered from the snapshot and log.
    ///
    /// After a restart the application:
    /// 1. rebuilds its state machine from `persisted.snapshot` itself (no
    ///    Ready hands that snapshot out again: it is on disk already);
    /// 2. then applies `committed_entries` from later Readies as usual: they
    ///    start right after the snapshot, whatever it had applied before.
    ///
    /// Everything in `persisted` counts as on disk: the node may count its
    /// own log toward a commit at once.
    pub fn restart(
        config: Config,
        persisted: PersistentState,
        seed: u64,
        now_us: TimeUs,
    ) -> Result<Self, ConfigError> {
        // Planted bug: dropping the vote lets this node vote twice in one term.
        let vote = if config.bugs.forget_vote_on_restart {
            None
        } else {
            persisted.voted_for
        };
        let log = RaftLog::from_parts(persisted.snapshot, persisted.entries);
        Node::from_parts(config, persisted.term, vote, log, seed, now_us)
    }

    fn from_parts(
        cfg: Config,
        term: Term,
        voted_for: Option<NodeId>,
        log: RaftLog,
        seed: u64,
        now_us: TimeUs,
    ) -> Result<Self, ConfigError> {
        cfg.validate()?;
        let membership = log.membership_at(log.last_index());
        let snap = log.snapshot_index();
        let mut node = Node {
            term,
            voted_for,
            role: Role::Follower,
            leader_id: None,
            membership,
            conf_index: log.last_conf_index(),
            voter_before_conf: false,
            commit: snap,
            applied: snap,
            unstable_from: log.last_index() + 1,
            snapshot_pending: false,
            progress: BTreeMap::new(),
            votes: BTreeMap::new(),
            rng: ElectionRng::new(seed ^ cfg.id.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            now_us,
            randomized_timeout_us: cfg.election_timeout_min_us,
            election_deadline_us: now_us,
            heartbeat_deadline_us: now_us,
            check_quorum_deadline_us: now_us,
            last_leader_contact_us: 0,
            transfer: None,
            reads: VecDeque::new(),
            read_seq: 0,
            read_states: Vec::new(),
            msgs: Vec::new(),
            persisted_msgs: Vec::new(),
            dropped_msgs: 0,
            prev_hard: HardState {
                term,
                voted_for,
                commit: snap,
            },
            broadcast_pending: false,
            ready_number: 0,
            unpersisted: VecDeque::new(),
            stable_index: log.last_index(),
            stable_term: term,
            spare: Ready::default(),
            log,
            cfg,
        };
        node.refresh_voter_before_conf();
        node.reset_election_timer();
        Ok(node)
    }

    // ----- introspection -------------------------------------------------

    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.cfg.id
    }
    /// The configuration it runs with.
    pub fn config(&self) -> &Config {
        &self.cfg
    }
    /// Current role.
    pub fn role(&self) -> Role {
        self.role
    }
    /// Current term.
    pub fn term(&self) -> Term {
        self.term
    }
    /// Vote cast in the current term.
    pub fn voted_for(&self) -> Option<NodeId> {
        self.voted_for
    }
    /// Leader of the current term, if known.
    pub fn leader_id(&self) -> Option<NodeId> {
        self.leader_id
    }
    /// Highest index known committed.
    pub fn commit_index(&self) -> LogIndex {
        self.commit
    }
    /// Last index handed out for applying (or restored from a snapshot).
    pub fn applied_index(&self) -> LogIndex {
        self.applied
    }
    /// The log (first/last index, terms, entries).
    pub fn log(&self) -> &RaftLog {
        &self.log
    }
    /// Metadata of the latest snapshot.
    pub fn snapshot_meta(&self) -> &SnapshotMeta {
        self.log.snapshot_meta()
    }
    /// Leader's view of `peer`; `None` unless this node leads and `peer` is a member.
    pub fn progress(&self, peer: NodeId) -> Option<&Progress> {
        self.progress.get(&peer)
    }
    /// Latest configuration (possibly not committed yet).
    pub fn membership(&self) -> &Membership {
        &self.membership
    }
    /// Voters of the latest configuration.
    pub fn voters(&self) -> &[NodeId] {
        &self.membership.voters
    }
    /// Learners of the latest configuration.
    pub fn learners(&self) -> &[NodeId] {
        &self.membership.learners
    }
    /// Votes received so far as (pre-)candidate: id to granted.
    pub fn votes(&self) -> &BTreeMap<NodeId, bool> {
        &self.votes
    }
    /// When the election timer fires; `None` for leaders and non-voters.
    pub fn election_deadline_us(&self) -> Option<TimeUs> {
        (self.role != Role::Leader && self.is_promotable()).then_some(self.election_deadline_us)
    }
    /// The current randomized election timeout (for the UI's draining arc).
    pub fn randomized_election_timeout_us(&self) -> TimeUs {
        self.randomized_timeout_us
    }
    /// Leadership transfer target, if one is under way.
    pub fn lead_transferee(&self) -> Option<NodeId> {
        self.transfer.map(|(id, _)| id)
    }
    /// ReadIndex requests not answered yet.
    pub fn pending_reads(&self) -> usize {
        self.reads.len()
    }
    /// Messages dropped because the outbox was full (the network may drop too).
    pub fn dropped_messages(&self) -> u64 {
        self.dropped_msgs
    }
    /// Latest time this node has been told about.
    pub fn now_us(&self) -> TimeUs {
        self.now_us
    }
    /// Current persistent fields plus commit index.
    pub fn hard_state(&self) -> HardState {
        HardState {
            term: self.term,
            voted_for: self.voted_for,
            commit: self.commit,
        }
    }
    /// What would be on stable storage once the pending Ready is persisted;
    /// feed it to [`Node::restart`] to model a crash.
    pub fn persistent_state(&self) -> PersistentState {
        PersistentState {
            term: self.term,
            voted_for: self.voted_for,
            snapshot: self.log.snapshot().clone(),
            entries: self.log.entries().to_vec(),
        }
    }
    /// May campaign: a voter of its own latest configuration, or of the one
    /// before it while the latest is not known to be committed (learners,
    /// joiners and servers whose removal committed never do). A server whose
    /// removal may still be uncommitted can hold the most up-to-date log: then
    /// only it can win, and the voters that remain need its vote. It counts
    /// votes by its latest configuration, and steps down once its removal is
    /// committed (thesis §4.2.2), as a removed leader does.
    pub fn is_promotable(&self) -> bool {
        self.membership.is_voter(self.cfg.id)
            || (self.conf_index > self.commit && self.voter_before_conf)
    }

    /// Works out `voter_before_conf` from the log (after a restart or a
    /// truncation; appends keep it up to date as they go).
    pub(super) fn refresh_voter_before_conf(&mut self) {
        self.voter_before_conf = self.conf_index > self.log.snapshot_index()
            && self
                .log
                .membership_at(self.conf_index - 1)
                .is_voter(self.cfg.id);
    }

    // ----- input ---------------------------------------------------------

    /// Fires whatever timers are due at `now_us`: elections for followers and
    /// candidates; heartbeats, CheckQuorum and transfer expiry for leaders.
    pub fn handle_timeout(&mut self, now_us: TimeUs) {
        self.observe(now_us);
        let now = self.now_us;
        if self.role == Role::Leader {
            if now >= self.heartbeat_deadline_us {
                self.heartbeat_deadline_us = now.saturating_add(self.cfg.heartbeat_interval_us);
                self.broadcast_heartbeat();
                self.retry_stale_snapshots();
            }
            if self.cfg.check_quorum && now >= self.check_quorum_deadline_us {
                self.check_quorum_deadline_us =
                    now.saturating_add(self.cfg.election_timeout_min_us);
                self.check_quorum();
            }
            if let Some((_, deadline)) = self.transfer {
                if self.role == Role::Leader && now >= deadline {
                    self.transfer = None;
                }
            }
        } else if self.is_promotable() && now >= self.election_deadline_us {
            self.hup(false);
        }
    }

    /// The next time [`Node::handle_timeout`] has something to do.
    pub fn poll_timeout(&self) -> Option<TimeUs> {
        if self.role == Role::Leader {
            let mut t = self.heartbeat_deadline_us;
            if self.cfg.check_quorum {
                t = t.min(self.check_quorum_deadline_us);
            }
            if let Some((_, deadline)) = self.transfer {
                t = t.min(deadline);
            }
            return Some(t);
        }
        self.election_deadline_us()
    }

    /// Handles one message. Messages addressed elsewhere, malformed or stale
    /// ones are ignored or answered; none panics or corrupts state.
    pub fn step(&mut self, now_us: TimeUs, msg: Message) {
        self.observe(now_us);
        if msg.to != self.cfg.id
            || msg.from == self.cfg.id
            || msg.from == 0
            || !self.is_well_formed(&msg)
        {
            return;
        }
        if msg.term > self.term {
            match &msg.body {
                MessageBody::RequestVote {
                    pre_vote,
                    leader_transfer,
                    ..
                } => {
                    // Leader stickiness (thesis §4.2.3): ignore disruptive candidates.
                    if !*leader_transfer && self.in_lease() {
                        return;
                    }
                    if !*pre_vote {
                        self.become_follower(msg.term, None);
                    }
                }
                // A granted pre-vote carries the term we would campaign in: no news.
                MessageBody::RequestVoteResp {
                    pre_vote: true,
                    granted: true,
                } => {}
                MessageBody::AppendEntries { .. }
                | MessageBody::InstallSnapshot { .. }
                | MessageBody::TimeoutNow => {
                    self.become_follower(msg.term, Some(msg.from));
                }
                _ => self.become_follower(msg.term, None),
            }
        } else if msg.term < self.term {
            self.answer_stale(&msg);
            return;
        }
        let from = msg.from;
        let term = msg.term;
        match msg.body {
            MessageBody::RequestVote {
                pre_vote,
                last_log_index,
                last_log_term,
                ..
            } => {
                self.handle_request_vote(from, term, pre_vote, last_log_index, last_log_term);
            }
            MessageBody::RequestVoteResp { pre_vote, granted } => {
                self.handle_vote_resp(from, term, pre_vote, granted)
            }
            MessageBody::AppendEntries {
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
                read_seq,
            } => {
                self.handle_append(
                    from,
                    prev_log_index,
                    prev_log_term,
                    entries,
                    leader_commit,
                    read_seq,
                );
            }
            MessageBody::AppendEntriesResp {
                success,
                index,
                last_index,
                conflict_index,
                conflict_term,
                read_seq,
            } => {
                self.handle_append_resp(
                    from,
                    success,
                    index,
                    last_index,
                    conflict_index,
                    conflict_term,
                    read_seq,
                );
            }
            MessageBody::InstallSnapshot { snapshot } => self.handle_snapshot(from, *snapshot),
            MessageBody::InstallSnapshotResp { last_index } => {
                self.handle_snapshot_resp(from, last_index)
            }
            MessageBody::TimeoutNow => self.handle_timeout_now(from),
        }
    }

    // ----- output --------------------------------------------------------

    /// Whether [`Node::ready`] has anything to hand out.
    pub fn has_ready(&self) -> bool {
        self.broadcast_pending
            || !self.msgs.is_empty()
            || !self.persisted_msgs.is_empty()
            || self.hard_state() != self.prev_hard
            || self.snapshot_pending
            || self.log.last_index() >= self.unstable_from
            || self.commit > self.applied
            || !self.read_states.is_empty()
            || self
                .reads
                .front()
                .is_some_and(|r| r.releasable(self.applied))
    }

    /// Takes the pending work (take-once: see [`Ready`] for what to do with
    /// it, in which order). Hand it back with [`Node::advance`] once its state
    /// is on disk (or acknowledge it later with [`Node::on_persisted`]).
    pub fn ready(&mut self) -> Ready {
        let mut rd = core::mem::take(&mut self.spare);
        self.ready_into(&mut rd);
        rd
    }

    /// [`Node::ready`] into a Ready the caller keeps (one that
    /// [`Node::advance_in_place`] emptied, or a new one): a Ready is a few
    /// hundred bytes, and a caller that keeps one in place (behind a `Box`)
    /// copies none of them per input. `rd` must be empty.
    pub fn ready_into(&mut self, rd: &mut Ready) {
        debug_assert!(rd.is_empty(), "ready_into takes an empty Ready");
        if self.broadcast_pending {
            self.broadcast_pending = false;
            self.broadcast_append();
        }
        self.assert_invariants();
        self.ready_number += 1;
        rd.number = self.ready_number;
        let hs = self.hard_state();
        let persists_term =
            hs.term != self.prev_hard.term || hs.voted_for != self.prev_hard.voted_for;
        if hs != self.prev_hard {
            self.prev_hard = hs;
            rd.hard_state = Some(hs);
        }
        if self.snapshot_pending {
            self.snapshot_pending = false;
            rd.snapshot = Some(self.log.snapshot().clone());
        }
        let last = self.log.last_index();
        if last >= self.unstable_from {
            rd.entries
                .extend_from_slice(self.log.slice(self.unstable_from, last));
            self.unstable_from = last + 1;
        }
        if persists_term || rd.snapshot.is_some() || !rd.entries.is_empty() {
            self.remember_unpersisted(rd.number);
        }
        if self.commit > self.applied {
            let hi = self.commit.min(self.applied + MAX_COMMITTED_PER_READY);
            rd.committed_entries
                .extend_from_slice(self.log.slice(self.applied + 1, hi));
            assert_eq!(
                rd.committed_entries.len() as u64,
                hi - self.applied,
                "committed entries are held"
            );
            self.applied = hi;
        }
        self.release_reads();
        core::mem::swap(&mut rd.messages, &mut self.msgs);
        core::mem::swap(&mut rd.persisted_messages, &mut self.persisted_msgs);
        core::mem::swap(&mut rd.read_states, &mut self.read_states);
    }

    /// What must hold whatever the input: checked in release builds too (a
    /// few comparisons per Ready), so a bug stops here instead of spreading.
    fn assert_invariants(&self) {
        let last = self.log.last_index();
        assert!(self.term >= self.prev_hard.term, "the term never decreases");
        assert!(
            self.commit >= self.prev_hard.commit,
            "commit never decreases"
        );
        assert!(self.commit <= last, "only entries held are committed");
        assert!(
            self.applied <= self.commit,
            "only committed entries are applied"
        );
        assert!(
            self.stable_index <= last,
            "the disk holds no entry the log lost"
        );
        assert!(
            !self.progress.contains_key(&self.cfg.id),
            "a leader's own match is its disk, not a progress entry"
        );
    }

    fn remember_unpersisted(&mut self, number: u64) {
        if self.unpersisted.len() >= MAX_UNPERSISTED_READIES {
            self.unpersisted.pop_front();
        }
        self.unpersisted.push_back(Unpersisted {
            number,
            index: self.unstable_from - 1,
            term: self.prev_hard.term,
        });
    }

    /// Step 1 of `rd` is done (its snapshot, hard state and entries are on
    /// disk): the same as [`Node::on_persisted`] with `rd.number`. Its buffers
    /// are reused, so steady-state operation does not allocate.
    pub fn advance(&mut self, mut rd: Ready) {
        self.advance_in_place(&mut rd);
        self.spare = rd;
    }

    /// [`Node::advance`] for a Ready the caller keeps (see
    /// [`Node::ready_into`]): acknowledges it and empties it for the next
    /// [`Node::ready_into`], its buffers kept.
    pub fn advance_in_place(&mut self, rd: &mut Ready) {
        self.on_persisted(rd.number);
        rd.hard_state = None;
        rd.snapshot = None;
        rd.entries.clear();
        rd.committed_entries.clear();
        rd.read_states.clear();
        rd.messages.clear();
        rd.persisted_messages.clear();
        if self.msgs.capacity() == 0 {
            core::mem::swap(&mut self.msgs, &mut rd.messages);
        }
        if self.persisted_msgs.capacity() == 0 {
            core::mem::swap(&mut self.persisted_msgs, &mut rd.persisted_messages);
        }
        if self.read_states.capacity() == 0 {
            core::mem::swap(&mut self.read_states, &mut rd.read_states);
        }
    }

    /// Every Ready up to number `number` has been persisted (step 1 of
    /// [`Ready`]), in order. For applications whose disk writes finish later
    /// than `ready()` hands them out; others call [`Node::advance`]. A leader
    /// counts its own log toward a commit only up to what this acknowledged
    /// (thesis §10.2.1), so the commit index may move here. Numbers never
    /// handed out, or already acknowledged, are ignored.
    pub fn on_persisted(&mut self, number: u64) {
        if number > self.ready_number {
            return;
        }
        let mut acked = None;
        while let Some(u) = self.unpersisted.front() {
            if u.number > number {
                break;
            }
            acked = self.unpersisted.pop_front();
        }
        let Some(u) = acked else { return };
        self.stable_index = u.index;
        self.stable_term = u.term;
        assert!(
            self.stable_term <= self.term,
            "the disk's term is never ahead"
        );
        assert!(
            self.stable_index <= self.log.last_index(),
            "the disk holds no entry the log lost"
        );
        // Our own disk may complete a majority (a lone voter's always does).
        self.maybe_commit();
    }

    /// The log was cut back to `last`: what earlier Readies wrote beyond it
    /// is no longer this node's log.
    pub(super) fn forget_stable_after(&mut self, last: LogIndex) {
        self.stable_index = self.stable_index.min(last);
        for u in &mut self.unpersisted {
            u.index = u.index.min(last);
        }
    }

    /// The term this node's own disk is known to hold. Until it reaches
    /// [`Node::term`], no message of the current term leaves: a lone voter
    /// that elected itself is a leader nobody can hear from yet.
    pub fn stable_term(&self) -> Term {
        self.stable_term
    }

    /// The highest index this node's own disk is known to hold.
    pub fn stable_index(&self) -> LogIndex {
        self.stable_index.min(self.log.last_index())
    }

    // ----- shared helpers ------------------------------------------------

    /// Time never goes backwards for a node, whatever the caller passes.
    pub(super) fn observe(&mut self, now_us: TimeUs) {
        self.now_us = self.now_us.max(now_us);
    }

    pub(super) fn send(&mut self, to: NodeId, body: MessageBody) {
        self.push(to, body, false);
    }

    /// Sends a message that promises persisted state (votes, acks).
    pub(super) fn send_persisted(&mut self, to: NodeId, body: MessageBody) {
        self.push(to, body, true);
    }

    /// Queues a message. One carrying a term this node has not persisted yet
    /// waits for the disk: a single voter elects itself at once, and if its
    /// AppendEntries left before the new term was stored, a crash could let it
    /// win the same term again and send different entries under it.
    pub(super) fn push(&mut self, to: NodeId, body: MessageBody, persisted: bool) {
        let persisted = persisted
            || (self.term > self.stable_term
                && !self.cfg.regressions.leader_counts_unpersisted_log);
        let queue = if persisted {
            &mut self.persisted_msgs
        } else {
            &mut self.msgs
        };
        // Bounded outbox: dropping a message is always safe in Raft (the network may too).
        if queue.len() >= MAX_OUTBOX_MSGS {
            self.dropped_msgs += 1;
            return;
        }
        queue.push(Message {
            from: self.cfg.id,
            to,
            term: self.term,
            body,
        });
    }

    pub(super) fn reset_election_timer(&mut self) {
        self.randomized_timeout_us = self.rng.next_in(
            self.cfg.election_timeout_min_us,
            self.cfg.election_timeout_max_us,
        );
        self.election_deadline_us = self.now_us.saturating_add(self.randomized_timeout_us);
    }

    /// Restarts the election timer without a new draw (a leader was heard from).
    pub(super) fn touch_election_timer(&mut self) {
        self.election_deadline_us = self.now_us.saturating_add(self.randomized_timeout_us);
    }

    /// Within a leader lease: CheckQuorum is on and a leader was heard from
    /// less than a minimum election timeout ago (or this node leads).
    pub(super) fn in_lease(&self) -> bool {
        if !self.cfg.check_quorum {
            return false;
        }
        match self.role {
            Role::Leader => true,
            _ => {
                self.leader_id.is_some()
                    && self.now_us
                        < self
                            .last_leader_contact_us
                            .saturating_add(self.cfg.election_timeout_min_us)
            }
        }
    }

    /// Any role to follower at `term` (clears the vote only when the term grows).
    pub(super) fn become_follower(&mut self, term: Term, leader: Option<NodeId>) {
        assert!(term >= self.term, "terms only grow");
        if term > self.term {
            self.term = term;
            self.voted_for = None;
        }
        self.role = Role::Follower;
        self.leader_id = leader;
        if leader.is_some() {
            self.last_leader_contact_us = self.now_us;
        }
        self.votes.clear();
        self.progress.clear();
        self.transfer = None;
        self.reads.clear();
        self.broadcast_pending = false;
        self.reset_election_timer();
    }

    /// Committed an entry of the current term: a leader may serve reads and change membership.
    pub(super) fn committed_in_term(&self) -> bool {
        self.log.term_at(self.commit) == Some(self.term)
    }

    /// Cheap structural checks that make later arithmetic safe.
    fn is_well_formed(&self, msg: &Message) -> bool {
        // Terms grow by one per election; anything near the top of the range is
        // forged, and refusing it keeps `term + 1` from overflowing.
        if msg.term >= MAX_TERM {
            return false;
        }
        match &msg.body {
            MessageBody::AppendEntries {
                prev_log_index,
                prev_log_term,
                entries,
                ..
            } => {
                if *prev_log_term > msg.term {
                    return false;
                }
                let mut expect = *prev_log_index;
                let mut term = *prev_log_term;
                for e in entries {
                    let Some(next) = expect.checked_add(1) else {
                        return false;
                    };
                    if e.index != next || e.term < term || e.term > msg.term {
                        return false;
                    }
                    expect = next;
                    term = e.term;
                }
                true
            }
            MessageBody::InstallSnapshot { snapshot } => {
                snapshot.meta.last_term <= msg.term && snapshot.meta.last_index < u64::MAX / 2
            }
            _ => true,
        }
    }
}
