//! Replication throughput and allocation counts for a 5-node cluster in one
//! process with an in-memory transport (no latency, no loss).
//!
//! `cargo bench -p raft-core --bench replication`
//!
//! Reports: committed proposals/s with and without batching (100,000
//! proposals each), the cost of one AppendEntries step on a follower, and heap
//! allocations per proposal and per heartbeat round (counted by a
//! `#[global_allocator]` wrapper).

use criterion::{BatchSize, Criterion, Throughput};
use raft_core::raft::{Config, Message, MessageBody, Node};
use raft_core::{Role, TimeUs};
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Counts every allocation (and reallocation) made by the process.
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: defers to the system allocator; only adds a relaxed counter.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const PROPOSALS: u64 = 100_000;
const BATCH: u64 = 1_000;

struct Net {
    nodes: Vec<Node>,
    queue: VecDeque<Message>,
    now: TimeUs,
    committed_at_leader: u64,
}

impl Net {
    fn new(n: u64) -> Net {
        let ids: Vec<u64> = (1..=n).collect();
        let nodes = ids
            .iter()
            .map(|&id| {
                let mut cfg = Config::new(id);
                cfg.max_entries_per_msg = 256;
                cfg.max_inflight_msgs = 16;
                Node::new(cfg, &ids, 99, 0).unwrap()
            })
            .collect();
        let mut net = Net {
            nodes,
            queue: VecDeque::with_capacity(1024),
            now: 1,
            committed_at_leader: 0,
        };
        net.nodes[0].campaign(1);
        net.settle();
        assert_eq!(net.nodes[0].role(), Role::Leader);
        net
    }

    fn settle(&mut self) {
        loop {
            for (i, node) in self.nodes.iter_mut().enumerate() {
                while node.has_ready() {
                    let mut rd = node.ready();
                    if i == 0 {
                        self.committed_at_leader += rd.committed_entries.len() as u64;
                    }
                    self.queue.extend(rd.all_messages());
                    node.advance(rd);
                }
            }
            if self.queue.is_empty() {
                return;
            }
            while let Some(m) = self.queue.pop_front() {
                let to = (m.to - 1) as usize;
                self.nodes[to].step(self.now, m);
            }
        }
    }

    /// Proposes `total` commands, `batch` at a time, and waits for each batch to commit.
    fn commit(&mut self, total: u64, batch: u64) {
        let target = self.committed_at_leader + total;
        let mut left = total;
        while left > 0 {
            let k = left.min(batch);
            for i in 0..k {
                self.nodes[0]
                    .propose(self.now, (i as u32).to_le_bytes().to_vec())
                    .unwrap();
            }
            left -= k;
            self.settle();
        }
        assert_eq!(self.committed_at_leader, target);
    }

    fn heartbeat_round(&mut self) {
        self.now += 50_000;
        let now = self.now;
        self.nodes[0].handle_timeout(now);
        self.settle();
    }
}

fn rate(total: u64, f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    total as f64 / t.elapsed().as_secs_f64()
}

/// Plain-text figures: throughput and allocation counts.
fn report() {
    let mut net = Net::new(5);
    let batched = rate(PROPOSALS, || net.commit(PROPOSALS, BATCH));
    let mut net = Net::new(5);
    let unbatched = rate(PROPOSALS, || net.commit(PROPOSALS, 1));
    println!("committed proposals/s, 5 nodes, batches of {BATCH}: {batched:.0}");
    println!("committed proposals/s, 5 nodes, one at a time:   {unbatched:.0}");

    let mut net = Net::new(5);
    net.commit(10_000, BATCH); // warm up buffers
    let before = ALLOCS.load(Ordering::Relaxed);
    net.commit(10_000, BATCH);
    let per_proposal = (ALLOCS.load(Ordering::Relaxed) - before) as f64 / 10_000.0;
    for _ in 0..10 {
        net.heartbeat_round();
    }
    let before = ALLOCS.load(Ordering::Relaxed);
    for _ in 0..1_000 {
        net.heartbeat_round();
    }
    assert_eq!(net.nodes[0].role(), Role::Leader);
    let per_heartbeat = (ALLOCS.load(Ordering::Relaxed) - before) as f64 / 1_000.0;
    println!("heap allocations per committed proposal (whole 5-node cluster): {per_proposal:.2}");
    println!("heap allocations per heartbeat round (leader + 4 followers): {per_heartbeat:.2}");
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("replication");
    g.sample_size(10);
    g.throughput(Throughput::Elements(PROPOSALS));
    g.bench_function("commit_100k_batched", |b| {
        b.iter_batched(
            || Net::new(5),
            |mut net| net.commit(PROPOSALS, BATCH),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("commit_100k_unbatched", |b| {
        b.iter_batched(
            || Net::new(5),
            |mut net| net.commit(PROPOSALS, 1),
            BatchSize::PerIteration,
        )
    });
    g.finish();

    // One AppendEntries (one 8-byte entry) stepped into a follower, plus its Ready.
    let mut g = c.benchmark_group("follower");
    g.throughput(Throughput::Elements(1));
    let ids = [1, 2, 3, 4, 5];
    let mut follower = Node::new(Config::new(2), &ids, 1, 0).unwrap();
    let mut next = 1u64;
    g.bench_function("append_entries_step", |b| {
        b.iter_batched(
            || {
                let m = Message {
                    from: 1,
                    to: 2,
                    term: 1,
                    body: MessageBody::AppendEntries {
                        prev_log_index: next - 1,
                        prev_log_term: if next == 1 { 0 } else { 1 },
                        entries: vec![raft_core::raft::Entry {
                            index: next,
                            term: 1,
                            payload: raft_core::raft::EntryPayload::Command(
                                next.to_le_bytes().to_vec().into(),
                            ),
                        }],
                        leader_commit: next - 1,
                        read_seq: 0,
                    },
                };
                next += 1;
                m
            },
            |m| {
                follower.step(1, m);
                let rd = follower.ready();
                black_box(&rd);
                follower.advance(rd);
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn main() {
    report();
    let mut c = Criterion::default().configure_from_args();
    benches(&mut c);
    c.final_summary();
}
