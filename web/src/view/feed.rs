//! The event feed: the trace in words, newest first, kept up to date from
//! the events recorded since the last look.

use super::cluster::sent_message;
use super::requests::client_name;
use crate::flow::cursor::Change;
use raft_core::check::linearizability::History;
use raft_core::kv::{describe_value, Outcome};
use raft_core::sim::{ActionFact, Sim, TraceEvent, TraceKind, USER_CLIENT_BASE};
use raft_core::{NodeId, Role};
use std::collections::VecDeque;
use std::rc::Rc;

/// Lines kept in the event feed.
pub const FEED_LINES: usize = 60;
/// Trace events the feed looks back over (the feed shows the newest lines only).
pub const FEED_WINDOW_EVENTS: usize = 4_000;

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

/// The event feed, kept up to date from the events recorded since the last
/// look rather than re-read from the trace every frame.
#[derive(Clone, Debug, Default)]
pub struct Feed {
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
    /// Reads what `change` says is new in `sim`'s trace.
    pub fn apply(&mut self, change: &Change, sim: &Sim) {
        let trace = sim.trace();
        let events = trace.events();
        let mut new = Vec::new();
        match change {
            Change::Appended(added) => {
                for ev in trace.since(added.start) {
                    feed_lines(ev, events, sim.history(), &mut self.told, &mut new);
                }
            }
            Change::Rewound { .. } => {
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
    }

    /// The lines, newest first.
    pub fn lines(&self) -> Rc<Vec<FeedLine>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::cursor::{TraceCursor, Track};
    use raft_core::kv::Op;
    use raft_core::sim::{Action, SimConfig, Timeline};

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
    fn the_incremental_feed_equals_a_full_read_and_starts_over_on_a_rewind() {
        let mut track = Track::new(Timeline::new(SimConfig::default()).unwrap());
        let (mut feed, mut cursor) = (Feed::default(), TraceCursor::default());
        for step in 1..=40u64 {
            track.run_until(step * 20_000);
            if step % 7 == 0 {
                let op = Op::Set {
                    key: "k".into(),
                    value: step.to_string(),
                };
                let _ = track.act(Action::ClientRequest { op, target: None });
            }
            feed.apply(&cursor.look(&track), track.sim());
            assert_eq!(*feed.lines(), self::feed(track.sim()), "at step {step}");
        }
        // Unchanged: the very same lines.
        let a = feed.lines();
        feed.apply(&cursor.look(&track), track.sim());
        assert!(Rc::ptr_eq(&a, &feed.lines()));
        // Back in time: read afresh.
        track.seek(300_000);
        feed.apply(&cursor.look(&track), track.sim());
        assert_eq!(*feed.lines(), self::feed(track.sim()));
        // A fork that then runs past where the old branch was: no line of
        // the discarded future stays.
        let mut fork = Track::new(Timeline::new(SimConfig::default()).unwrap());
        let (mut feed, mut cursor) = (Feed::default(), TraceCursor::default());
        fork.run_until(800_000);
        feed.apply(&cursor.look(&fork), fork.sim());
        fork.seek(300_000);
        let leader = fork.sim().leader().unwrap();
        fork.act(Action::Crash(leader)).unwrap();
        fork.run_until(1_600_000);
        feed.apply(&cursor.look(&fork), fork.sim());
        assert_eq!(*feed.lines(), self::feed(fork.sim()));
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
