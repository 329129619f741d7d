//! A message in flight, placed by its send and delivery times alone: the
//! stylesheet moves it from its [`Path`] and the clock (see `clocked.rs`).

use super::clocked::{ms, set_properties};
use crate::layout::Point;
use raft_core::sim::MessageView;
use wasm_bindgen::JsCast;
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

/// What the stylesheet needs to place a message at any time: where it
/// starts (sideways nudge included), where it goes relative to that, and
/// when it leaves and arrives (virtual ms). [`position`] is the reference
/// the stylesheet follows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Path {
    /// Start, x.
    pub x0: f64,
    /// Start, y.
    pub y0: f64,
    /// From start to end, x.
    pub dx: f64,
    /// From start to end, y.
    pub dy: f64,
    /// Send time, virtual µs.
    pub t0_us: u64,
    /// Time in flight, virtual µs (at least 1).
    pub span_us: u64,
}

impl Path {
    /// The path of `m` from `from` to `to`.
    pub fn of(m: &MessageView, from: Point, to: Point) -> Path {
        let start = position(m, from, to, m.send_us);
        Path {
            x0: start.x,
            y0: start.y,
            dx: to.x - from.x,
            dy: to.y - from.y,
            t0_us: m.send_us,
            span_us: m.deliver_us.saturating_sub(m.send_us).max(1),
        }
    }

    /// The custom properties the stylesheet reads (`.message` in style.css).
    pub fn properties(&self) -> String {
        format!(
            "--x0:{:.2};--y0:{:.2};--dx:{:.2};--dy:{:.2};--t0:{};--span:{}",
            self.x0,
            self.y0,
            self.dx,
            self.dy,
            ms(self.t0_us),
            ms(self.span_us)
        )
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
    /// Its path and times.
    pub path: Path,
    /// Highlighted in the inspector.
    pub selected: bool,
    /// Clicked.
    pub on_select: Callback<u64>,
}

/// One message: a shape per kind (requests filled, responses outlined),
/// placed by the stylesheet from its [`Path`] and the clock, so it
/// re-renders only when the message's fields or selection change.
#[function_component(Message)]
pub fn message(props: &MessageProps) -> Html {
    let element = use_node_ref();
    {
        let element = element.clone();
        use_effect_with(props.path, move |path| {
            if let Some(element) = element.get() {
                set_properties(element.unchecked_ref(), &path.properties());
            }
        });
    }
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
        <g class={classes!(message_class(m), props.selected.then_some("selected"))} ref={element}
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

#[cfg(test)]
mod tests {
    use super::*;

    fn flight(send_us: u64, deliver_us: u64) -> MessageView {
        MessageView {
            id: 1,
            from: 1,
            to: 2,
            kind: "RequestVote".into(),
            term: 1,
            send_us,
            deliver_us,
            summary: String::new(),
            will_drop: false,
            duplicate: false,
            held: false,
        }
    }

    /// The stylesheet's formula (`.clocked .message` in style.css), in Rust.
    fn drawn(path: &Path, now_us: u64) -> Point {
        let f = ((now_us as f64 - path.t0_us as f64) / path.span_us as f64).clamp(0.0, 1.0);
        Point {
            x: path.x0 + path.dx * f,
            y: path.y0 + path.dy * f,
        }
    }

    #[test]
    fn the_path_gives_the_stylesheet_what_position_computes() {
        let (from, to) = (Point { x: 40.0, y: 300.0 }, Point { x: 260.0, y: 80.0 });
        // A zero-length flight (delivered the instant it was sent) included.
        for (send, deliver) in [(1_000_000, 1_180_000), (5, 5), (120_000_001, 120_197_333)] {
            let m = flight(send, deliver);
            let path = Path::of(&m, from, to);
            for now in [
                0,
                send,
                send + 1,
                (send + deliver) / 2,
                deliver,
                deliver + 50_000,
            ] {
                let (want, got) = (position(&m, from, to, now), drawn(&path, now));
                assert!(
                    (want.x - got.x).abs() < 1e-6 && (want.y - got.y).abs() < 1e-6,
                    "{send}..{deliver} at {now}: {got:?}, not {want:?}"
                );
            }
        }
    }

    #[test]
    fn times_go_to_the_stylesheet_in_ms() {
        let from = Point { x: 0.0, y: 0.0 };
        let path = Path::of(&flight(1_500, 1_700), from, Point { x: 10.0, y: 0.0 });
        assert_eq!(
            path.properties(),
            "--x0:0.00;--y0:7.00;--dx:10.00;--dy:0.00;--t0:1.500;--span:0.200"
        );
    }
}
