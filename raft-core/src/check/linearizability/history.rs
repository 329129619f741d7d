//! Recording what clients did and saw: the input of the checker.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::kv::{ApplyError, Op, Outcome, Reply};
use crate::types::TimeUs;

/// Most operations a [`History`] holds at once. Before it fills up, the
/// operations that every linearization puts first, once proved
/// linearizable, are folded into the value their key is left with (see
/// [`History::folded`]), so a long run keeps being checked. If folding frees
/// too little (an operation that never returns holds its key back),
/// later invocations are counted but not stored, and the checker answers
/// [`Verdict::Unknown`](super::Verdict::Unknown) rather than judge a partial history.
pub const MAX_HISTORY_OPS: usize = 10_000;

/// Folding is first tried when the history holds this many operations...
const FOLD_FIRST_AT: usize = MAX_HISTORY_OPS / 4 * 3;
/// ...and again after each this many more (it costs a search of what it folds).
const FOLD_RETRY_AFTER: usize = MAX_HISTORY_OPS / 16;
/// The newest operations a fold leaves held whatever their key, so a view
/// of the latest operations (the playground draws 40) is never emptied.
pub const FOLD_KEEPS_NEWEST: usize = 64;
/// Search steps one key's fold may take; past it the key is left as it is.
const FOLD_STEPS_PER_KEY: u64 = 2_000_000;

/// One client operation as observed from outside the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Operation {
    /// Unique id in its history (the order of invocation).
    pub id: u64,
    /// The client that invoked it.
    pub client_id: u64,
    /// When the client sent it.
    pub invoke_us: TimeUs,
    /// When the client got the answer; `None` if it never did (timeout,
    /// crash, refused reply): the operation may or may not have taken effect.
    pub return_us: Option<TimeUs>,
    /// What the client asked.
    pub input: Op,
    /// What the client saw. The operation counts as returned only when both
    /// this and `return_us` are `Some`.
    pub output: Option<Outcome>,
    /// The client stopped waiting for it (it gave up, or was refused): it
    /// will never return, though it may still take effect.
    pub abandoned: bool,
}

impl Operation {
    /// The observed outcome and return time, if the operation returned.
    pub fn returned(&self) -> Option<(TimeUs, &Outcome)> {
        Some((self.return_us?, self.output.as_ref()?))
    }
}

/// Why [`History::complete`] refused a completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum HistoryError {
    /// No operation has this id.
    UnknownId(u64),
    /// The operation was invoked after the history was full and not recorded.
    NotRecorded(u64),
    /// The operation already returned.
    AlreadyCompleted(u64),
    /// The client had abandoned the operation.
    Abandoned(u64),
    /// The return time is before the invocation time.
    ReturnBeforeInvoke(u64),
}

impl fmt::Display for HistoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HistoryError::UnknownId(id) => write!(f, "no operation {id}"),
            HistoryError::NotRecorded(id) => {
                write!(
                    f,
                    "operation {id} came after the {MAX_HISTORY_OPS}-operation limit"
                )
            }
            HistoryError::AlreadyCompleted(id) => write!(f, "operation {id} already returned"),
            HistoryError::Abandoned(id) => write!(f, "operation {id} was abandoned"),
            HistoryError::ReturnBeforeInvoke(id) => {
                write!(f, "operation {id} returns before it was invoked")
            }
        }
    }
}

impl core::error::Error for HistoryError {}

/// The operations on one key, and when they last changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct KeyOps {
    pub(crate) ids: Vec<u64>,
    /// The history revision of the last change to these operations.
    pub(crate) version: u64,
    /// The value the folded operations left the key with (`None`: absent,
    /// as before any operation).
    pub(crate) baseline: Option<String>,
    /// The latest return among the folded operations, if any were folded.
    pub(crate) folded_until: Option<TimeUs>,
    /// The first operation recorded after a fold with a time that lets it
    /// precede folded operations: the key can no longer be judged.
    pub(crate) overtaken: Option<Overtaken>,
}

/// An operation invoked no later than the last return among its key's
/// folded operations, recorded after they were folded: it may have taken
/// effect before some of them, which are gone, so its key cannot be judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Overtaken {
    /// The operation.
    pub(crate) id: u64,
    /// Its invocation.
    pub(crate) invoke_us: TimeUs,
    /// Its key's `KeyOps::folded_until` (or `History::forgotten_until`) then.
    pub(crate) folded_until: TimeUs,
}

impl KeyOps {
    /// Nothing held and nothing folded into a value: as if never used, so
    /// the key can be forgotten (keeping the key table bounded by what is
    /// held), once its fold time is kept (`History::forgotten_until`).
    fn as_if_unused(&self) -> bool {
        self.ids.is_empty() && self.baseline.is_none() && self.overtaken.is_none()
    }
}

/// A bounded record of client operations, indexed by key so that the
/// checker can re-examine only the keys that changed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct History {
    /// The operations held, by ascending id (folded ones are gone).
    ops: Vec<Operation>,
    pub(crate) by_key: BTreeMap<String, KeyOps>,
    /// Invocations beyond [`MAX_HISTORY_OPS`], not stored.
    dropped: u64,
    /// Operations folded into their key's baseline value.
    folded: u64,
    /// Ids handed out so far (stored, folded or dropped).
    next_id: u64,
    /// Folding is tried again when `ops` holds this many.
    fold_at: usize,
    /// Counts changes; each key remembers the revision of its last change.
    revision: u64,
    /// The latest time recorded (invocation or return). Recorded in time
    /// order, every operation still to come is invoked at it or later, so a
    /// fold cuts only before it (an invocation at the same instant overlaps).
    clock: TimeUs,
    /// The latest fold time of a key forgotten since: an operation on any
    /// key invoked no later than it may precede folded operations (the key
    /// may be the forgotten one).
    forgotten_until: Option<TimeUs>,
}

impl Default for History {
    fn default() -> Self {
        History {
            ops: Vec::new(),
            by_key: BTreeMap::new(),
            dropped: 0,
            folded: 0,
            next_id: 0,
            fold_at: FOLD_FIRST_AT,
            revision: 0,
            clock: 0,
            forgotten_until: None,
        }
    }
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `client_id` sent `op` at `now`, and returns the
    /// operation's id. When the history holds [`MAX_HISTORY_OPS`] and folding
    /// frees nothing, the operation is only counted.
    ///
    /// Times may go backwards (a history imported from elsewhere): the
    /// checker orders operations by their times, not by when they were
    /// recorded. But an operation invoked no later than the last return
    /// among its key's folded operations may precede some of them, which
    /// are gone: that key's verdict is then
    /// [`Verdict::Unknown`](super::Verdict::Unknown). Recorded in time order,
    /// that never happens (a fold cuts only before the latest time recorded).
    pub fn invoke(&mut self, client_id: u64, op: Op, now: TimeUs) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.clock = self.clock.max(now);
        if self.ops.len() >= self.fold_at && self.dropped == 0 {
            self.fold();
        }
        if self.ops.len() >= MAX_HISTORY_OPS {
            self.dropped += 1;
            return id;
        }
        self.revision += 1;
        // A key seen before is found by reference: no key String is allocated.
        if !self.by_key.contains_key(op.key()) {
            self.by_key
                .insert(String::from(op.key()), KeyOps::default());
        }
        let entry = self.by_key.get_mut(op.key()).expect("inserted above");
        entry.ids.push(id);
        entry.version = self.revision;
        let folded_until = entry.folded_until.max(self.forgotten_until);
        if let Some(folded_until) = folded_until.filter(|&until| now <= until) {
            entry.overtaken.get_or_insert(Overtaken {
                id,
                invoke_us: now,
                folded_until,
            });
        }
        self.ops.push(Operation {
            id,
            client_id,
            invoke_us: now,
            return_us: None,
            input: op,
            output: None,
            abandoned: false,
        });
        id
    }

    /// Folds what every key can fold, leaving the newest
    /// [`FOLD_KEEPS_NEWEST`] operations held; see [`fold_keeping`](Self::fold_keeping).
    /// Invocations fold by themselves before the history fills up.
    pub fn fold(&mut self) -> usize {
        self.fold_keeping(FOLD_KEEPS_NEWEST)
    }

    /// Folds what every key can fold (see [`MAX_HISTORY_OPS`]): per key, the
    /// longest prefix of its operations that every linearization puts first,
    /// once a search proves it linearizable, becomes the key's baseline
    /// value, except that the `newest` operations stay held whatever their
    /// key. "Every linearization" counts the operations still to come,
    /// taken to be recorded in time order: the prefix must have returned
    /// before the latest time recorded (see [`invoke`](Self::invoke) for
    /// those that are not). Abandoned `GET`s, which constrain nothing, go
    /// too; abandoned writes stay (they may still take effect), and a prefix
    /// that is not linearizable stays for the checker to report. Returns how
    /// many operations were folded.
    pub fn fold_keeping(&mut self, newest: usize) -> usize {
        let mut gone: Vec<u64> = Vec::new();
        let keys: Vec<String> = self.by_key.keys().cloned().collect();
        let below_id = match self.ops.len().checked_sub(newest) {
            Some(at) => self.ops.get(at).map_or(self.next_id, |op| op.id),
            None => 0,
        };
        for key in &keys {
            let mut budget = FOLD_STEPS_PER_KEY;
            // An overtaken key is undecided for good: nothing to fold for.
            let settled = match self.by_key.get(key).is_some_and(|k| k.overtaken.is_none()) {
                true => super::foldable_prefix(self, key, below_id, self.clock, &mut budget),
                false => None,
            };
            let before = gone.len();
            if let Some((ids, baseline, until)) = settled {
                gone.extend(ids);
                if let Some(k) = self.by_key.get_mut(key) {
                    k.baseline = baseline;
                    k.folded_until = k.folded_until.max(Some(until));
                }
            }
            for &id in self.ids_for_key(key) {
                if let Some(op) = self.get(id) {
                    if op.abandoned && !op.input.is_write() {
                        gone.push(id);
                    }
                }
            }
            if gone.len() > before {
                mark_changed(&mut self.by_key, &mut self.revision, key);
            }
        }
        gone.sort_unstable();
        gone.dedup();
        let is_gone = |id: &u64| gone.binary_search(id).is_ok();
        self.ops.retain(|op| !is_gone(&op.id));
        for k in self.by_key.values_mut() {
            k.ids.retain(|id| !is_gone(id));
        }
        let forgotten_until = &mut self.forgotten_until;
        self.by_key.retain(|_, k| {
            let unused = k.as_if_unused();
            if unused {
                *forgotten_until = (*forgotten_until).max(k.folded_until);
            }
            !unused
        });
        self.folded += gone.len() as u64;
        self.fold_at = (self.ops.len() + FOLD_RETRY_AFTER).min(MAX_HISTORY_OPS);
        debug_assert!(self.ops.windows(2).all(|w| w[0].id < w[1].id));
        gone.len()
    }

    /// Records that operation `id` returned `output` at `now`.
    pub fn complete(&mut self, id: u64, output: Outcome, now: TimeUs) -> Result<(), HistoryError> {
        let at = self.pending_at(id)?;
        let op = &mut self.ops[at];
        if now < op.invoke_us {
            return Err(HistoryError::ReturnBeforeInvoke(id));
        }
        op.return_us = Some(now);
        op.output = Some(output);
        self.clock = self.clock.max(now);
        mark_changed(&mut self.by_key, &mut self.revision, op.input.key());
        Ok(())
    }

    /// Records that the client stopped waiting for operation `id`: it will
    /// never return (it may still take effect). An abandoned `GET` is
    /// forgotten at the next fold; an abandoned write is kept.
    pub fn abandon(&mut self, id: u64) -> Result<(), HistoryError> {
        let at = self.pending_at(id)?;
        let op = &mut self.ops[at];
        op.abandoned = true;
        mark_changed(&mut self.by_key, &mut self.revision, op.input.key());
        Ok(())
    }

    /// Where operation `id` is held, if it is recorded and still pending.
    fn pending_at(&self, id: u64) -> Result<usize, HistoryError> {
        let Ok(at) = self.ops.binary_search_by_key(&id, |op| op.id) else {
            return Err(match id < self.next_id {
                true => HistoryError::NotRecorded(id),
                false => HistoryError::UnknownId(id),
            });
        };
        let op = &self.ops[at];
        if op.return_us.is_some() {
            return Err(HistoryError::AlreadyCompleted(id));
        }
        if op.abandoned {
            return Err(HistoryError::Abandoned(id));
        }
        Ok(at)
    }

    /// Records the store's reply. A refused command ([`Reply::Refused`]) is
    /// left pending, and abandoned: a refusal such as `Stale` can hide an
    /// earlier attempt that did take effect, so the checker must allow both,
    /// and the client moves on. [`ApplyError::StoreFull`] is the exception:
    /// the store runs each request once and answers its retries from its
    /// cache, so that answer says no attempt took effect, and the operation
    /// is forgotten (see [`forget_without_effect`](Self::forget_without_effect)).
    /// (Only a retry after its client's session was evicted runs again; if an
    /// earlier attempt took effect, a read of it is then rightly reported.)
    pub fn complete_reply(
        &mut self,
        id: u64,
        reply: &Reply,
        now: TimeUs,
    ) -> Result<(), HistoryError> {
        match reply {
            Reply::Done(outcome) => self.complete(id, outcome.clone(), now),
            Reply::Refused(ApplyError::StoreFull) => self.forget_without_effect(id),
            Reply::Refused(_) => self.abandon(id),
        }
    }

    /// Forgets pending operation `id`, known never to take effect. Its
    /// refusal depends on every key (how many the store holds), which the
    /// checker's one-key-at-a-time model cannot judge, and an operation
    /// without effect constrains nothing else; kept as abandoned it would
    /// let a read of its value pass, and hold its key's fold back forever.
    /// It counts as [`folded`](Self::folded).
    pub fn forget_without_effect(&mut self, id: u64) -> Result<(), HistoryError> {
        let at = self.pending_at(id)?;
        let op = self.ops.remove(at);
        let key = op.input.key();
        if let Some(k) = self.by_key.get_mut(key) {
            k.ids.retain(|&other| other != id);
        }
        mark_changed(&mut self.by_key, &mut self.revision, key);
        if self.by_key.get(key).is_some_and(KeyOps::as_if_unused) {
            let forgotten = self.by_key.remove(key);
            self.forgotten_until = self
                .forgotten_until
                .max(forgotten.and_then(|k| k.folded_until));
        }
        self.folded += 1;
        Ok(())
    }

    /// The operations held (recorded and not folded), by ascending id.
    pub fn operations(&self) -> &[Operation] {
        &self.ops
    }

    /// The operation with this id, if held.
    pub fn get(&self, id: u64) -> Option<&Operation> {
        let at = self.ops.binary_search_by_key(&id, |op| op.id).ok()?;
        self.ops.get(at)
    }

    /// The number of operations held.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// How many operations were folded away: into their key's baseline
    /// value, or, for abandoned `GET`s and operations refused without
    /// effect, forgotten.
    pub fn folded(&self) -> u64 {
        self.folded
    }

    /// Every operation invoked so far: held, folded or dropped.
    pub fn invoked(&self) -> u64 {
        self.next_id
    }

    /// The value `key` held after its folded operations (`None`: absent,
    /// also when nothing was folded); checking starts from it.
    pub fn baseline(&self, key: &str) -> Option<&str> {
        self.by_key.get(key).and_then(|k| k.baseline.as_deref())
    }

    /// Whether no operation is held.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// How many invocations were not recorded because the history was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The keys touched, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.by_key.keys().map(String::as_str)
    }

    /// The ids of the operations on `key`, in invocation order.
    pub fn ids_for_key(&self, key: &str) -> &[u64] {
        self.by_key.get(key).map_or(&[], |k| &k.ids)
    }

    /// The first operation on `key` recorded after a fold with a time that
    /// lets it precede folded operations, if any (see [`invoke`](Self::invoke)).
    pub(crate) fn overtaken(&self, key: &str) -> Option<Overtaken> {
        self.by_key.get(key).and_then(|k| k.overtaken)
    }

    /// A number that changes whenever an operation on `key` is invoked or
    /// completes (0 if none): a cache of per-key verdicts stays valid while it holds.
    pub fn key_version(&self, key: &str) -> u64 {
        self.by_key.get(key).map_or(0, |k| k.version)
    }
}

/// Records a change to `key`'s operations: a new history revision, which
/// the key remembers (see [`History::key_version`]).
fn mark_changed(by_key: &mut BTreeMap<String, KeyOps>, revision: &mut u64, key: &str) {
    *revision += 1;
    if let Some(entry) = by_key.get_mut(key) {
        entry.version = *revision;
    }
}
