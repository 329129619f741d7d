//! What applying a command returns to the client.

use alloc::string::String;
use core::fmt;

use super::codec::DecodeError;
use super::command::CommandError;
use super::MAX_KEYS;
use crate::types::LogIndex;

/// The result of an operation that ran. Each [`Op`](super::Op) has its own
/// outcomes, and the linearizability checker's model uses exactly these.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Outcome {
    /// `SET` wrote its value; `CAS` matched and wrote its new value.
    Ok,
    /// `DEL` ran; `existed` says whether the key was there.
    Deleted {
        /// Whether the key held a value before the delete.
        existed: bool,
    },
    /// `GET` read this value (`None`: the key is absent).
    Value(Option<String>),
    /// `CAS` did not match and changed nothing; `actual` is what the key held.
    Mismatch {
        /// The value found instead of the expected one.
        actual: Option<String>,
    },
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Ok => f.write_str("OK"),
            Outcome::Deleted { existed: true } => f.write_str("OK (deleted)"),
            Outcome::Deleted { existed: false } => f.write_str("OK (was absent)"),
            Outcome::Value(Some(v)) => write!(f, "= {v}"),
            Outcome::Value(None) => f.write_str("= ∅"),
            Outcome::Mismatch { actual: Some(v) } => write!(f, "MISMATCH (is {v})"),
            Outcome::Mismatch { actual: None } => f.write_str("MISMATCH (is ∅)"),
        }
    }
}

/// Why a log entry was not executed. Except for [`ApplyError::StoreFull`],
/// the store's data and sessions are untouched.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ApplyError {
    /// The client already moved past this sequence number: this is an old
    /// duplicate whose reply is no longer remembered (thesis §6.3).
    Stale {
        /// The client.
        client_id: u64,
        /// The sequence number received.
        seq: u64,
        /// The last sequence number executed for this client.
        last_seq: u64,
    },
    /// The entry's bytes are not a valid command.
    Malformed(DecodeError),
    /// The command breaks a size limit.
    Invalid(CommandError),
    /// The entry is at or before the last applied index: entries must be
    /// applied in order, each exactly once. Nothing changed.
    OutOfOrder {
        /// The index offered.
        index: LogIndex,
        /// The store's last applied index.
        applied_index: LogIndex,
    },
    /// The command would create key number [`MAX_KEYS`] + 1. This counts as
    /// the command's result: a retry gets the same answer.
    StoreFull,
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::Stale {
                client_id,
                seq,
                last_seq,
            } => write!(
                f,
                "stale request: client {client_id} sent seq {seq} after seq {last_seq}"
            ),
            ApplyError::Malformed(e) => write!(f, "malformed entry: {e}"),
            ApplyError::Invalid(e) => write!(f, "refused: {e}"),
            ApplyError::OutOfOrder {
                index,
                applied_index,
            } => write!(
                f,
                "entry {index} is not after the last applied entry {applied_index}"
            ),
            ApplyError::StoreFull => write!(f, "the store is full ({MAX_KEYS} keys)"),
        }
    }
}

impl core::error::Error for ApplyError {}

/// What the state machine answers for one log entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Reply {
    /// The command ran (or is a retry of one that ran): its first outcome.
    Done(Outcome),
    /// The command was refused.
    Refused(ApplyError),
}

impl Reply {
    /// The outcome, if the command ran.
    pub fn outcome(&self) -> Option<&Outcome> {
        match self {
            Reply::Done(o) => Some(o),
            Reply::Refused(_) => None,
        }
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Done(o) => fmt::Display::fmt(o, f),
            Reply::Refused(e) => write!(f, "ERROR: {e}"),
        }
    }
}
