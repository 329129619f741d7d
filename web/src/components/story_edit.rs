//! The story editor: the story's title and summary, its steps (edit, move
//! to the moment shown, delete), a form for a step at the current moment
//! with an optional promise, and Undo. Text is only ever rendered as text.

use crate::components::story::promise_line;
use crate::speed::format_time;
use crate::state::{Msg, PromiseStatus, StoryEdit};
use raft_core::scenario::story::{MAX_PROMISE_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS};
use raft_core::scenario::{Promise, Story};
use raft_core::NodeId;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// Props of [`StoryEditor`].
#[derive(Properties, Clone, PartialEq)]
pub struct StoryEditorProps {
    /// The story being written.
    pub story: Rc<Story>,
    /// Per step: what is known of its promise.
    pub promises: Rc<Vec<PromiseStatus>>,
    /// Current virtual time (where a new step goes).
    pub now_us: u64,
    /// Node ids a "node N leads" promise may name.
    pub node_ids: Vec<NodeId>,
    /// An edit can be undone.
    pub can_undo: bool,
    /// Sends a message to the reducer.
    pub dispatch: Callback<Msg>,
}

/// The promise choices: `value` of the select's option, and its words.
fn promise_choices(node_ids: &[NodeId]) -> Vec<(String, String)> {
    let mut choices = vec![
        ("none".to_string(), "No promise".to_string()),
        ("leader".to_string(), "A leader exists".to_string()),
    ];
    choices.extend(
        node_ids
            .iter()
            .map(|id| (format!("leads-{id}"), format!("S{id} leads"))),
    );
    choices.extend([
        (
            "key".to_string(),
            "Every running node has key = value".to_string(),
        ),
        (
            "no-minority-leader".to_string(),
            "No leader cut off in a minority".to_string(),
        ),
        ("green".to_string(), "The checkers are green".to_string()),
        ("red".to_string(), "A checker is red".to_string()),
    ]);
    choices
}

/// The select's value for `promise`.
fn choice_of(promise: Option<&Promise>) -> String {
    match promise {
        None => "none".into(),
        Some(Promise::LeaderExists) => "leader".into(),
        Some(Promise::Leads(id)) => format!("leads-{id}"),
        Some(Promise::KeyEverywhere { .. }) => "key".into(),
        Some(Promise::NoLeaderInMinority) => "no-minority-leader".into(),
        Some(Promise::ChecksHold) => "green".into(),
        Some(Promise::ChecksBroken) => "red".into(),
    }
}

/// The promise a choice names (`key`, `value` for the key promise).
pub fn promise_of(choice: &str, key: &str, value: &str) -> Option<Promise> {
    match choice {
        "leader" => Some(Promise::LeaderExists),
        "key" => Some(Promise::KeyEverywhere {
            key: key.trim().to_string(),
            value: value.trim().to_string(),
        }),
        "no-minority-leader" => Some(Promise::NoLeaderInMinority),
        "green" => Some(Promise::ChecksHold),
        "red" => Some(Promise::ChecksBroken),
        other => other
            .strip_prefix("leads-")
            .and_then(|id| id.parse().ok())
            .map(Promise::Leads),
    }
}

/// The editor panel.
#[function_component(StoryEditor)]
pub fn story_editor(props: &StoryEditorProps) -> Html {
    // The step whose words the form holds: `None` for a new one.
    let editing = use_state(|| None::<usize>);
    let form_open = use_state(|| false);
    let refs = use_memo((), |_| {
        (
            NodeRef::default(),
            NodeRef::default(),
            NodeRef::default(),
            NodeRef::default(),
            NodeRef::default(),
        )
    });
    let (title_ref, text_ref, promise_ref, key_ref, value_ref) = (*refs).clone();
    let d = &props.dispatch;
    let edit = |e: StoryEdit| Msg::Story(e);
    let on_title = d.reform(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        edit(StoryEdit::Title(input.value()))
    });
    let on_summary = d.reform(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        edit(StoryEdit::Summary(input.value()))
    });
    let add = {
        let (editing, form_open) = (editing.clone(), form_open.clone());
        Callback::from(move |_: MouseEvent| {
            editing.set(None);
            form_open.set(true);
        })
    };
    let save = {
        let (editing, form_open, d) = (editing.clone(), form_open.clone(), d.clone());
        let (title_ref, text_ref, promise_ref, key_ref, value_ref) = (*refs).clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let text = text_ref
                .cast::<HtmlTextAreaElement>()
                .map(|t| t.value())
                .unwrap_or_default();
            let choice = promise_ref
                .cast::<HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            d.emit(edit(StoryEdit::Save {
                index: *editing,
                title: value(&title_ref).trim().to_string(),
                text: text.trim().to_string(),
                promise: promise_of(&choice, &value(&key_ref), &value(&value_ref)),
            }));
            form_open.set(false);
            editing.set(None);
        })
    };
    let story = &props.story;
    let draft = editing.and_then(|i| story.steps.get(i));
    let (key, value) = match draft.and_then(|s| s.promise.as_ref()) {
        Some(Promise::KeyEverywhere { key, value }) => (key.clone(), value.clone()),
        _ => (String::new(), String::new()),
    };
    let chosen = choice_of(draft.and_then(|s| s.promise.as_ref()));
    let form = (*form_open).then(|| {
        let at = draft.map_or(props.now_us, |s| s.at_us);
        let heading = match *editing {
            Some(i) => format!("Step {} at {}", i + 1, format_time(at)),
            None => format!("New step at {} (the moment shown)", format_time(at)),
        };
        let cancel = {
            let (editing, form_open) = (editing.clone(), form_open.clone());
            Callback::from(move |_: MouseEvent| {
                editing.set(None);
                form_open.set(false);
            })
        };
        html! {
            <form class="step-form" onsubmit={save.clone()} aria-label={heading.clone()}>
                <h3>{ heading }</h3>
                <label>{ "Title" }
                    <input ref={title_ref.clone()} data-testid="story-step-title" required=true
                           maxlength={MAX_TITLE_CHARS.to_string()} value={draft.map(|s| s.title.clone()).unwrap_or_default()} />
                </label>
                <label>{ "Text" }
                    <textarea ref={text_ref.clone()} data-testid="story-step-text" rows="3"
                              maxlength={MAX_TEXT_CHARS.to_string()} value={draft.map(|s| s.text.clone()).unwrap_or_default()} />
                </label>
                <label>{ "Promise (checked at this moment)" }
                    <select ref={promise_ref.clone()} data-testid="story-step-promise">
                        { for promise_choices(&props.node_ids).into_iter().map(|(value, words)| { let v = value.clone(); html! {
                            <option selected={v == chosen} {value}>{ words }</option>
                        }}) }
                    </select>
                </label>
                <span class="key-value">
                    <label>{ "key" }<input ref={key_ref.clone()} data-testid="story-promise-key" value={key}
                                           maxlength={MAX_PROMISE_CHARS.to_string()} /></label>
                    <label>{ "value" }<input ref={value_ref.clone()} data-testid="story-promise-value" value={value}
                                             maxlength={MAX_PROMISE_CHARS.to_string()} /></label>
                </span>
                <div class="actions">
                    <button type="submit" class="primary" data-testid="story-step-save">{ "Save step" }</button>
                    <button type="button" onclick={cancel}>{ "Cancel" }</button>
                </div>
            </form>
        }
    });
    html! {
        <section class="panel story-editor" aria-label="Story editor" data-testid="story-editor">
            <h2>{ "Edit story" }</h2>
            <label>{ "Title" }
                <input data-testid="story-title" value={story.title.clone()} onchange={on_title}
                       maxlength={MAX_TITLE_CHARS.to_string()} />
            </label>
            <label>{ "Summary" }
                <input data-testid="story-summary" value={story.summary.clone()} onchange={on_summary} />
            </label>
            <ol class="steps">
                { for story.steps.iter().enumerate().map(|(i, st)| {
                    let open = {
                        let (editing, form_open) = (editing.clone(), form_open.clone());
                        Callback::from(move |_: MouseEvent| {
                            editing.set(Some(i));
                            form_open.set(true);
                        })
                    };
                    html! {
                        <li data-testid="story-step" data-at-us={st.at_us.to_string()}>
                            <span class="when">{ format_time(st.at_us) }</span>
                            <span class="what">{ &st.title }</span>
                            if let Some(p) = &st.promise {
                                { promise_line(p, props.promises.get(i).copied().unwrap_or(PromiseStatus::Pending)) }
                            }
                            <span class="step-actions">
                                <button onclick={open} aria-label={format!("Edit step {}", i + 1)}>{ "Edit" }</button>
                                <button onclick={d.reform(move |_: MouseEvent| edit(StoryEdit::MoveHere(i)))}
                                        aria-label={format!("Move step {} to the moment shown", i + 1)}>{ "Move here" }</button>
                                <button onclick={d.reform(move |_: MouseEvent| edit(StoryEdit::Delete(i)))}
                                        aria-label={format!("Delete step {}", i + 1)}>{ "Delete" }</button>
                            </span>
                        </li>
                    }
                }) }
            </ol>
            { form.unwrap_or_default() }
            <p class="hint">{ format!("{} steps · {} of {MAX_TEXT_CHARS} characters. Actions you take (crash, partition, SET…) are part of the story.",
                                      story.steps.len(), story.text_chars()) }</p>
            <div class="actions">
                <button data-testid="story-step-add" onclick={add}>{ format!("Add a step at {}", format_time(props.now_us)) }</button>
                <button data-testid="story-undo" disabled={!props.can_undo}
                        onclick={d.reform(move |_: MouseEvent| edit(StoryEdit::Undo))}>{ "Undo" }</button>
                <button data-testid="story-edit" class="primary"
                        onclick={d.reform(move |_: MouseEvent| edit(StoryEdit::Toggle))}>{ "Done" }</button>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_names_its_promise_and_back() {
        for (choice, _) in promise_choices(&[1, 2, 3]) {
            let promise = promise_of(&choice, " x ", "1");
            assert_eq!(choice_of(promise.as_ref()), choice);
        }
        assert_eq!(
            promise_of("key", " x ", " 1 "),
            Some(Promise::KeyEverywhere {
                key: "x".into(),
                value: "1".into()
            })
        );
        assert_eq!(promise_of("leads-7", "", ""), Some(Promise::Leads(7)));
        assert_eq!(promise_of("leads-x", "", ""), None);
    }
}
