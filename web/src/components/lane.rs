//! A node's lane on the stage: its log as a strip of boxes (index on top,
//! colour by term, the command under it; committed solid, not yet committed
//! dashed and pale), the commit point as a bar, and the key-value store it
//! has applied under the strip.
//!
//! A lane re-renders only when its [`Lane`] or the geometry changes; its
//! entries are keyed by index, so a commit patches the entries it reached.

use crate::fixed::f1;
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

/// One node's log, commit point and store, drawn from the lane's own origin
/// (the left of its lead block, the top of its log boxes).
#[function_component(NodeLane)]
pub fn node_lane(props: &NodeLaneProps) -> Html {
    let NodeLaneProps { lane, layout, row } = props;
    let (w, h) = (layout.slot_width(), layout.box_height());
    // Shared by every entry of the lane.
    let size = (
        AttrValue::from(n(w)),
        AttrValue::from(n(h)),
        AttrValue::from(n(h - 5.0)),
    );
    let chars = layout.label_chars();
    let left = layout.lane_x();
    let column = |index: u64| layout.slot_x(index.saturating_sub(lane.first) as usize) - left;
    let snapshot = |x: f64, width: f64, upto: u64, label: String| {
        html! {
            <g class="lane-lead snapshot">
                <title>{ format!("Entries 1 to {upto} were compacted into a snapshot") }</title>
                <rect x={n(x)} width={n(width)} height={size.1.clone()} rx="3" />
                <text x={n(x + 3.0)} y="11">{ label }</text>
                <text x={n(x + 3.0)} y={size.2.clone()}>{ "snapshot " }</text>
            </g>
        }
    };
    let lead_w = layout.lead_width();
    let lead = match lane.lead {
        Lead::None => Html::default(),
        Lead::Snapshot(i) => snapshot(0.0, lead_w, i, format!("≤{i} ")),
        // Before a snapshot too: a snapshot block, with the count on top.
        Lead::Earlier(count, upto) => html! {
            <g class={classes!("lane-lead", if upto > 0 { "snapshot" } else { "earlier" })}>
                <title>
                    { format!("{count} earlier entries, left of the window (the Logs panel lists them)") }
                    if upto > 0 { { format!(", after a snapshot of entries 1 to {upto}") } }
                </title>
                if upto > 0 {
                    <rect width={n(lead_w)} height={size.1.clone()} rx="3" />
                }
                <text x={n(lead_w - 3.0)} y="11" text-anchor="end">{ format!("+{count} ") }</text>
                <text x={n(lead_w - 3.0)} y={size.2.clone()} text-anchor="end">
                    { if upto > 0 { format!("≤{upto} ") } else { "earlier ".to_string() } }
                </text>
            </g>
        },
    };
    // Entries compacted into a snapshot inside the window: one block over their columns.
    let compacted = (lane.compacted > 0).then(|| {
        let x = column(lane.first);
        snapshot(
            x,
            column(lane.compacted) + w - x,
            lane.compacted,
            format!("≤{} ", lane.compacted),
        )
    });
    // The commit point: a bar after the last committed entry, a tip on top.
    let commit = lane.commit_column.map(|k| {
        let x = layout.slot_x(k as usize) - left - crate::view::stage::SLOT_GAP / 2.0;
        html! {
            <path class="commit-point" data-testid="commit-point" data-node-id={lane.id.to_string()}
                  data-commit-index={lane.commit.to_string()}
                  d={format!("M{x} -3V{}M{} -7h8l-4 5z", f1(h + 3.0), f1(x - 4.0), x = f1(x))}>
                <title>{ format!("S{} has committed up to index {}", lane.id, lane.commit) }</title>
            </path>
        }
    });
    let store_y = n(layout.store_baseline() - StageLayout::BOX_TOP);
    let store_x = n(layout.store_dx());
    let store = if lane.crashed {
        let text = if layout.compact {
            "crashed "
        } else {
            "crashed: its log on disk, its store lost "
        };
        html! { <text class="store-line muted" x={store_x.clone()} y={store_y}>{ text }</text> }
    } else {
        html! {
            <text class="store-line" x={store_x} y={store_y}>
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
    // Entries stand at their index's place in a strip that slides with the
    // window: a new entry or a commit re-renders only the entries it touched.
    let pitch = w + crate::view::stage::SLOT_GAP;
    let strip = column(lane.first) - lane.first as f64 * pitch;
    let entries = lane.entries.iter().map(|e| {
        html! {
            <Entry key={e.index} node={lane.id} entry={e.clone()} x={e.index as f64 * pitch} size={size.clone()} {chars} />
        }
    });
    html! {
        <g class={classes!("lane", lane.crashed.then_some("crashed"))} data-testid="lane"
           data-node-id={lane.id.to_string()} role="group"
           aria-label={format!("S{}: {}", lane.id, lane.summary())}
           transform={format!("translate({left} {})", f1(layout.row_top(*row) + StageLayout::BOX_TOP), left = f1(left))}>
            { lead }
            { compacted.unwrap_or_default() }
            <g class="lane-entries" transform={format!("translate({strip} 0)", strip = f1(strip))}>{ for entries }</g>
            { commit.unwrap_or_default() }
            { store }
        </g>
    }
}

/// A number for an SVG attribute, one decimal.
fn n(v: f64) -> String {
    f1(v).to_string()
}

/// Props of [`Entry`].
#[derive(Properties, Clone, PartialEq)]
pub struct EntryProps {
    /// Whose log.
    pub node: NodeId,
    /// The entry.
    pub entry: LaneEntry,
    /// Left edge in the lane's sliding strip.
    pub x: f64,
    /// The box's width, height, and the command's baseline.
    pub size: (AttrValue, AttrValue, AttrValue),
    /// Characters of the command that fit.
    pub chars: usize,
}

/// One log entry: its index on top and its term beside it (and as colour),
/// its command under it.
#[function_component(Entry)]
pub fn entry(props: &EntryProps) -> Html {
    let EntryProps {
        node,
        entry: e,
        x,
        size,
        chars,
    } = props;
    html! {
        <g class={classes!("lane-entry", crate::components::logs::term_class(e.term), e.committed.then_some("committed"))}
           data-testid="log-entry" data-node-id={node.to_string()} data-index={e.index.to_string()}
           data-term={e.term.to_string()} data-committed={if e.committed { "true" } else { "false" }}
           transform={format!("translate({x} 0)", x = f1(*x))}>
            <title>{ format!("index {}, term {}: {} ({})", e.index, e.term, e.command,
                             if e.committed { "committed" } else { "not committed yet" }) }</title>
            <rect width={size.0.clone()} height={size.1.clone()} rx="3" />
            <text class="idx" x="4" y="11">{ e.index }<tspan class="term">{ format!(" t{} ", e.term) }</tspan></text>
            <text class="cmd" x="4" y={size.2.clone()}>{ format!("{} ", shorten(&e.command, *chars)) }</text>
        </g>
    }
}
