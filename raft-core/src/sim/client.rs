//! Simulated clients: a workload behind a load balancer (each client has one
//! operation outstanding at a time and starts them at a configured rate), plus
//! one-shot clients for requests the user makes.

use super::rng::SimRng;
use crate::kv::Op;
use crate::types::{LogIndex, NodeId, Term, TimeUs};
use alloc::string::String;
use alloc::sync::Arc;

/// Keys the automatic workload touches (few, so operations conflict).
pub const WORKLOAD_KEYS: [&str; 3] = ["x", "y", "z"];
/// Client ids at or above this are one-shot clients created by user requests.
pub const USER_CLIENT_BASE: u64 = 1_000_000;
/// Most user requests outstanding at once.
pub const MAX_USER_REQUESTS: usize = 64;
/// Redirects followed for one attempt before waiting for the timeout.
pub const MAX_REDIRECTS: u32 = 8;
/// A user request is given up (left pending in the history) after this many attempts.
pub const MAX_USER_ATTEMPTS: u32 = 50;

/// Where a request stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Waiting to issue the next operation (automatic clients only).
    Thinking,
    /// On its way to `node`, arriving at the wake-up time `arrive_us`: a
    /// user request's first hop (`from` is `None`: from the client, through
    /// the load balancer) or a redirect (`from` is the node that refused;
    /// `hinted` if it named the leader). Kept for the stage to draw.
    Sending {
        node: NodeId,
        from: Option<NodeId>,
        hinted: bool,
        since_us: TimeUs,
        arrive_us: TimeUs,
    },
    /// Sent; waits for the reply until the wake-up time (then retries).
    Waiting {
        node: NodeId,
        proposal: Option<(LogIndex, Term)>,
    },
}

/// The operation a client is trying to get done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Request {
    /// The operation; an automatic client's is handed to the history and
    /// the trace at the first attempt (`None` after), a user's is kept for
    /// drawing the request on its way.
    pub(crate) op: Option<Op>,
    pub(crate) seq: u64,
    /// The encoded command, set when first sent: every attempt (a retry, a
    /// redirect) proposes these same bytes, so they are encoded once.
    pub(crate) command: Option<Arc<[u8]>>,
    /// History id, set when first sent.
    pub(crate) history_id: Option<u64>,
    pub(crate) attempt: u32,
    pub(crate) redirects: u32,
}

/// One client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Client {
    pub(crate) id: u64,
    pub(crate) user: bool,
    pub(crate) next_seq: u64,
    pub(crate) request: Option<Request>,
    pub(crate) phase: Phase,
    /// Generation of the scheduled wake-up; older wake-ups are stale.
    pub(crate) gen: u64,
    /// Last node known to lead.
    pub(crate) leader_hint: Option<NodeId>,
    /// When the next operation is due (automatic clients). Think times run
    /// from one operation's start to the next, so the clients issue the
    /// configured rate however long operations take, up to one each at a time.
    pub(crate) next_start_us: TimeUs,
}

impl Client {
    pub(crate) fn new(id: u64, user: bool) -> Self {
        Client {
            id,
            user,
            next_seq: 1,
            request: None,
            phase: Phase::Thinking,
            gen: 0,
            leader_hint: None,
            next_start_us: 0,
        }
    }
}

/// Draws the next workload operation of `client` (sequence `seq`).
pub(crate) fn random_op(rng: &mut SimRng, client: u64, seq: u64) -> Op {
    let key = String::from(WORKLOAD_KEYS[rng.below(WORKLOAD_KEYS.len() as u64) as usize]);
    // The value is written only for the operations that carry one.
    let value = || dotted(client, seq);
    match rng.below(20) {
        0..=9 => Op::Set {
            key,
            value: value(),
        },
        10..=14 => Op::Get { key },
        15..=17 => {
            let expected = match rng.below(3) {
                0 => None,
                _ => Some(dotted(1 + rng.below(3), seq.saturating_sub(1).max(1))),
            };
            Op::Cas {
                key,
                expected,
                new: value(),
            }
        }
        _ => Op::Delete { key },
    }
}

/// `format!("{a}.{b}")` without the formatting machinery (one per client
/// operation: it showed in profiles).
fn dotted(a: u64, b: u64) -> String {
    fn push_decimal(out: &mut String, mut n: u64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &d in &digits[i..] {
            out.push(char::from(d));
        }
    }
    let mut out = String::with_capacity(16);
    push_decimal(&mut out, a);
    out.push('.');
    push_decimal(&mut out, b);
    out
}

/// Time from the start of one operation of an automatic client to the start
/// of its next: `clients / ops_per_sec` seconds on average, so that together
/// they issue `ops_per_sec`.
pub(crate) fn think_time_us(rng: &mut SimRng, clients: usize, ops_per_sec: u32) -> Option<TimeUs> {
    if ops_per_sec == 0 {
        return None;
    }
    let mean = clients as u64 * 1_000_000 / ops_per_sec as u64;
    Some(rng.range_inclusive(mean / 2, mean + mean / 2).max(1))
}

#[cfg(test)]
mod tests {
    use super::dotted;
    use alloc::format;

    #[test]
    fn dotted_matches_format() {
        for (a, b) in [(0, 0), (1, 9), (10, 100), (7, 1234567), (u64::MAX, 42)] {
            assert_eq!(dotted(a, b), format!("{a}.{b}"));
        }
    }
}
