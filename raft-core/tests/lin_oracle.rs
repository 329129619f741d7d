//! The linearizability checker against the definition. Random small
//! histories (equal times, several keys, operations that never return, some
//! outcomes made up) are recorded in time order or out of it, into one
//! history never folded and one folded now and then. After every event,
//! `check`, `check_key` and an `IncrementalChecker` on each must give the
//! verdict of a brute-force search written here from Herlihy & Wing's
//! definition, and every witness must be a legal run of the store that
//! respects real time.
//!
//! `PROPTEST_CASES` sets how many histories each test tries.

use proptest::prelude::*;
use raft_core::check::linearizability::{check, check_key, History, IncrementalChecker, Verdict};
use raft_core::kv::{ApplyError, Op, Outcome, Reply};
use std::collections::BTreeMap;

const STEPS: u64 = 1_000_000;
/// Most operations on one key: the reference tries every order.
const MAX_PER_KEY: usize = 8;
/// Most operations in one history.
const MAX_OPS: usize = 10;

/// What becomes of one operation.
#[derive(Clone, Debug)]
enum Fate {
    /// It returns what the store said, or (`Some(n)`) the `n`th made-up
    /// outcome of its kind, which may or may not be what the store said.
    Returns(Option<u8>),
    /// It never returns; `true`: it took effect.
    Pending(bool),
    /// Its client gives up on it when it would have returned; `true`: it
    /// took effect.
    Abandoned(bool),
    /// The store refuses it as full: it never took effect, and the history
    /// forgets it.
    RefusedFull,
}

/// One operation of a generated history.
#[derive(Clone, Debug)]
struct Spec {
    client: u64,
    op: Op,
    invoke: u64,
    duration: u64,
    /// Where it takes effect: this modulo its interval's length past its
    /// invocation; also the tie-break between equal points.
    point: u64,
    fate: Fate,
}

fn op() -> impl Strategy<Value = Op> {
    let key = prop_oneof![3 => Just("a"), 2 => Just("b"), 1 => Just("c")].prop_map(String::from);
    let value = || "[0-2]";
    prop_oneof![
        2 => (key.clone(), value()).prop_map(|(key, value)| Op::Set { key, value }),
        1 => key.clone().prop_map(|key| Op::Delete { key }),
        3 => key.clone().prop_map(|key| Op::Get { key }),
        2 => (key, proptest::option::of(value()), value())
            .prop_map(|(key, expected, new)| Op::Cas { key, expected, new }),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    let fate = prop_oneof![
        10 => proptest::option::weighted(0.1, any::<u8>()).prop_map(Fate::Returns),
        2 => any::<bool>().prop_map(Fate::Pending),
        2 => any::<bool>().prop_map(Fate::Abandoned),
        1 => Just(Fate::RefusedFull),
    ];
    // Times from a small range, so that many coincide.
    (0u64..4, op(), 0u64..12, 0u64..6, any::<u64>(), fate).prop_map(
        |(client, op, invoke, duration, point, fate)| Spec {
            client,
            op,
            invoke,
            duration,
            point,
            fate,
        },
    )
}

/// A history's operations, at most [`MAX_PER_KEY`] on one key.
fn specs() -> impl Strategy<Value = Vec<Spec>> {
    proptest::collection::vec(spec(), 1..=MAX_OPS).prop_map(|mut specs| {
        let mut per_key: BTreeMap<String, usize> = BTreeMap::new();
        specs.retain(|s| {
            let n = per_key.entry(s.op.key().to_string()).or_default();
            *n += 1;
            *n <= MAX_PER_KEY
        });
        specs
    })
}

/// The store's semantics, written out again: what `op` returns from
/// `value`, which it updates.
fn apply(op: &Op, value: &mut Option<String>) -> Outcome {
    match op {
        Op::Get { .. } => Outcome::Value(value.clone()),
        Op::Set { value: v, .. } => {
            *value = Some(v.clone());
            Outcome::Ok
        }
        Op::Delete { .. } => Outcome::Deleted {
            existed: value.take().is_some(),
        },
        Op::Cas { expected, new, .. } => {
            if value == expected {
                *value = Some(new.clone());
                Outcome::Ok
            } else {
                Outcome::Mismatch {
                    actual: value.clone(),
                }
            }
        }
    }
}

/// The `n`th made-up outcome for `op`'s kind.
fn made_up(op: &Op, n: u8) -> Outcome {
    let values = [None, Some("0"), Some("1"), Some("2")].map(|v| v.map(String::from));
    let pick = |n: u8| values[n as usize % values.len()].clone();
    match op {
        Op::Get { .. } => Outcome::Value(pick(n)),
        Op::Set { .. } if n % 2 == 0 => Outcome::Ok,
        Op::Set { .. } => Outcome::Deleted { existed: true },
        Op::Delete { .. } => Outcome::Deleted {
            existed: n % 2 == 0,
        },
        Op::Cas { .. } if n % 5 == 4 => Outcome::Ok,
        Op::Cas { .. } => Outcome::Mismatch { actual: pick(n) },
    }
}

/// What each operation that returns saw: the operations that take effect
/// run on the store at a point of their intervals (a pending one anywhere
/// after its invocation), equal points in the tie-break's order; a made-up
/// outcome replaces what the store said.
fn outcomes(specs: &[Spec]) -> Vec<Option<Outcome>> {
    let mut points: Vec<(u64, u64, usize)> = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let span = match s.fate {
            Fate::Returns(_) => s.duration + 1,
            Fate::Pending(true) | Fate::Abandoned(true) => s.duration + 4,
            Fate::Pending(false) | Fate::Abandoned(false) | Fate::RefusedFull => continue,
        };
        points.push((s.invoke + s.point % span, s.point, i));
    }
    points.sort_unstable();
    let mut store: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut seen = vec![None; specs.len()];
    for (_, _, i) in points {
        let value = store.entry(specs[i].op.key().to_string()).or_default();
        let outcome = apply(&specs[i].op, value);
        if let Fate::Returns(made) = specs[i].fate {
            seen[i] = Some(made.map_or(outcome, |n| made_up(&specs[i].op, n)));
        }
    }
    seen
}

/// Something a recorder sees.
#[derive(Clone, Debug)]
enum Event {
    Invoke(usize),
    Return(usize, Outcome),
    GiveUp(usize),
    RefusedFull(usize),
}

impl Event {
    fn op(&self) -> usize {
        match self {
            Event::Invoke(i) | Event::Return(i, _) | Event::GiveUp(i) | Event::RefusedFull(i) => *i,
        }
    }
}

/// The events of `specs`, with their times: in time order (equal times in
/// an order drawn from `shuffle`) or, if not `in_time_order`, in the order
/// drawn from `shuffle` whatever their times. An operation's invocation
/// always comes before what follows it.
fn events(specs: &[Spec], shuffle: &[u32], in_time_order: bool) -> Vec<(u64, Event)> {
    let seen = outcomes(specs);
    let mut timed = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        timed.push((s.invoke, Event::Invoke(i)));
        let end = s.invoke + s.duration;
        match (&s.fate, &seen[i]) {
            (Fate::Returns(_), Some(out)) => timed.push((end, Event::Return(i, out.clone()))),
            (Fate::Abandoned(_), _) => timed.push((end, Event::GiveUp(i))),
            (Fate::RefusedFull, _) => timed.push((end, Event::RefusedFull(i))),
            _ => {}
        }
    }
    let mut keyed: Vec<(u64, u32, (u64, Event))> = timed
        .into_iter()
        .enumerate()
        .map(|(n, (t, e))| {
            (
                if in_time_order { t } else { 0 },
                shuffle[n % shuffle.len()],
                (t, e),
            )
        })
        .collect();
    keyed.sort_by_key(|(t, k, _)| (*t, *k));
    // An ending drawn before its invocation waits for it (in time order
    // both have the same time then).
    let mut ordered = Vec::new();
    let mut waiting: BTreeMap<usize, (u64, Event)> = BTreeMap::new();
    let mut invoked = vec![false; specs.len()];
    for (_, _, (t, e)) in keyed {
        let i = e.op();
        match e {
            Event::Invoke(_) => {
                invoked[i] = true;
                ordered.push((t, e));
                ordered.extend(waiting.remove(&i));
            }
            _ if !invoked[i] => {
                waiting.insert(i, (t, e));
            }
            _ => ordered.push((t, e)),
        }
    }
    ordered
}

/// What the reference knows of one recorded operation.
#[derive(Clone, Debug)]
struct Recorded {
    /// Its id in both histories.
    id: u64,
    op: Op,
    invoke: u64,
    /// The return time and outcome, if it returned.
    returned: Option<(u64, Outcome)>,
    /// The history forgot it: it never took effect.
    forgotten: bool,
}

/// Whether `ops` (one key's) are linearizable, by the definition: some
/// order of all those that returned and any of those that did not, in
/// which none comes after one invoked after it returned, is a legal run
/// of the store from an absent key giving each returned one its outcome.
fn linearizable(ops: &[&Recorded]) -> bool {
    fn extend(ops: &[&Recorded], placed: &mut [bool], value: &Option<String>) -> bool {
        let unplaced = |i: usize, placed: &[bool]| !placed[i];
        if (0..ops.len()).all(|i| !unplaced(i, placed) || ops[i].returned.is_none()) {
            // The rest never returned: they may never take effect.
            return true;
        }
        for next in 0..ops.len() {
            if !unplaced(next, placed) {
                continue;
            }
            // Every operation that returned before it was invoked goes first.
            let must_wait = (0..ops.len()).any(|o| {
                o != next
                    && unplaced(o, placed)
                    && ops[o]
                        .returned
                        .as_ref()
                        .is_some_and(|(ret, _)| *ret < ops[next].invoke)
            });
            if must_wait {
                continue;
            }
            let mut after = value.clone();
            let outcome = apply(&ops[next].op, &mut after);
            if ops[next]
                .returned
                .as_ref()
                .is_some_and(|(_, seen)| *seen != outcome)
            {
                continue;
            }
            placed[next] = true;
            if extend(ops, placed, &after) {
                return true;
            }
            placed[next] = false;
        }
        false
    }
    extend(ops, &mut vec![false; ops.len()], &None)
}

/// The reference verdict per key of everything recorded.
fn reference(recorded: &[Recorded]) -> BTreeMap<String, bool> {
    let mut by_key: BTreeMap<String, Vec<&Recorded>> = BTreeMap::new();
    for r in recorded.iter().filter(|r| !r.forgotten) {
        by_key.entry(r.op.key().to_string()).or_default().push(r);
    }
    by_key
        .into_iter()
        .map(|(key, ops)| (key, linearizable(&ops)))
        .collect()
}

/// Checks that `order` is a witness for `key`: the operations it names
/// are held and on `key`, every held one that returned appears once and
/// no other more than once, none comes after one invoked after it
/// returned, and from the key's baseline each gives what its client saw.
fn assert_witness(h: &History, key: &str, order: &[u64]) -> Result<(), TestCaseError> {
    for &id in h.ids_for_key(key) {
        let times = order.iter().filter(|&&o| o == id).count();
        let returned = h.get(id).unwrap().returned().is_some();
        prop_assert!(
            times == 1 || (!returned && times == 0),
            "op {} appears {} times in {:?}",
            id,
            times,
            order
        );
    }
    for &id in order {
        let op = h.get(id);
        prop_assert!(
            op.is_some_and(|op| op.input.key() == key),
            "op {} in {:?}",
            id,
            order
        );
    }
    let mut value = h.baseline(key).map(String::from);
    for (at, &id) in order.iter().enumerate() {
        let op = h.get(id).unwrap();
        let outcome = apply(&op.input, &mut value);
        if let Some((_, seen)) = op.returned() {
            prop_assert_eq!(seen, &outcome, "op {} in {:?}", id, order);
        }
        for &later in &order[at + 1..] {
            let ret = h.get(later).unwrap().returned().map(|(t, _)| t);
            prop_assert!(
                ret.is_none_or(|ret| ret >= op.invoke_us),
                "op {} placed after op {}, invoked after it returned: {:?}",
                later,
                id,
                order
            );
        }
    }
    Ok(())
}

/// Judges `h` every way and compares with the reference verdicts of
/// `recorded`. Only if `may_be_unknown` may a key be undecided, and then
/// only for an operation recorded late.
fn judge(
    h: &History,
    checker: &mut IncrementalChecker,
    recorded: &[Recorded],
    may_be_unknown: bool,
) -> Result<(), TestCaseError> {
    let expected = reference(recorded);
    // A key no longer held was folded away whole, which only a
    // linearizable one can be.
    for (key, &ok) in &expected {
        prop_assert!(
            ok || h.keys().any(|k| k == key),
            "violation on {} folded",
            key
        );
    }
    let mut first_failure = None;
    let mut witness = BTreeMap::new();
    for key in h.keys() {
        let ok = expected.get(key).copied().unwrap_or(true);
        let got = check_key(h, key, STEPS);
        match &got {
            Verdict::Linearizable { witness: w } => {
                prop_assert!(ok, "{}: {:?}", key, got);
                assert_witness(h, key, &w[key])?;
                witness.insert(key.to_string(), w[key].clone());
            }
            Verdict::NotLinearizable { key: named, .. } => {
                prop_assert!(!ok, "{}: {:?}", key, got);
                prop_assert_eq!(named, key);
            }
            Verdict::Unknown { reason } => {
                prop_assert!(
                    may_be_unknown && reason.contains("recorded late"),
                    "{}",
                    reason
                )
            }
        }
        if !got.is_linearizable() && first_failure.is_none() {
            first_failure = Some(got);
        }
    }
    let full = check(h, STEPS);
    let full_expected = first_failure.unwrap_or(Verdict::Linearizable { witness });
    prop_assert_eq!(&full, &full_expected);
    let incremental = checker.check(h, STEPS);
    match (&incremental, &full) {
        (Verdict::Linearizable { witness: got }, Verdict::Linearizable { witness: w }) => {
            prop_assert!(got.keys().eq(w.keys()), "{:?} vs {:?}", got, w);
            for (key, order) in got {
                assert_witness(h, key, order)?;
            }
        }
        _ => prop_assert_eq!(&incremental, &full),
    }
    Ok(())
}

/// Records `specs` event by event into a history never folded and one
/// folded after the events `folds` says (keeping that many newest), and
/// judges both after every event.
fn run(
    specs: &[Spec],
    shuffle: &[u32],
    in_time_order: bool,
    folds: &[Option<usize>],
) -> Result<(), TestCaseError> {
    let mut recorded: Vec<Recorded> = Vec::new();
    let mut plain = (History::new(), IncrementalChecker::new());
    let mut folded = (History::new(), IncrementalChecker::new());
    let mut ids = vec![0u64; specs.len()];
    let mut at = vec![0usize; specs.len()];
    // An operation was recorded with a time no later than a return already
    // folded away: only then may the folded history give up on its key.
    let mut late = false;
    for (n, (t, event)) in events(specs, shuffle, in_time_order)
        .into_iter()
        .enumerate()
    {
        if let Event::Invoke(_) = event {
            let folded_until = recorded
                .iter()
                .filter(|r| !r.forgotten && folded.0.get(r.id).is_none())
                .filter_map(|r| r.returned.as_ref().map(|(ret, _)| *ret))
                .max();
            late |= folded_until.is_some_and(|until| t <= until);
        }
        for (h, _) in [&mut plain, &mut folded] {
            match &event {
                Event::Invoke(i) => {
                    // Both histories hand out the same ids.
                    ids[*i] = h.invoke(specs[*i].client, specs[*i].op.clone(), t);
                }
                Event::Return(i, out) => h.complete(ids[*i], out.clone(), t).unwrap(),
                Event::GiveUp(i) => h.abandon(ids[*i]).unwrap(),
                Event::RefusedFull(i) => h
                    .complete_reply(ids[*i], &Reply::Refused(ApplyError::StoreFull), t)
                    .unwrap(),
            }
        }
        match &event {
            Event::Invoke(i) => {
                at[*i] = recorded.len();
                recorded.push(Recorded {
                    id: ids[*i],
                    op: specs[*i].op.clone(),
                    invoke: t,
                    returned: None,
                    forgotten: false,
                });
            }
            Event::Return(i, out) => recorded[at[*i]].returned = Some((t, out.clone())),
            Event::GiveUp(_) => {}
            Event::RefusedFull(i) => recorded[at[*i]].forgotten = true,
        }
        if let Some(keep) = folds[n % folds.len()] {
            folded.0.fold_keeping(keep);
        }
        // Recorded in time order, nothing folded can be overtaken.
        prop_assert!(!(in_time_order && late), "an operation overtook a fold");
        judge(&plain.0, &mut plain.1, &recorded, false)?;
        judge(&folded.0, &mut folded.1, &recorded, late)?;
    }
    Ok(())
}

fn shuffle() -> impl Strategy<Value = Vec<u32>> {
    proptest::collection::vec(any::<u32>(), 2 * MAX_OPS)
}

fn folds() -> impl Strategy<Value = Vec<Option<usize>>> {
    proptest::collection::vec(proptest::option::weighted(0.4, 0usize..3), 2 * MAX_OPS)
}

proptest! {
    #[test]
    fn recorded_in_time_order_every_path_agrees_with_the_definition(
        specs in specs(),
        shuffle in shuffle(),
        folds in folds(),
    ) {
        run(&specs, &shuffle, true, &folds)?;
    }

    #[test]
    fn recorded_out_of_time_order_every_path_agrees_with_the_definition(
        specs in specs(),
        shuffle in shuffle(),
        folds in folds(),
    ) {
        run(&specs, &shuffle, false, &folds)?;
    }
}
