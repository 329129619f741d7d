//! A node's lane on the stage: its log as a strip of boxes (index on top,
//! colour by term, the command under it; committed solid, not yet committed
//! dashed and pale), the commit point as a bar, and the key-value store it
//! has applied under the strip.
//!
//! A lane re-renders only when its [`Lane`] or the geometry changes; its
//! entries are keyed by index, so a commit patches the entries it reached.

use crate::view::lanes::{shorten, Lane, LaneEntry, Lead};
use crate::view::stage::StageLayout;
use raft_core::NodeId;
use std::rc::Rc;
use yew::prelude::*;

/// Props of [`NodeLane`].
#[derive(Properties, Clone, PartialEq)]
pub struct NodeLaneProps {
    /// What the lane shows.
    pub lane: Rc<Lane>,
    /// The stage's geometry.
    pub layout: StageLayout,
    /// Which lane (row) it is.
    pub row: usize,
}

/// One node's log, commit point and store.
#[function_component(NodeLane)]
pub fn node_lane(props: &NodeLaneProps) -> Html {
    let NodeLaneProps { lane, layout, row } = props;
    let (top, w, h) = (
        layout.row_top(*row),
        layout.slot_width(),
        layout.box_height(),
    );
    let y = top + StageLayout::BOX_TOP;
    let chars = layout.label_chars();
    let column = |index: u64| layout.slot_x(index.saturating_sub(lane.first) as usize);
    let entries = lane.entries.iter().map(|e| {
        html! {
            { entry(lane.id, e, column(e.index), y, (w, h), chars) }
        }
    });
    let lead_x = layout.lane_x();
    let lead_w = layout.lead_width();
    let lead = match lane.lead {
        Lead::None => Html::default(),
        Lead::Snapshot(i) => html! {
            <g class="lane-lead snapshot">
                <title>{ format!("Entries 1 to {i} were compacted into a snapshot") }</title>
                <rect x={n(lead_x)} y={n(y)} width={n(lead_w)} height={n(h)} rx="3" />
                <text x={n(lead_x + 3.0)} y={n(y + 11.0)}>{ format!("≤{i} ") }</text>
                <text x={n(lead_x + 3.0)} y={n(y + h - 5.0)}>{ "snap " }</text>
            </g>
        },
        Lead::Earlier(count) => html! {
            <g class="lane-lead earlier">
                <title>{ format!("{count} earlier entries, left of the window (the Logs panel lists them)") }</title>
                <text x={n(lead_x + lead_w)} y={n(y + 11.0)} text-anchor="end">{ format!("+{count} ") }</text>
                <text x={n(lead_x + lead_w)} y={n(y + h - 5.0)} text-anchor="end">{ "earlier " }</text>
            </g>
        },
    };
    // Entries compacted into a snapshot inside the window: one block over their columns.
    let compacted = (lane.compacted > 0).then(|| {
        let x = layout.slot_x(0);
        let right = column(lane.compacted) + w;
        html! {
            <g class="lane-lead snapshot">
                <title>{ format!("Entries 1 to {} were compacted into a snapshot", lane.compacted) }</title>
                <rect x={n(x)} y={n(y)} width={n(right - x)} height={n(h)} rx="3" />
                <text x={n(x + 4.0)} y={n(y + h - 5.0)}>{ format!("snapshot ≤{} ", lane.compacted) }</text>
            </g>
        }
    });
    // The commit point: a bar after the last committed entry.
    let commit = lane.commit_column.map(|k| {
        let x = layout.slot_x(k as usize) - crate::view::stage::SLOT_GAP / 2.0;
        html! {
            <g class="commit-point" data-testid="commit-point" data-node-id={lane.id.to_string()}
               data-commit-index={lane.commit.to_string()}>
                <title>{ format!("S{} has committed up to index {}", lane.id, lane.commit) }</title>
                <path d={format!("M{x:.1} {:.1}V{:.1}", y - 3.0, y + h + 3.0)} />
                <path class="commit-tip" d={format!("M{:.1} {:.1}h8l-4 5z", x - 4.0, y - 5.0)} />
            </g>
        }
    });
    let store_y = n(top + layout.store_baseline());
    let store = if lane.crashed {
        html! { <text class="store-line muted" x={n(layout.lane_x())} y={store_y}>{ "crashed: its log on disk, its store lost " }</text> }
    } else {
        html! {
            <text class="store-line" x={n(layout.lane_x())} y={store_y}>
                <tspan class="muted">{ if lane.store.is_empty() { "store: empty " } else { "store: " } }</tspan>
                { for lane.store.iter().map(|(k, v)| html! {
                    <tspan data-testid="node-kv" data-node-id={lane.id.to_string()} data-key={k.clone()} data-value={v.clone()}>
                        { format!("{}={} ", shorten(k, 10), shorten(v, 10)) }
                    </tspan>
                }) }
                if lane.store_hidden > 0 {
                    <tspan class="muted">{ format!("+{} more ", lane.store_hidden) }</tspan>
                }
            </text>
        }
    };
    html! {
        <g class={classes!("lane", lane.crashed.then_some("crashed"))} data-testid="lane"
           data-node-id={lane.id.to_string()} role="group"
           aria-label={format!("S{}: {}", lane.id, lane.summary())}>
            { lead }
            { compacted.unwrap_or_default() }
            <g class="lane-entries">{ for entries }</g>
            { commit.unwrap_or_default() }
            { store }
        </g>
    }
}

/// A number for an SVG attribute, one decimal.
fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// One log entry at `x`, `y` of size `w`, `h`: its index on top, its term
/// as colour (and `t3` in the corner), its command under it, `chars`
/// characters of it at most. Keyed by index: a lane that changes patches
/// only the entries that did.
fn entry(node: NodeId, e: &LaneEntry, x: f64, y: f64, (w, h): (f64, f64), chars: usize) -> Html {
    html! {
        <g key={e.index} class={classes!("lane-entry", crate::components::logs::term_class(e.term), e.committed.then_some("committed"))}
           data-testid="log-entry" data-node-id={node.to_string()} data-index={e.index.to_string()}
           data-term={e.term.to_string()} data-committed={if e.committed { "true" } else { "false" }}>
            <title>{ format!("index {}, term {}: {} ({})", e.index, e.term, e.command,
                             if e.committed { "committed" } else { "not committed yet" }) }</title>
            <rect x={n(x)} y={n(y)} width={n(w)} height={n(h)} rx="3" />
            <text class="idx" x={n(x + 4.0)} y={n(y + 11.0)}>{ format!("{} ", e.index) }</text>
            <text class="term" x={n(x + w - 3.0)} y={n(y + 10.0)} text-anchor="end">{ format!("t{} ", e.term) }</text>
            <text class="cmd" x={n(x + 4.0)} y={n(y + h - 5.0)}>{ format!("{} ", shorten(&e.command, chars)) }</text>
        </g>
    }
}
