//! The replicated key-value state machine that Raft log entries drive.
//!
//! Commands travel through the log as opaque bytes ([`Command::encode`]); every
//! server applies the same committed bytes in the same order to its own
//! [`KvStore`], so all stores stay identical (paper §5, "replicated state
//! machine"). Client sessions (thesis §6.3) make retried commands take effect at
//! most once.
//!
//! Every size is bounded so a misbehaving client cannot grow a server without
//! limit: see [`MAX_KEY_BYTES`], [`MAX_VALUE_BYTES`], [`MAX_KEYS`] and
//! [`MAX_SESSIONS`]. Commands over a limit are refused, never truncated.

mod codec;
mod command;
mod reply;
mod semantics;
mod snapshot;
mod store;

pub(crate) use codec::encode_command_into;
pub use codec::DecodeError;
pub use command::{describe_value, Command, CommandError, Op, DESCRIBE_VALUE_CHARS};
pub use reply::{ApplyError, Outcome, Reply};
pub use semantics::Effect;
pub use store::{KvStore, SessionInfo};

/// Longest key, in UTF-8 bytes. Keys are labels shown in the UI, so they stay short.
pub const MAX_KEY_BYTES: usize = 64;

/// Longest value, in UTF-8 bytes (also bounds a CAS `expected` value).
pub const MAX_VALUE_BYTES: usize = 1024;

/// Most keys a store holds. A `SET`/`CAS` that would create one more key is
/// refused with [`ApplyError::StoreFull`]; overwriting an existing key still works.
pub const MAX_KEYS: usize = 10_000;

/// Most client sessions remembered. One more client evicts the least recently
/// used session (smallest use tick, a deterministic choice on every server).
/// A retry from an evicted client is executed again: the known cost of bounded
/// sessions (thesis §6.3).
pub const MAX_SESSIONS: usize = 1_000;

/// Longest encoded [`Command`]: version, two varints, an opcode and a CAS with
/// maximal key, `expected` and `new`. [`Command::decode`] refuses longer input up front.
pub const MAX_COMMAND_BYTES: usize = 1
    + 2 * codec::MAX_VARINT_BYTES
    + 1
    + codec::str_bound(MAX_KEY_BYTES)
    + 1
    + 2 * codec::str_bound(MAX_VALUE_BYTES);

/// Longest snapshot [`KvStore::restore`] accepts: a full store plus a full
/// session table whose cached replies carry maximal values.
pub const MAX_SNAPSHOT_BYTES: usize = 1
    + 4 * codec::MAX_VARINT_BYTES
    + MAX_KEYS * (codec::str_bound(MAX_KEY_BYTES) + codec::str_bound(MAX_VALUE_BYTES))
    + MAX_SESSIONS * (3 * codec::MAX_VARINT_BYTES + 2 + codec::str_bound(MAX_VALUE_BYTES));

#[cfg(test)]
mod tests;
