//! Snapshots of the whole store, sessions included (paper §7): a server that
//! installs one must answer retries exactly as the servers that applied the log.
//!
//! Format (version 1): version byte, `applied_index`, session `tick`, the key
//! count then each key and value in increasing key order, the session count
//! then each session (`client_id` increasing, `last_seq`, `last_used`, reply).

use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use super::codec::{put_opt_str, put_str, put_varint, DecodeError, Reader, VERSION};
use super::command::Op;
use super::reply::Outcome;
use super::store::{CachedReply, KvStore, Session};
use super::{MAX_KEYS, MAX_KEY_BYTES, MAX_SESSIONS, MAX_SNAPSHOT_BYTES, MAX_VALUE_BYTES};

const R_STORE_FULL: u8 = 0;
const R_OK: u8 = 1;
const R_ABSENT_DELETED: u8 = 2;
const R_EXISTING_DELETED: u8 = 3;
const R_VALUE: u8 = 4;
const R_MISMATCH: u8 = 5;

impl KvStore {
    /// The whole store as versioned bytes, at most [`MAX_SNAPSHOT_BYTES`] long.
    pub fn snapshot(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.push(VERSION);
        put_varint(&mut out, self.applied_index);
        put_varint(&mut out, self.tick);
        put_varint(&mut out, self.data.len() as u64);
        for (key, value) in &self.data {
            put_str(&mut out, key);
            put_str(&mut out, value);
        }
        put_varint(&mut out, self.sessions.len() as u64);
        for (client_id, session) in &self.sessions {
            put_varint(&mut out, *client_id);
            put_varint(&mut out, session.last_seq);
            put_varint(&mut out, session.last_used);
            put_reply(&mut out, &session.reply);
        }
        out
    }

    /// Rebuilds a store from [`snapshot`](Self::snapshot) bytes. Never panics:
    /// bad, truncated, over-limit or inconsistent bytes give an error.
    pub fn restore(bytes: &[u8]) -> Result<KvStore, DecodeError> {
        if bytes.len() > MAX_SNAPSHOT_BYTES {
            let (len, max) = (bytes.len() as u64, MAX_SNAPSHOT_BYTES as u64);
            return Err(DecodeError::TooLong {
                field: "snapshot".into(),
                len,
                max,
            });
        }
        let mut r = Reader::new(bytes);
        r.version()?;
        let mut store = KvStore {
            applied_index: r.varint()?,
            tick: r.varint()?,
            ..KvStore::new()
        };
        let keys = r.bounded("key count", MAX_KEYS)?;
        for _ in 0..keys {
            let key = r.str("key", MAX_KEY_BYTES)?;
            let value = r.str("value", MAX_VALUE_BYTES)?;
            // Reuse the command limits (non-empty key) rather than restate them.
            Op::Get { key: key.clone() }
                .validate()
                .map_err(DecodeError::InvalidCommand)?;
            if store
                .data
                .last_key_value()
                .is_some_and(|(last, _)| *last >= key)
            {
                return Err(DecodeError::Inconsistent("keys out of order".into()));
            }
            store.data.insert(key, value);
        }
        let sessions = r.bounded("session count", MAX_SESSIONS)?;
        let mut ticks = BTreeSet::new();
        for _ in 0..sessions {
            let client_id = r.varint()?;
            let last_seq = r.varint()?;
            let last_used = r.varint()?;
            let reply = read_reply(&mut r)?;
            if store
                .sessions
                .last_key_value()
                .is_some_and(|(last, _)| *last >= client_id)
            {
                return Err(DecodeError::Inconsistent("sessions out of order".into()));
            }
            if last_used > store.tick {
                return Err(DecodeError::Inconsistent(
                    "session used after the last tick".into(),
                ));
            }
            if !ticks.insert(last_used) {
                return Err(DecodeError::Inconsistent(
                    "two sessions used at the same tick".into(),
                ));
            }
            store.sessions.insert(
                client_id,
                Session {
                    last_seq,
                    reply,
                    last_used,
                },
            );
        }
        r.finish()?;
        Ok(store)
    }
}

fn put_reply(out: &mut Vec<u8>, reply: &CachedReply) {
    match reply {
        CachedReply::StoreFull => out.push(R_STORE_FULL),
        CachedReply::Done(Outcome::Ok) => out.push(R_OK),
        CachedReply::Done(Outcome::Deleted { existed: false }) => out.push(R_ABSENT_DELETED),
        CachedReply::Done(Outcome::Deleted { existed: true }) => out.push(R_EXISTING_DELETED),
        CachedReply::Done(Outcome::Value(v)) => {
            out.push(R_VALUE);
            put_opt_str(out, v.as_deref());
        }
        CachedReply::Done(Outcome::Mismatch { actual }) => {
            out.push(R_MISMATCH);
            put_opt_str(out, actual.as_deref());
        }
    }
}

fn read_reply(r: &mut Reader<'_>) -> Result<CachedReply, DecodeError> {
    let outcome = match r.byte()? {
        R_STORE_FULL => return Ok(CachedReply::StoreFull),
        R_OK => Outcome::Ok,
        R_ABSENT_DELETED => Outcome::Deleted { existed: false },
        R_EXISTING_DELETED => Outcome::Deleted { existed: true },
        R_VALUE => Outcome::Value(r.opt_str("value", MAX_VALUE_BYTES)?),
        R_MISMATCH => Outcome::Mismatch {
            actual: r.opt_str("value", MAX_VALUE_BYTES)?,
        },
        tag => {
            return Err(DecodeError::UnknownTag {
                field: "reply".into(),
                tag,
            })
        }
    };
    Ok(CachedReply::Done(outcome))
}
