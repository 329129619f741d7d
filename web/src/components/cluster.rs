//! The stage: one SVG with a lane per node (its circle, its log, its commit
//! point and its store; see `view/stage.rs`), the links between the circles,
//! partition fences and the messages in flight; and the context menus of
//! nodes and of the cluster.
//!
//! Per frame only the messages and the election timers move. Everything
//! else is a child component with `PartialEq` props (and callbacks made once),
//! so Yew skips it while it stays the same.

use super::clients::{traffic_glyph, ClientBoxes};
use super::lane::NodeLane;
use super::menu::{ContextMenu, MenuItem};
use super::message::{position, Message};
use super::node::{node_timer, Node, NodeFace};
use crate::actions::{add_node_action, node_actions, ClusterFacts};
use crate::fixed::{f0, f1, f2};
use crate::layout::Point;
use crate::state::{Msg, Selection};
use crate::view::clients::Traffic;
use crate::view::cluster::{partition_groups, Cut, Lost};
use crate::view::lanes::{window_start, Lane};
use crate::view::stage::{view_to_box, StageLayout};
use gloo_events::EventListener;
use raft_core::sim::{Action, MessageView, NodeStatus, NodeView};
use raft_core::NodeId;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::{Element, SvgElement};
use yew::prelude::*;

/// Props of [`Cluster`].
#[derive(Properties, Clone, PartialEq)]
pub struct ClusterProps {
    /// The nodes, in id order.
    pub nodes: Rc<Vec<NodeView>>,
    /// What the action rules and the membership marks read of them.
    pub facts: Rc<ClusterFacts>,
    /// Messages in flight.
    pub messages: Rc<Vec<MessageView>>,
    /// Recently lost messages.
    pub lost: Vec<Lost>,
    /// Client requests, redirects and replies on their way.
    pub traffic: Vec<Traffic>,
    /// Background clients of the workload.
    pub background_clients: usize,
    /// Cut directed links.
    pub cuts: Rc<Vec<Cut>>,
    /// Per node: share of the election timeout left.
    pub timers: Vec<Option<f64>>,
    /// Per node: votes received in its current term.
    pub votes: Rc<Vec<Vec<(NodeId, bool)>>>,
    /// Current virtual time.
    pub now_us: u64,
    /// Selected node.
    pub selected_node: Option<NodeId>,
    /// Selected message.
    pub selected_message: Option<u64>,
    /// Nodes named in the latest violation.
    pub flagged: Vec<NodeId>,
    /// Sends a message to the reducer (stable across renders).
    pub dispatch: Callback<Msg>,
    /// The stage's box has a fixed height (an embed): fit the picture to it.
    #[prop_or_default]
    pub fit_height: bool,
}

/// Which context menu is open, and where (px inside the cluster's box).
#[derive(Clone, Copy, Debug, PartialEq)]
struct OpenMenu {
    /// A node's menu, or the cluster's (`None`).
    node: Option<NodeId>,
    anchor: (f64, f64),
    /// Distance kept from the anchor: a node's radius, so its menu opens beside it.
    gap: f64,
}

/// The SVG of the cluster, a node or the cluster box, in page coordinates.
fn rect_of(node: &NodeRef) -> Option<web_sys::DomRect> {
    node.cast::<Element>().map(|e| e.get_bounding_client_rect())
}

fn focus_node(wrap: &NodeRef, id: NodeId) {
    let selector = format!("[data-testid=node][data-node-id='{id}']");
    if let Some(node) = wrap
        .cast::<Element>()
        .and_then(|w| w.query_selector(&selector).ok().flatten())
        .and_then(|n| n.dyn_into::<SvgElement>().ok())
    {
        let _ = node.focus();
    }
}

/// Draws the cluster.
#[function_component(Cluster)]
pub fn cluster(props: &ClusterProps) -> Html {
    let wrap = use_node_ref();
    let svg = use_node_ref();
    let menu = use_state(|| None::<OpenMenu>);
    let count = props.nodes.len();
    let (width, height) = use_size(&wrap).unwrap_or((DEFAULT_WIDTH, 0.0));
    let layout = StageLayout::fit(count, width, props.fit_height.then_some(height));
    let positions: Vec<Point> = (0..count).map(|i| layout.centre(i)).collect();
    let radius = layout.radius();
    // Rebuilt when the nodes or the room change; each lane then compares
    // its own part and re-renders only if that changed.
    let lanes = use_memo(
        (props.nodes.clone(), layout.slots(), layout.store_chars()),
        |(nodes, slots, chars)| {
            let first = window_start(nodes, *slots);
            nodes
                .iter()
                .map(|n| Rc::new(Lane::of(n, first, *chars)))
                .collect::<Vec<_>>()
        },
    );
    let ids: Vec<NodeId> = props.nodes.iter().map(|n| n.id).collect();
    let at =
        |id: NodeId| -> Option<Point> { ids.iter().position(|&n| n == id).map(|i| positions[i]) };

    // Callbacks made once per dispatcher, so memoised children stay equal.
    let on_select_node = use_memo(props.dispatch.clone(), |d| {
        d.reform(|id| Msg::Select(Selection::Node(id)))
    });
    let on_select_message = use_memo(props.dispatch.clone(), |d| {
        d.reform(|id| Msg::Select(Selection::Message(id)))
    });
    let on_toggle_link = use_memo(props.dispatch.clone(), |d| {
        d.reform(|(a, b)| Msg::ToggleLink(a, b))
    });
    let on_node_menu = {
        let (wrap, svg, menu) = (wrap.clone(), svg.clone(), menu.clone());
        use_callback((ids.clone(), layout), move |id: NodeId, (ids, layout)| {
            let (Some(w), Some(s), Some(i)) = (
                rect_of(&wrap),
                rect_of(&svg),
                ids.iter().position(|&n| n == id),
            ) else {
                return;
            };
            let view = (layout.width, layout.height());
            let centre = view_to_box(layout.centre(i), view, s.width(), s.height());
            let scale = (s.width() / view.0).min(s.height() / view.1);
            menu.set(Some(OpenMenu {
                node: Some(id),
                anchor: (s.left() - w.left() + centre.0, s.top() - w.top() + centre.1),
                gap: layout.radius() * scale * 0.8,
            }));
        })
    };
    // Right click on the background: the cluster's own menu, at the pointer.
    let oncontextmenu = {
        let (wrap, menu) = (wrap.clone(), menu.clone());
        Callback::from(move |e: MouseEvent| {
            e.prevent_default();
            if let Some(w) = rect_of(&wrap) {
                menu.set(Some(OpenMenu {
                    node: None,
                    anchor: (
                        e.client_x() as f64 - w.left(),
                        e.client_y() as f64 - w.top(),
                    ),
                    gap: 2.0,
                }));
            }
        })
    };

    let groups = {
        let live: Vec<NodeId> = props
            .nodes
            .iter()
            .filter(|n| n.status != NodeStatus::Crashed)
            .map(|n| n.id)
            .collect();
        partition_groups(&live, &props.cuts)
    };
    let timers = props.nodes.iter().enumerate().filter_map(|(i, n)| {
        let left = props.timers.get(i).copied().flatten()?;
        Some(html! { <g key={n.id}>{ node_timer(positions[i], radius, left) }</g> })
    });
    let messages = props.messages.iter().filter_map(|m| {
        let (from, to) = (at(m.from)?, at(m.to)?);
        let p = position(m, from, to, props.now_us);
        // Only the position changes per frame: the glyph is memoised.
        Some(html! {
            <g key={m.id} transform={format!("translate({} {})", f1(p.x), f1(p.y))}>
                <Message message={m.clone()} selected={props.selected_message == Some(m.id)}
                         on_select={(*on_select_message).clone()} />
            </g>
        })
    });
    let lost = props.lost.iter().filter_map(|l| {
        let (from, to) = (at(l.from)?, at(l.to)?);
        let p = Point { x: from.x + (to.x - from.x) * l.along, y: from.y + (to.y - from.y) * l.along };
        Some(html! {
            <g class={classes!("lost-mark", format!("kind-{}", l.kind))} opacity={f2(l.fade).to_string()}
               transform={format!("translate({} {})", f1(p.x), f1(p.y))}>
                <title>{ format!("{} S{}→S{} lost", l.kind, l.from, l.to) }</title>
                <path d="M-6 -6L6 6M-6 6L6 -6" />
            </g>
        })
    });
    let traffic = props.traffic.iter().filter_map(|t| {
        let i = ids.iter().position(|&n| n == t.node)?;
        Some(traffic_glyph(t, &layout, i))
    });
    let lanes = lanes.iter().enumerate().map(|(row, lane)| {
        html! { <NodeLane key={lane.id} lane={lane.clone()} {layout} {row} /> }
    });
    let nodes = props.nodes.iter().enumerate().map(|(i, node)| {
        html! {
            <Node key={node.id} face={NodeFace::of(node, props.facts.membership(node.id))} at={positions[i]} {radius}
                  votes={props.votes.get(i).cloned().unwrap_or_default()}
                  selected={props.selected_node == Some(node.id)}
                  flagged={props.flagged.contains(&node.id)}
                  on_select={(*on_select_node).clone()} on_menu={on_node_menu.clone()} />
        }
    });
    let open_menu = (*menu).and_then(|open| {
        let facts = &props.facts;
        let (title, testid, items): (String, &str, Vec<MenuItem>) = match open.node {
            Some(id) => {
                // The node may have gone (a new run): then there is no menu.
                let node = props.nodes.iter().find(|n| n.id == id)?;
                let role = super::node::role_name(&node.status);
                let items = node_actions(node, facts)
                    .into_iter()
                    .map(MenuItem::from)
                    .collect();
                (format!("S{id} · {role}"), "node-menu", items)
            }
            None => {
                let heal = MenuItem {
                    key: "heal",
                    label: "Heal every link",
                    action: Action::HealAll,
                    unavailable: props.cuts.is_empty().then(|| "No link is cut.".to_string()),
                };
                (
                    "Cluster".to_string(),
                    "cluster-menu",
                    vec![MenuItem::from(add_node_action(facts)), heal],
                )
            }
        };
        let close = {
            let (menu, wrap) = (menu.clone(), wrap.clone());
            Callback::from(move |()| {
                menu.set(None);
                if let Some(id) = open.node {
                    focus_node(&wrap, id);
                }
            })
        };
        let on_choose = {
            let (dispatch, close) = (props.dispatch.clone(), close.clone());
            Callback::from(move |msg: Msg| {
                dispatch.emit(msg);
                close.emit(());
            })
        };
        Some(html! {
            <ContextMenu testid={testid} {title} {items} anchor={open.anchor} gap={open.gap}
                         {on_choose} on_close={close} />
        })
    });
    let crashed = props
        .nodes
        .iter()
        .filter(|n| n.status == NodeStatus::Crashed)
        .count();
    html! {
        <div class="cluster-wrap" ref={wrap.clone()} {oncontextmenu}>
            <svg class={classes!("cluster", layout.compact.then_some("compact"))} data-testid="stage" ref={svg}
                 viewBox={format!("0 0 {} {}", f0(layout.width), f0(layout.height()))}
                 role="group" aria-label={format!("Cluster of {count} nodes, {crashed} crashed")}>
                <Fences ids={ids.clone()} {groups} {layout} />
                <g class="lanes">{ for lanes }</g>
                <ClientBoxes {layout} background={props.background_clients} />
                <Links ids={ids.clone()} cuts={props.cuts.clone()} on_toggle={(*on_toggle_link).clone()} {layout} />
                <g class="timers">{ for timers }</g>
                // Keyed and unkeyed children never share a list.
                <g class="messages">{ for messages }</g>
                <g class="lost">{ for lost }</g>
                <g class="client-traffic">{ for traffic }</g>
                <g class="nodes">{ for nodes }</g>
            </svg>
            // Always one child here (maybe empty): a list that grew or shrank
            // before the SVG would make Yew rebuild the SVG, and the focus
            // given back to a node would go with it.
            { open_menu.unwrap_or_default() }
        </div>
    }
}

/// Props of [`Links`].
#[derive(Properties, Clone, PartialEq)]
pub struct LinksProps {
    /// Node ids in lane order.
    pub ids: Vec<NodeId>,
    /// Cut directed links.
    pub cuts: Rc<Vec<Cut>>,
    /// A link was clicked.
    pub on_toggle: Callback<(NodeId, NodeId)>,
    /// The stage's geometry.
    pub layout: StageLayout,
}

/// Every link between two nodes: plain, cut both ways (dashed), or cut one
/// way (dashed, with an arrow on the direction that is cut).
#[function_component(Links)]
pub fn links(props: &LinksProps) -> Html {
    let positions: Vec<Point> = (0..props.ids.len())
        .map(|i| props.layout.centre(i))
        .collect();
    let cut = |a: NodeId, b: NodeId| props.cuts.iter().any(|c| c.from == a && c.to == b);
    let mut links = Vec::new();
    for (i, &a) in props.ids.iter().enumerate() {
        for (j, &b) in props.ids.iter().enumerate().skip(i + 1) {
            let (ab, ba) = (cut(a, b), cut(b, a));
            let class = match (ab, ba) {
                (true, true) => "link cut",
                (false, false) => "link",
                _ => "link cut one-way",
            };
            let (pa, pb) = (positions[i], positions[j]);
            let pair = (a, b);
            let onclick = props.on_toggle.reform(move |_: MouseEvent| pair);
            let title = match (ab, ba) {
                (true, true) => format!("S{a} ⇹ S{b}: cut both ways (click to heal)"),
                (true, false) => format!("S{a} → S{b} cut (one way; click to heal)"),
                (false, true) => format!("S{b} → S{a} cut (one way; click to heal)"),
                (false, false) => format!("S{a} — S{b} (click to cut)"),
            };
            // One way: an arrowhead at the middle, pointing along the cut direction.
            let arrow = (ab != ba).then(|| {
                let (from, to) = if ab { (pa, pb) } else { (pb, pa) };
                let angle = crate::math::atan2(to.y - from.y, to.x - from.x).to_degrees();
                let (mx, my) = ((pa.x + pb.x) / 2.0, (pa.y + pb.y) / 2.0);
                html! {
                    <path class="cut-arrow" d="M-7 -6L5 0L-7 6Z"
                          transform={format!("translate({mx} {my}) rotate({angle})", mx = f1(mx), my = f1(my), angle = f1(angle))} />
                }
            });
            let (x1, y1, x2, y2) = (
                f1(pa.x).to_string(),
                f1(pa.y).to_string(),
                f1(pb.x).to_string(),
                f1(pb.y).to_string(),
            );
            links.push(html! {
                <g class="link-group" {onclick} data-testid="link"
                   data-from={a.to_string()} data-to={b.to_string()} data-cut={(ab || ba).to_string()}>
                    <title>{ title }</title>
                    <line class="link-hit" x1={x1.clone()} y1={y1.clone()} x2={x2.clone()} y2={y2.clone()} />
                    <line {class} {x1} {y1} {x2} {y2} />
                    { arrow.unwrap_or_default() }
                </g>
            });
        }
    }
    html! { <g class="links">{ for links }</g> }
}

/// Props of [`Fences`].
#[derive(Properties, Clone, PartialEq)]
pub struct FencesProps {
    /// Node ids in lane order.
    pub ids: Vec<NodeId>,
    /// The partition's groups (empty when the network is whole).
    pub groups: Vec<Vec<NodeId>>,
    /// The stage's geometry.
    pub layout: StageLayout,
}

/// Name of the `i`th group: A, B, C, ...
fn group_name(i: usize) -> char {
    char::from(b'A' + (i % 26) as u8)
}

/// Behind the lanes: every other lane shaded, so a circle and its log read
/// as one row, and the header saying how to read a log. When the network
/// is split, each group fenced: its members' lanes tinted in the group's
/// colour, with a bar down their left edge and the group's letter, and the
/// header names the groups instead.
#[function_component(Fences)]
pub fn fences(props: &FencesProps) -> Html {
    let layout = &props.layout;
    let stripes = (0..layout.count).filter(|i| i % 2 == 0).map(|i| {
        html! {
            <rect x="1" y={f1(layout.row_top(i)).to_string()} width={f1(layout.width - 2.0).to_string()}
                  height={f1(layout.row_height()).to_string()} rx="6" />
        }
    });
    // As much of the key as fits right of the client boxes (a phone has
    // room for about 30 characters there).
    let room = layout.width - layout.head_text_x();
    let legend = if layout.width >= 520.0 {
        "log, newest right: ■ committed □ not yet ▏commit point "
    } else if room >= 230.0 {
        "log: ■ committed □ not yet ▏commit "
    } else {
        "■ committed □ not yet ▏commit "
    };
    let (h, width) = (layout.row_height(), layout.width);
    let groups = props.groups.iter().enumerate().map(|(g, members)| {
        let name = group_name(g);
        let rows = props.ids.iter().enumerate().filter(|(_, id)| members.contains(id)).map(|(i, _)| {
            let top = layout.row_top(i) + 1.0;
            html! {
                <>
                    <rect class="fence-fill" x="1" y={f1(top).to_string()} width={f1(width - 2.0).to_string()}
                          height={f1(h - 2.0).to_string()} rx="6" />
                    <rect class="fence-edge" x="1" y={f1(top).to_string()} width="5" height={f1(h - 2.0).to_string()} />
                    <text class="fence-label" x="8" y={f1(top + 11.0).to_string()}>{ name }</text>
                </>
            }
        });
        // The legend, in the header line (right aligned, one entry per group).
        let x = width - 4.0 - 118.0 * (props.groups.len() - 1 - g) as f64;
        let names = members.iter().map(|m| format!("S{m}")).collect::<Vec<_>>().join(",");
        let nodes = members.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(",");
        html! {
            <g class={classes!("partition-group", format!("fence-{}", g % 4))}
               data-testid="partition-group" data-nodes={nodes} data-group={name.to_string()}>
                <title>{ format!("Group {name}: these nodes reach each other, but no node outside") }</title>
                { for rows }
                <text class="fence-label" x={f1(x).to_string()} y="14" text-anchor="end">
                    { format!("group {name}: {names}") }
                </text>
            </g>
        }
    });
    html! {
        <>
            <g class="stripes" aria-hidden="true">{ for stripes }</g>
            if props.groups.is_empty() {
                <text class="stage-head" x={f1(layout.head_text_x()).to_string()} y="14" aria-hidden="true">{ legend }</text>
            }
            <g class="fences" aria-hidden={props.groups.is_empty().then_some("true")}>{ for groups }</g>
        </>
    }
}

/// Width the stage is drawn at before it is measured.
const DEFAULT_WIDTH: f64 = 720.0;

/// The width of `wrap` in CSS pixels, measured after it is drawn and again
/// whenever the window is resized.
#[hook]
fn use_size(wrap: &NodeRef) -> Option<(f64, f64)> {
    let width = use_state_eq(|| None::<(f64, f64)>);
    {
        let (wrap, width) = (wrap.clone(), width.clone());
        use_effect_with((), move |_| {
            let measure = move || {
                if let Some(e) = wrap.cast::<Element>() {
                    width.set(Some((
                        f64::from(e.client_width()),
                        f64::from(e.client_height()),
                    )));
                }
            };
            measure();
            let listener =
                web_sys::window().map(|w| EventListener::new(&w, "resize", move |_| measure()));
            move || drop(listener)
        });
    }
    *width
}
