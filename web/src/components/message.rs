//! A message in flight, placed by its send and delivery times alone.

use crate::layout::Point;
use raft_core::sim::MessageView;
use yew::prelude::*;

/// Where a message is at `now_us`: linear between sender and receiver,
/// nudged sideways so a request and its response do not overlap. A copy
/// the network made starts on its original and veers to the other side of
/// the line over the first third of its way: the message visibly splits.
pub fn position(m: &MessageView, from: Point, to: Point, now_us: u64) -> Point {
    let span = m.deliver_us.saturating_sub(m.send_us).max(1) as f64;
    let t = (now_us.saturating_sub(m.send_us) as f64 / span).clamp(0.0, 1.0);
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let side = if m.duplicate {
        7.0 - 14.0 * (t * 3.0).min(1.0)
    } else {
        7.0
    };
    let (nx, ny) = (-dy / len * side, dx / len * side);
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

/// Entries an AppendEntries carries (from its summary's `n=`), if it is one.
pub fn entry_count(m: &MessageView) -> Option<u64> {
    if m.kind != "AppendEntries" {
        return None;
    }
    let rest = &m.summary[m.summary.find(" n=")? + 3..];
    rest.split(' ').next()?.parse().ok()
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
        // A heartbeat is a small empty box; entries make it bigger, with their count.
        "AppendEntries" => match entry_count(m) {
            Some(0) => html! { <rect x="-6" y="-4" width="12" height="8" rx="2" /> },
            n => html! {
                <>
                    <rect x="-8" y="-6" width="16" height="12" rx="2" />
                    <text class="entry-count" y="3.5" text-anchor="middle">{ n.unwrap_or(1).min(99).to_string() }</text>
                </>
            },
        },
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
            if m.duplicate { <text class="dup-mark" x="9" y="-6">{ "copy" }</text> }
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: &str, summary: &str, duplicate: bool) -> MessageView {
        MessageView {
            id: 1,
            from: 1,
            to: 2,
            kind: kind.into(),
            term: 1,
            send_us: 0,
            deliver_us: 100,
            summary: summary.into(),
            will_drop: false,
            duplicate,
            held: false,
        }
    }

    #[test]
    fn an_append_says_how_many_entries_it_carries() {
        let ae = |s| message("AppendEntries", s, false);
        assert_eq!(entry_count(&ae("prev=3@t1 n=0 commit=3")), Some(0));
        assert_eq!(entry_count(&ae("prev=3@t1 n=12 commit=3")), Some(12));
        assert_eq!(
            entry_count(&message("RequestVote", "last=3@t1", false)),
            None
        );
    }

    #[test]
    fn a_copy_starts_on_its_original_and_splits_away_from_it() {
        let (from, to) = (Point { x: 0.0, y: 0.0 }, Point { x: 100.0, y: 0.0 });
        let original = message("AppendEntries", "n=0 ", false);
        let copy = message("AppendEntries", "n=0 ", true);
        assert_eq!(
            position(&original, from, to, 0),
            position(&copy, from, to, 0)
        );
        let (a, b) = (
            position(&original, from, to, 50),
            position(&copy, from, to, 50),
        );
        assert_eq!(a.x, b.x);
        assert!((a.y - b.y).abs() >= 14.0, "{a:?} {b:?}");
    }
}
