//! The clients' side of the protocol: think, send to a node, follow
//! redirects, time out and retry with the same sequence number, and record
//! every invocation and reply in the history the checker reads.

use super::client::{self, Phase, Request, MAX_REDIRECTS, MAX_USER_ATTEMPTS};
use super::event::Event;
use super::trace::TraceKind;
use super::world::Sim;
use crate::kv::{encode_command_into, Reply};
use crate::raft::ProposeError;
use crate::types::{LogIndex, NodeId, Term, TimeUs};
use alloc::sync::Arc;

impl Sim {
    pub(crate) fn schedule_client(&mut self, c: u64, at: TimeUs) {
        if let Some(cl) = self.clients.get_mut(&c) {
            cl.gen += 1;
            let gen = cl.gen;
            self.queue.push(at, Event::Client { client: c, gen });
        }
    }

    /// Draws when client `c`'s next operation is due: a think time after now.
    pub(crate) fn draw_next_start(&mut self, c: u64) -> Option<TimeUs> {
        let n = self.cfg.clients;
        let d = client::think_time_us(&mut self.client_rng, n, self.cfg.client_ops_per_sec)?;
        let at = self.now_us + d;
        if let Some(cl) = self.clients.get_mut(&c) {
            cl.next_start_us = at;
        }
        Some(at)
    }

    pub(crate) fn random_node(&mut self) -> NodeId {
        1 + self.client_rng.below(self.slots.len() as u64)
    }

    pub(crate) fn client_wake(&mut self, c: u64) {
        let Some(cl) = self.clients.get(&c) else {
            return;
        };
        match cl.phase.clone() {
            Phase::Thinking => {
                let seq = cl.next_seq;
                let op = client::random_op(&mut self.client_rng, c, seq);
                let target = self.random_node();
                self.draw_next_start(c);
                let cl = self.clients.get_mut(&c).expect("present");
                cl.next_seq += 1;
                cl.request = Some(Request {
                    op: Some(op),
                    seq,
                    command: None,
                    history_id: None,
                    attempt: 0,
                    redirects: 0,
                });
                self.client_send(c, target);
            }
            Phase::Sending { node, .. } => self.client_send(c, node),
            Phase::Waiting { node, proposal } => {
                // Timed out: retry with the same sequence number.
                if let Some((index, _)) = proposal {
                    if self.proposals.get(&(node, index)) == Some(&c) {
                        self.proposals.remove(&(node, index));
                    }
                }
                let hint = cl.leader_hint;
                let give_up = cl.user
                    && cl
                        .request
                        .as_ref()
                        .is_some_and(|r| r.attempt >= MAX_USER_ATTEMPTS);
                if give_up {
                    // Never answered now: the checker may stop waiting for it.
                    if let Some(hid) = cl.request.as_ref().and_then(|r| r.history_id) {
                        let _ = self.history.abandon(hid);
                    }
                    self.clients.remove(&c);
                    return;
                }
                let target = match hint {
                    Some(h) if h != node => h,
                    _ => self.random_node(),
                };
                if let Some(r) = self.clients.get_mut(&c).and_then(|cl| cl.request.as_mut()) {
                    r.redirects = 0;
                }
                self.client_send(c, target);
            }
        }
    }

    /// Sends client `c`'s request to `target` (an attempt: the first, a
    /// redirect or a retry with the same sequence number).
    pub(crate) fn client_send(&mut self, c: u64, target: NodeId) {
        let Some((attempt, bytes)) = self.begin_attempt(c) else {
            return;
        };
        let now = self.now_us;
        self.trace.push(
            now,
            TraceKind::ClientSend {
                client: c,
                node: target,
                attempt,
            },
        );
        match self.propose_at(target, bytes) {
            // No answer from a crashed or paused node: wait for the timeout.
            None => self.await_reply(c, target, None),
            Some(Ok((index, term))) => {
                self.await_reply(c, target, Some((index, term)));
                if let Some(cl) = self.clients.get_mut(&c) {
                    cl.leader_hint = Some(target);
                }
                self.proposals.insert((target, index), c);
                self.after_node(target, false);
            }
            Some(Err(e)) => self.redirect(c, target, e),
        }
    }

    /// Counts an attempt of `c`'s request, recording its invocation in the
    /// history the first time; the attempt number and the encoded command.
    fn begin_attempt(&mut self, c: u64) -> Option<(u32, Arc<[u8]>)> {
        let now = self.now_us;
        let cl = self.clients.get_mut(&c)?;
        let user = cl.user;
        let req = cl.request.as_mut()?;
        req.attempt += 1;
        if req.command.is_none() {
            let op = req.op.as_ref()?;
            self.encode_buf.clear();
            encode_command_into(&mut self.encode_buf, c, req.seq, op);
            req.command = Some(Arc::from(&self.encode_buf[..]));
        }
        if req.history_id.is_none() {
            // The history and the trace each keep the operation. An automatic
            // client's request gives its own copy to the trace: nothing reads
            // it after this (the command is encoded); a user's request is
            // still drawn on its way (`Sim::client_hops`).
            let op = if user { req.op.clone() } else { req.op.take() }?;
            let hid = self.history.invoke(c, op.clone(), now);
            req.history_id = Some(hid);
            self.trace.push(
                now,
                TraceKind::ClientInvoke {
                    client: c,
                    op: hid,
                    command: op,
                },
            );
        }
        Some((req.attempt, req.command.clone()?))
    }

    /// Proposes `bytes` at node `target`: `None` if it cannot answer (down or
    /// paused), else its answer (the index and term, or why not).
    fn propose_at(
        &mut self,
        target: NodeId,
        bytes: Arc<[u8]>,
    ) -> Option<Result<(LogIndex, Term), ProposeError>> {
        let i = self.slot_index(target)?;
        let slot = &mut self.slots[i];
        if slot.paused {
            return None;
        }
        let local = slot.clock.local(self.now_us);
        let node = slot.node.as_mut()?;
        Some(
            node.propose_shared(local, bytes)
                .map(|idx| (idx, node.term())),
        )
    }

    /// `c` waits for an answer from `node` until its timeout.
    fn await_reply(&mut self, c: u64, node: NodeId, proposal: Option<(LogIndex, Term)>) {
        let at = self.now_us + self.cfg.client_timeout_us;
        if let Some(cl) = self.clients.get_mut(&c) {
            cl.phase = Phase::Waiting { node, proposal };
        }
        self.schedule_client(c, at);
    }

    /// `target` refused: follow its leader hint (or try a random node) after a
    /// network hop, up to [`MAX_REDIRECTS`] times; then wait for the timeout.
    fn redirect(&mut self, c: u64, target: NodeId, e: ProposeError) {
        let Some(cl) = self.clients.get_mut(&c) else {
            return;
        };
        let redirects = cl.request.as_ref().map_or(0, |r| r.redirects);
        if redirects >= MAX_REDIRECTS {
            self.await_reply(c, target, None);
            return;
        }
        let next = match e {
            ProposeError::NotLeader {
                leader_hint: Some(h),
            } if h != target => Some(h),
            _ => None,
        };
        if let Some(r) = cl.request.as_mut() {
            r.redirects += 1;
        }
        cl.leader_hint = next;
        let node = match next {
            Some(h) => h,
            None => self.random_node(),
        };
        let hop = self.client_hop_us();
        let backoff = if next.is_some() {
            hop
        } else {
            hop + self.cfg.heartbeat_interval_us
        };
        let (since_us, arrive_us) = (self.now_us, self.now_us + backoff);
        if let Some(cl) = self.clients.get_mut(&c) {
            cl.phase = Phase::Sending {
                node,
                from: Some(target),
                hinted: next.is_some(),
                since_us,
                arrive_us,
            };
        }
        self.schedule_client(c, arrive_us);
    }

    /// One network hop, as a client's request or redirect takes it.
    pub(crate) fn client_hop_us(&mut self) -> TimeUs {
        self.client_rng
            .range_inclusive(self.net.latency_min_us, self.net.latency_max_us)
            .max(1)
    }

    pub(crate) fn complete_client(
        &mut self,
        c: u64,
        node: NodeId,
        index: LogIndex,
        term: Term,
        reply: Reply,
    ) {
        let now = self.now_us;
        let Some(cl) = self.clients.get_mut(&c) else {
            return;
        };
        if cl.phase
            != (Phase::Waiting {
                node,
                proposal: Some((index, term)),
            })
        {
            return;
        }
        let hid = cl.request.as_ref().and_then(|r| r.history_id);
        cl.request = None;
        cl.phase = Phase::Thinking;
        let user = cl.user;
        if let Some(hid) = hid {
            let _ = self.history.complete_reply(hid, &reply, now);
            self.trace.push(
                now,
                TraceKind::ClientReturn {
                    client: c,
                    op: hid,
                    reply,
                },
            );
        }
        if user {
            self.clients.remove(&c);
        } else {
            let at = self
                .clients
                .get(&c)
                .map_or(now, |cl| cl.next_start_us.max(now));
            self.schedule_client(c, at);
        }
    }
}
