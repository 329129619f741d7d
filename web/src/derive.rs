//! What the components show, derived from the simulation at the current
//! virtual time. Pure functions of the simulation: the UI keeps no shadow state.

use crate::components::cluster::{Cut, Lost};
use crate::speed::format_time;
use raft_core::check::linearizability::History;
use raft_core::kv::{describe_value, Outcome};
use raft_core::sim::{
    ActionFact, DropReason, MsgSummary, NodeStatus, NodeView, Sim, Trace, TraceEvent, TraceKind,
    USER_CLIENT_BASE,
};
use raft_core::{NodeId, Role};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

/// How long (virtual µs) a lost message stays visible while it fades.
pub const LOST_FADE_US: u64 = 40_000;
/// Lines kept in the event feed.
pub const FEED_LINES: usize = 60;
/// Trace events the feed looks back over (the feed shows the newest lines only).
pub const FEED_WINDOW_EVENTS: usize = 4_000;
/// Points per line in the chart (one per pixel column at most).
pub const CHART_POINTS: usize = 600;
/// User requests listed in the KV results.
pub const RESULT_LINES: usize = 12;

/// Share of each node's election timeout still to run.
pub fn timers(nodes: &[NodeView], now_us: u64) -> Vec<Option<f64>> {
    nodes
        .iter()
        .map(|n| {
            let deadline = n.election_deadline_us?;
            if matches!(n.status, NodeStatus::Crashed | NodeStatus::Up(Role::Leader)) {
                return None;
            }
            let timeout = n.election_timeout_us.max(1) as f64;
            Some((deadline.saturating_sub(now_us) as f64 / timeout).clamp(0.0, 1.0))
        })
        .collect()
}

/// Votes each candidate has received in its current term.
pub fn votes(sim: &Sim, nodes: &[NodeView]) -> Vec<Vec<(NodeId, bool)>> {
    nodes
        .iter()
        .map(|n| match (&n.status, sim.raft_node(n.id)) {
            (NodeStatus::Up(Role::Candidate | Role::PreCandidate), Some(raft)) => raft
                .votes()
                .iter()
                .filter(|(voter, _)| **voter != n.id)
                .map(|(voter, granted)| (*voter, *granted))
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// Every cut directed link between current nodes.
pub fn cuts(sim: &Sim, nodes: &[NodeView]) -> Vec<Cut> {
    let mut out = Vec::new();
    for a in nodes {
        for b in nodes {
            if a.id != b.id && sim.is_cut(a.id, b.id) {
                out.push(Cut {
                    from: a.id,
                    to: b.id,
                });
            }
        }
    }
    out
}

/// The groups the network is split into: live nodes (not crashed) joined
/// by links that work both ways, as connected components. Empty unless
/// there are at least two groups, so a single cut link that traffic can
/// route around fences nothing. With `live` in ascending order (as node
/// views are), each group is too, and groups come in order of their
/// smallest id.
pub fn partition_groups(live: &[NodeId], cuts: &[Cut]) -> Vec<Vec<NodeId>> {
    let linked = |a: NodeId, b: NodeId| {
        !cuts
            .iter()
            .any(|c| (c.from, c.to) == (a, b) || (c.from, c.to) == (b, a))
    };
    // Flood fill from each node not yet reached, in `live` order.
    let mut group_of: Vec<Option<usize>> = vec![None; live.len()];
    let mut count = 0;
    for start in 0..live.len() {
        if group_of[start].is_some() {
            continue;
        }
        group_of[start] = Some(count);
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            for j in 0..live.len() {
                if group_of[j].is_none() && linked(live[i], live[j]) {
                    group_of[j] = Some(count);
                    stack.push(j);
                }
            }
        }
        count += 1;
    }
    if count < 2 {
        return Vec::new();
    }
    // Collected in `live` order: no sorting (nor its code in the wasm) needed.
    let mut groups = vec![Vec::new(); count];
    for (i, g) in group_of.into_iter().enumerate() {
        if let Some(g) = g {
            groups[g].push(live[i]);
        }
    }
    groups
}

/// The term and summary message `id` was sent with, from the first
/// matching `MessageSent` among `events` (pass them newest first).
fn sent_message<'a>(
    mut events: impl Iterator<Item = &'a TraceEvent>,
    id: u64,
) -> Option<(u64, &'a MsgSummary)> {
    events.find_map(|e| match &e.kind {
        TraceKind::MessageSent {
            id: sent,
            term,
            summary,
            ..
        } if *sent == id => Some((*term, summary)),
        _ => None,
    })
}

/// Messages lost in the last [`LOST_FADE_US`], fading.
pub fn lost(sim: &Sim, now_us: u64) -> Vec<Lost> {
    let since = now_us.saturating_sub(LOST_FADE_US);
    let events = sim.trace().events();
    let mut out = Vec::new();
    for (at, ev) in events.iter().enumerate().rev() {
        if ev.time_us < since {
            break;
        }
        if let TraceKind::Dropped {
            id,
            from,
            to,
            reason,
        } = &ev.kind
        {
            // A message is sent before it is dropped: search back from the
            // drop, a latency's worth of events, not from the newest.
            let kind = sent_message(events.range(..at).rev(), *id)
                .map(|(_, summary)| summary.kind().to_string())
                .unwrap_or_default();
            let along = match reason {
                DropReason::LinkCutAtSend | DropReason::QueueFull => 0.15,
                _ => 0.85,
            };
            let fade = 1.0 - now_us.saturating_sub(ev.time_us) as f64 / LOST_FADE_US as f64;
            out.push(Lost {
                from: *from,
                to: *to,
                kind,
                along,
                fade,
            });
        }
    }
    out
}

/// One line of the event feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedLine {
    /// The trace event it tells (a stable key for the list).
    pub seq: u64,
    /// Virtual time.
    pub time_us: u64,
    /// In words.
    pub text: String,
    /// CSS class (e.g. `violation`, `leader`).
    pub class: &'static str,
}

/// Where an incremental view of the trace stopped reading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceCursor {
    /// [`Playground::epoch`](crate::state::Playground::epoch) when last read.
    epoch: u64,
    /// `Trace::total()` when last read.
    seen: u64,
    /// Read at least once.
    started: bool,
}

impl TraceCursor {
    /// Moves the cursor to the end of `trace`. Returns the sequence number
    /// to continue reading from, or `None` when the view must start over:
    /// first use, another epoch (new run, seek back, fork), or events lost
    /// from the trace's memory before they were read.
    pub fn advance(&mut self, epoch: u64, trace: &Trace) -> Option<u64> {
        let total = trace.total();
        let oldest = trace.events().front().map_or(total, |e| e.seq);
        let from =
            (self.started && epoch == self.epoch && self.seen <= total && self.seen >= oldest)
                .then_some(self.seen);
        *self = TraceCursor {
            epoch,
            seen: total,
            started: true,
        };
        from
    }
}

/// The event feed, kept up to date from the events recorded since the last
/// look rather than re-read from the trace every frame.
#[derive(Clone, Debug, Default)]
pub struct Feed {
    cursor: TraceCursor,
    /// Newest first, at most [`FEED_LINES`]. Replaced (not mutated) when it
    /// changes, so an unchanged feed is the same `Rc` and compares instantly.
    lines: Rc<Vec<FeedLine>>,
    /// What was told already.
    told: Told,
}

/// What the feed already told, so that it does not repeat itself.
#[derive(Clone, Copy, Debug, Default)]
struct Told {
    /// Highest commit index (per-node echoes are left out).
    highest_commit: u64,
    /// The last event named as the cause of a violation (one event may
    /// break several properties at once).
    cause_seq: Option<u64>,
}

/// Feed keys of "caused by" lines: apart from the keys of events' own lines.
const CAUSE_KEY: u64 = 1 << 63;

impl Feed {
    /// The lines after reading what is new in `sim`'s trace.
    pub fn update(&mut self, epoch: u64, sim: &Sim) -> Rc<Vec<FeedLine>> {
        let trace = sim.trace();
        let events = trace.events();
        let mut new = Vec::new();
        match self.cursor.advance(epoch, trace) {
            Some(from) => {
                for ev in trace.since(from) {
                    feed_lines(ev, events, sim.history(), &mut self.told, &mut new);
                }
            }
            None => {
                // Start over from the last few thousand events.
                self.told = Told::default();
                self.lines = Rc::new(Vec::new());
                for ev in events
                    .iter()
                    .skip(events.len().saturating_sub(FEED_WINDOW_EVENTS))
                {
                    feed_lines(ev, events, sim.history(), &mut self.told, &mut new);
                }
            }
        }
        if !new.is_empty() {
            let keep = FEED_LINES.saturating_sub(new.len());
            let mut lines: Vec<FeedLine> = new.into_iter().rev().take(FEED_LINES).collect();
            lines.extend(self.lines.iter().take(keep).cloned());
            self.lines = Rc::new(lines);
        }
        Rc::clone(&self.lines)
    }
}

/// The trace in words, newest first, from the last [`FEED_WINDOW_EVENTS`]
/// events (what [`Feed`] shows after starting over).
pub fn feed(sim: &Sim) -> Vec<FeedLine> {
    let events = sim.trace().events();
    let mut told = Told::default();
    let mut out = Vec::new();
    for ev in events
        .iter()
        .skip(events.len().saturating_sub(FEED_WINDOW_EVENTS))
    {
        feed_lines(ev, events, sim.history(), &mut told, &mut out);
    }
    let keep = out.len().saturating_sub(FEED_LINES);
    out.drain(..keep);
    out.reverse();
    out
}

/// The lines one event adds to the feed (oldest first): a violation comes
/// after the event that caused it, told once.
fn feed_lines(
    ev: &TraceEvent,
    events: &VecDeque<TraceEvent>,
    history: &History,
    told: &mut Told,
    out: &mut Vec<FeedLine>,
) {
    if matches!(ev.kind, TraceKind::InvariantViolation { .. }) {
        if let Some((cause_seq, text)) = violation_cause(events, ev.seq) {
            if told.cause_seq != Some(cause_seq) {
                told.cause_seq = Some(cause_seq);
                out.push(FeedLine {
                    seq: cause_seq | CAUSE_KEY,
                    time_us: ev.time_us,
                    text,
                    class: "cause",
                });
            }
        }
    }
    out.extend(feed_line(ev, history, &mut told.highest_commit));
}

/// How far back [`violation_cause`] looks for the message that caused a
/// violation (it was sent at most one maximum latency earlier).
const CAUSE_LOOKBACK_EVENTS: usize = 20_000;

/// The event that led to the violation recorded as trace event
/// `violation_seq`, in words: the message delivered, the timer fired or
/// the fault injected just before it, at the same instant. Returns its
/// trace sequence number too. `None` if it is no longer in memory.
pub fn violation_cause(events: &VecDeque<TraceEvent>, violation_seq: u64) -> Option<(u64, String)> {
    let first = events.front()?.seq;
    let at = usize::try_from(violation_seq.checked_sub(first)?).ok()?;
    let violation = events.get(at)?;
    events
        .range(..at)
        .rev()
        .take_while(|e| e.time_us == violation.time_us)
        .find_map(|e| {
            let text = match &e.kind {
                TraceKind::Delivered { id, from, to } => {
                    let sent = sent_message(
                        events.range(..at).rev().take(CAUSE_LOOKBACK_EVENTS),
                        *id,
                    );
                    match sent {
                        Some((term, summary)) => format!(
                            "↳ caused by node {from}'s {} of term {term} ({summary}) arriving at node {to}",
                            summary.kind()
                        ),
                        None => format!("↳ caused by a message from node {from} arriving at node {to}"),
                    }
                }
                TraceKind::TimerFired { node } => format!("↳ caused by node {node}'s timer firing"),
                TraceKind::Restart { node } => {
                    format!("↳ caused by node {node} restarting from its disk")
                }
                TraceKind::ClientSend { client, node, .. } => format!(
                    "↳ caused by {}'s request reaching node {node}",
                    client_name(*client)
                ),
                TraceKind::Action { action } => format!("↳ caused by: {}", action_words(action)),
                _ => return None,
            };
            Some((e.seq, text))
        })
}

/// An action the trace records as a fact, in words.
pub fn action_words(action: &ActionFact) -> String {
    match *action {
        ActionFact::TimeoutNow { node } => format!("timeout now on node {node}"),
        ActionFact::TransferLeader { to } => format!("leadership transfer to node {to}"),
        ActionFact::RemoveNode { node } => format!("remove node {node}"),
        ActionFact::Loss { ppm } => format!("loss = {ppm} ppm"),
        ActionFact::Duplication { ppm } => format!("duplication = {ppm} ppm"),
        ActionFact::Reorder { ppm, max_delay_us } => {
            format!("reorder = {ppm} ppm up to {max_delay_us} us")
        }
        ActionFact::Latency { min_us, max_us } => format!("latency = {min_us}..={max_us} us"),
        ActionFact::Drift { node, ppm } => format!("drift of node {node} = {ppm} ppm"),
    }
}

/// One event in words, if the feed tells it; messages, timers and per-node
/// echoes of the same commit are left to the picture.
fn feed_line(ev: &TraceEvent, history: &History, highest_commit: &mut u64) -> Option<FeedLine> {
    let (text, class) = match &ev.kind {
        TraceKind::RoleChanged {
            node,
            to: Role::Leader,
            term,
            ..
        } => (
            format!("Node {node} became leader in term {term}"),
            "leader",
        ),
        TraceKind::RoleChanged {
            node,
            to: Role::Candidate,
            term,
            ..
        } => (
            format!("Node {node} timed out and started an election for term {term}"),
            "candidate",
        ),
        TraceKind::RoleChanged {
            node,
            to: Role::PreCandidate,
            term,
            ..
        } => (
            format!("Node {node} asks for pre-votes (still term {term})"),
            "candidate",
        ),
        TraceKind::RoleChanged {
            node,
            from: Role::Leader,
            to,
            term,
        } => (
            format!("Node {node} stepped down to {to} in term {term}"),
            "stepdown",
        ),
        TraceKind::Voted {
            voter,
            candidate,
            term,
            granted: true,
        } => (
            format!("Node {voter} voted for node {candidate} in term {term}"),
            "vote",
        ),
        TraceKind::Voted {
            voter,
            candidate,
            term,
            granted: false,
        } => (
            format!("Node {voter} refused its vote to node {candidate} in term {term}"),
            "vote",
        ),
        TraceKind::Committed { node, index } if *index > *highest_commit => {
            *highest_commit = *index;
            (
                format!("Entry {index} committed (first known by node {node})"),
                "commit",
            )
        }
        TraceKind::Compacted { node, index } => (
            format!("Node {node} compacted its log up to index {index} into a snapshot"),
            "snapshot",
        ),
        // A joining node asks for a snapshot to learn the configuration; from
        // a leader that has compacted nothing it holds no entry.
        TraceKind::SnapshotRestored { node, index: 0 } => (
            format!(
                "Node {node} installed an empty snapshot: the cluster's configuration, no entries"
            ),
            "snapshot",
        ),
        TraceKind::SnapshotRestored { node, index } => (
            format!("Node {node} installed a snapshot up to index {index}"),
            "snapshot",
        ),
        TraceKind::ClientInvoke {
            client, command, ..
        } if *client >= USER_CLIENT_BASE => (format!("You send {}", command.describe()), "client"),
        TraceKind::ClientReturn { client, op, reply } => {
            let who = client_name(*client);
            // Named with its request ("Client 2: GET x → 1.5"); the trace's
            // reply alone ("= 1.5") says neither what was asked nor of which key.
            let text = match history.get(*op).and_then(|o| Some((o, o.output.as_ref()?))) {
                Some((o, outcome)) => {
                    format!("{who}: {} → {}", o.input.describe(), outcome_words(outcome))
                }
                None => format!("{who} got: {reply}"),
            };
            (text, "client")
        }
        TraceKind::Crash { node } => (format!("Node {node} crashed"), "fault"),
        TraceKind::Restart { node } => (format!("Node {node} restarted from its disk"), "fault"),
        TraceKind::Pause { node } => (format!("Node {node} paused"), "fault"),
        TraceKind::Resume { node } => (format!("Node {node} resumed"), "fault"),
        TraceKind::Partition { groups } => (
            format!("Network split into {}", groups_text(groups)),
            "fault",
        ),
        TraceKind::LinkCut { from, to } => (format!("Link {from} → {to} cut"), "fault"),
        TraceKind::LinkHealed { from, to } => (format!("Link {from} → {to} healed"), "fault"),
        TraceKind::Heal => ("Every link healed".to_string(), "fault"),
        TraceKind::Action { action } => (action_words(action), "fault"),
        TraceKind::NodeAdded { node } => (format!("Node {node} added as a learner"), "fault"),
        TraceKind::InvariantViolation {
            property, message, ..
        } => (
            format!("VIOLATION of {}: {message}", property.as_str()),
            "violation",
        ),
        _ => return None,
    };
    Some(FeedLine {
        seq: ev.seq,
        time_us: ev.time_us,
        text,
        class,
    })
}

/// A client's answer in words for the feed, values shortened as in
/// [`Op::describe`](raft_core::kv::Op::describe).
fn outcome_words(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Ok => "OK".to_string(),
        Outcome::Deleted { existed: true } => "deleted".to_string(),
        Outcome::Deleted { existed: false } => "was absent".to_string(),
        Outcome::Value(Some(v)) => describe_value(v),
        Outcome::Value(None) => "absent".to_string(),
        Outcome::Mismatch { actual: Some(v) } => format!("no match (holds {})", describe_value(v)),
        Outcome::Mismatch { actual: None } => "no match (absent)".to_string(),
    }
}

fn groups_text(groups: &[Vec<NodeId>]) -> String {
    groups
        .iter()
        .map(|g| {
            g.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .map(|g| format!("{{{g}}}"))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// "You" for the user's requests, "client 2" for the simulated load.
pub fn client_name(client: u64) -> String {
    if client >= USER_CLIENT_BASE {
        "You".to_string()
    } else {
        format!("Client {client}")
    }
}

/// What happened to one of the user's own requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestResult {
    /// History operation id.
    pub op: u64,
    /// e.g. `SET x=1`.
    pub description: String,
    /// Attempts so far, with the node asked each time.
    pub sent_to: Vec<(NodeId, u32)>,
    /// The reply, when it came.
    pub reply: Option<String>,
    /// When it was invoked.
    pub invoked_us: u64,
}

impl RequestResult {
    /// One line for the results list.
    pub fn text(&self) -> String {
        let route = self
            .sent_to
            .iter()
            .map(|(node, attempt)| {
                if *attempt > 1 {
                    format!("retry → S{node}")
                } else {
                    format!("S{node}")
                }
            })
            .collect::<Vec<_>>();
        let path = if route.len() > 1 {
            format!(" (redirected: {})", route.join(" → "))
        } else if let Some(first) = route.first() {
            format!(" (via {first})")
        } else {
            String::new()
        };
        match &self.reply {
            Some(reply) => format!("{}: {reply}{path}", self.description),
            None => format!("{}: waiting…{path}", self.description),
        }
    }
}

/// The user's recent requests, newest first.
pub fn user_results(sim: &Sim) -> Vec<RequestResult> {
    let mut out: Vec<RequestResult> = Vec::new();
    let mut client_op: Vec<(u64, u64)> = Vec::new();
    for ev in sim.trace().events() {
        match &ev.kind {
            TraceKind::ClientInvoke {
                client,
                op,
                command,
            } if *client >= USER_CLIENT_BASE => {
                client_op.push((*client, *op));
                out.push(RequestResult {
                    op: *op,
                    description: command.describe(),
                    sent_to: Vec::new(),
                    reply: None,
                    invoked_us: ev.time_us,
                });
            }
            TraceKind::ClientSend {
                client,
                node,
                attempt,
            } if *client >= USER_CLIENT_BASE => {
                let op = client_op
                    .iter()
                    .rev()
                    .find(|(c, _)| c == client)
                    .map(|(_, op)| *op);
                if let Some(r) = out.iter_mut().rev().find(|r| Some(r.op) == op) {
                    r.sent_to.push((*node, *attempt));
                }
            }
            TraceKind::ClientReturn { client, op, reply } if *client >= USER_CLIENT_BASE => {
                if let Some(r) = out.iter_mut().rev().find(|r| r.op == *op) {
                    r.reply = Some(reply.to_string());
                }
            }
            _ => {}
        }
    }
    out.reverse();
    out.truncate(RESULT_LINES);
    out
}

/// The user's recent requests, re-read from the trace only when one of
/// their events was recorded since the last look (it is a full scan).
#[derive(Clone, Debug, Default)]
pub struct UserResults {
    cursor: TraceCursor,
    results: Rc<Vec<RequestResult>>,
}

impl UserResults {
    /// The results, newest first.
    pub fn update(&mut self, epoch: u64, sim: &Sim) -> Rc<Vec<RequestResult>> {
        let trace = sim.trace();
        let changed = match self.cursor.advance(epoch, trace) {
            Some(from) => trace.since(from).any(|ev| match &ev.kind {
                TraceKind::ClientInvoke { client, .. }
                | TraceKind::ClientSend { client, .. }
                | TraceKind::ClientReturn { client, .. } => *client >= USER_CLIENT_BASE,
                _ => false,
            }),
            None => true,
        };
        if changed {
            self.results = Rc::new(user_results(sim));
        }
        Rc::clone(&self.results)
    }
}

/// One node's term and commit index over time, for the chart.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Series {
    /// (time, term) steps.
    pub term: Vec<(u64, u64)>,
    /// (time, commit index) steps.
    pub commit: Vec<(u64, u64)>,
}

/// Term and commit series per node, from the events still in the trace,
/// thinned to at most [`CHART_POINTS`] steps per line, from the first step
/// to now.
pub fn series(sim: &Sim, nodes: &[NodeView]) -> Vec<(NodeId, Series)> {
    let steps: Vec<Step> = sim.trace().events().iter().filter_map(Step::of).collect();
    thin(nodes, span(&steps, sim.now_us()), steps.into_iter())
}

/// The chart's time span: from the first step to now.
fn span<'a>(steps: impl IntoIterator<Item = &'a Step>, now_us: u64) -> Option<(u64, u64)> {
    let first = steps.into_iter().next()?.time_us;
    Some((first, now_us.max(first)))
}

/// A term or commit index change on one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Step {
    seq: u64,
    time_us: u64,
    node: NodeId,
    value: u64,
    is_term: bool,
}

impl Step {
    fn of(ev: &TraceEvent) -> Option<Step> {
        let (node, value, is_term) = match ev.kind {
            TraceKind::TermChanged { node, to, .. } => (node, to, true),
            TraceKind::Committed { node, index } => (node, index, false),
            _ => return None,
        };
        Some(Step {
            seq: ev.seq,
            time_us: ev.time_us,
            node,
            value,
            is_term,
        })
    }
}

/// The series of `nodes` from `steps` (in trace order) over the time span
/// `first..=last`, keeping within one pixel column only the latest value.
fn thin(
    nodes: &[NodeView],
    span: Option<(u64, u64)>,
    steps: impl Iterator<Item = Step>,
) -> Vec<(NodeId, Series)> {
    let mut out: Vec<(NodeId, Series)> = nodes.iter().map(|n| (n.id, Series::default())).collect();
    let Some((start, end)) = span else {
        return out;
    };
    let bucket = ((end.max(start + 1) - start) / CHART_POINTS as u64).max(1);
    for step in steps {
        if let Some((_, s)) = out.iter_mut().find(|(id, _)| *id == step.node) {
            let line = if step.is_term {
                &mut s.term
            } else {
                &mut s.commit
            };
            match line.last_mut() {
                Some(last) if (last.0 - start) / bucket == (step.time_us - start) / bucket => {
                    *last = (last.0, step.value)
                }
                _ => line.push((step.time_us, step.value)),
            }
        }
    }
    out
}

/// The chart's steps, folded from the trace as it grows (only new events
/// are read per frame) and thinned on demand.
///
/// It remembers the whole run, not only the events still in the trace's
/// memory (a ring buffer, and a checkpoint restored by a seek keeps only
/// its tail): a seek back or a fork keeps the steps before the trace's
/// oldest event, which are the same in every branch of one run.
#[derive(Clone, Debug, Default)]
pub struct SeriesLog {
    cursor: TraceCursor,
    /// [`Playground::run`](crate::state::Playground::run) of the steps.
    run: Option<u64>,
    /// The run's steps in order, at most [`MAX_CHART_STEPS`].
    steps: VecDeque<Step>,
    /// Changes when the lines are worth drawing again (see [`Self::version`]).
    version: u64,
    /// Steps arrived since `version` last changed.
    dirty: bool,
    /// The simulation's event count when `version` last changed.
    events_at_version: u64,
}

/// Below this many steps the lines are redrawn as soon as one arrives (it
/// costs next to nothing); above it, at most once per [`REDRAW_EVERY_EVENTS`].
const EAGER_STEPS: usize = 2_048;
/// Events between two redraws of a chart with many steps.
const REDRAW_EVERY_EVENTS: u64 = 256;

/// Steps a [`SeriesLog`] keeps; past this the oldest are merged per node
/// and line into ever coarser time buckets.
pub const MAX_CHART_STEPS: usize = 20_000;

impl SeriesLog {
    /// Reads the events recorded since the last look.
    pub fn update(&mut self, run: u64, epoch: u64, sim: &Sim) {
        let trace = sim.trace();
        let had = self.steps.len();
        let mut moved = false;
        match self.cursor.advance(epoch, trace) {
            Some(from) if self.run == Some(run) => {
                self.steps.extend(trace.since(from).filter_map(Step::of))
            }
            _ => {
                moved = true;
                if self.run == Some(run) {
                    // The same run, elsewhere in time: what precedes the
                    // trace's memory is unchanged; the rest is read again.
                    let oldest = trace.events().front().map_or(trace.total(), |e| e.seq);
                    while self.steps.back().is_some_and(|s| s.seq >= oldest) {
                        self.steps.pop_back();
                    }
                } else {
                    self.steps.clear();
                    self.run = Some(run);
                }
                self.steps
                    .extend(trace.events().iter().filter_map(Step::of));
            }
        }
        if self.steps.len() > MAX_CHART_STEPS {
            self.compact();
        }
        debug_assert!(self.steps.len() <= MAX_CHART_STEPS);
        self.dirty |= moved || self.steps.len() != had;
        let events = sim.events_processed();
        let due = moved
            || self.steps.len() <= EAGER_STEPS
            || events.abs_diff(self.events_at_version) >= REDRAW_EVERY_EVENTS;
        if self.dirty && due {
            self.version += 1;
            self.dirty = false;
            self.events_at_version = events;
        }
    }

    /// Changes when [`Self::series`] is worth computing again: when steps
    /// arrived, or the run moved in time, but with many steps not more than
    /// once per [`REDRAW_EVERY_EVENTS`] events. (Keyed on the event count
    /// alone, a new run's chart stayed empty until its 256th event: about
    /// 25 s of watching at the default speed.)
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Keeps the last step per node, line and time bucket, doubling the
    /// bucket until at most half of [`MAX_CHART_STEPS`] remain (the chart
    /// draws at most [`CHART_POINTS`] per line anyway).
    fn compact(&mut self) {
        let mut bucket_us = 1_000u64;
        while self.steps.len() > MAX_CHART_STEPS / 2 {
            let mut kept: Vec<Option<Step>> = Vec::with_capacity(self.steps.len());
            // Per line, where its last kept step is.
            let mut last: BTreeMap<(NodeId, bool), usize> = BTreeMap::new();
            for step in self.steps.drain(..) {
                let line = (step.node, step.is_term);
                if let Some(&at) = last.get(&line) {
                    if kept[at].is_some_and(|k| k.time_us / bucket_us == step.time_us / bucket_us) {
                        kept[at] = None;
                    }
                }
                last.insert(line, kept.len());
                kept.push(Some(step));
            }
            self.steps = kept.into_iter().flatten().collect();
            bucket_us = bucket_us.saturating_mul(2);
        }
    }

    /// The series per node, thinned, from the run's first step to now.
    pub fn series(&self, sim: &Sim, nodes: &[NodeView]) -> Vec<(NodeId, Series)> {
        thin(
            nodes,
            span(&self.steps, sim.now_us()),
            self.steps.iter().copied(),
        )
    }
}

/// `t = 1.234 s` for the clock.
pub fn clock_text(now_us: u64) -> String {
    format!("t = {}", format_time(now_us))
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::kv::Op;
    use raft_core::sim::{Action, SimConfig, Timeline};

    #[test]
    fn every_lost_message_is_drawn_with_the_kind_it_was_sent_as() {
        let lossy = SimConfig {
            loss_ppm: 200_000,
            ..SimConfig::default()
        };
        let mut timeline = Timeline::new(lossy).unwrap();
        let mut marks = 0;
        for step in 1..=200u64 {
            let now_us = step * 10_000;
            timeline.run_until(now_us);
            let sim = timeline.sim();
            // What was dropped in the fade window, newest first, and the
            // kind each was sent with (searched from the newest event).
            let events = sim.trace().events();
            let expected: Vec<(NodeId, NodeId, String)> = events
                .iter()
                .rev()
                .take_while(|e| e.time_us >= now_us.saturating_sub(LOST_FADE_US))
                .filter_map(|e| match &e.kind {
                    TraceKind::Dropped { id, from, to, .. } => {
                        let kind = sent_message(events.iter().rev(), *id)
                            .map(|(_, s)| s.kind().to_string())
                            .unwrap_or_default();
                        Some((*from, *to, kind))
                    }
                    _ => None,
                })
                .collect();
            let drawn: Vec<(NodeId, NodeId, String)> = lost(sim, now_us)
                .into_iter()
                .map(|l| (l.from, l.to, l.kind))
                .collect();
            assert_eq!(drawn, expected, "at {now_us} us");
            assert!(drawn.iter().all(|(_, _, kind)| !kind.is_empty()));
            marks += drawn.len();
        }
        assert!(
            marks > 50,
            "only {marks} lost marks in two seconds at 20% loss"
        );
    }

    #[test]
    fn the_folded_series_keep_the_whole_run_across_a_wrapping_trace_seeks_and_forks() {
        // A small trace, so that it forgets events while the run goes on;
        // and the same run with a trace that never forgets, read at once.
        let small = SimConfig {
            trace_capacity: 600,
            ..SimConfig::default()
        };
        let mut timeline = Timeline::new(small).unwrap();
        let mut full = Timeline::new(SimConfig::default()).unwrap();
        let mut log = SeriesLog::default();
        let mut epoch = 0;
        for step in 1..=60u64 {
            timeline.run_until(step * 50_000);
            full.run_until(step * 50_000);
            if step == 40 {
                // Back in time (restoring a checkpoint keeps only the
                // trace's tail), then on again. (Jumping further ahead at
                // once than the trace remembers would leave a gap.)
                timeline.seek(1_900_000);
                full.seek(1_900_000);
                epoch += 1;
            }
            if step == 50 {
                // A fork: both timelines take the same action.
                let op = Op::Set {
                    key: "k".into(),
                    value: "v".into(),
                };
                timeline.seek(2_400_000);
                full.seek(2_400_000);
                timeline
                    .act(Action::ClientRequest {
                        op: op.clone(),
                        target: None,
                    })
                    .unwrap();
                full.act(Action::ClientRequest { op, target: None })
                    .unwrap();
                epoch += 1;
            }
            let sim = timeline.sim();
            log.update(7, epoch, sim);
            let nodes = sim.nodes();
            assert_eq!(
                log.series(sim, &nodes),
                series(full.sim(), &nodes),
                "at step {step}"
            );
        }
        assert!(timeline.sim().trace().total() > 600, "the trace wrapped");
        assert!(
            full.sim().trace().events().front().unwrap().seq == 0,
            "the reference kept everything"
        );
        let nodes = timeline.sim().nodes();
        let s = log.series(timeline.sim(), &nodes);
        assert!(s.iter().any(|(_, s)| !s.commit.is_empty()));
        // From the first election on, not from the trace's memory.
        assert!(s.iter().all(|(_, s)| s.term[0].0 < 1_000_000), "{s:?}");
        // Another run starts afresh.
        let other = Timeline::new(SimConfig::with_seed(99)).unwrap();
        log.update(8, epoch, other.sim());
        assert!(log
            .series(other.sim(), &nodes)
            .iter()
            .all(|(_, s)| s.term.is_empty()));
    }

    #[test]
    fn a_joining_node_says_its_snapshot_is_only_the_configuration() {
        let line = |index| {
            let ev = TraceEvent {
                seq: 0,
                time_us: 0,
                kind: TraceKind::SnapshotRestored { node: 6, index },
            };
            feed_line(&ev, &History::new(), &mut 0).unwrap().text
        };
        assert_eq!(
            line(0),
            "Node 6 installed an empty snapshot: the cluster's configuration, no entries"
        );
        assert_eq!(line(40), "Node 6 installed a snapshot up to index 40");
    }

    #[test]
    fn the_chart_is_redrawn_from_the_first_step_on() {
        let mut timeline = Timeline::new(SimConfig::default()).unwrap();
        let mut log = SeriesLog::default();
        log.update(1, 0, timeline.sim());
        let empty = log.version();
        // Past the first election, long before the 256th event.
        timeline.run_until(400_000);
        let sim = timeline.sim();
        assert!(sim.events_processed() < 256, "{}", sim.events_processed());
        log.update(1, 0, sim);
        assert_ne!(log.version(), empty, "new steps, new lines");
        let nodes = sim.nodes();
        assert!(log
            .series(sim, &nodes)
            .iter()
            .all(|(_, s)| !s.term.is_empty()));
        // Nothing new, nothing to redraw.
        let drawn = log.version();
        log.update(1, 0, sim);
        assert_eq!(log.version(), drawn);
        // A seek (a new epoch) redraws even with no new step.
        log.update(1, 1, sim);
        assert_ne!(log.version(), drawn);
    }

    #[test]
    fn a_busy_chart_is_redrawn_at_most_once_per_256_events() {
        let mut timeline = Timeline::new(SimConfig::benchmark_workload(1)).unwrap();
        let mut log = SeriesLog::default();
        timeline.run_until(20_000_000);
        log.update(1, 0, timeline.sim());
        assert!(log.steps.len() > EAGER_STEPS, "{}", log.steps.len());
        let (mut redraws, from) = (0, timeline.sim().events_processed());
        let mut version = log.version();
        while timeline.sim().events_processed() < from + 10 * REDRAW_EVERY_EVENTS {
            timeline.step();
            log.update(1, 0, timeline.sim());
            redraws += u64::from(log.version() != version);
            version = log.version();
        }
        assert!(
            (9..=10).contains(&redraws),
            "{redraws} redraws in 2,560 events"
        );
    }

    #[test]
    fn the_chart_steps_stay_bounded_and_keep_the_latest_value_per_bucket() {
        let mut log = SeriesLog::default();
        for i in 0..(MAX_CHART_STEPS as u64 + 1) {
            log.steps.push_back(Step {
                seq: i,
                time_us: i * 100,
                node: 1 + i % 3,
                value: i,
                is_term: i % 2 == 0,
            });
        }
        let last = *log.steps.back().unwrap();
        log.compact();
        assert!(
            log.steps.len() <= MAX_CHART_STEPS / 2,
            "{}",
            log.steps.len()
        );
        assert_eq!(
            *log.steps.back().unwrap(),
            last,
            "the newest value survives"
        );
        assert!(log
            .steps
            .iter()
            .zip(log.steps.iter().skip(1))
            .all(|(a, b)| a.seq < b.seq));
    }

    #[test]
    fn the_incremental_feed_equals_a_full_read_and_starts_over_on_a_new_epoch() {
        let mut timeline = Timeline::new(SimConfig::default()).unwrap();
        let mut feed = Feed::default();
        let mut results = UserResults::default();
        let mut epoch = 0;
        for step in 1..=40u64 {
            timeline.run_until(step * 20_000);
            if step % 7 == 0 {
                let op = Op::Set {
                    key: "k".into(),
                    value: step.to_string(),
                };
                let _ = timeline.act(Action::ClientRequest { op, target: None });
            }
            let sim = timeline.sim();
            assert_eq!(*feed.update(epoch, sim), self::feed(sim), "at step {step}");
            assert_eq!(
                *results.update(epoch, sim),
                user_results(sim),
                "at step {step}"
            );
        }
        assert!(!results.update(epoch, timeline.sim()).is_empty());
        // Unchanged: the very same lines.
        let a = feed.update(epoch, timeline.sim());
        assert!(Rc::ptr_eq(&a, &feed.update(epoch, timeline.sim())));
        // Back in time: a new epoch, read afresh.
        timeline.seek(300_000);
        epoch += 1;
        let sim = timeline.sim();
        assert_eq!(*feed.update(epoch, sim), self::feed(sim));
        assert_eq!(*results.update(epoch, sim), user_results(sim));
        // A fork that then runs past where the old branch was: without a
        // new epoch the feed would keep lines of the discarded future.
        let mut stale = Feed::default();
        let mut fork = Timeline::new(SimConfig::default()).unwrap();
        fork.run_until(800_000);
        stale.update(7, fork.sim());
        fork.seek(300_000);
        let leader = fork.sim().leader().unwrap();
        fork.act(Action::Crash(leader)).unwrap();
        fork.run_until(1_600_000);
        assert_ne!(*stale.update(7, fork.sim()), self::feed(fork.sim()));
        assert_eq!(*stale.update(8, fork.sim()), self::feed(fork.sim()));
    }

    fn cut(from: NodeId, to: NodeId) -> Cut {
        Cut { from, to }
    }

    /// Every link between `a` and `b` cut both ways.
    fn split(a: &[NodeId], b: &[NodeId]) -> Vec<Cut> {
        let mut out = Vec::new();
        for &x in a {
            for &y in b {
                out.push(cut(x, y));
                out.push(cut(y, x));
            }
        }
        out
    }

    #[test]
    fn an_intact_network_has_no_groups() {
        assert!(partition_groups(&[1, 2, 3, 4, 5], &[]).is_empty());
        assert!(partition_groups(&[1], &[]).is_empty());
        assert!(partition_groups(&[], &[]).is_empty());
    }

    #[test]
    fn a_split_gives_each_side_in_order() {
        let cuts = split(&[4, 1], &[5, 3, 2]);
        assert_eq!(
            partition_groups(&[1, 2, 3, 4, 5], &cuts),
            vec![vec![1, 4], vec![2, 3, 5]]
        );
        let three = [split(&[1], &[2, 3, 4]), split(&[2], &[3, 4])].concat();
        assert_eq!(
            partition_groups(&[1, 2, 3, 4], &three),
            vec![vec![1], vec![2], vec![3, 4]]
        );
    }

    #[test]
    fn traffic_routes_around_a_few_cut_links() {
        // 1 and 2 cannot talk directly but both reach 3: one group.
        assert!(partition_groups(&[1, 2, 3], &[cut(1, 2), cut(2, 1)]).is_empty());
    }

    #[test]
    fn a_one_way_cut_counts_as_cut() {
        // Both links of node 1 cut in one direction only: it is cut off.
        let cuts = [cut(1, 2), cut(3, 1)];
        assert_eq!(
            partition_groups(&[1, 2, 3], &cuts),
            vec![vec![1], vec![2, 3]]
        );
    }

    #[test]
    fn crashed_nodes_belong_to_no_group() {
        // Node 3 is crashed (not live): the cut between 1 and 2 splits the rest.
        let cuts = [split(&[1], &[2]), split(&[3], &[1, 2])].concat();
        assert_eq!(partition_groups(&[1, 2], &cuts), vec![vec![1], vec![2]]);
        // Only one live node left: nothing to fence.
        assert!(partition_groups(&[2], &cuts).is_empty());
    }

    #[test]
    fn up_to_nine_nodes_alternating_groups() {
        let odd = [1, 3, 5, 7, 9];
        let even = [2, 4, 6, 8];
        let live: Vec<NodeId> = (1..=9).collect();
        assert_eq!(
            partition_groups(&live, &split(&odd, &even)),
            vec![odd.to_vec(), even.to_vec()]
        );
    }

    #[test]
    fn a_violation_is_told_right_after_the_message_that_caused_it() {
        let s = raft_core::scenario::by_id("figure-8-bug").unwrap();
        let timeline = s.run_to(s.end_us).unwrap();
        let sim = timeline.sim();
        let lines = feed(sim);
        // Newest first: the cause is the line just below the first violation.
        let at = lines
            .iter()
            .rposition(|l| l.class == "violation")
            .expect("a violation line");
        let cause = &lines[at + 1];
        assert_eq!(cause.class, "cause", "{lines:#?}");
        assert!(
            cause.text.starts_with("↳ caused by node "),
            "{}",
            cause.text
        );
        assert!(cause.text.contains("arriving at node"), "{}", cause.text);
        assert_eq!(cause.time_us, lines[at].time_us);
        // Each cause is told once, above the line that says what it caused.
        let causes = lines.iter().filter(|l| l.class == "cause").count();
        let keys: std::collections::BTreeSet<u64> = lines.iter().map(|l| l.seq).collect();
        assert_eq!(keys.len(), lines.len(), "unique keys");
        assert!(causes >= 1);
    }

    #[test]
    fn no_cause_is_told_for_an_event_no_longer_in_memory() {
        let events = VecDeque::new();
        assert_eq!(violation_cause(&events, 5), None);
    }

    /// Every client answer in the feed names its request and the outcome
    /// in words, e.g. "Client 2: GET x → 1.5" and "You: SET k=v → OK".
    #[test]
    fn a_client_answer_names_the_request_it_answers() {
        let mut timeline = Timeline::new(SimConfig::default()).unwrap();
        timeline.run_until(1_000_000);
        timeline
            .act(Action::ClientRequest {
                op: Op::Set {
                    key: "colour".into(),
                    value: "teal".into(),
                },
                target: None,
            })
            .unwrap();
        timeline.run_until(3_000_000);
        let sim = timeline.sim();
        let lines: Vec<String> = feed(sim)
            .into_iter()
            .filter(|l| l.class == "client")
            .map(|l| l.text)
            .collect();
        assert!(
            lines.iter().any(|l| l == "You: SET colour=teal → OK"),
            "{lines:?}"
        );
        let answers: Vec<&String> = lines.iter().filter(|l| l.contains(" → ")).collect();
        assert!(answers.len() > 10, "{lines:?}");
        for line in &answers {
            let (who, rest) = line.split_once(": ").unwrap();
            assert!(who.starts_with("Client ") || who == "You", "{line}");
            let (request, outcome) = rest.split_once(" → ").unwrap();
            assert!(
                ["SET ", "GET ", "DEL ", "CAS "]
                    .iter()
                    .any(|verb| request.starts_with(verb)),
                "{line}"
            );
            assert!(!outcome.is_empty() && !outcome.starts_with('='), "{line}");
            if request.starts_with("GET ") {
                let read = sim
                    .history()
                    .operations()
                    .iter()
                    .any(|o| o.input.describe() == request);
                assert!(read, "{line}");
            }
        }
    }

    #[test]
    fn outcomes_in_words() {
        assert_eq!(outcome_words(&Outcome::Ok), "OK");
        assert_eq!(outcome_words(&Outcome::Value(None)), "absent");
        assert_eq!(outcome_words(&Outcome::Value(Some("1.5".into()))), "1.5");
        assert_eq!(
            outcome_words(&Outcome::Mismatch { actual: None }),
            "no match (absent)"
        );
        let long = "é".repeat(40);
        let words = outcome_words(&Outcome::Value(Some(long)));
        assert_eq!(
            words.chars().count(),
            raft_core::kv::DESCRIBE_VALUE_CHARS + 1
        );
        assert!(words.ends_with('…'));
    }
}
