//! A message in flight, placed by its send and delivery times alone.

use crate::layout::Point;
use raft_core::sim::MessageView;
use yew::prelude::*;

/// Where a message is at `now_us`: linear between sender and receiver,
/// nudged sideways so a request and its response do not overlap.
pub fn position(m: &MessageView, from: Point, to: Point, now_us: u64) -> Point {
    let span = m.deliver_us.saturating_sub(m.send_us).max(1) as f64;
    let t = (now_us.saturating_sub(m.send_us) as f64 / span).clamp(0.0, 1.0);
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (nx, ny) = (-dy / len * 7.0, dx / len * 7.0);
    Point {
        x: from.x + dx * t + nx,
        y: from.y + dy * t + ny,
    }
}

/// The CSS class of a message: its kind and, for responses, its outcome.
pub fn message_class(m: &MessageView) -> Classes {
    let outcome = if m.summary.starts_with("granted") || m.summary.starts_with("ok") {
        Some("success")
    } else if m.summary.starts_with("reject") {
        Some("failure")
    } else {
        None
    };
    let heartbeat = m.kind == "AppendEntries" && m.summary.contains(" n=0 ");
    classes!(
        "message",
        format!("kind-{}", m.kind),
        outcome,
        heartbeat.then_some("heartbeat"),
        m.will_drop.then_some("doomed"),
        m.duplicate.then_some("duplicate"),
        m.held.then_some("held")
    )
}

/// Props of [`Message`].
#[derive(Properties, Clone, PartialEq)]
pub struct MessageProps {
    /// The message.
    pub message: MessageView,
    /// Highlighted in the inspector.
    pub selected: bool,
    /// Clicked.
    pub on_select: Callback<u64>,
}

/// One message glyph: a shape per kind (requests filled, responses outlined).
/// The caller places it (a `translate` around it), so the glyph itself
/// re-renders only when the message's fields or selection change.
#[function_component(Message)]
pub fn message(props: &MessageProps) -> Html {
    let m = &props.message;
    let id = m.id;
    let onclick = props.on_select.reform(move |_: MouseEvent| id);
    let glyph = match m.kind.as_str() {
        "RequestVote" | "PreVote" => html! { <circle r="7" /> },
        "RequestVoteResp" | "PreVoteResp" => html! { <circle r="6" class="resp" /> },
        "AppendEntries" => html! { <rect x="-8" y="-6" width="16" height="12" rx="2" /> },
        "AppendEntriesResp" => {
            html! { <rect x="-7" y="-5" width="14" height="10" rx="2" class="resp" /> }
        }
        "InstallSnapshot" => html! { <rect x="-10" y="-8" width="20" height="16" rx="1" /> },
        _ => html! { <path d="M0 -8 L8 6 L-8 6 Z" /> },
    };
    html! {
        <g class={classes!(message_class(m), props.selected.then_some("selected"))}
           data-testid="message" data-kind={m.kind.clone()} data-message-id={id.to_string()}
           data-from={m.from.to_string()} data-to={m.to.to_string()}
           data-send-us={m.send_us.to_string()} data-deliver-us={m.deliver_us.to_string()}
           {onclick}>
            <title>{ format!("{} S{}→S{} (term {}): {}", m.kind, m.from, m.to, m.term, m.summary) }</title>
            { glyph }
            if m.duplicate { <text class="dup-mark" x="9" y="-6">{ "×2" }</text> }
        </g>
    }
}
