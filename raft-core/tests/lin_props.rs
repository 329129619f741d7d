//! Property tests of the linearizability checker against real executions of
//! the key-value store.

use proptest::prelude::*;
use raft_core::check::linearizability::{check, History, IncrementalChecker, Verdict};
use raft_core::kv::{Command, KvStore, Op, Outcome};

const STEPS: u64 = 2_000_000;

fn key() -> impl Strategy<Value = String> {
    "[a-b]"
}

fn value() -> impl Strategy<Value = String> {
    "[0-2]"
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (key(), value()).prop_map(|(key, value)| Op::Set { key, value }),
        1 => key().prop_map(|key| Op::Delete { key }),
        2 => key().prop_map(|key| Op::Get { key }),
        1 => (key(), proptest::option::of(value()), value())
            .prop_map(|(key, expected, new)| Op::Cas { key, expected, new }),
    ]
}

/// What happened to one operation in a generated run.
#[derive(Clone, Debug)]
struct Step {
    client: u64,
    op: Op,
    /// How long before its linearization point it was invoked.
    lead: u64,
    /// How long after its linearization point it returned.
    lag: u64,
    /// 0: returned; 1: never returned but took effect; 2: never returned, no
    /// effect; 3 and 4: as 1 and 2, and the client gave up on it at the
    /// time it would have returned (the history marks it abandoned).
    fate: u8,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    steps_spread(40)
}

/// Steps whose intervals reach up to `spread` before and after their
/// linearization points (10 apart): below 10, many operations stand alone.
fn steps_spread(spread: u64) -> impl Strategy<Value = Vec<Step>> {
    let step = (
        0u64..5,
        op(),
        0u64..spread,
        0u64..spread,
        prop_oneof![8 => Just(0u8), 1 => Just(1), 1 => Just(2), 1 => Just(3), 1 => Just(4)],
    )
        .prop_map(|(client, op, lead, lag, fate)| Step {
            client,
            op,
            lead,
            lag,
            fate,
        });
    proptest::collection::vec(step, 0..40)
}

/// Runs the steps on a real store at linearization points 10, 20, 30, … and
/// records the history a client would have seen, with each interval around
/// its point. Returns the history and the ids of returned GETs.
fn record(steps: &[Step]) -> (History, Vec<u64>) {
    record_live(steps, None, |_| {})
}

/// What a recorder sees, in time order.
enum Seen {
    Invoke(usize),
    Return(usize, Outcome),
    GiveUp(usize),
}

/// The events of a run of `steps` on a real store at linearization points
/// 10, 20, 30, … with each interval around its point, with their times, in
/// time order (invocations first on ties); step `corrupt`, if it is a GET,
/// returns a value no one wrote.
fn timed(steps: &[Step], corrupt: Option<usize>) -> Vec<(u64, Seen)> {
    let mut store = KvStore::new();
    let mut events: Vec<(u64, u8, usize, Seen)> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let point = 100 + 10 * i as u64;
        let outcome = if step.fate == 2 || step.fate == 4 {
            None
        } else {
            let cmd = Command::new(step.client, i as u64, step.op.clone());
            store.apply(i as u64 + 1, &cmd).outcome().cloned()
        };
        events.push((point - step.lead, 0, i, Seen::Invoke(i)));
        match (step.fate, outcome) {
            (0, Some(out)) => {
                let out = match (&step.op, corrupt == Some(i)) {
                    (Op::Get { .. }, true) => Outcome::Value(Some("never written".into())),
                    _ => out,
                };
                events.push((point + step.lag, 1, i, Seen::Return(i, out)));
            }
            (3 | 4, _) => events.push((point + step.lag, 1, i, Seen::GiveUp(i))),
            _ => {}
        }
    }
    events.sort_by_key(|(t, kind, i, _)| (*t, *kind, *i));
    events.into_iter().map(|(t, _, _, e)| (t, e)).collect()
}

/// Records one event into `history`; `ids` maps steps to operation ids.
fn feed(history: &mut History, steps: &[Step], ids: &mut [Option<u64>], t: u64, event: &Seen) {
    match event {
        Seen::Invoke(i) => {
            ids[*i] = Some(history.invoke(steps[*i].client, steps[*i].op.clone(), t))
        }
        Seen::Return(i, out) => history.complete(ids[*i].unwrap(), out.clone(), t).unwrap(),
        Seen::GiveUp(i) => history.abandon(ids[*i].unwrap()).unwrap(),
    }
}

/// Like [`record`], calling `after_event` with the history after every
/// invocation, return and abandonment, as a live checker would see it;
/// step `corrupt`, if it is a GET, returns a value no one wrote.
fn record_live(
    steps: &[Step],
    corrupt: Option<usize>,
    mut after_event: impl FnMut(&History),
) -> (History, Vec<u64>) {
    let mut history = History::new();
    let mut ids = vec![None; steps.len()];
    let mut reads = Vec::new();
    for (t, event) in timed(steps, corrupt) {
        feed(&mut history, steps, &mut ids, t, &event);
        if let Seen::Return(i, _) = event {
            if matches!(steps[i].op, Op::Get { .. }) {
                reads.push(ids[i].unwrap());
            }
        }
        after_event(&history);
    }
    (history, reads)
}

/// Checks that a witness is a legal sequential run that respects real time
/// and orders every operation that returned.
fn assert_witness_valid(history: &History, verdict: &Verdict) {
    let Verdict::Linearizable { witness } = verdict else {
        panic!("{verdict:?}")
    };
    for key in history.keys() {
        let order = witness.get(key).map(Vec::as_slice).unwrap_or_default();
        for &id in history.ids_for_key(key) {
            let op = history.get(id).unwrap();
            let times = order.iter().filter(|&&o| o == id).count();
            if op.returned().is_some() {
                assert_eq!(
                    times, 1,
                    "returned op {id} appears {times} times in {order:?}"
                );
            } else {
                assert!(
                    times <= 1,
                    "pending op {id} appears {times} times in {order:?}"
                );
            }
        }
    }
    for (key, order) in witness {
        let mut value: Option<String> = history.baseline(key).map(String::from);
        for (pos, &id) in order.iter().enumerate() {
            let op = history.get(id).unwrap();
            let (outcome, effect) = op.input.apply_to(value.as_deref());
            if let Some((_, observed)) = op.returned() {
                assert_eq!(*observed, outcome, "op {id} in {order:?}");
            }
            effect.apply(&mut value);
            for &later in &order[pos + 1..] {
                let later = history.get(later).unwrap();
                if let Some((ret, _)) = later.returned() {
                    assert!(ret >= op.invoke_us, "op {} placed after op {id}", later.id);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn real_executions_are_linearizable(steps in steps()) {
        let (history, _) = record(&steps);
        let verdict = check(&history, STEPS);
        prop_assert!(verdict.is_linearizable(), "{:?}", verdict);
        assert_witness_valid(&history, &verdict);
    }

    #[test]
    fn an_impossible_read_is_caught(steps in steps(), pick in any::<prop::sample::Index>()) {
        let (mut history, reads) = record(&steps);
        prop_assume!(!reads.is_empty());
        let id = reads[pick.index(reads.len())];
        // Rebuild the history with that read's output replaced.
        let mut corrupted = History::new();
        for op in history.operations() {
            let new_id = corrupted.invoke(op.client_id, op.input.clone(), op.invoke_us);
            if let Some((t, out)) = op.returned() {
                let out = if op.id == id { Outcome::Value(Some("never written".into())) } else { out.clone() };
                corrupted.complete(new_id, out, t).unwrap();
            }
        }
        history = corrupted;
        let verdict = check(&history, STEPS);
        match &verdict {
            Verdict::NotLinearizable { key, failing, .. } => {
                prop_assert_eq!(key.as_str(), history.get(id).unwrap().input.key());
                prop_assert!(!failing.is_empty());
            }
            other => prop_assert!(false, "expected a violation, got {:?}", other),
        }
    }

    #[test]
    fn live_incremental_checks_reach_the_full_checks_verdict(
        steps in steps(),
        corrupt in proptest::option::of(0usize..40),
    ) {
        // After every invocation and return: the same verdict as a full
        // check; a violation word for word; a witness that may differ but is valid.
        let mut checker = IncrementalChecker::new();
        record_live(&steps, corrupt, |history| {
            let incremental = checker.check(history, STEPS);
            let full = check(history, STEPS);
            if full.is_linearizable() {
                assert_witness_valid(history, &incremental);
            } else {
                assert_eq!(&incremental, &full);
            }
        });
    }

    #[test]
    fn incremental_checking_agrees_with_a_full_check(steps in steps()) {
        let (history, _) = record(&steps);
        // Replay the finished history one operation at a time.
        let mut partial = History::new();
        let mut checker = IncrementalChecker::new();
        for op in history.operations() {
            let id = partial.invoke(op.client_id, op.input.clone(), op.invoke_us);
            if let Some((t, out)) = op.returned() {
                partial.complete(id, out.clone(), t).unwrap();
            }
            let (incremental, full) = (checker.check(&partial, STEPS), check(&partial, STEPS));
            if full.is_linearizable() {
                assert_witness_valid(&partial, &incremental);
            } else {
                prop_assert_eq!(incremental, full);
            }
        }
    }

    #[test]
    fn folding_never_changes_the_verdict(
        steps in prop_oneof![steps_spread(6), steps_spread(12), steps()],
        corrupt in proptest::option::of(0usize..40),
        keep in prop_oneof![Just(0usize), 0usize..10],
    ) {
        // The same events recorded twice, one history folded after every
        // event: at every moment both get the same verdict (a violation
        // word for word), the folded one's witness is valid from its
        // baselines, and a live checker on the folded one agrees.
        let (mut plain, mut folded) = (History::new(), History::new());
        let (mut plain_ids, mut folded_ids) = (vec![None; steps.len()], vec![None; steps.len()]);
        let mut checker = IncrementalChecker::new();
        for (t, event) in timed(&steps, corrupt) {
            feed(&mut plain, &steps, &mut plain_ids, t, &event);
            feed(&mut folded, &steps, &mut folded_ids, t, &event);
            folded.fold_keeping(keep);
            let (expected, got) = (check(&plain, STEPS), check(&folded, STEPS));
            prop_assert_eq!(expected.is_linearizable(), got.is_linearizable(), "{:?} vs {:?}", expected, got);
            if expected.is_linearizable() {
                assert_witness_valid(&folded, &got);
            } else {
                prop_assert!(got.is_violation(), "{:?}", got);
            }
            let live = checker.check(&folded, STEPS);
            prop_assert_eq!(live.is_linearizable(), got.is_linearizable(), "{:?} vs {:?}", live, got);
            prop_assert_eq!(folded.len() as u64 + folded.folded(), plain.len() as u64);
        }
    }
}
