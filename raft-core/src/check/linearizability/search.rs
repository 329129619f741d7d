//! The search for one key: Wing & Gong's backtracking over a list of call
//! and return events, with Lowe's memoization of (linearized set, value)
//! configurations already explored, as in Porcupine.
//!
//! The events are in a doubly linked list; linearizing an operation "lifts"
//! its call and return out of the list and backtracking puts them back in
//! reverse order (dancing links), so each step is O(1) apart from the cache.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use super::history::Operation;
use crate::kv::{Effect, Op, Outcome};

/// Most 64-bit words the memo cache may hold (32 MiB): past it the answer is
/// "unknown" rather than an unbounded allocation.
pub const MAX_MEMO_WORDS: usize = 1 << 22;

/// How many failing candidates an explanation lists.
const EXPLAINED_CANDIDATES: usize = 6;

const NIL: usize = usize::MAX;
const HEAD: usize = 0;

/// The value of the key in the model: an index into the distinct written values.
type State = Option<u32>;

/// The outcome of searching one key.
pub(super) enum KeyResult {
    /// A valid order of all the key's operations (op ids).
    Linearizable(Vec<u64>),
    /// No valid order exists.
    Violation {
        prefix: Vec<u64>,
        failing: Vec<u64>,
        explanation: String,
    },
    /// The step budget ran out.
    OutOfSteps,
    /// The memo cache reached [`MAX_MEMO_WORDS`].
    OutOfMemory,
}

/// The per-key register model, with values interned so states are `Copy`.
struct Model<'a> {
    values: Vec<&'a str>,
    /// For each operation, the interned value it writes, if it writes one.
    writes: Vec<State>,
}

impl<'a> Model<'a> {
    /// The model of `ops`; `initial`, the value before the first, if any, is
    /// interned first (state `Some(0)`).
    fn new(ops: &[&'a Operation], initial: Option<&'a str>) -> Self {
        let mut index: BTreeMap<&'a str, u32> = BTreeMap::new();
        let mut values = Vec::new();
        if let Some(v) = initial {
            index.insert(v, 0);
            values.push(v);
        }
        let writes = ops
            .iter()
            .map(|op| {
                // The value the operation writes when it writes (a CAS only on a match).
                let written = match &op.input {
                    Op::Set { value, .. } => Some(value.as_str()),
                    Op::Cas { new, .. } => Some(new.as_str()),
                    Op::Delete { .. } | Op::Get { .. } => None,
                };
                written.map(|v| {
                    *index.entry(v).or_insert_with(|| {
                        values.push(v);
                        values.len() as u32 - 1
                    })
                })
            })
            .collect();
        Model { values, writes }
    }

    fn value(&self, state: State) -> Option<&'a str> {
        state.and_then(|i| self.values.get(i as usize).copied())
    }

    /// Runs op `i` from `state`: the next state, or the outcome the store
    /// would have given when it differs from the one observed.
    fn step(&self, state: State, i: usize, op: &Operation) -> Result<State, Outcome> {
        let (outcome, effect) = op.input.apply_to(self.value(state));
        if let Some((_, observed)) = op.returned() {
            if *observed != outcome {
                return Err(outcome);
            }
        }
        Ok(match effect {
            Effect::Keep => state,
            Effect::Write(_) => self.writes[i],
            Effect::Remove => None,
        })
    }
}

/// Call and return events in time order, as a linked list over node numbers.
struct Events {
    next: Vec<usize>,
    prev: Vec<usize>,
    /// The operation of each node (unused for `HEAD`).
    op: Vec<usize>,
    is_call: Vec<bool>,
    /// The return node of each operation.
    ret: Vec<usize>,
}

impl Events {
    fn new(ops: &[&Operation]) -> Self {
        // A pending operation "returns" at the end of time: it can take
        // effect anywhere after its call, and taking effect last is the
        // same as never taking effect.
        let mut order: Vec<(u64, bool, usize)> = Vec::with_capacity(2 * ops.len());
        for (i, op) in ops.iter().enumerate() {
            let ret = op.returned().map_or(u64::MAX, |(t, _)| t.max(op.invoke_us));
            // At equal times calls sort first: such operations overlap, the
            // lenient reading when virtual clocks coincide.
            order.push((op.invoke_us, false, i));
            order.push((ret, true, i));
        }
        order.sort_unstable();
        let nodes = order.len() + 1;
        let mut events = Events {
            next: (1..=nodes)
                .map(|n| if n == nodes { NIL } else { n })
                .collect(),
            prev: (0..nodes).map(|n| n.wrapping_sub(1)).collect(),
            op: Vec::with_capacity(nodes),
            is_call: Vec::with_capacity(nodes),
            ret: alloc::vec![NIL; ops.len()],
        };
        events.op.push(NIL);
        events.is_call.push(false);
        for (node, &(_, is_return, i)) in (1..).zip(&order) {
            events.op.push(i);
            events.is_call.push(!is_return);
            if is_return {
                events.ret[i] = node;
            }
        }
        events
    }

    fn unlink(&mut self, n: usize) {
        let (p, x) = (self.prev[n], self.next[n]);
        self.next[p] = x;
        if x != NIL {
            self.prev[x] = p;
        }
    }

    fn relink(&mut self, n: usize) {
        let (p, x) = (self.prev[n], self.next[n]);
        self.next[p] = n;
        if x != NIL {
            self.prev[x] = n;
        }
    }

    fn lift(&mut self, call: usize) {
        self.unlink(call);
        self.unlink(self.ret[self.op[call]]);
    }

    fn unlift(&mut self, call: usize) {
        self.relink(self.ret[self.op[call]]);
        self.relink(call);
    }
}

/// Where the search got furthest before it was stuck: the explanation's material.
struct Stuck {
    prefix: Vec<usize>,
    state: State,
    /// Operations that could have gone next (their calls precede `blocker`'s return).
    candidates: Vec<usize>,
    /// The operation whose return was reached before it could be linearized.
    blocker: usize,
}

/// The set of operations linearized so far, as a memo key: one word when
/// there are at most 64 operations (most searches: a key's operations after
/// its settled prefix, or one segment of a fold), so that remembering a
/// configuration allocates nothing.
trait Linearized: Clone + Ord {
    fn none(ops: usize) -> Self;
    fn set(&mut self, i: usize);
    fn unset(&mut self, i: usize);
    /// 64-bit words per memo entry (for [`MAX_MEMO_WORDS`]).
    fn words(&self) -> usize;
}

impl Linearized for u64 {
    fn none(ops: usize) -> Self {
        debug_assert!(ops <= 64);
        0
    }
    fn set(&mut self, i: usize) {
        *self |= 1 << i;
    }
    fn unset(&mut self, i: usize) {
        *self &= !(1 << i);
    }
    fn words(&self) -> usize {
        1
    }
}

impl Linearized for Vec<u64> {
    fn none(ops: usize) -> Self {
        alloc::vec![0u64; ops.div_ceil(64)]
    }
    fn set(&mut self, i: usize) {
        self[i / 64] |= 1 << (i % 64);
    }
    fn unset(&mut self, i: usize) {
        self[i / 64] &= !(1 << (i % 64));
    }
    fn words(&self) -> usize {
        self.len().max(1)
    }
}

/// Searches for a linearization of `ops` (all on `key`) that starts from the
/// value `initial` (`None`: the key absent), spending at most `budget` steps
/// (decremented).
pub(super) fn search<'a>(
    key: &str,
    ops: &[&'a Operation],
    initial: Option<&'a str>,
    budget: &mut u64,
) -> KeyResult {
    if ops.len() <= 64 {
        search_with::<u64>(key, ops, initial, budget)
    } else {
        search_with::<Vec<u64>>(key, ops, initial, budget)
    }
}

fn search_with<'a, L: Linearized>(
    key: &str,
    ops: &[&'a Operation],
    initial: Option<&'a str>,
    budget: &mut u64,
) -> KeyResult {
    let model = Model::new(ops, initial);
    let mut events = Events::new(ops);
    let mut linearized = L::none(ops.len());
    let words = linearized.words();
    let mut memo: BTreeSet<(L, State)> = BTreeSet::new();
    let mut stack: Vec<(usize, State)> = Vec::new();
    let mut state: State = initial.map(|_| 0);
    let mut best: Option<Stuck> = None;
    let mut node = events.next[HEAD];
    while events.next[HEAD] != NIL {
        if *budget == 0 {
            return KeyResult::OutOfSteps;
        }
        *budget -= 1;
        let i = events.op[node];
        if events.is_call[node] {
            if let Ok(next_state) = model.step(state, i, ops[i]) {
                linearized.set(i);
                if memo.len().saturating_add(1).saturating_mul(words) > MAX_MEMO_WORDS {
                    return KeyResult::OutOfMemory;
                }
                if memo.insert((linearized.clone(), next_state)) {
                    stack.push((node, state));
                    state = next_state;
                    events.lift(node);
                    node = events.next[HEAD];
                    continue;
                }
                linearized.unset(i);
            }
            node = events.next[node];
        } else {
            // Op `i` must have taken effect before this return: dead end.
            if best.as_ref().is_none_or(|b| stack.len() > b.prefix.len()) {
                best = Some(stuck_here(&events, &stack, state, node));
            }
            let Some((call, previous)) = stack.pop() else {
                let stuck = best.unwrap_or_else(|| stuck_here(&events, &stack, state, node));
                return violation(key, ops, &model, stuck);
            };
            let j = events.op[call];
            linearized.unset(j);
            state = previous;
            events.unlift(call);
            node = events.next[call];
        }
    }
    let witness = stack
        .iter()
        .map(|&(call, _)| ops[events.op[call]].id)
        .collect();
    KeyResult::Linearizable(witness)
}

fn stuck_here(events: &Events, stack: &[(usize, State)], state: State, ret: usize) -> Stuck {
    let mut candidates = Vec::new();
    let mut n = events.next[HEAD];
    while n != ret && n != NIL {
        if events.is_call[n] {
            candidates.push(events.op[n]);
        }
        n = events.next[n];
    }
    let prefix = stack.iter().map(|&(call, _)| events.op[call]).collect();
    Stuck {
        prefix,
        state,
        candidates,
        blocker: events.op[ret],
    }
}

fn violation(key: &str, ops: &[&Operation], model: &Model<'_>, stuck: Stuck) -> KeyResult {
    let prefix: Vec<u64> = stuck.prefix.iter().map(|&i| ops[i].id).collect();
    let failing: Vec<u64> = stuck.candidates.iter().map(|&i| ops[i].id).collect();
    let mut text = String::new();
    let shown = |v: Option<&str>| v.map_or(String::from("absent"), |v| format!("{v:?}"));
    let _ = write!(
        text,
        "key {key:?}: after {} operation(s) {:?} the value is {}; then {} must take effect before \
         it returned, but no operation can go next:",
        prefix.len(),
        prefix,
        shown(model.value(stuck.state)),
        describe(ops[stuck.blocker]),
    );
    for &i in stuck.candidates.iter().take(EXPLAINED_CANDIDATES) {
        let _ = match model.step(stuck.state, i, ops[i]) {
            Err(expected) => write!(text, " {} would give {expected};", describe(ops[i])),
            Ok(_) => write!(
                text,
                " {} fits, but every order after it fails;",
                describe(ops[i])
            ),
        };
    }
    if let Some(more) = stuck
        .candidates
        .len()
        .checked_sub(EXPLAINED_CANDIDATES)
        .filter(|&n| n > 0)
    {
        let _ = write!(text, " and {more} more;");
    }
    text.pop();
    text.push('.');
    KeyResult::Violation {
        prefix,
        failing,
        explanation: text,
    }
}

/// `op 3 (client 2, GET x → = 1, 10–20 µs)`, or `… pending` if it never returned.
fn describe(op: &Operation) -> String {
    match op.returned() {
        Some((ret, out)) => format!(
            "op {} (client {}, {} → {out}, {}–{ret} µs)",
            op.id,
            op.client_id,
            op.input.describe(),
            op.invoke_us
        ),
        None => format!(
            "op {} (client {}, {}, from {} µs, pending)",
            op.id,
            op.client_id,
            op.input.describe(),
            op.invoke_us
        ),
    }
}
