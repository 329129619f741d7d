//! The meaning of each operation on one key's value, as a pure function.
//!
//! [`KvStore`](super::KvStore) and the linearizability checker's model both
//! call [`Op::apply_to`], so the checker judges histories by exactly the
//! semantics the store implements.

use alloc::string::{String, ToString};

use super::command::{Op, OpRef};
use super::reply::Outcome;

/// What an operation does to its key's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Effect<'a> {
    /// The value stays as it was.
    Keep,
    /// The key now holds this value.
    Write(&'a str),
    /// The key is now absent.
    Remove,
}

impl Effect<'_> {
    /// Whether the effect makes a key exist that did not exist before.
    pub fn creates(&self, current: Option<&str>) -> bool {
        current.is_none() && matches!(self, Effect::Write(_))
    }

    /// Applies the effect to a key's value held apart from a store
    /// (`None`: absent), as the checkers replay an order of operations.
    pub fn apply(self, value: &mut Option<String>) {
        match self {
            Effect::Keep => {}
            Effect::Write(v) => *value = Some(String::from(v)),
            Effect::Remove => *value = None,
        }
    }
}

impl Op {
    /// Runs the operation against `current`, the key's value (`None`:
    /// absent), and returns the client's outcome and the effect on the key.
    /// Pure and deterministic; the store adds only the [`MAX_KEYS`](super::MAX_KEYS) check.
    pub fn apply_to<'a>(&'a self, current: Option<&str>) -> (Outcome, Effect<'a>) {
        self.borrowed().apply_to(current)
    }
}

impl<'a> OpRef<'a> {
    /// [`Op::apply_to`], the one definition of what each operation does.
    pub(crate) fn apply_to(self, current: Option<&str>) -> (Outcome, Effect<'a>) {
        match self {
            OpRef::Set { value, .. } => (Outcome::Ok, Effect::Write(value)),
            OpRef::Delete { .. } => (
                Outcome::Deleted {
                    existed: current.is_some(),
                },
                Effect::Remove,
            ),
            OpRef::Get { .. } => (
                Outcome::Value(current.map(ToString::to_string)),
                Effect::Keep,
            ),
            OpRef::Cas { expected, new, .. } => {
                if current == expected {
                    (Outcome::Ok, Effect::Write(new))
                } else {
                    let actual = current.map(ToString::to_string);
                    (Outcome::Mismatch { actual }, Effect::Keep)
                }
            }
        }
    }
}
