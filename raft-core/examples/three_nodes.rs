//! Three Raft nodes driven by hand: an explicit loop delivers every message
//! and fires timers, printing an election and a commit in readable lines.
//!
//! Run with `cargo run -p raft-core --example three_nodes`.

use raft_core::raft::{Config, EntryPayload, Message, MessageBody, Node};
use raft_core::{Role, TimeUs};
use std::collections::VecDeque;

fn describe(m: &Message) -> String {
    let what = match &m.body {
        MessageBody::RequestVote {
            last_log_index,
            last_log_term,
            ..
        } => {
            format!("last log {last_log_index}@{last_log_term}")
        }
        MessageBody::RequestVoteResp { granted, .. } => {
            (if *granted { "granted" } else { "refused" }).to_string()
        }
        MessageBody::AppendEntries {
            entries,
            leader_commit,
            ..
        } => {
            format!("{} entries, commit {leader_commit}", entries.len())
        }
        MessageBody::AppendEntriesResp { success, index, .. } => {
            format!("success={success} index={index}")
        }
        other => other.kind().to_string(),
    };
    format!(
        "  {} -> {} [term {}] {:<17} {what}",
        m.from,
        m.to,
        m.term,
        m.kind()
    )
}

/// Drains every node's Ready into the network, printing what gets applied.
fn collect(nodes: &mut [Node], net: &mut VecDeque<Message>) {
    for node in nodes.iter_mut() {
        while node.has_ready() {
            let mut rd = node.ready();
            for e in &rd.committed_entries {
                let what = match &e.payload {
                    EntryPayload::Command(d) => format!("command {:?}", String::from_utf8_lossy(d)),
                    other => format!("{other:?}"),
                };
                println!(
                    "  node {} applies #{} (term {}): {what}",
                    node.id(),
                    e.index,
                    e.term
                );
            }
            net.extend(rd.all_messages());
            node.advance(rd);
        }
    }
}

/// Delivers messages until the network is quiet (no latency, no loss).
fn settle(nodes: &mut [Node], net: &mut VecDeque<Message>, now: TimeUs) {
    collect(nodes, net);
    while let Some(m) = net.pop_front() {
        println!("{}", describe(&m));
        let to = (m.to - 1) as usize;
        nodes[to].step(now, m);
        collect(nodes, net);
    }
}

fn main() {
    let ids = [1, 2, 3];
    let mut nodes: Vec<Node> = ids
        .iter()
        .map(|&id| Node::new(Config::new(id), &ids, 2024, 0).expect("valid config"))
        .collect();
    let mut net = VecDeque::new();
    let mut now: TimeUs = 0;

    println!("== election: wait for the first election timer ==");
    while !nodes.iter().any(|n| n.role() == Role::Leader) {
        // Jump straight to the earliest deadline: no ticking.
        now = nodes
            .iter()
            .filter_map(Node::poll_timeout)
            .min()
            .expect("followers have timers");
        for n in nodes
            .iter_mut()
            .filter(|n| n.poll_timeout().is_some_and(|t| t <= now))
        {
            println!("t={:>7}us node {} times out as {}", now, n.id(), n.role());
            n.handle_timeout(now);
        }
        settle(&mut nodes, &mut net, now);
    }
    let leader = nodes
        .iter()
        .position(|n| n.role() == Role::Leader)
        .expect("a leader");
    println!(
        "node {} leads term {}",
        nodes[leader].id(),
        nodes[leader].term()
    );

    println!("== commit: propose \"x=1\" at the leader ==");
    let index = nodes[leader]
        .propose(now, b"x=1".to_vec())
        .expect("leader accepts");
    println!("proposed at index {index}");
    settle(&mut nodes, &mut net, now);

    println!("== a heartbeat round: everyone agrees ==");
    now = nodes[leader].poll_timeout().expect("leader heartbeat");
    nodes[leader].handle_timeout(now);
    settle(&mut nodes, &mut net, now);
    for n in &nodes {
        println!(
            "node {} {:<9} term {} commit {} last {}",
            n.id(),
            n.role(),
            n.term(),
            n.commit_index(),
            n.log().last_index()
        );
    }
}
