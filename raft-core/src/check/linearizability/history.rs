//! Recording what clients did and saw: the input of the checker.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::kv::{Op, Outcome, Reply};
use crate::types::TimeUs;

/// Most operations a [`History`] records. Later invocations are counted but
/// not stored, and the checker answers [`Verdict::Unknown`](super::Verdict::Unknown)
/// rather than judge a partial history.
pub const MAX_HISTORY_OPS: usize = 10_000;

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
}

/// A bounded record of client operations, indexed by key so that the
/// checker can re-examine only the keys that changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct History {
    ops: Vec<Operation>,
    pub(crate) by_key: BTreeMap<String, KeyOps>,
    /// Invocations beyond [`MAX_HISTORY_OPS`], not stored.
    dropped: u64,
    /// Counts changes; each key remembers the revision of its last change.
    revision: u64,
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `client_id` sent `op` at `now`, and returns the
    /// operation's id. Past [`MAX_HISTORY_OPS`] the operation is only counted.
    pub fn invoke(&mut self, client_id: u64, op: Op, now: TimeUs) -> u64 {
        let id = self.ops.len() as u64 + self.dropped;
        if self.ops.len() >= MAX_HISTORY_OPS {
            self.dropped += 1;
            return id;
        }
        self.revision += 1;
        let entry = self.by_key.entry(String::from(op.key())).or_default();
        entry.ids.push(id);
        entry.version = self.revision;
        let (return_us, output) = (None, None);
        self.ops.push(Operation {
            id,
            client_id,
            invoke_us: now,
            return_us,
            input: op,
            output,
        });
        id
    }

    /// Records that operation `id` returned `output` at `now`.
    pub fn complete(&mut self, id: u64, output: Outcome, now: TimeUs) -> Result<(), HistoryError> {
        let Some(op) = self.ops.get_mut(id as usize) else {
            return Err(match id < self.ops.len() as u64 + self.dropped {
                true => HistoryError::NotRecorded(id),
                false => HistoryError::UnknownId(id),
            });
        };
        if op.return_us.is_some() {
            return Err(HistoryError::AlreadyCompleted(id));
        }
        if now < op.invoke_us {
            return Err(HistoryError::ReturnBeforeInvoke(id));
        }
        op.return_us = Some(now);
        op.output = Some(output);
        self.revision += 1;
        if let Some(entry) = self.by_key.get_mut(op.input.key()) {
            entry.version = self.revision;
        }
        Ok(())
    }

    /// Records the store's reply. A refused command ([`Reply::Refused`]) is
    /// left pending: a refusal such as `Stale` can hide an earlier attempt
    /// that did take effect, so the checker must allow both.
    pub fn complete_reply(
        &mut self,
        id: u64,
        reply: &Reply,
        now: TimeUs,
    ) -> Result<(), HistoryError> {
        match reply {
            Reply::Done(outcome) => self.complete(id, outcome.clone(), now),
            Reply::Refused(_) => Ok(()),
        }
    }

    /// The recorded operations, by id.
    pub fn operations(&self) -> &[Operation] {
        &self.ops
    }

    /// The operation with this id, if recorded.
    pub fn get(&self, id: u64) -> Option<&Operation> {
        self.ops.get(usize::try_from(id).ok()?)
    }

    /// The number of recorded operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether nothing was recorded.
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

    /// A number that changes whenever an operation on `key` is invoked or
    /// completes (0 if none): a cache of per-key verdicts stays valid while it holds.
    pub fn key_version(&self, key: &str) -> u64 {
        self.by_key.get(key).map_or(0, |k| k.version)
    }
}
