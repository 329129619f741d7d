//! The user's own requests and what became of each: routed, redirected,
//! retried, answered.

use crate::flow::cursor::Change;
use raft_core::sim::{Sim, TraceKind, USER_CLIENT_BASE};
use raft_core::NodeId;
use std::rc::Rc;

/// User requests listed in the KV results.
pub const RESULT_LINES: usize = 12;

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
    results: Rc<Vec<RequestResult>>,
}

impl UserResults {
    /// Reads the results again if `change` holds one of the user's events.
    pub fn apply(&mut self, change: &Change, sim: &Sim) {
        let changed = match change {
            Change::Appended(added) => sim.trace().since(added.start).any(|ev| match &ev.kind {
                TraceKind::ClientInvoke { client, .. }
                | TraceKind::ClientSend { client, .. }
                | TraceKind::ClientReturn { client, .. } => *client >= USER_CLIENT_BASE,
                _ => false,
            }),
            Change::Rewound { .. } => true,
        };
        if changed {
            self.results = Rc::new(user_results(sim));
        }
    }

    /// The results, newest first.
    pub fn results(&self) -> Rc<Vec<RequestResult>> {
        Rc::clone(&self.results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::cursor::{TraceCursor, Track};
    use raft_core::kv::Op;
    use raft_core::sim::{Action, SimConfig, Timeline};

    #[test]
    fn the_results_are_read_again_when_a_request_moves_and_after_a_rewind() {
        let mut track = Track::new(Timeline::new(SimConfig::default()).unwrap());
        let (mut results, mut cursor) = (UserResults::default(), TraceCursor::default());
        for step in 1..=40u64 {
            track.run_until(step * 20_000);
            if step % 7 == 0 {
                let op = Op::Set {
                    key: "k".into(),
                    value: step.to_string(),
                };
                let _ = track.act(Action::ClientRequest { op, target: None });
            }
            results.apply(&cursor.look(&track), track.sim());
            assert_eq!(
                *results.results(),
                user_results(track.sim()),
                "at step {step}"
            );
        }
        assert!(!results.results().is_empty());
        // Back in time: read afresh.
        track.seek(300_000);
        results.apply(&cursor.look(&track), track.sim());
        assert_eq!(*results.results(), user_results(track.sim()));
    }
}
