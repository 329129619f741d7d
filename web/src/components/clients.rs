//! The clients on the stage: the load balancer, the user's client ("You")
//! and the background clients as boxes in the header line, the rail from
//! the load balancer to every node, and the traffic between them
//! (`view/clients.rs` says what travels; `view/stage.rs` where).

use crate::fixed::f1;
use crate::view::clients::{Traffic, TrafficKind};
use crate::view::stage::{along_path, BoxAt, StageLayout};
use yew::prelude::*;

/// Props of [`ClientBoxes`].
#[derive(Properties, Clone, PartialEq)]
pub struct ClientBoxesProps {
    /// The stage's geometry.
    pub layout: StageLayout,
    /// Background clients of the workload (0: their box is not drawn).
    pub background: usize,
}

fn head_box(
    b: BoxAt,
    class: &'static str,
    testid: &'static str,
    label: String,
    title: String,
) -> Html {
    let c = b.centre();
    html! {
        <g class={classes!("head-box", class)} data-testid={testid}>
            <title>{ title }</title>
            <rect x={f1(b.x).to_string()} y={f1(b.y).to_string()} width={f1(b.width).to_string()}
                  height={f1(b.height).to_string()} rx="4" />
            <text x={f1(c.x).to_string()} y={f1(c.y + 3.5).to_string()} text-anchor="middle">{ label }</text>
        </g>
    }
}

/// The boxes and the rail: drawn once per layout.
#[function_component(ClientBoxes)]
pub fn client_boxes(props: &ClientBoxesProps) -> Html {
    let l = &props.layout;
    let narrow = l.width < 520.0;
    let lb = l.balancer_box();
    let rail = l.rail_x();
    let last = (0..l.count)
        .map(|i| l.centre(i).y)
        .fold(lb.y + lb.height, f64::max);
    let stubs = (0..l.count).map(|i| {
        let c = l.centre(i);
        format!(
            "M{rail} {}H{}",
            f1(c.y),
            f1(c.x - l.radius()),
            rail = f1(rail)
        )
    });
    let wires = format!(
        "M{} {}H{rail}V{last}{}",
        f1(l.client_box(props.background > 0).x),
        f1(lb.centre().y),
        stubs.collect::<String>(),
        rail = f1(rail),
        last = f1(last),
    );
    let background = (props.background > 0).then(|| {
        let n = props.background;
        let label = if narrow {
            format!("{n} others")
        } else {
            format!("{n} clients")
        };
        head_box(
            l.client_box(true),
            "background-clients",
            "client",
            label,
            format!("{n} background clients send requests through the load balancer"),
        )
    });
    html! {
        <g class="clients">
            <path class="client-wire" d={wires} aria-hidden="true" />
            { head_box(lb, "balancer", "load-balancer", if narrow { "LB".into() } else { "load balancer".into() },
                       "The load balancer sends each new request to some node: a follower answers \"not leader\" and names the leader".into()) }
            { head_box(l.client_box(false), "you", "client", "You".into(),
                       "Your client: requests from the key-value form start here".into()) }
            { background.unwrap_or_default() }
        </g>
    }
}

/// One glyph of client traffic at its place on the path between its client
/// and its node (`node_index`: the node's lane).
pub fn traffic_glyph(t: &Traffic, layout: &StageLayout, node_index: usize) -> Html {
    let via = t.via_client.then_some(t.background());
    let path = layout.client_path(node_index, via);
    // Paths run from the client's end: a request moves forward, the rest back.
    let along = if t.inbound() { t.along } else { 1.0 - t.along };
    let p = along_path(&path, along);
    let shape = match t.kind {
        TrafficKind::Request => html! { <path d="M0 -6L6 0L0 6L-6 0Z" /> },
        TrafficKind::Redirect => html! { <path d="M5 -5L-5 0L5 5Z" /> },
        TrafficKind::Reply => html! { <circle r="5" /> },
    };
    let key = format!("{}-{}", t.kind.name(), t.client);
    html! {
        <g key={key} class={classes!("traffic", t.kind.name(), t.background().then_some("background"))}
           data-testid="message" data-kind={t.kind.name()} data-node-id={t.node.to_string()}
           transform={format!("translate({} {})", f1(p.x), f1(p.y))}>
            <title>{ t.title.clone() }</title>
            { shape }
            if !t.label.is_empty() {
                <text class="traffic-label" x="8" y="-5">{ t.label.clone() }</text>
            }
        </g>
    }
}
