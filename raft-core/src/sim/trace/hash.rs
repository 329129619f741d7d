//! The trace's running hash: every event as a sequence of words.
//!
//! Facts only: numbers, tags and the user's own text (keys, values), never
//! sentences, so rewording the view never changes a hash.

use super::{ActionFact, MsgSummary, TraceKind};
use crate::kv::{ApplyError, Op, Outcome, Reply};

/// The running hash of a [`Trace`](super::Trace) (hand-rolled: no_std and stable across
/// platforms, WebAssembly included).
///
/// An event is a sequence of `u64` words (its time, a tag, its fields; text
/// goes in as its length and then 8 bytes per word, little-endian). Word `i`
/// of an event contributes `(w ^ i·G)·K ^ i·G` to a wrapping sum, so the words
/// of one event are mixed independently, with no chain of dependent
/// multiplies (hashing was a hot spot of the simulator). The sum and the word
/// count are then folded into the running value with one multiply and
/// xor-shift, a bijection: runs whose traces differ in one event keep
/// different values unless they collide later by chance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TraceHasher(pub u64);

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl TraceHasher {
    const FOLD: u64 = 0xc4ce_b9fe_1a85_ec53;

    /// Folds one event, given as its words, into the running value.
    pub fn event(&mut self, words: &[u64]) {
        let mut e = EventWords::default();
        words.iter().for_each(|&w| e.word(w));
        self.fold(e);
    }

    #[inline(always)]
    pub(super) fn fold(&mut self, e: EventWords) {
        let h = (self.0 ^ e.sum ^ e.count.rotate_left(32)).wrapping_mul(Self::FOLD);
        self.0 = h ^ (h >> 29);
    }
}

/// The words of one event being hashed (see [`TraceHasher`]).
#[derive(Default)]
pub(super) struct EventWords {
    sum: u64,
    count: u64,
}

impl EventWords {
    const LANE: u64 = 0x9e37_79b9_7f4a_7c15;
    const MUL: u64 = 0xff51_afd7_ed55_8ccd;

    #[inline(always)]
    pub(super) fn word(&mut self, v: u64) {
        let lane = self.count.wrapping_mul(Self::LANE);
        self.sum = self
            .sum
            .wrapping_add((v ^ lane).wrapping_mul(Self::MUL) ^ lane);
        self.count += 1;
    }

    /// Text: its length, then its bytes eight at a time.
    pub(super) fn text(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.word(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.word(u64::from_le_bytes(w));
        }
    }
}

/// Optional text: a presence word, then the text.
fn opt_text(h: &mut EventWords, s: Option<&str>) {
    h.word(u64::from(s.is_some()));
    if let Some(s) = s {
        h.text(s);
    }
}

fn encode_op(h: &mut EventWords, op: &Op) {
    match op {
        Op::Set { key, value } => {
            h.word(1);
            h.text(key);
            h.text(value);
        }
        Op::Get { key } => {
            h.word(2);
            h.text(key);
        }
        Op::Delete { key } => {
            h.word(3);
            h.text(key);
        }
        Op::Cas { key, expected, new } => {
            h.word(4);
            h.text(key);
            opt_text(h, expected.as_deref());
            h.text(new);
        }
    }
}

fn encode_reply(h: &mut EventWords, reply: &Reply) {
    match reply {
        Reply::Done(Outcome::Ok) => h.word(1),
        Reply::Done(Outcome::Deleted { existed }) => {
            [2, u64::from(*existed)].iter().for_each(|&v| h.word(v))
        }
        Reply::Done(Outcome::Value(v)) => {
            h.word(3);
            opt_text(h, v.as_deref());
        }
        Reply::Done(Outcome::Mismatch { actual }) => {
            h.word(4);
            opt_text(h, actual.as_deref());
        }
        // Refusals by kind and numbers (a malformed or invalid command's
        // details follow from the command, which is hashed with the invocation).
        Reply::Refused(e) => match *e {
            ApplyError::Stale {
                client_id,
                seq,
                last_seq,
            } => [5, client_id, seq, last_seq]
                .iter()
                .for_each(|&v| h.word(v)),
            ApplyError::Malformed(_) => h.word(6),
            ApplyError::Invalid(_) => h.word(7),
            ApplyError::OutOfOrder {
                index,
                applied_index,
            } => [8, index, applied_index].iter().for_each(|&v| h.word(v)),
            ApplyError::StoreFull => h.word(9),
        },
    }
}

impl ActionFact {
    fn encode(&self, h: &mut EventWords) {
        let words: [u64; 3] = match *self {
            ActionFact::TimeoutNow { node } => [1, node, 0],
            ActionFact::TransferLeader { to } => [2, to, 0],
            ActionFact::RemoveNode { node } => [3, node, 0],
            ActionFact::Loss { ppm } => [4, u64::from(ppm), 0],
            ActionFact::Duplication { ppm } => [5, u64::from(ppm), 0],
            ActionFact::Reorder { ppm, max_delay_us } => [6, u64::from(ppm), max_delay_us],
            ActionFact::Latency { min_us, max_us } => [7, min_us, max_us],
            ActionFact::Drift { node, ppm } => [8, node, ppm as u64],
        };
        words.iter().for_each(|&v| h.word(v));
    }
}

impl MsgSummary {
    #[inline(always)]
    pub(super) fn encode(&self, h: &mut EventWords) {
        match *self {
            MsgSummary::Vote {
                pre_vote,
                last_log_index,
                last_log_term,
            } => [1, pre_vote as u64, last_log_index, last_log_term]
                .iter()
                .for_each(|&v| h.word(v)),
            MsgSummary::VoteResp { pre_vote, granted } => [2, pre_vote as u64, granted as u64]
                .iter()
                .for_each(|&v| h.word(v)),
            MsgSummary::Append {
                prev_log_index,
                prev_log_term,
                entries,
                leader_commit,
            } => [3, prev_log_index, prev_log_term, entries, leader_commit]
                .iter()
                .for_each(|&v| h.word(v)),
            MsgSummary::AppendResp {
                success,
                index,
                last_index,
            } => [4, success as u64, index, last_index]
                .iter()
                .for_each(|&v| h.word(v)),
            MsgSummary::Snapshot {
                last_index,
                last_term,
            } => [5, last_index, last_term].iter().for_each(|&v| h.word(v)),
            MsgSummary::SnapshotResp { last_index } => {
                [6, last_index].iter().for_each(|&v| h.word(v))
            }
            MsgSummary::TimeoutNow => h.word(7),
        }
    }
}

impl TraceKind {
    #[inline(always)]
    pub(super) fn encode(&self, h: &mut EventWords) {
        match self {
            TraceKind::MessageSent {
                id,
                from,
                to,
                term,
                send_us,
                deliver_us,
                summary,
            } => {
                for v in [1, *id, *from, *to, *term, *send_us, *deliver_us] {
                    h.word(v);
                }
                summary.encode(h);
            }
            TraceKind::Delivered { id, from, to } => {
                [2, *id, *from, *to].iter().for_each(|&v| h.word(v))
            }
            TraceKind::Dropped {
                id,
                from,
                to,
                reason,
            } => [3, *id, *from, *to, *reason as u64]
                .iter()
                .for_each(|&v| h.word(v)),
            TraceKind::Duplicated {
                id,
                copy,
                deliver_us,
            } => [4, *id, *copy, *deliver_us].iter().for_each(|&v| h.word(v)),
            TraceKind::TimerFired { node } => [5, *node].iter().for_each(|&v| h.word(v)),
            TraceKind::RoleChanged {
                node,
                from,
                to,
                term,
            } => [6, *node, *from as u64, *to as u64, *term]
                .iter()
                .for_each(|&v| h.word(v)),
            TraceKind::TermChanged { node, from, to } => {
                [7, *node, *from, *to].iter().for_each(|&v| h.word(v))
            }
            TraceKind::Voted {
                voter,
                candidate,
                term,
                granted,
            } => [8, *voter, *candidate, *term, *granted as u64]
                .iter()
                .for_each(|&v| h.word(v)),
            TraceKind::EntryAppended {
                node,
                from_index,
                to_index,
                term,
            } => [9, *node, *from_index, *to_index, *term]
                .iter()
                .for_each(|&v| h.word(v)),
            TraceKind::Committed { node, index } => {
                [10, *node, *index].iter().for_each(|&v| h.word(v))
            }
            TraceKind::Applied { node, index } => {
                [11, *node, *index].iter().for_each(|&v| h.word(v))
            }
            TraceKind::Compacted { node, index } => {
                [12, *node, *index].iter().for_each(|&v| h.word(v))
            }
            TraceKind::SnapshotRestored { node, index } => {
                [13, *node, *index].iter().for_each(|&v| h.word(v))
            }
            TraceKind::ClientInvoke {
                client,
                op,
                command,
            } => {
                [14, *client, *op].iter().for_each(|&v| h.word(v));
                encode_op(h, command);
            }
            TraceKind::ClientSend {
                client,
                node,
                attempt,
            } => [15, *client, *node, *attempt as u64]
                .iter()
                .for_each(|&v| h.word(v)),
            TraceKind::ClientReturn { client, op, reply } => {
                [16, *client, *op].iter().for_each(|&v| h.word(v));
                encode_reply(h, reply);
            }
            TraceKind::Crash { node } => [17, *node].iter().for_each(|&v| h.word(v)),
            TraceKind::Restart { node } => [18, *node].iter().for_each(|&v| h.word(v)),
            TraceKind::Pause { node } => [19, *node].iter().for_each(|&v| h.word(v)),
            TraceKind::Resume { node } => [20, *node].iter().for_each(|&v| h.word(v)),
            TraceKind::Partition { groups } => {
                h.word(21);
                for g in groups {
                    h.word(g.len() as u64);
                    g.iter().for_each(|&v| h.word(v));
                }
            }
            TraceKind::LinkCut { from, to } => [22, *from, *to].iter().for_each(|&v| h.word(v)),
            TraceKind::LinkHealed { from, to } => [23, *from, *to].iter().for_each(|&v| h.word(v)),
            TraceKind::Heal => h.word(24),
            TraceKind::Action { action } => {
                h.word(25);
                action.encode(h);
            }
            TraceKind::NodeAdded { node } => [26, *node].iter().for_each(|&v| h.word(v)),
            TraceKind::InvariantViolation {
                property,
                nodes,
                entries,
                message,
            } => {
                h.word(27);
                h.text(property.as_str());
                nodes.iter().for_each(|&v| h.word(v));
                for &(i, t) in entries {
                    h.word(i);
                    h.word(t);
                }
                h.text(message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Trace, TraceKind};
    use super::*;
    use crate::kv::Op;
    use alloc::string::String;

    #[test]
    fn the_hash_is_the_documented_fold_of_each_events_words() {
        let mut t = Trace::new(2);
        t.push(5, TraceKind::TimerFired { node: 3 });
        t.push(
            9,
            TraceKind::ClientInvoke {
                client: 2,
                op: 7,
                command: Op::Get {
                    key: String::from("loss 10%, ok"),
                },
            },
        );
        let mut h = TraceHasher::default();
        h.event(&[5, 5, 3]);
        // A GET (tag 2) of a 12-byte key: its length, then two little-endian words.
        h.event(&[
            9,
            14,
            2,
            7,
            2,
            12,
            u64::from_le_bytes(*b"loss 10%"),
            u64::from_le_bytes(*b", ok\0\0\0\0"),
        ]);
        assert_eq!(t.hash(), h.0);
        // Every word counts.
        let mut other = Trace::new(2);
        other.push(5, TraceKind::TimerFired { node: 4 });
        assert_ne!(other.hash(), Trace::new(2).hash());
        let mut one = Trace::new(2);
        one.push(5, TraceKind::TimerFired { node: 3 });
        assert_ne!(one.hash(), other.hash());
    }
}
