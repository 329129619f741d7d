//! The key-value store every server keeps, and its client sessions.

use alloc::collections::BTreeMap;
use alloc::string::String;

use super::codec::decode_command;
use super::command::{Command, CommandRef, OpRef};
use super::reply::{ApplyError, Outcome, Reply};
use super::semantics::Effect;
use super::{DecodeError, MAX_KEYS, MAX_SESSIONS};
use crate::types::LogIndex;

/// The first result of a command, remembered for retries.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) enum CachedReply {
    /// The command ran with this outcome.
    Done(Outcome),
    /// The command was refused because the store was full.
    StoreFull,
}

impl CachedReply {
    pub(crate) fn to_reply(&self) -> Reply {
        match self {
            CachedReply::Done(o) => Reply::Done(o.clone()),
            CachedReply::StoreFull => Reply::Refused(ApplyError::StoreFull),
        }
    }
}

/// A client's session: the last command executed and its reply (thesis §6.3).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Session {
    pub(crate) last_seq: u64,
    pub(crate) reply: CachedReply,
    /// The store's use tick when the session was last used; the smallest is evicted first.
    pub(crate) last_used: u64,
}

/// A read-only view of one client session, for the UI.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SessionInfo {
    /// The client.
    pub client_id: u64,
    /// The last sequence number executed for it.
    pub last_seq: u64,
    /// The reply a retry of `last_seq` gets.
    pub reply: Reply,
}

/// The replicated key-value state machine.
///
/// Applying the same entries in the same order gives equal stores on every
/// server: all state is in `BTreeMap`s and nothing reads a clock or a random
/// source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct KvStore {
    pub(crate) data: BTreeMap<String, String>,
    pub(crate) sessions: BTreeMap<u64, Session>,
    /// Counts session uses; the next use gets `tick + 1`.
    pub(crate) tick: u64,
    pub(crate) applied_index: LogIndex,
}

impl KvStore {
    /// An empty store, before any log entry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies the committed entry at `index`. `index` must be larger than
    /// [`applied_index`](Self::applied_index) (gaps are fine: not every log
    /// entry is a command); otherwise nothing changes and the reply is
    /// [`ApplyError::OutOfOrder`] (and debug builds panic, as that is a Raft bug).
    ///
    /// A command whose `(client_id, seq)` already ran gets the first reply
    /// again without running twice; an older `seq` gets [`ApplyError::Stale`].
    /// Refused entries still consume their index.
    pub fn apply(&mut self, index: LogIndex, cmd: &Command) -> Reply {
        match self.advance(index) {
            Ok(()) => self.execute(cmd.borrowed(), true).expect("asked for"),
            Err(e) => Reply::Refused(e),
        }
    }

    /// Like [`apply`](Self::apply) for an entry's raw bytes. Bytes that are not
    /// a valid command give [`ApplyError::Malformed`] (or
    /// [`ApplyError::Invalid`] for a command over a limit); the data and
    /// sessions are untouched, only the index is consumed.
    pub fn apply_bytes(&mut self, index: LogIndex, bytes: &[u8]) -> Reply {
        self.apply_entry(index, bytes, true).expect("asked for")
    }

    /// [`apply_bytes`](Self::apply_bytes), returning the reply only if
    /// `answer`: a server with no client waiting for this entry changes its
    /// store and sessions the same way without copying a reply to drop.
    pub(crate) fn apply_entry(
        &mut self,
        index: LogIndex,
        bytes: &[u8],
        answer: bool,
    ) -> Option<Reply> {
        if let Err(e) = self.advance(index) {
            return Some(Reply::Refused(e));
        }
        match decode_command(bytes) {
            Ok(cmd) => self.execute(cmd, answer),
            Err(DecodeError::InvalidCommand(e)) => Some(Reply::Refused(ApplyError::Invalid(e))),
            Err(e) => Some(Reply::Refused(ApplyError::Malformed(e))),
        }
    }

    /// The index of the last entry applied (0 before any).
    pub fn applied_index(&self) -> LogIndex {
        self.applied_index
    }

    /// The value under `key`, if any.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.data.get(key).map(String::as_str)
    }

    /// All pairs in key order (deterministic, as the UI lists them).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.data.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The number of keys (at most [`MAX_KEYS`]).
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The number of client sessions (at most [`MAX_SESSIONS`]).
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// The session of `client_id`, if remembered.
    pub fn session(&self, client_id: u64) -> Option<SessionInfo> {
        self.sessions.get(&client_id).map(|s| SessionInfo {
            client_id,
            last_seq: s.last_seq,
            reply: s.reply.to_reply(),
        })
    }

    fn advance(&mut self, index: LogIndex) -> Result<(), ApplyError> {
        let applied_index = self.applied_index;
        debug_assert!(
            index > applied_index,
            "entry {index} applied after entry {applied_index}: entries must be applied in order, once"
        );
        if index <= applied_index {
            return Err(ApplyError::OutOfOrder {
                index,
                applied_index,
            });
        }
        self.applied_index = index;
        Ok(())
    }

    /// Runs `cmd` once per session sequence number; the reply if `answer`.
    fn execute(&mut self, cmd: CommandRef<'_>, answer: bool) -> Option<Reply> {
        if let Err(e) = cmd.op.validate() {
            return Some(Reply::Refused(ApplyError::Invalid(e)));
        }
        if let Some(session) = self.sessions.get(&cmd.client_id) {
            let last_seq = session.last_seq;
            if cmd.seq < last_seq {
                let (client_id, seq) = (cmd.client_id, cmd.seq);
                return Some(Reply::Refused(ApplyError::Stale {
                    client_id,
                    seq,
                    last_seq,
                }));
            }
            if cmd.seq == last_seq {
                let reply = answer.then(|| session.reply.to_reply());
                self.touch(cmd.client_id, last_seq, None);
                return reply;
            }
        }
        let result = self.run(cmd.op);
        let reply = answer.then(|| result.to_reply());
        self.touch(cmd.client_id, cmd.seq, Some(result));
        reply
    }

    /// Runs the operation itself; sessions are handled by the caller.
    fn run(&mut self, op: OpRef<'_>) -> CachedReply {
        let key = op.key();
        let current = self.data.get(key).map(String::as_str);
        let (outcome, effect) = op.apply_to(current);
        if effect.creates(current) && self.data.len() >= MAX_KEYS {
            return CachedReply::StoreFull;
        }
        match effect {
            Effect::Keep => {}
            Effect::Write(value) => match self.data.get_mut(key) {
                // Overwrite in place: no new key, and the old value's buffer is reused.
                Some(v) => {
                    v.clear();
                    v.push_str(value);
                }
                None => {
                    self.data.insert(String::from(key), String::from(value));
                }
            },
            Effect::Remove => {
                self.data.remove(key);
            }
        }
        CachedReply::Done(outcome)
    }

    /// Marks the client's session as just used, recording a new result if
    /// given, and evicts the least recently used session when over the limit.
    fn touch(&mut self, client_id: u64, seq: u64, result: Option<CachedReply>) {
        self.tick = self.tick.saturating_add(1);
        let tick = self.tick;
        match self.sessions.get_mut(&client_id) {
            Some(session) => {
                session.last_used = tick;
                session.last_seq = seq;
                if let Some(result) = result {
                    session.reply = result;
                }
            }
            None => {
                let Some(reply) = result else { return };
                if self.sessions.len() >= MAX_SESSIONS {
                    // Only a new client of a full store pays for the scan;
                    // every command touches a session, so no index is kept
                    // for this. Ticks are unique: the choice is determined.
                    let oldest = self
                        .sessions
                        .iter()
                        .min_by_key(|(_, s)| s.last_used)
                        .map(|(&id, _)| id);
                    if let Some(evicted) = oldest {
                        self.sessions.remove(&evicted);
                    }
                }
                self.sessions.insert(
                    client_id,
                    Session {
                        last_seq: seq,
                        reply,
                        last_used: tick,
                    },
                );
            }
        }
    }
}
