//! Unit tests of the store: each operation, sessions, limits and snapshots.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::*;

fn s(v: &str) -> String {
    v.to_string()
}

fn set(key: &str, value: &str) -> Op {
    Op::Set {
        key: s(key),
        value: s(value),
    }
}

fn get(key: &str) -> Op {
    Op::Get { key: s(key) }
}

fn del(key: &str) -> Op {
    Op::Delete { key: s(key) }
}

fn cas(key: &str, expected: Option<&str>, new: &str) -> Op {
    Op::Cas {
        key: s(key),
        expected: expected.map(s),
        new: s(new),
    }
}

fn value(v: Option<&str>) -> Reply {
    Reply::Done(Outcome::Value(v.map(s)))
}

/// Applies ops as one client with increasing sequence numbers at increasing indexes.
struct Driver {
    store: KvStore,
    index: LogIndex,
    seq: u64,
}

impl Driver {
    fn new() -> Self {
        Driver {
            store: KvStore::new(),
            index: 0,
            seq: 0,
        }
    }

    fn run(&mut self, op: Op) -> Reply {
        self.seq += 1;
        self.send(1, self.seq, op)
    }

    fn send(&mut self, client_id: u64, seq: u64, op: Op) -> Reply {
        self.index += 1;
        self.store
            .apply(self.index, &Command::new(client_id, seq, op))
    }
}

use crate::types::LogIndex;

#[test]
fn set_then_get() {
    let mut d = Driver::new();
    assert_eq!(d.run(get("x")), value(None));
    assert_eq!(d.run(set("x", "1")), Reply::Done(Outcome::Ok));
    assert_eq!(d.run(get("x")), value(Some("1")));
    assert_eq!(d.run(set("x", "2")), Reply::Done(Outcome::Ok));
    assert_eq!(d.store.get("x"), Some("2"));
    assert_eq!(d.store.len(), 1);
    assert_eq!(d.store.applied_index(), 4);
}

#[test]
fn delete_reports_whether_the_key_existed() {
    let mut d = Driver::new();
    assert_eq!(
        d.run(del("x")),
        Reply::Done(Outcome::Deleted { existed: false })
    );
    d.run(set("x", "1"));
    assert_eq!(
        d.run(del("x")),
        Reply::Done(Outcome::Deleted { existed: true })
    );
    assert_eq!(d.run(get("x")), value(None));
    assert!(d.store.is_empty());
}

#[test]
fn cas_writes_only_on_match() {
    let mut d = Driver::new();
    assert_eq!(
        d.run(cas("x", Some("1"), "2")),
        Reply::Done(Outcome::Mismatch { actual: None })
    );
    assert_eq!(d.store.get("x"), None);
    assert_eq!(d.run(cas("x", None, "1")), Reply::Done(Outcome::Ok));
    assert_eq!(
        d.run(cas("x", None, "9")),
        Reply::Done(Outcome::Mismatch {
            actual: Some(s("1"))
        })
    );
    assert_eq!(d.run(cas("x", Some("1"), "2")), Reply::Done(Outcome::Ok));
    assert_eq!(d.store.get("x"), Some("2"));
    // Empty string is a value, distinct from absent.
    d.run(set("y", ""));
    assert_eq!(
        d.run(cas("y", None, "z")),
        Reply::Done(Outcome::Mismatch {
            actual: Some(s(""))
        })
    );
    assert_eq!(d.run(cas("y", Some(""), "z")), Reply::Done(Outcome::Ok));
}

#[test]
fn retry_gets_the_first_result_and_runs_once() {
    let mut d = Driver::new();
    d.send(1, 1, set("x", "1"));
    let first = d.send(1, 2, get("x"));
    assert_eq!(first, value(Some("1")));
    d.send(2, 1, set("x", "2"));
    // The retry of (1, 2) answers with what the first execution saw.
    assert_eq!(d.send(1, 2, get("x")), first);
    // A retried CAS does not apply twice.
    assert_eq!(d.send(1, 3, cas("n", None, "a")), Reply::Done(Outcome::Ok));
    d.send(2, 2, del("n"));
    assert_eq!(d.send(1, 3, cas("n", None, "a")), Reply::Done(Outcome::Ok));
    assert_eq!(d.store.get("n"), None);
}

#[test]
fn stale_sequence_numbers_are_refused_without_effect() {
    let mut d = Driver::new();
    d.send(1, 5, set("x", "1"));
    let before = d.store.clone();
    let reply = d.send(1, 4, set("x", "old"));
    assert_eq!(
        reply,
        Reply::Refused(ApplyError::Stale {
            client_id: 1,
            seq: 4,
            last_seq: 5
        })
    );
    assert!(reply.to_string().contains("stale"));
    assert_eq!(d.store.get("x"), Some("1"));
    assert_eq!(d.store.session(1), before.session(1));
    // Sequence numbers may skip ahead.
    assert_eq!(d.send(1, 9, set("x", "2")), Reply::Done(Outcome::Ok));
    assert_eq!(d.store.session(1).map(|s| s.last_seq), Some(9));
}

#[test]
fn clients_have_independent_sessions() {
    let mut d = Driver::new();
    assert_eq!(d.send(1, 1, set("a", "1")), Reply::Done(Outcome::Ok));
    assert_eq!(d.send(2, 1, set("b", "2")), Reply::Done(Outcome::Ok));
    assert_eq!(d.store.session_count(), 2);
    assert_eq!(d.store.get("b"), Some("2"));
}

#[test]
fn over_limit_commands_are_refused_and_not_remembered() {
    let mut d = Driver::new();
    let long = "v".repeat(MAX_VALUE_BYTES + 1);
    let reply = d.send(1, 1, set("x", &long));
    assert_eq!(
        reply,
        Reply::Refused(ApplyError::Invalid(CommandError::ValueTooLong {
            len: long.len()
        }))
    );
    assert!(d.store.is_empty());
    assert_eq!(d.store.session(1), None);
    assert_eq!(d.store.applied_index(), 1);
    // The same seq with a valid command then runs.
    assert_eq!(d.send(1, 1, set("x", "ok")), Reply::Done(Outcome::Ok));
}

#[test]
fn a_full_store_refuses_new_keys_but_allows_updates() {
    let mut d = Driver::new();
    for i in 0..MAX_KEYS {
        d.send(i as u64 % 7, i as u64, set(&format!("k{i}"), "v"));
    }
    assert_eq!(d.store.len(), MAX_KEYS);
    assert_eq!(
        d.send(100, 1, set("new", "v")),
        Reply::Refused(ApplyError::StoreFull)
    );
    assert_eq!(
        d.send(100, 2, cas("new", None, "v")),
        Reply::Refused(ApplyError::StoreFull)
    );
    // The refusal is the command's result: its retry gets it again.
    assert_eq!(
        d.send(100, 2, cas("new", None, "v")),
        Reply::Refused(ApplyError::StoreFull)
    );
    assert_eq!(d.send(100, 3, set("k0", "w")), Reply::Done(Outcome::Ok));
    assert_eq!(
        d.send(100, 4, del("k1")),
        Reply::Done(Outcome::Deleted { existed: true })
    );
    assert_eq!(d.send(100, 5, set("new", "v")), Reply::Done(Outcome::Ok));
    assert_eq!(d.store.len(), MAX_KEYS);
}

#[test]
fn the_least_recently_used_session_is_evicted() {
    let mut d = Driver::new();
    for client in 0..MAX_SESSIONS as u64 {
        d.send(client, 1, get("x"));
    }
    // Client 0 is the oldest; using it again makes client 1 the oldest.
    d.send(0, 1, get("x"));
    d.send(5000, 1, get("x"));
    assert_eq!(d.store.session_count(), MAX_SESSIONS);
    assert!(d.store.session(0).is_some());
    assert!(d.store.session(1).is_none());
    assert!(d.store.session(5000).is_some());
}

#[test]
fn malformed_bytes_leave_data_and_sessions_untouched() {
    let mut d = Driver::new();
    d.run(set("x", "1"));
    let before = d.store.clone();
    let reply = d.store.apply_bytes(2, &[1, 2, 3]);
    assert!(
        matches!(reply, Reply::Refused(ApplyError::Malformed(_))),
        "{reply:?}"
    );
    assert_eq!(
        d.store.iter().collect::<Vec<_>>(),
        before.iter().collect::<Vec<_>>()
    );
    assert_eq!(d.store.session(1), before.session(1));
    assert_eq!(d.store.applied_index(), 2);
    let too_long = Command::new(1, 9, set("x", &"v".repeat(MAX_VALUE_BYTES + 1))).encode();
    assert!(matches!(
        d.store.apply_bytes(3, &too_long),
        Reply::Refused(ApplyError::Malformed(_))
    ));
    let empty_key = Command::new(1, 9, set("", "v")).encode();
    assert_eq!(
        d.store.apply_bytes(4, &empty_key),
        Reply::Refused(ApplyError::Invalid(CommandError::EmptyKey))
    );
}

#[test]
fn apply_bytes_matches_apply() {
    let cmds = [
        Command::new(1, 1, set("x", "1")),
        Command::new(2, 1, cas("x", Some("1"), "2")),
        Command::new(1, 2, get("x")),
        Command::new(1, 2, get("x")),
    ];
    let (mut a, mut b) = (KvStore::new(), KvStore::new());
    for (i, cmd) in cmds.iter().enumerate() {
        let index = 10 * (i as u64 + 1);
        assert_eq!(a.apply(index, cmd), b.apply_bytes(index, &cmd.encode()));
    }
    assert_eq!(a, b);
}

#[test]
#[cfg_attr(
    debug_assertions,
    should_panic(expected = "entries must be applied in order")
)]
fn entries_must_be_applied_in_order_once() {
    let mut store = KvStore::new();
    store.apply(3, &Command::new(1, 1, set("x", "1")));
    let before = store.clone();
    let reply = store.apply(3, &Command::new(1, 2, set("x", "2")));
    assert_eq!(
        reply,
        Reply::Refused(ApplyError::OutOfOrder {
            index: 3,
            applied_index: 3
        })
    );
    assert_eq!(store, before);
}

#[test]
fn iteration_is_in_key_order() {
    let mut d = Driver::new();
    for k in ["m", "b", "z", "a"] {
        d.run(set(k, k));
    }
    let keys: Vec<&str> = d.store.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["a", "b", "m", "z"]);
}

#[test]
fn snapshot_restores_data_sessions_and_index() {
    let mut d = Driver::new();
    d.send(1, 1, set("x", "1"));
    d.send(2, 1, get("x"));
    d.send(3, 1, del("nope"));
    d.send(4, 1, cas("x", Some("0"), "2"));
    let restored = KvStore::restore(&d.store.snapshot()).unwrap();
    assert_eq!(restored, d.store);
    assert_eq!(restored.applied_index(), 4);
    // A retry after restore gets the cached reply, not a fresh execution.
    let mut r = restored;
    assert_eq!(
        r.apply(5, &Command::new(4, 1, cas("x", Some("1"), "3"))),
        Reply::Done(Outcome::Mismatch {
            actual: Some(s("1"))
        })
    );
}

#[test]
fn snapshot_of_a_full_store_fits_the_bound() {
    let mut d = Driver::new();
    let big = "v".repeat(MAX_VALUE_BYTES);
    for i in 0..MAX_KEYS as u64 {
        d.send(i % MAX_SESSIONS as u64, i, set(&format!("{i:0>64}"), &big));
    }
    for c in 0..MAX_SESSIONS as u64 {
        d.send(c, u64::MAX, get(&format!("{:0>64}", 0)));
    }
    let bytes = d.store.snapshot();
    assert!(
        bytes.len() <= MAX_SNAPSHOT_BYTES,
        "{} > {}",
        bytes.len(),
        MAX_SNAPSHOT_BYTES
    );
    assert_eq!(KvStore::restore(&bytes).unwrap(), d.store);
}

#[test]
fn restore_rejects_inconsistent_snapshots() {
    // version, applied 0, tick 0, two keys "b" then "a".
    let unordered = [1, 0, 0, 2, 1, b'b', 0, 1, b'a', 0, 0];
    assert!(matches!(
        KvStore::restore(&unordered),
        Err(DecodeError::Inconsistent(_))
    ));
    // Two sessions used at the same tick 1.
    let same_tick = [1, 0, 1, 0, 2, 1, 1, 1, 1, 2, 1, 1, 1];
    assert!(matches!(
        KvStore::restore(&same_tick),
        Err(DecodeError::Inconsistent(_))
    ));
    // A session used after the last tick.
    let future = [1, 0, 0, 0, 1, 1, 1, 1, 1];
    assert!(matches!(
        KvStore::restore(&future),
        Err(DecodeError::Inconsistent(_))
    ));
    // An empty key.
    let empty_key = [1, 0, 0, 1, 0, 0, 0];
    assert_eq!(
        KvStore::restore(&empty_key),
        Err(DecodeError::InvalidCommand(CommandError::EmptyKey))
    );
    assert_eq!(
        KvStore::restore(&[2]),
        Err(DecodeError::UnsupportedVersion(2))
    );
    // The well-formed empty store.
    assert_eq!(KvStore::restore(&[1, 0, 0, 0, 0]), Ok(KvStore::new()));
}

#[test]
fn every_truncated_snapshot_is_an_error() {
    let mut d = Driver::new();
    d.send(1, 1, set("key", "value"));
    d.send(2, 1, get("key"));
    let bytes = d.store.snapshot();
    for len in 0..bytes.len() {
        assert!(
            KvStore::restore(&bytes[..len]).is_err(),
            "prefix {len} accepted"
        );
    }
}

#[test]
fn replies_read_well() {
    assert_eq!(Reply::Done(Outcome::Ok).to_string(), "OK");
    assert_eq!(value(Some("7")).to_string(), "= 7");
    assert_eq!(value(None).to_string(), "= ∅");
    assert_eq!(
        Reply::Done(Outcome::Mismatch {
            actual: Some(s("3"))
        })
        .to_string(),
        "MISMATCH (is 3)"
    );
    assert_eq!(
        Reply::Refused(ApplyError::StoreFull).to_string(),
        "ERROR: the store is full (10000 keys)"
    );
    assert_eq!(Reply::Refused(ApplyError::StoreFull).outcome(), None);
}
