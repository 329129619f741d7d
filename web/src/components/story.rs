//! Guided scenarios: the picker, and the narrative beside the cluster.

use crate::speed::format_time;
use crate::state::{Msg, NewRun, PromiseStatus, SimTime, StoryEdit};
use raft_core::scenario::Story;
use std::rc::Rc;
use yew::prelude::*;

/// One entry of the picker.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioEntry {
    /// Stable id (`leader-crash`).
    pub id: String,
    /// Title.
    pub title: String,
}

/// Props of [`Picker`].
#[derive(Properties, Clone, PartialEq)]
pub struct PickerProps {
    /// Every built-in scenario.
    pub entries: Rc<Vec<ScenarioEntry>>,
    /// The loaded one.
    pub current: Option<String>,
    /// A story is told (so "Write your own" is offered only without one:
    /// the narrative has its own Edit button).
    pub has_story: bool,
    /// Sends a message to the reducer.
    pub dispatch: Callback<Msg>,
}

/// The scenario library.
#[function_component(Picker)]
pub fn picker(props: &PickerProps) -> Html {
    html! {
        <section class="panel picker" aria-label="Guided scenarios">
            <h2>{ "Scenarios" }</h2>
            <ul class="scenario-list">
                { for props.entries.iter().map(|e| {
                    let id = e.id.clone();
                    let onclick = props.dispatch.reform(move |_: MouseEvent| Msg::NewRun(NewRun::Scenario(id.clone())));
                    let current = props.current.as_deref() == Some(e.id.as_str());
                    html! {
                        <li>
                            <button data-testid="scenario" data-id={e.id.clone()} {onclick}
                                    class={classes!(current.then_some("current"), e.id.starts_with("bug-").then_some("bug"))}
                                    aria-pressed={current.to_string()}>
                                { &e.title }
                            </button>
                        </li>
                    }
                }) }
            </ul>
            if !props.has_story {
                <button data-testid="story-edit" onclick={props.dispatch.reform(|_: MouseEvent| Msg::Story(StoryEdit::Toggle))}>
                    { "Write your own story…" }
                </button>
            }
        </section>
    }
}

/// Props of [`Narrative`].
#[derive(Properties, Clone, PartialEq)]
pub struct NarrativeProps {
    /// The story told.
    pub story: Rc<Story>,
    /// The built-in scenario it comes from, if any (its id and end).
    pub scenario: Option<(String, u64)>,
    /// Per step: what is known of its promise.
    pub promises: Rc<Vec<PromiseStatus>>,
    /// Current virtual time.
    pub now_us: u64,
    /// Sends a message to the reducer.
    pub dispatch: Callback<Msg>,
}

/// The current step of the story with previous / next, and its promise.
#[function_component(Narrative)]
pub fn narrative(props: &NarrativeProps) -> Html {
    let s = &props.story;
    let index = s.step_at(props.now_us);
    let seek = |to: Option<usize>| {
        let at = to.and_then(|i| s.steps.get(i)).map(|st| st.at_us);
        let disabled = at.is_none();
        let onclick = props
            .dispatch
            .reform(move |_: MouseEvent| Msg::Seek(SimTime::from_us(at.unwrap_or(0))));
        (onclick, disabled)
    };
    let (prev, prev_disabled) = seek(index.and_then(|i| i.checked_sub(1)));
    let (next, next_disabled) = seek(Some(index.map_or(0, |i| i + 1)));
    let step = index.and_then(|i| Some((i, s.steps.get(i)?)));
    let (id, end_us) = props
        .scenario
        .clone()
        .unwrap_or_else(|| (String::new(), s.steps.last().map_or(0, |st| st.at_us)));
    html! {
        <section class="panel narrative" aria-label="Story" aria-live="polite" data-testid="narrative"
                 data-scenario={id} data-step={index.map_or(-1, |i| i as i64).to_string()}
                 data-end-ms={(end_us / 1000).to_string()} data-steps={s.steps.len().to_string()}>
            <h2>{ &s.title }</h2>
            if !s.summary.is_empty() {
                <p class="summary-line">{ &s.summary }</p>
            }
            { match step {
                Some((i, st)) => html! { <>
                    <h3>{ format!("{} · {}", format_time(st.at_us), st.title) }</h3>
                    <p class="caption">{ &st.text }</p>
                    if let Some(promise) = &st.promise {
                        { promise_line(promise, props.promises.get(i).copied().unwrap_or(PromiseStatus::Pending)) }
                    }
                </> },
                None => html! { <p class="hint">{ "Press Play, or Next to jump to the first step." }</p> },
            } }
            <div class="actions">
                <button onclick={prev} disabled={prev_disabled} data-testid="step-prev">{ "Previous step" }</button>
                <button onclick={next} disabled={next_disabled} data-testid="step-next">{ "Next step" }</button>
                <span class="hint">{ format!("{} / {}", index.map_or(0, |i| i + 1), s.steps.len()) }</span>
                <button data-testid="story-edit" onclick={props.dispatch.reform(|_: MouseEvent| Msg::Story(StoryEdit::Toggle))}
                        title="Change the captions and promises; actions you take become part of the story">
                    { if props.scenario.is_some() { "Duplicate and edit" } else { "Edit story" } }
                </button>
            </div>
        </section>
    }
}

/// `✓ Promised: a leader exists`, as text and as the `promise` hook.
pub fn promise_line(promise: &raft_core::scenario::Promise, status: PromiseStatus) -> Html {
    let (mark, word) = match status {
        PromiseStatus::Pending => ("…", "to be checked at this moment"),
        PromiseStatus::Kept => ("✓", "kept"),
        PromiseStatus::Broken => ("✗", "broken"),
    };
    html! {
        <p class={classes!("promise", status.as_str())} data-testid="promise" data-status={status.as_str()}>
            { format!("{mark} Promised: {promise} ({word})") }
        </p>
    }
}
