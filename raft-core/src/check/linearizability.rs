//! Is a history of key-value client operations linearizable?
//!
//! A history is linearizable when every operation can be given one instant
//! between its invocation and its return such that, taken in that order, the
//! operations are a legal run of the store ([`crate::kv::KvStore`]
//! semantics, via [`Op::apply_to`](crate::kv::Op::apply_to)). Operations that
//! never returned may take effect at any instant after their invocation, or
//! not at all. One operation precedes another only if it returned strictly
//! before the other was invoked (equal times overlap), whatever the order
//! they were recorded in.
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

pub use history::{History, HistoryError, Operation, FOLD_KEEPS_NEWEST, MAX_HISTORY_OPS};
pub use search::MAX_MEMO_WORDS;

use crate::kv::Op;
use crate::types::TimeUs;
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
    /// No answer within the budget, or none possible: the history
    /// overflowed its bound, or an operation recorded out of time order
    /// may precede operations already folded away (see [`History::invoke`]).
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
    within_bound(history)?;
    within_reach(history, key)?;
    let all = key_operations(history, key);
    search_whole(key, &all, history.baseline(key), budget, max_steps)
}

/// "Unknown" once the history has overflowed its bound (it no longer holds
/// every operation).
fn within_bound(history: &History) -> Result<(), Verdict> {
    if history.dropped() > 0 {
        let reason = format!(
            "the history exceeds {MAX_HISTORY_OPS} operations ({} more were not recorded)",
            history.dropped()
        );
        return Err(Verdict::Unknown { reason });
    }
    Ok(())
}

/// "Unknown" for a key an operation recorded out of time order overtook:
/// it may precede folded operations, which are gone.
fn within_reach(history: &History, key: &str) -> Result<(), Verdict> {
    if let Some(late) = history.overtaken(key) {
        let reason = format!(
            "operation {} on key {key:?} was recorded late: invoked at {} µs, it may precede \
             operations that returned by {} µs and were already folded into the key's value",
            late.id, late.invoke_us, late.folded_until
        );
        return Err(Verdict::Unknown { reason });
    }
    Ok(())
}

/// The history's operations on `key` in invocation order, pending `GET`s
/// included (they still keep a prefix from being settled).
fn key_operations<'h>(history: &'h History, key: &str) -> Vec<&'h Operation> {
    history
        .ids_for_key(key)
        .iter()
        .filter_map(|&id| history.get(id))
        .collect()
}

/// The operations the search orders: a pending GET changes nothing and
/// constrains nothing.
fn searched<'h>(ops: &[&'h Operation]) -> Vec<&'h Operation> {
    ops.iter()
        .copied()
        .filter(|op| op.input.is_write() || op.returned().is_some())
        .collect()
}

/// Checks one key, continuing from what an earlier check of it `settled`
/// when that still holds; returns the result and what this check settles.
///
/// Only the operations after the settled prefix are searched, from the
/// value the prefix's order left. That order is one of possibly several:
/// when the rest cannot follow it, the whole key is searched again, so a
/// verdict never depends on which order was kept.
fn check_from(
    history: &History,
    key: &str,
    settled: Option<&Settled>,
    budget: &mut u64,
    max_steps: u64,
) -> (Result<Vec<u64>, Verdict>, Option<Settled>) {
    if let Err(unknown) = within_bound(history).and_then(|()| within_reach(history, key)) {
        return (Err(unknown), None);
    }
    let all = key_operations(history, key);
    if let Some(settled) = settled.filter(|s| s.still_holds(&all)) {
        let rest = searched(&all[settled.len..]);
        if let KeyResult::Linearizable(order) =
            search::search(key, &rest, settled.value.as_deref(), budget)
        {
            let mut full = settled.order.clone();
            full.extend(order);
            let next = Settled::of(&all, &full, Some(settled), history.baseline(key));
            return (Ok(full), next);
        }
        // Not from this order: the whole key decides.
    }
    let result = search_whole(key, &all, history.baseline(key), budget, max_steps);
    let next = result
        .as_ref()
        .ok()
        .and_then(|order| Settled::of(&all, order, None, history.baseline(key)));
    (result, next)
}

/// Searches every operation of `all` (a key's held ones, in invocation
/// order) from `baseline`, the value its folded operations left: its
/// witness order, or the verdict to report.
fn search_whole(
    key: &str,
    all: &[&Operation],
    baseline: Option<&str>,
    budget: &mut u64,
    max_steps: u64,
) -> Result<Vec<u64>, Verdict> {
    match search::search(key, &searched(all), baseline, budget) {
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

/// The longest prefix of `all` (a key's operations in invocation order)
/// that every linearization of them puts first and that leaves one value
/// whatever its order: its length and latest return (`(0, 0)` if none). See
/// [`settle_points`]; an operation recorded later may undo it (see
/// [`Settled::still_holds`]).
fn settled_len(all: &[&Operation]) -> (usize, TimeUs) {
    settle_points(all, u64::MAX, TimeUs::MAX)
        .last()
        .unwrap_or((0, 0))
}

/// The ends of the prefixes of `all` (a key's operations in invocation
/// order) that every linearization puts first and that leave one value
/// whatever their order: each prefix's length and latest return, shortest
/// first.
///
/// A cut before operation i holds when every earlier one returned before
/// every later one was invoked (ties overlap: calls sort before returns),
/// also those not recorded yet, which may be invoked from `horizon` on. A
/// history may be recorded out of time order, so "later" is every operation
/// after i, not only the next. A prefix ends at a
/// cut only after an operation that stands alone between two cuts and fixes
/// the value whatever came before it (a SET, a DELETE, or a GET that saw
/// it): then every valid order of the prefix leaves the same value, and what
/// follows is never searched from a value another order would not have
/// left. A pending operation ends the list: it may take effect later. No
/// prefix holds an operation with an id of `below_id` or more.
fn settle_points<'a>(
    all: &'a [&Operation],
    below_id: u64,
    horizon: TimeUs,
) -> impl Iterator<Item = (usize, TimeUs)> + 'a {
    // The earliest invocation from each position on, the horizon included.
    let mut first_invoke_from = alloc::vec![horizon; all.len() + 1];
    for at in (0..all.len()).rev() {
        first_invoke_from[at] = first_invoke_from[at + 1].min(all[at].invoke_us);
    }
    let mut last_return_us: TimeUs = 0;
    let mut cut_before_previous = true;
    all.iter()
        .enumerate()
        .map_while(move |(at, op)| {
            let (ret, _) = op.returned().filter(|_| op.id < below_id)?;
            last_return_us = last_return_us.max(ret.max(op.invoke_us));
            let cut = last_return_us < first_invoke_from[at + 1];
            let fixes_value = matches!(
                op.input,
                Op::Set { .. } | Op::Delete { .. } | Op::Get { .. }
            );
            let settles = cut && cut_before_previous && fixes_value;
            cut_before_previous = cut;
            Some(settles.then_some((at + 1, last_return_us)))
        })
        .flatten()
}

/// The value `ops` (ascending ids) leave when taken in `order` (their ids)
/// from `value`; `None` if `order` names an operation not in `ops`.
fn value_after(
    ops: &[&Operation],
    order: &[u64],
    mut value: Option<String>,
) -> Option<Option<String>> {
    debug_assert!(ops.windows(2).all(|w| w[0].id < w[1].id));
    for id in order {
        let at = ops.binary_search_by_key(id, |op| op.id).ok()?;
        ops[at].input.apply_to(value.as_deref()).1.apply(&mut value);
    }
    Some(value)
}

/// What [`History::fold`] may fold of `key`: the ids of its longest settled
/// prefix (see [`settle_points`]; only operations numbered below `below_id`,
/// all returned before `horizon`, where operations not recorded yet may
/// start) proved linearizable from the key's baseline, the value it leaves
/// and its latest return; `None` if there is none.
///
/// Abandoned operations are left out of the prefix, and abandoned writes
/// stay held. That is sound because the prefix is proved linearizable
/// without them and ends with an operation that fixes the value: an
/// abandoned write that took effect inside the prefix changed nothing after
/// it, and one that takes effect later may still be placed there (it never
/// returns, so it constrains nothing).
pub(super) fn foldable_prefix(
    history: &History,
    key: &str,
    below_id: u64,
    horizon: TimeUs,
    budget: &mut u64,
) -> Option<(Vec<u64>, Option<String>, TimeUs)> {
    let live: Vec<&Operation> = key_operations(history, key)
        .into_iter()
        .filter(|op| !op.abandoned)
        .collect();
    // Every linearization orders the prefix segment by segment (each ends
    // with an operation that fixes the value and stands alone between
    // cuts), so each segment is proved on its own, from the value the one
    // before it fixed: the cost follows the segments' sizes, not the
    // prefix's. Folding stops before a segment that does not fit.
    let mut value = history.baseline(key).map(String::from);
    let (mut start, mut folded, mut until) = (0, 0, 0);
    for (end, last_return_us) in settle_points(&live, below_id, horizon) {
        let segment = &live[start..end];
        let next = match segment {
            // One operation alone: it must give what its client saw.
            [op] => {
                let (outcome, effect) = op.input.apply_to(value.as_deref());
                if Some(&outcome) != op.output.as_ref() {
                    break;
                }
                let mut next = value.clone();
                effect.apply(&mut next);
                next
            }
            _ => match search::search(key, segment, value.as_deref(), budget) {
                KeyResult::Linearizable(order) => value_after(segment, &order, value.clone())?,
                _ => break,
            },
        };
        (value, start, folded, until) = (next, end, end, last_return_us);
    }
    let ids = live[..folded].iter().map(|op| op.id).collect();
    (folded > 0).then_some((ids, value, until))
}

/// A prefix of a key's operations that every linearization puts first:
/// each returned before any later operation was invoked. Kept with one
/// valid order of it and the value that order leaves, so the next check of
/// the key searches only what came after.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Settled {
    /// How many of the key's operations (in invocation order) it holds.
    len: usize,
    /// The id of the last of them, to recognise the same prefix.
    last_id: u64,
    /// The latest return among them.
    last_return_us: TimeUs,
    /// One valid order of them (operation ids).
    order: Vec<u64>,
    /// The key's value after that order.
    value: Option<String>,
}

impl Settled {
    /// Whether `all` (a key's operations now) still starts with this prefix
    /// and everything after it was invoked after its last return. Every
    /// operation after it counts, not only the next: one recorded later may
    /// carry an earlier time, and may then precede the prefix.
    fn still_holds(&self, all: &[&Operation]) -> bool {
        self.len > 0
            && all
                .get(self.len - 1)
                .is_some_and(|op| op.id == self.last_id)
            && all[self.len..]
                .iter()
                .all(|next| next.invoke_us > self.last_return_us)
    }

    /// The longest settled prefix of `all`, given `order`, a valid order of
    /// every operation in `all` (pending `GET`s aside) that starts with
    /// `previous`'s order if there is one. `None` if nothing is settled.
    fn of(
        all: &[&Operation],
        order: &[u64],
        previous: Option<&Settled>,
        baseline: Option<&str>,
    ) -> Option<Settled> {
        let (len, settled_return_us) = settled_len(all);
        if len == 0 {
            return previous.cloned();
        }
        // Every operation of the prefix returned, so the order holds each of
        // them, before any later one: its first `len` ids.
        let (start, value) = match previous {
            Some(p) if p.len <= len => (p.len, p.value.clone()),
            _ => (0, baseline.map(String::from)),
        };
        let value = value_after(&all[start..len], order.get(start..len)?, value)?;
        Some(Settled {
            len,
            last_id: all[len - 1].id,
            last_return_us: settled_return_us,
            order: order[..len].to_vec(),
            value,
        })
    }
}

/// Re-checks only the keys whose operations changed since the last call,
/// for a UI that checks after every completion. Use one checker per history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IncrementalChecker {
    /// Per key: the [`History::key_version`] judged, its definite result,
    /// and the prefix of its operations that result settled.
    judged: BTreeMap<String, Judged>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Judged {
    version: u64,
    result: Result<Vec<u64>, Verdict>,
    settled: Option<Settled>,
}

impl IncrementalChecker {
    /// A checker that has judged nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Like [`check`], reusing the results of keys that did not change, and
    /// for a key that did, searching only the operations after the prefix
    /// its last check settled (see `Settled`), so that the cost of a check
    /// follows what is new rather than the length of the run. The verdict is
    /// the same as [`check`]'s; a witness may be another valid order.
    /// `max_steps` bounds the new work of this call. "Unknown" results are
    /// not kept, so they are retried next time.
    pub fn check(&mut self, history: &History, max_steps: u64) -> Verdict {
        // Keys a fold forgot are judged no more.
        self.judged
            .retain(|key, _| history.by_key.contains_key(key));
        let mut budget = max_steps;
        let mut witness = BTreeMap::new();
        for key in history.keys() {
            let version = history.key_version(key);
            let result = match self.judged.get(key) {
                Some(judged) if judged.version == version => judged.result.clone(),
                _ => {
                    let previous = self.judged.get_mut(key).and_then(|j| j.settled.take());
                    let (result, settled) =
                        check_from(history, key, previous.as_ref(), &mut budget, max_steps);
                    if matches!(result, Err(Verdict::Unknown { .. })) {
                        // Retried next time (the version is the old one),
                        // from what was settled before.
                        if let Some(judged) = self.judged.get_mut(key) {
                            judged.settled = previous;
                        }
                    } else {
                        let judged = Judged {
                            version,
                            result: result.clone(),
                            settled,
                        };
                        self.judged.insert(String::from(key), judged);
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
