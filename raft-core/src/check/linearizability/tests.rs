//! Classic linearizability examples, Porcupine-style register histories and
//! the CAS cases of the key-value model.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::*;
use crate::kv::{ApplyError, Op, Outcome, Reply};

const STEPS: u64 = 1_000_000;

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

fn cas(key: &str, expected: Option<&str>, new: &str) -> Op {
    Op::Cas {
        key: s(key),
        expected: expected.map(s),
        new: s(new),
    }
}

fn val(v: Option<&str>) -> Outcome {
    Outcome::Value(v.map(s))
}

/// Adds an operation invoked at `start` that returned `out` at `end`.
fn done(h: &mut History, client: u64, op: Op, start: u64, end: u64, out: Outcome) -> u64 {
    let id = h.invoke(client, op, start);
    h.complete(id, out, end).unwrap();
    id
}

fn violation(verdict: &Verdict) -> (&str, &[u64], &[u64], &str) {
    match verdict {
        Verdict::NotLinearizable {
            key,
            prefix,
            failing,
            explanation,
        } => (key, prefix, failing, explanation),
        other => panic!("expected a violation, got {other:?}"),
    }
}

#[test]
fn an_empty_history_is_linearizable() {
    assert_eq!(
        check(&History::new(), 0),
        Verdict::Linearizable {
            witness: BTreeMap::new()
        }
    );
}

#[test]
fn a_sequential_history_is_linearizable_in_its_own_order() {
    let mut h = History::new();
    done(&mut h, 1, get("x"), 0, 10, val(None));
    done(&mut h, 1, set("x", "1"), 20, 30, Outcome::Ok);
    done(&mut h, 2, get("x"), 40, 50, val(Some("1")));
    done(
        &mut h,
        2,
        Op::Delete { key: s("x") },
        60,
        70,
        Outcome::Deleted { existed: true },
    );
    done(&mut h, 1, get("x"), 80, 90, val(None));
    let Verdict::Linearizable { witness } = check(&h, STEPS) else {
        panic!()
    };
    assert_eq!(witness["x"], [0, 1, 2, 3, 4]);
}

#[test]
fn a_stale_read_after_a_completed_write_is_not_linearizable() {
    let mut h = History::new();
    done(&mut h, 1, set("x", "1"), 0, 10, Outcome::Ok);
    done(&mut h, 1, set("x", "2"), 20, 30, Outcome::Ok);
    let read = done(&mut h, 2, get("x"), 40, 50, val(Some("1")));
    let verdict = check(&h, STEPS);
    let (key, prefix, failing, explanation) = violation(&verdict);
    assert_eq!(key, "x");
    assert_eq!(prefix, [0, 1]);
    assert_eq!(failing, [read]);
    assert!(explanation.contains("the value is \"2\""), "{explanation}");
    assert!(explanation.contains("would give = 2"), "{explanation}");
}

#[test]
fn overlapping_operations_may_take_either_order() {
    for seen in [None, Some("1")] {
        let mut h = History::new();
        done(&mut h, 1, set("x", "1"), 0, 100, Outcome::Ok);
        done(&mut h, 2, get("x"), 10, 20, val(seen));
        assert!(check(&h, STEPS).is_linearizable(), "read {seen:?}");
    }
}

#[test]
fn reads_cannot_go_back_in_time_during_concurrent_writes() {
    // Porcupine's classic register case: two overlapping writes, then two
    // sequential reads that disagree about which write won.
    let mut h = History::new();
    done(&mut h, 1, set("x", "1"), 0, 100, Outcome::Ok);
    done(&mut h, 2, set("x", "2"), 0, 100, Outcome::Ok);
    done(&mut h, 3, get("x"), 110, 120, val(Some("1")));
    done(&mut h, 3, get("x"), 130, 140, val(Some("2")));
    assert!(check(&h, STEPS).is_violation());

    // While the writes are still running, the reads may see both orders.
    let mut h = History::new();
    done(&mut h, 1, set("x", "1"), 0, 100, Outcome::Ok);
    done(&mut h, 2, set("x", "2"), 0, 100, Outcome::Ok);
    done(&mut h, 3, get("x"), 10, 20, val(Some("1")));
    done(&mut h, 3, get("x"), 30, 40, val(Some("2")));
    assert!(check(&h, STEPS).is_linearizable());
}

#[test]
fn a_pending_write_may_or_may_not_take_effect() {
    let mut h = History::new();
    h.invoke(1, set("x", "1"), 0);
    done(&mut h, 2, get("x"), 10, 20, val(None));
    assert!(check(&h, STEPS).is_linearizable());
    done(&mut h, 2, get("x"), 30, 40, val(Some("1")));
    assert!(check(&h, STEPS).is_linearizable());
    // Once seen, it cannot be undone.
    done(&mut h, 2, get("x"), 50, 60, val(None));
    assert!(check(&h, STEPS).is_violation());
}

#[test]
fn a_pending_write_cannot_act_before_its_invocation() {
    let mut h = History::new();
    done(&mut h, 2, get("x"), 0, 5, val(Some("1")));
    h.invoke(1, set("x", "1"), 10);
    let verdict = check(&h, STEPS);
    let (_, _, _, explanation) = violation(&verdict);
    assert!(explanation.contains("op 0"), "{explanation}");
}

#[test]
fn a_refused_reply_leaves_the_operation_pending() {
    let mut h = History::new();
    let id = h.invoke(1, set("x", "1"), 0);
    let refused = Reply::Refused(ApplyError::Stale {
        client_id: 1,
        seq: 1,
        last_seq: 2,
    });
    h.complete_reply(id, &refused, 10).unwrap();
    assert_eq!(h.get(id).unwrap().returned(), None);
    done(&mut h, 2, get("x"), 20, 30, val(Some("1")));
    assert!(check(&h, STEPS).is_linearizable());
    let id = h.invoke(1, get("x"), 40);
    h.complete_reply(id, &Reply::Done(val(Some("1"))), 50)
        .unwrap();
    assert!(check(&h, STEPS).is_linearizable());
}

#[test]
fn a_write_refused_because_the_store_is_full_never_took_effect() {
    let mut h = History::new();
    done(&mut h, 1, set("x", "0"), 0, 5, Outcome::Ok);
    let id = h.invoke(1, set("x", "1"), 10);
    h.complete_reply(id, &Reply::Refused(ApplyError::StoreFull), 20)
        .unwrap();
    assert!(h.get(id).is_none(), "forgotten, not held as pending");
    assert_eq!(h.folded(), 1);
    assert_eq!(
        h.complete(id, Outcome::Ok, 30),
        Err(HistoryError::NotRecorded(id))
    );
    done(&mut h, 2, get("x"), 30, 40, val(Some("0")));
    assert!(check(&h, STEPS).is_linearizable());
    // Reading the refused value is a violation: it was never written.
    done(&mut h, 2, get("x"), 50, 60, val(Some("1")));
    assert_eq!(violation(&check(&h, STEPS)).0, "x");
    // A key that only ever saw refused writes is as if never used.
    let id = h.invoke(3, set("y", "1"), 70);
    h.complete_reply(id, &Reply::Refused(ApplyError::StoreFull), 80)
        .unwrap();
    assert!(h.ids_for_key("y").is_empty());
}

#[test]
fn only_one_of_two_racing_cas_from_absent_can_win() {
    let mut h = History::new();
    done(&mut h, 1, cas("x", None, "a"), 0, 100, Outcome::Ok);
    done(&mut h, 2, cas("x", None, "b"), 0, 100, Outcome::Ok);
    assert!(check(&h, STEPS).is_violation());

    let mut h = History::new();
    done(&mut h, 1, cas("x", None, "a"), 0, 100, Outcome::Ok);
    done(
        &mut h,
        2,
        cas("x", None, "b"),
        0,
        100,
        Outcome::Mismatch {
            actual: Some(s("a")),
        },
    );
    done(&mut h, 3, get("x"), 110, 120, val(Some("a")));
    assert!(check(&h, STEPS).is_linearizable());
}

#[test]
fn a_cas_mismatch_must_report_the_real_value() {
    let mut h = History::new();
    done(&mut h, 1, set("x", "1"), 0, 10, Outcome::Ok);
    done(
        &mut h,
        2,
        cas("x", Some("0"), "2"),
        20,
        30,
        Outcome::Mismatch { actual: None },
    );
    let verdict = check(&h, STEPS);
    let (_, _, failing, explanation) = violation(&verdict);
    assert_eq!(failing, [1]);
    assert!(
        explanation.contains("would give MISMATCH (is 1)"),
        "{explanation}"
    );
}

#[test]
fn cas_chains_follow_the_values() {
    let mut h = History::new();
    done(&mut h, 1, cas("x", None, "1"), 0, 10, Outcome::Ok);
    // Two overlapping increments: exactly one can succeed from "1".
    done(&mut h, 1, cas("x", Some("1"), "2"), 20, 50, Outcome::Ok);
    done(
        &mut h,
        2,
        cas("x", Some("1"), "3"),
        20,
        50,
        Outcome::Mismatch {
            actual: Some(s("2")),
        },
    );
    done(&mut h, 2, get("x"), 60, 70, val(Some("2")));
    assert!(check(&h, STEPS).is_linearizable());
}

#[test]
fn a_delete_must_report_whether_the_key_existed() {
    let mut h = History::new();
    done(
        &mut h,
        1,
        Op::Delete { key: s("x") },
        0,
        10,
        Outcome::Deleted { existed: true },
    );
    assert!(check(&h, STEPS).is_violation());
}

#[test]
fn keys_are_checked_independently_and_reported_by_name() {
    let mut h = History::new();
    done(&mut h, 1, set("a", "1"), 0, 10, Outcome::Ok);
    done(&mut h, 1, get("a"), 20, 30, val(Some("1")));
    done(&mut h, 2, set("b", "1"), 0, 10, Outcome::Ok);
    done(&mut h, 2, get("b"), 20, 30, val(Some("2")));
    let verdict = check(&h, STEPS);
    assert_eq!(violation(&verdict).0, "b");
    assert!(check_key(&h, "a", STEPS).is_linearizable());
    assert!(check_key(&h, "b", STEPS).is_violation());
    assert_eq!(h.keys().collect::<Vec<_>>(), ["a", "b"]);
}

#[test]
fn equal_timestamps_count_as_overlapping() {
    let mut h = History::new();
    done(&mut h, 1, set("x", "1"), 0, 10, Outcome::Ok);
    // Invoked at the instant the write returned: may precede it.
    done(&mut h, 2, get("x"), 10, 20, val(None));
    assert!(check(&h, STEPS).is_linearizable());
}

#[test]
fn running_out_of_steps_is_unknown_not_a_verdict() {
    let mut h = History::new();
    done(&mut h, 1, set("x", "1"), 0, 10, Outcome::Ok);
    done(&mut h, 1, get("x"), 20, 30, val(Some("1")));
    assert!(matches!(check(&h, 1), Verdict::Unknown { .. }));
    assert!(check(&h, 10).is_linearizable());
}

#[test]
fn memoization_tames_many_concurrent_writes() {
    // 12 overlapping writes then a read of the first: 12! orders, but only
    // 12 * 2^12 distinct (set, value) configurations.
    let mut h = History::new();
    for i in 0..12 {
        done(&mut h, i, set("x", &i.to_string()), 0, 100, Outcome::Ok);
    }
    done(&mut h, 99, get("x"), 200, 210, val(Some("0")));
    assert!(check(&h, 1_000_000).is_linearizable());
    done(&mut h, 99, get("x"), 220, 230, val(Some("missing")));
    assert!(check(&h, 1_000_000).is_violation());
}

#[test]
fn an_overflowing_history_is_unknown() {
    let mut h = History::new();
    for i in 0..MAX_HISTORY_OPS as u64 {
        h.invoke(1, get("x"), i);
    }
    let id = h.invoke(1, get("x"), 0);
    assert_eq!(id, MAX_HISTORY_OPS as u64);
    assert_eq!(h.dropped(), 1);
    assert_eq!(
        h.complete(id, val(None), 1),
        Err(HistoryError::NotRecorded(id))
    );
    assert!(matches!(check(&h, STEPS), Verdict::Unknown { .. }));
}

#[test]
fn history_refuses_bad_completions() {
    let mut h = History::new();
    let id = h.invoke(1, get("x"), 10);
    assert_eq!(
        h.complete(id, val(None), 5),
        Err(HistoryError::ReturnBeforeInvoke(id))
    );
    h.complete(id, val(None), 10).unwrap();
    assert_eq!(
        h.complete(id, val(None), 20),
        Err(HistoryError::AlreadyCompleted(id))
    );
    assert_eq!(
        h.complete(7, val(None), 20),
        Err(HistoryError::UnknownId(7))
    );
}

#[test]
fn the_incremental_checker_agrees_and_reuses_unchanged_keys() {
    let mut h = History::new();
    let mut checker = IncrementalChecker::new();
    done(&mut h, 1, set("a", "1"), 0, 10, Outcome::Ok);
    done(&mut h, 2, set("b", "1"), 0, 10, Outcome::Ok);
    assert_eq!(checker.check(&h, STEPS), check(&h, STEPS));
    // Nothing changed: no step is needed.
    assert!(checker.check(&h, 0).is_linearizable());
    // A change to "b" re-checks "b" only; "a" stays cached.
    let id = h.invoke(3, get("b"), 20);
    let before = h.key_version("a");
    h.complete(id, val(Some("2")), 30).unwrap();
    assert_eq!(h.key_version("a"), before);
    let verdict = checker.check(&h, STEPS);
    assert_eq!(verdict, check(&h, STEPS));
    assert_eq!(violation(&verdict).0, "b");
}

#[test]
fn verdicts_and_explanations_are_deterministic() {
    let build = || {
        let mut h = History::new();
        for c in 0..4 {
            done(&mut h, c, set("x", &c.to_string()), 0, 50, Outcome::Ok);
        }
        done(&mut h, 9, get("x"), 60, 70, val(Some("7")));
        h
    };
    let a = check(&build(), STEPS);
    assert!(a.is_violation());
    assert_eq!(a, check(&build(), STEPS));
    let (_, prefix, failing, explanation) = violation(&a);
    assert_eq!(prefix.len(), 4);
    assert_eq!(failing, [4]);
    assert!(
        explanation.starts_with("key \"x\": after 4 operation(s)"),
        "{explanation}"
    );
}

#[test]
fn a_settled_prefix_is_not_searched_again() {
    // 2,000 operations one after another: every check settles all of them.
    let mut h = History::new();
    let mut checker = IncrementalChecker::new();
    for i in 0..2_000u64 {
        let value = (i % 7).to_string();
        done(&mut h, 1, set("x", &value), 10 * i, 10 * i + 5, Outcome::Ok);
        assert!(checker.check(&h, STEPS).is_linearizable());
    }
    // One more operation: a handful of steps judge it, where the whole key
    // would need thousands.
    let last = (1_999 % 7).to_string();
    done(&mut h, 2, get("x"), 20_000, 20_005, val(Some(&last)));
    assert!(checker.check(&h, 10).is_linearizable());
    assert!(matches!(check(&h, 10), Verdict::Unknown { .. }));
}

#[test]
fn concurrent_writes_are_not_settled_in_one_order_before_a_read_fixes_it() {
    // Two concurrent writes can go in either order; a later read that saw
    // the value the checker's first order does not leave is still
    // linearizable (the other order), and must not be called a violation.
    let mut h = History::new();
    let mut checker = IncrementalChecker::new();
    done(&mut h, 1, set("x", "1"), 0, 10, Outcome::Ok);
    done(&mut h, 2, set("x", "2"), 0, 10, Outcome::Ok);
    let Verdict::Linearizable { witness } = checker.check(&h, STEPS) else {
        panic!("two writes are linearizable")
    };
    let last_written = if witness["x"] == [0, 1] { "2" } else { "1" };
    let other = if last_written == "2" { "1" } else { "2" };
    done(&mut h, 3, get("x"), 20, 30, val(Some(other)));
    let verdict = checker.check(&h, STEPS);
    assert!(verdict.is_linearizable(), "{verdict:?}");
    let Verdict::Linearizable { witness } = verdict else {
        unreachable!()
    };
    assert_eq!(witness["x"].last(), Some(&2));
    // And a read no order explains is the full check's violation, word for word.
    done(&mut h, 3, get("x"), 40, 50, val(Some(last_written)));
    done(&mut h, 3, get("x"), 60, 70, val(Some("3")));
    let verdict = checker.check(&h, STEPS);
    assert!(verdict.is_violation());
    assert_eq!(verdict, check(&h, STEPS));
}

#[test]
fn a_long_run_is_folded_and_keeps_being_checked() {
    let mut h = History::new();
    let (mut t, mut last) = (0, [""; 3].map(String::from));
    for i in 0..3 * MAX_HISTORY_OPS as u64 {
        let k = ["a", "b", "c"][i as usize % 3];
        let slot = i as usize % 3;
        if i % 2 == 0 {
            done(&mut h, 1, set(k, &i.to_string()), t, t + 5, Outcome::Ok);
            last[slot] = i.to_string();
        } else {
            let seen = (!last[slot].is_empty()).then_some(last[slot].as_str());
            done(&mut h, 2, get(k), t, t + 5, val(seen));
        }
        t += 10;
    }
    assert_eq!(h.dropped(), 0);
    assert!((FOLD_KEEPS_NEWEST..=MAX_HISTORY_OPS).contains(&h.len()));
    assert!(h.folded() >= 2 * MAX_HISTORY_OPS as u64, "{}", h.folded());
    assert_eq!(h.invoked(), 3 * MAX_HISTORY_OPS as u64);
    assert!(h.baseline("a").is_some());
    assert!(check(&h, STEPS).is_linearizable());
    // A stale read now is still caught, and named by its id.
    let stale = done(&mut h, 3, get("a"), t, t + 5, val(Some("0")));
    let verdict = check(&h, STEPS);
    let (key, _, failing, _) = violation(&verdict);
    assert_eq!((key, failing), ("a", &[stale][..]));
}

#[test]
fn a_violation_is_never_folded_away() {
    let mut h = History::new();
    done(&mut h, 1, set("a", "1"), 0, 5, Outcome::Ok);
    done(&mut h, 2, get("a"), 10, 15, val(Some("2")));
    for i in 0..MAX_HISTORY_OPS as u64 {
        let t = 20 + 10 * i;
        done(&mut h, 1, set("b", &i.to_string()), t, t + 5, Outcome::Ok);
    }
    assert!(h.folded() > 0);
    assert_eq!(h.dropped(), 0);
    let verdict = check(&h, STEPS);
    assert_eq!(violation(&verdict).0, "a");
}

#[test]
fn an_operation_that_never_returns_holds_back_only_its_key_until_abandoned() {
    let mut h = History::new();
    let pending = h.invoke(9, set("a", "late"), 0);
    let mut t = 10;
    for i in 0..MAX_HISTORY_OPS as u64 {
        let k = if i % 2 == 0 { "a" } else { "b" };
        done(&mut h, 1, set(k, &i.to_string()), t, t + 5, Outcome::Ok);
        t += 10;
    }
    // Key a cannot fold past the pending write; key b folds.
    assert!(h.ids_for_key("a").contains(&pending));
    assert!(h.ids_for_key("a").len() > MAX_HISTORY_OPS / 2);
    assert!(h.ids_for_key("b").len() < MAX_HISTORY_OPS / 4);
    // The client gives up: the write may still take effect, so it stays,
    // but no longer holds the others back.
    h.abandon(pending).unwrap();
    assert_eq!(
        h.complete(pending, Outcome::Ok, t),
        Err(HistoryError::Abandoned(pending))
    );
    h.fold_keeping(0);
    assert_eq!(h.ids_for_key("a"), &[pending]);
    // It took effect only now: allowed.
    done(&mut h, 2, get("a"), t, t + 5, val(Some("late")));
    assert!(check(&h, STEPS).is_linearizable());
    let gone = h.invoke(9, get("a"), t + 10);
    h.abandon(gone).unwrap();
    h.fold_keeping(0);
    assert!(h.get(gone).is_none(), "an abandoned GET constrains nothing");
}

#[test]
fn searches_of_up_to_64_operations_and_longer_ones_agree() {
    // One word holds the linearized set up to 64 operations; past that a
    // vector does. Around the boundary both must give the same verdicts.
    for n in [2u64, 63, 64, 65, 130] {
        let mut h = History::new();
        // Each write overlaps the next one only.
        for i in 0..n {
            done(
                &mut h,
                i % 2,
                set("x", &i.to_string()),
                10 * i,
                10 * i + 15,
                Outcome::Ok,
            );
        }
        let last = (n - 1).to_string();
        let read = done(
            &mut h,
            9,
            get("x"),
            10 * n + 20,
            10 * n + 25,
            val(Some(&last)),
        );
        assert!(check(&h, STEPS).is_linearizable(), "{n} writes");
        let mut bad = History::new();
        for op in h.operations() {
            let id = bad.invoke(op.client_id, op.input.clone(), op.invoke_us);
            let (t, out) = op.returned().unwrap();
            let out = if op.id == read {
                val(Some("never written"))
            } else {
                out.clone()
            };
            bad.complete(id, out, t).unwrap();
        }
        let verdict = check(&bad, STEPS);
        assert_eq!(violation(&verdict).2, &[read][..], "{n} writes");
    }
}

#[test]
fn a_key_folded_to_absent_with_nothing_held_is_forgotten() {
    let mut h = History::new();
    done(&mut h, 1, set("gone", "1"), 0, 5, Outcome::Ok);
    done(
        &mut h,
        1,
        Op::Delete { key: s("gone") },
        10,
        15,
        Outcome::Deleted { existed: true },
    );
    done(&mut h, 1, set("kept", "1"), 20, 25, Outcome::Ok);
    let read = done(&mut h, 1, get("kept"), 30, 35, val(Some("1")));
    let mut checker = IncrementalChecker::new();
    assert!(checker.check(&h, STEPS).is_linearizable());
    h.fold_keeping(0);
    assert_eq!(h.keys().collect::<Vec<_>>(), ["kept"]);
    assert_eq!(h.baseline("kept"), Some("1"));
    // It returned at the latest instant recorded: an operation invoked at
    // that instant may still precede it.
    assert_eq!(h.ids_for_key("kept"), [read]);
    assert!(checker.check(&h, STEPS).is_linearizable());
    // Used again, it starts from absent, as it should.
    done(&mut h, 2, get("gone"), 40, 45, val(None));
    assert!(checker.check(&h, STEPS).is_linearizable());
    done(&mut h, 2, get("gone"), 50, 55, val(Some("1")));
    assert!(checker.check(&h, STEPS).is_violation());
}

fn delete(key: &str) -> Op {
    Op::Delete { key: s(key) }
}

/// Whether `order` puts some operation after one that was invoked only
/// after it returned.
fn breaks_real_time(h: &History, order: &[u64]) -> bool {
    order.iter().enumerate().any(|(at, &earlier)| {
        let invoked = h.get(earlier).unwrap().invoke_us;
        order[at + 1..].iter().any(|&later| {
            let later = h.get(later).unwrap();
            later.returned().is_some_and(|(ret, _)| ret < invoked)
        })
    })
}

#[test]
fn a_fold_keeps_an_operation_an_invocation_at_the_same_instant_may_precede() {
    // Issue #20, finding 1: [0,1] and [1,1] overlap, so the DELETE may go
    // first and see the key absent. Folding the SET when it had returned
    // (nothing later recorded yet) put it first for good.
    let mut h = History::new();
    done(&mut h, 1, set("x", "1"), 0, 1, Outcome::Ok);
    let mut unfolded = h.clone();
    h.fold_keeping(0);
    let existed = Outcome::Deleted { existed: false };
    for h in [&mut unfolded, &mut h] {
        done(h, 2, delete("x"), 1, 1, existed.clone());
    }
    assert!(check(&unfolded, STEPS).is_linearizable());
    let verdict = check(&h, STEPS);
    assert!(verdict.is_linearizable(), "{verdict:?}");
    assert_eq!(IncrementalChecker::new().check(&h, STEPS), verdict);
}

#[test]
fn the_automatic_fold_keeps_an_operation_an_invocation_at_the_same_instant_may_precede() {
    // The same through `History::invoke`'s own fold: the DELETE is the
    // invocation that finds the history at its fold threshold.
    let mut h = History::new();
    done(&mut h, 1, set("x", "1"), 0, 1, Outcome::Ok);
    for _ in 1..MAX_HISTORY_OPS / 4 * 3 {
        done(&mut h, 2, get("y"), 1, 1, val(None));
    }
    done(
        &mut h,
        3,
        delete("x"),
        1,
        1,
        Outcome::Deleted { existed: false },
    );
    let verdict = check(&h, STEPS);
    assert!(verdict.is_linearizable(), "{verdict:?}");
}

#[test]
fn an_operation_recorded_before_what_its_key_folded_leaves_the_key_undecided() {
    // Recorded out of time order after a fold: the DELETE (5-6) may have
    // gone before the folded SET (10-11), which is gone. Unfolded this is
    // linearizable; folded, no verdict would be sound, so none is given.
    let mut h = History::new();
    done(&mut h, 1, set("x", "1"), 10, 11, Outcome::Ok);
    done(&mut h, 1, set("y", "1"), 20, 21, Outcome::Ok);
    h.fold_keeping(0);
    assert_eq!(h.baseline("x"), Some("1"));
    assert_eq!(
        h.ids_for_key("y").len(),
        1,
        "returned at the latest instant"
    );
    let late = done(
        &mut h,
        2,
        delete("x"),
        5,
        6,
        Outcome::Deleted { existed: false },
    );
    let verdict = check(&h, STEPS);
    let Verdict::Unknown { reason } = &verdict else {
        panic!("{verdict:?}")
    };
    assert!(
        reason.contains(&format!("operation {late} on key \"x\"")),
        "{reason}"
    );
    assert_eq!(IncrementalChecker::new().check(&h, STEPS), verdict);
    assert_eq!(check_key(&h, "x", STEPS), verdict);
    // Nothing of y was folded: an operation on it recorded late is judged.
    done(&mut h, 3, get("y"), 0, 1, val(None));
    assert!(check_key(&h, "y", STEPS).is_linearizable());
    // A later fold leaves the undecided key as it is.
    done(&mut h, 3, get("y"), 30, 31, val(Some("1")));
    h.fold_keeping(0);
    assert_eq!(check_key(&h, "x", STEPS), verdict);
}

#[test]
fn an_operation_recorded_late_with_an_earlier_time_reopens_the_settled_prefix() {
    // Issue #20, finding 2: the CAS returned (13) before SET 3 was invoked
    // (17), so it ran on the absent key and must have succeeded. The SET
    // alone was settled, and the pending SET 2 after it (invoked at 22)
    // hid the CAS from the check that the prefix still came first.
    let mut h = History::new();
    let mut checker = IncrementalChecker::new();
    done(&mut h, 1, set("x", "3"), 17, 19, Outcome::Ok);
    assert_eq!(checker.check(&h, STEPS), check(&h, STEPS));
    h.invoke(2, set("x", "2"), 22);
    assert_eq!(checker.check(&h, STEPS), check(&h, STEPS));
    let mismatch = Outcome::Mismatch {
        actual: Some(s("3")),
    };
    done(&mut h, 3, cas("x", None, "1"), 13, 13, mismatch);
    let full = check(&h, STEPS);
    assert!(full.is_violation(), "{full:?}");
    assert_eq!(checker.check(&h, STEPS), full);
}

#[test]
fn an_operation_recorded_late_with_an_earlier_time_is_ordered_first_in_the_witness() {
    // The milder form: the right verdict, but a witness that put SET 2
    // after SET 1, which was invoked (10) after SET 2 returned (1).
    let mut h = History::new();
    let mut checker = IncrementalChecker::new();
    let first = done(&mut h, 1, set("x", "1"), 10, 11, Outcome::Ok);
    assert!(checker.check(&h, STEPS).is_linearizable());
    h.invoke(2, get("x"), 20);
    assert!(checker.check(&h, STEPS).is_linearizable());
    let earlier = done(&mut h, 3, set("x", "2"), 0, 1, Outcome::Ok);
    let verdict = checker.check(&h, STEPS);
    assert_eq!(verdict, check(&h, STEPS));
    let Verdict::Linearizable { witness } = verdict else {
        panic!("{verdict:?}")
    };
    assert!(!breaks_real_time(&h, &witness["x"]), "{witness:?}");
    assert_eq!(witness["x"], [earlier, first]);
}
