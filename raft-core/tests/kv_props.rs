//! Property tests of the key-value state machine: the command codec and snapshots.

use proptest::prelude::*;
use raft_core::kv::{Command, KvStore, Op, Reply, MAX_KEY_BYTES, MAX_VALUE_BYTES};

fn key() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[a-c]{1,2}", 1 => "\\PC{1,16}"]
        .prop_filter("key limit", |k| !k.is_empty() && k.len() <= MAX_KEY_BYTES)
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[0-3]{0,2}", 1 => "\\PC{0,40}"]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (key(), value()).prop_map(|(key, value)| Op::Set { key, value }),
        key().prop_map(|key| Op::Delete { key }),
        key().prop_map(|key| Op::Get { key }),
        (key(), proptest::option::of(value()), value()).prop_map(|(key, expected, new)| Op::Cas {
            key,
            expected,
            new
        }),
    ]
}

/// Commands from a few clients whose sequence numbers mostly grow but
/// sometimes repeat (retries) or go back (stale duplicates).
fn commands() -> impl Strategy<Value = Vec<Command>> {
    proptest::collection::vec((0u64..4, -1i64..3, op()), 0..60).prop_map(|steps| {
        let mut seqs = [0u64; 4];
        steps
            .into_iter()
            .map(|(client, delta, op)| {
                let seq = &mut seqs[client as usize];
                *seq = seq.saturating_add_signed(delta);
                Command::new(client, *seq, op)
            })
            .collect()
    })
}

fn run(store: &mut KvStore, first_index: u64, cmds: &[Command]) -> Vec<Reply> {
    cmds.iter()
        .zip(first_index..)
        .map(|(cmd, index)| store.apply(index, cmd))
        .collect()
}

proptest! {
    #[test]
    fn commands_round_trip(client_id in any::<u64>(), seq in any::<u64>(), op in op()) {
        let cmd = Command::new(client_id, seq, op);
        prop_assert_eq!(Command::decode(&cmd.encode()), Ok(cmd));
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(cmd) = Command::decode(&bytes) {
            // Each command has exactly one encoding.
            prop_assert_eq!(cmd.encode(), bytes);
        }
    }

    #[test]
    fn decode_never_panics_on_mutated_encodings(
        op in op(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = Command::new(3, 9, op).encode();
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let len = cut.index(bytes.len() + 1);
        if let Ok(cmd) = Command::decode(&bytes[..len]) {
            prop_assert!(cmd.validate().is_ok());
        }
    }

    #[test]
    fn over_limit_commands_never_decode(extra in 1usize..64, in_key in any::<bool>()) {
        let op = if in_key {
            Op::Get { key: "k".repeat(MAX_KEY_BYTES + extra) }
        } else {
            Op::Set { key: "k".into(), value: "v".repeat(MAX_VALUE_BYTES + extra) }
        };
        let cmd = Command::new(1, 1, op);
        prop_assert!(cmd.validate().is_err());
        prop_assert!(Command::decode(&cmd.encode()).is_err());
    }

    #[test]
    fn restore_of_snapshot_is_equal_and_continues_identically(
        before in commands(),
        after in commands(),
    ) {
        let mut original = KvStore::new();
        run(&mut original, 1, &before);
        let mut restored = KvStore::restore(&original.snapshot()).unwrap();
        prop_assert_eq!(&restored, &original);
        let next = before.len() as u64 + 1;
        let a = run(&mut original, next, &after);
        let b = run(&mut restored, next, &after);
        prop_assert_eq!(a, b);
        prop_assert_eq!(restored, original);
    }

    #[test]
    fn applying_is_deterministic_and_bytes_agree(cmds in commands()) {
        let mut a = KvStore::new();
        let mut b = KvStore::new();
        for (cmd, index) in cmds.iter().zip(1..) {
            prop_assert_eq!(a.apply(index, cmd), b.apply_bytes(index, &cmd.encode()));
        }
        prop_assert_eq!(a, b);
    }

    #[test]
    fn retries_always_get_the_first_reply(cmds in commands()) {
        let mut store = KvStore::new();
        let replies = run(&mut store, 1, &cmds);
        let mut index = cmds.len() as u64;
        // Retry each client's last executed command: it gets its first reply.
        for client_id in 0..4 {
            let Some(session) = store.session(client_id) else { continue };
            let first = cmds
                .iter()
                .position(|c| c.client_id == client_id && c.seq == session.last_seq)
                .unwrap();
            index += 1;
            let retry = store.apply(index, &cmds[first]);
            prop_assert_eq!(&retry, &replies[first]);
            prop_assert_eq!(retry, session.reply);
        }
    }

    #[test]
    fn restore_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        if let Ok(store) = KvStore::restore(&bytes) {
            prop_assert_eq!(store.snapshot(), bytes);
        }
    }

    #[test]
    fn restore_never_panics_on_mutated_snapshots(
        cmds in commands(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut store = KvStore::new();
        run(&mut store, 1, &cmds);
        let mut bytes = store.snapshot();
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let _ = KvStore::restore(&bytes);
    }
}
