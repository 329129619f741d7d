//! Client commands: what a client asks the replicated store to do.

use alloc::string::{String, ToString};
use core::fmt;

use super::{MAX_KEY_BYTES, MAX_VALUE_BYTES};

/// One operation on a single key. Every operation touches exactly one key,
/// which is what lets the linearizability checker split a history per key.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Op {
    /// Write `value` under `key`, creating the key if needed.
    Set {
        /// The key to write.
        key: String,
        /// The new value.
        value: String,
    },
    /// Remove `key`; the reply says whether it existed.
    Delete {
        /// The key to remove.
        key: String,
    },
    /// Read `key`. Reads go through the log so they are linearizable.
    Get {
        /// The key to read.
        key: String,
    },
    /// Compare-and-set: write `new` only if the current value equals
    /// `expected` (`None` = the key must be absent).
    Cas {
        /// The key to update.
        key: String,
        /// The value the key must hold now (`None`: must be absent).
        expected: Option<String>,
        /// The value written when the comparison succeeds.
        new: String,
    },
}

impl Op {
    /// The single key this operation reads or writes.
    pub fn key(&self) -> &str {
        match self {
            Op::Set { key, .. } | Op::Delete { key } | Op::Get { key } | Op::Cas { key, .. } => key,
        }
    }

    /// Whether the operation can change the store (everything but `GET`).
    pub fn is_write(&self) -> bool {
        !matches!(self, Op::Get { .. })
    }

    /// Checks the size limits; see [`Command::validate`].
    pub fn validate(&self) -> Result<(), CommandError> {
        self.borrowed().validate()
    }

    /// The operation with its strings borrowed.
    pub(crate) fn borrowed(&self) -> OpRef<'_> {
        match self {
            Op::Set { key, value } => OpRef::Set { key, value },
            Op::Delete { key } => OpRef::Delete { key },
            Op::Get { key } => OpRef::Get { key },
            Op::Cas { key, expected, new } => OpRef::Cas {
                key,
                expected: expected.as_deref(),
                new,
            },
        }
    }

    /// A short label for the UI, e.g. `SET x=1`, with values longer than
    /// [`DESCRIBE_VALUE_CHARS`] characters shortened by an ellipsis.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = write_op(&mut out, self, Some(DESCRIBE_VALUE_CHARS));
        out
    }
}

/// An [`Op`] whose strings are borrowed, from an `Op` or straight from a
/// log entry's bytes: the store applies an entry without allocating its key
/// and value. The semantics ([`OpRef::apply_to`]) and limits are defined
/// here once, for both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpRef<'a> {
    Set {
        key: &'a str,
        value: &'a str,
    },
    Delete {
        key: &'a str,
    },
    Get {
        key: &'a str,
    },
    Cas {
        key: &'a str,
        expected: Option<&'a str>,
        new: &'a str,
    },
}

impl<'a> OpRef<'a> {
    /// The single key this operation reads or writes.
    pub(crate) fn key(self) -> &'a str {
        match self {
            OpRef::Set { key, .. }
            | OpRef::Delete { key }
            | OpRef::Get { key }
            | OpRef::Cas { key, .. } => key,
        }
    }

    /// Checks the size limits; see [`Command::validate`].
    pub(crate) fn validate(self) -> Result<(), CommandError> {
        check_key(self.key())?;
        match self {
            OpRef::Set { value, .. } => check_value(value),
            OpRef::Cas { expected, new, .. } => {
                if let Some(expected) = expected {
                    check_value(expected)?;
                }
                check_value(new)
            }
            OpRef::Delete { .. } | OpRef::Get { .. } => Ok(()),
        }
    }

    /// An owned copy.
    pub(crate) fn to_op(self) -> Op {
        match self {
            OpRef::Set { key, value } => Op::Set {
                key: key.into(),
                value: value.into(),
            },
            OpRef::Delete { key } => Op::Delete { key: key.into() },
            OpRef::Get { key } => Op::Get { key: key.into() },
            OpRef::Cas { key, expected, new } => Op::Cas {
                key: key.into(),
                expected: expected.map(String::from),
                new: new.into(),
            },
        }
    }
}

/// A [`Command`] whose operation borrows its strings (see [`OpRef`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CommandRef<'a> {
    pub(crate) client_id: u64,
    pub(crate) seq: u64,
    pub(crate) op: OpRef<'a>,
}

/// Characters of a value kept by [`Op::describe`] before it appends `…`.
pub const DESCRIBE_VALUE_CHARS: usize = 24;

/// A key or value as [`Op::describe`] shows it: cut to
/// [`DESCRIBE_VALUE_CHARS`] characters (never mid-character) and `…`.
pub fn describe_value(value: &str) -> String {
    Shown(value, Some(DESCRIBE_VALUE_CHARS)).to_string()
}

impl fmt::Display for Op {
    /// The full form, e.g. `CAS x: 1→2` (`∅` stands for "absent").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_op(f, self, None)
    }
}

fn write_op(out: &mut dyn fmt::Write, op: &Op, limit: Option<usize>) -> fmt::Result {
    let short = |s| Shown(s, limit);
    match op {
        Op::Set { key, value } => write!(out, "SET {}={}", short(key), short(value)),
        Op::Delete { key } => write!(out, "DEL {}", short(key)),
        Op::Get { key } => write!(out, "GET {}", short(key)),
        Op::Cas { key, expected, new } => match expected {
            Some(expected) => write!(
                out,
                "CAS {}: {}→{}",
                short(key),
                short(expected),
                short(new)
            ),
            None => write!(out, "CAS {}: ∅→{}", short(key), short(new)),
        },
    }
}

/// A string shown in full or cut to a number of characters (never mid-character).
struct Shown<'a>(&'a str, Option<usize>);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1.and_then(|n| self.0.char_indices().nth(n)) {
            Some((cut, _)) => write!(f, "{}…", &self.0[..cut]),
            None => f.write_str(self.0),
        }
    }
}

fn check_key(key: &str) -> Result<(), CommandError> {
    if key.is_empty() {
        return Err(CommandError::EmptyKey);
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(CommandError::KeyTooLong { len: key.len() });
    }
    Ok(())
}

fn check_value(value: &str) -> Result<(), CommandError> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(CommandError::ValueTooLong { len: value.len() });
    }
    Ok(())
}

/// A client command as stored in the Raft log: the operation plus the client
/// session identity that makes retries idempotent (thesis §6.3).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Command {
    /// The client that issued the command; one session per client.
    pub client_id: u64,
    /// The client's sequence number. A client retries with the same number
    /// and uses a larger one for its next command.
    pub seq: u64,
    /// What to do.
    pub op: Op,
}

impl Command {
    /// A command from `client_id` with sequence number `seq`.
    pub fn new(client_id: u64, seq: u64, op: Op) -> Self {
        Command { client_id, seq, op }
    }

    /// Checks the limits ([`MAX_KEY_BYTES`], [`MAX_VALUE_BYTES`], non-empty key).
    /// A command that fails is refused whole; nothing is ever truncated.
    pub fn validate(&self) -> Result<(), CommandError> {
        self.op.validate()
    }

    /// The command with its operation's strings borrowed.
    pub(crate) fn borrowed(&self) -> CommandRef<'_> {
        CommandRef {
            client_id: self.client_id,
            seq: self.seq,
            op: self.op.borrowed(),
        }
    }

    /// The short UI label of the operation, e.g. `SET x=1` (see [`Op::describe`]).
    pub fn describe(&self) -> String {
        self.op.describe()
    }
}

impl fmt::Display for Command {
    /// The operation in full, e.g. `SET x=1`; the session identity is left to the caller.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.op, f)
    }
}

/// Why a command is refused before it reaches the store.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum CommandError {
    /// Keys must have at least one byte (an empty label is invisible in the UI).
    EmptyKey,
    /// The key is longer than [`MAX_KEY_BYTES`].
    KeyTooLong {
        /// The key's length in bytes.
        len: usize,
    },
    /// A value (or CAS `expected`) is longer than [`MAX_VALUE_BYTES`].
    ValueTooLong {
        /// The value's length in bytes.
        len: usize,
    },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::EmptyKey => f.write_str("the key is empty"),
            CommandError::KeyTooLong { len } => {
                write!(
                    f,
                    "the key is {len} bytes long; the limit is {MAX_KEY_BYTES}"
                )
            }
            CommandError::ValueTooLong { len } => {
                write!(
                    f,
                    "the value is {len} bytes long; the limit is {MAX_VALUE_BYTES}"
                )
            }
        }
    }
}

impl core::error::Error for CommandError {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn s(v: &str) -> String {
        v.to_string()
    }

    #[test]
    fn describe_matches_the_ui_labels() {
        let set = Op::Set {
            key: s("x"),
            value: s("1"),
        };
        assert_eq!(set.describe(), "SET x=1");
        let cas = Op::Cas {
            key: s("x"),
            expected: Some(s("1")),
            new: s("2"),
        };
        assert_eq!(cas.describe(), "CAS x: 1→2");
        let cas_absent = Op::Cas {
            key: s("x"),
            expected: None,
            new: s("2"),
        };
        assert_eq!(cas_absent.to_string(), "CAS x: ∅→2");
        assert_eq!(Op::Get { key: s("x") }.describe(), "GET x");
        assert_eq!(
            Command::new(1, 1, Op::Delete { key: s("x") }).to_string(),
            "DEL x"
        );
    }

    #[test]
    fn describe_shortens_long_values_on_a_char_boundary() {
        let value = "é".repeat(40);
        let op = Op::Set {
            key: s("k"),
            value: value.clone(),
        };
        let label = op.describe();
        assert!(label.ends_with('…'));
        assert_eq!(
            label.chars().count(),
            "SET k=".len() + DESCRIBE_VALUE_CHARS + 1
        );
        assert_eq!(op.to_string(), alloc::format!("SET k={value}"));
        assert_eq!(describe_value(&value), label["SET k=".len()..]);
        assert_eq!(describe_value("1.5"), "1.5");
    }

    #[test]
    fn limits_are_refused_with_clear_errors() {
        let long_key = "k".repeat(MAX_KEY_BYTES + 1);
        let err = Op::Get { key: long_key }.validate().unwrap_err();
        assert_eq!(
            err,
            CommandError::KeyTooLong {
                len: MAX_KEY_BYTES + 1
            }
        );
        assert!(err.to_string().contains("limit is 64"));
        assert_eq!(
            Op::Get { key: s("") }.validate(),
            Err(CommandError::EmptyKey)
        );
        let long = "v".repeat(MAX_VALUE_BYTES + 1);
        let cas = Op::Cas {
            key: s("k"),
            expected: Some(long.clone()),
            new: s(""),
        };
        assert_eq!(
            cas.validate(),
            Err(CommandError::ValueTooLong { len: long.len() })
        );
        let exact = Op::Set {
            key: "k".repeat(MAX_KEY_BYTES),
            value: "v".repeat(MAX_VALUE_BYTES),
        };
        assert_eq!(exact.validate(), Ok(()));
    }
}
