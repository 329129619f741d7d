//! Is a history of key-value client operations linearizable?
//!
//! A history is linearizable when every operation can be given one instant
//! between its invocation and its return such that, taken in that order, the
//! operations are a legal run of the store ([`crate::kv::KvStore`]
//! semantics, via [`Op::apply_to`](crate::kv::Op::apply_to)). Operations that
//! never returned may take effect at any instant after their invocation, or
//! not at all.
//!
//! Every operation touches one key and linearizability is compositional
//! (Herlihy & Wing), so each key is checked on its own: the search is
//! Wing & Gong's backtracking with Lowe's memoization, as in Porcupine. The
//! store starts empty. Work is bounded by a step budget; running out gives
//! [`Verdict::Unknown`], never a hang. Everything iterates in key order, so
//! the verdict (and its witness or explanation) is deterministic.

mod history;
mod search;

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

pub use history::{History, HistoryError, Operation, MAX_HISTORY_OPS};
pub use search::MAX_MEMO_WORDS;

use search::KeyResult;

/// The checker's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Verdict {
    /// Every key's operations can be ordered legally.
    Linearizable {
        /// For each key checked, one valid order of its operation ids (pending
        /// operations included; one placed after every returned operation
        /// may as well not have happened). Pending `GET`s are left out.
        witness: BTreeMap<String, Vec<u64>>,
    },
    /// Some key's operations cannot be ordered legally.
    NotLinearizable {
        /// The first key (in key order) found with no valid order.
        key: String,
        /// The longest run of operation ids the search could order.
        prefix: Vec<u64>,
        /// The operations that could have come next there, none of which works.
        failing: Vec<u64>,
        /// What went wrong, in words, for the UI.
        explanation: String,
    },
    /// No answer within the budget (or the history overflowed its bound).
    Unknown {
        /// Why, in words.
        reason: String,
    },
}

impl Verdict {
    /// Whether the history was proved linearizable.
    pub fn is_linearizable(&self) -> bool {
        matches!(self, Verdict::Linearizable { .. })
    }

    /// Whether the history was proved not linearizable.
    pub fn is_violation(&self) -> bool {
        matches!(self, Verdict::NotLinearizable { .. })
    }
}

/// Checks every key, spending at most `max_steps` search steps in total.
pub fn check(history: &History, max_steps: u64) -> Verdict {
    let mut budget = max_steps;
    let mut witness = BTreeMap::new();
    for key in history.keys() {
        match check_one(history, key, &mut budget, max_steps) {
            Ok(order) => {
                witness.insert(String::from(key), order);
            }
            Err(verdict) => return verdict,
        }
    }
    Verdict::Linearizable { witness }
}

/// Checks the operations on `key` alone, spending at most `max_steps` steps.
/// After a new completion only that operation's key needs re-checking.
pub fn check_key(history: &History, key: &str, max_steps: u64) -> Verdict {
    let mut budget = max_steps;
    match check_one(history, key, &mut budget, max_steps) {
        Ok(order) => Verdict::Linearizable {
            witness: BTreeMap::from([(String::from(key), order)]),
        },
        Err(verdict) => verdict,
    }
}

/// Checks one key: its witness order, or the verdict to report.
fn check_one(
    history: &History,
    key: &str,
    budget: &mut u64,
    max_steps: u64,
) -> Result<Vec<u64>, Verdict> {
    if history.dropped() > 0 {
        let reason = format!(
            "the history exceeds {MAX_HISTORY_OPS} operations ({} more were not recorded)",
            history.dropped()
        );
        return Err(Verdict::Unknown { reason });
    }
    // A pending GET changes nothing and constrains nothing.
    let ops: Vec<&Operation> = history
        .ids_for_key(key)
        .iter()
        .filter_map(|&id| history.get(id))
        .filter(|op| op.input.is_write() || op.returned().is_some())
        .collect();
    match search::search(key, &ops, budget) {
        KeyResult::Linearizable(order) => Ok(order),
        KeyResult::Violation {
            prefix,
            failing,
            explanation,
        } => Err(Verdict::NotLinearizable {
            key: String::from(key),
            prefix,
            failing,
            explanation,
        }),
        KeyResult::OutOfSteps => Err(Verdict::Unknown {
            reason: format!("the budget of {max_steps} steps ran out on key {key:?}"),
        }),
        KeyResult::OutOfMemory => Err(Verdict::Unknown {
            reason: format!(
                "the search on key {key:?} outgrew its {MAX_MEMO_WORDS}-word memory bound"
            ),
        }),
    }
}

/// Re-checks only the keys whose operations changed since the last call,
/// for a UI that checks after every completion. Use one checker per history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IncrementalChecker {
    /// Per key: the [`History::key_version`] judged, and its definite result.
    judged: BTreeMap<String, (u64, Result<Vec<u64>, Verdict>)>,
}

impl IncrementalChecker {
    /// A checker that has judged nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Like [`check`], reusing the results of keys that did not change.
    /// `max_steps` bounds the new work of this call. "Unknown" results are
    /// not kept, so they are retried next time.
    pub fn check(&mut self, history: &History, max_steps: u64) -> Verdict {
        let mut budget = max_steps;
        let mut witness = BTreeMap::new();
        for key in history.keys() {
            let version = history.key_version(key);
            let result = match self.judged.get(key) {
                Some((v, result)) if *v == version => result.clone(),
                _ => {
                    let result = check_one(history, key, &mut budget, max_steps);
                    if !matches!(result, Err(Verdict::Unknown { .. })) {
                        self.judged
                            .insert(String::from(key), (version, result.clone()));
                    }
                    result
                }
            };
            match result {
                Ok(order) => {
                    witness.insert(String::from(key), order);
                }
                Err(verdict) => return verdict,
            }
        }
        Verdict::Linearizable { witness }
    }
}

#[cfg(test)]
mod tests;
