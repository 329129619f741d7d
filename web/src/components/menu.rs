//! A small context menu (the WAI-ARIA menu pattern): opened on a node or on
//! the cluster, placed beside what it was opened on, operated by pointer or
//! keyboard. Arrow keys, Home and End move between the items, Escape and
//! Tab close it, a press outside closes it; the opener returns focus.

use crate::actions::NodeAction;
use crate::fixed::f0;
use crate::layout::place_popup;
use crate::state::Msg;
use gloo_events::EventListener;
use raft_core::sim::Action;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// One entry.
#[derive(Clone, Debug, PartialEq)]
pub struct MenuItem {
    /// Stable key; the entry's test hook is `<menu testid>-<key>`.
    pub key: &'static str,
    /// Text.
    pub label: &'static str,
    /// Taken (sent to the reducer as [`Msg::Act`]) when chosen.
    pub action: Action,
    /// Why it cannot be chosen now (its tooltip), or `None`.
    pub unavailable: Option<String>,
}

impl From<NodeAction> for MenuItem {
    fn from(a: NodeAction) -> MenuItem {
        MenuItem {
            key: a.key,
            label: a.label,
            action: a.action,
            unavailable: a.unavailable,
        }
    }
}

/// Props of [`ContextMenu`].
#[derive(Properties, Clone, PartialEq)]
pub struct ContextMenuProps {
    /// Test hook of the menu (`node-menu`); entries get `<testid>-<key>`.
    pub testid: AttrValue,
    /// Visible title, also the menu's accessible name.
    pub title: String,
    /// The entries.
    pub items: Vec<MenuItem>,
    /// Where it was opened, px from the top left of the positioned parent.
    pub anchor: (f64, f64),
    /// Distance kept from the anchor on both axes, px (e.g. a node's radius).
    pub gap: f64,
    /// An entry was chosen (the menu closes too).
    pub on_choose: Callback<Msg>,
    /// Closed without choosing (Escape, Tab, a press outside).
    pub on_close: Callback<()>,
}

fn menu_items(menu: &NodeRef) -> Vec<HtmlElement> {
    let Some(menu) = menu.cast::<Element>() else {
        return Vec::new();
    };
    let Ok(list) = menu.query_selector_all("[role=menuitem]") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .collect()
}

/// The menu. Mount it only while open.
#[function_component(ContextMenu)]
pub fn context_menu(props: &ContextMenuProps) -> Html {
    let popup = use_node_ref();
    let menu = use_node_ref();
    // Measured after the first render (transparent until then: a hidden
    // element could not take the focus), then kept inside
    // the parent. Placed through the CSSOM: the page's Content-Security-Policy
    // forbids style attributes.
    let placed = use_state(|| false);
    {
        let (popup, menu, placed) = (popup.clone(), menu.clone(), placed.clone());
        use_effect_with((props.anchor, props.gap), move |&(anchor, gap)| {
            if let Some(el) = popup.cast::<HtmlElement>() {
                let size = (el.offset_width() as f64, el.offset_height() as f64);
                let bounds = el
                    .offset_parent()
                    .and_then(|p| p.dyn_into::<HtmlElement>().ok())
                    .map_or(size, |p| {
                        (p.client_width() as f64, p.client_height() as f64)
                    });
                let (x, y) = place_popup(anchor, size, bounds, gap);
                let style = el.style();
                let _ = style.set_property("left", &format!("{x}px", x = f0(x)));
                let _ = style.set_property("top", &format!("{y}px", y = f0(y)));
                placed.set(true);
            }
            // Focus goes to the first entry that can be chosen.
            let items = menu_items(&menu);
            let first = items
                .iter()
                .find(|i| i.get_attribute("aria-disabled").as_deref() != Some("true"))
                .or(items.first());
            if let Some(item) = first {
                let _ = item.focus();
            }
        });
    }
    // A press anywhere outside closes the menu.
    {
        let (popup, on_close) = (popup.clone(), props.on_close.clone());
        use_effect_with((), move |_| {
            let listener =
                EventListener::new(&gloo_utils::document(), "pointerdown", move |event| {
                    let inside = event
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                        .zip(popup.cast::<web_sys::Node>())
                        .is_some_and(|(target, popup)| popup.contains(Some(&target)));
                    if !inside {
                        on_close.emit(());
                    }
                });
            move || drop(listener)
        });
    }
    let onkeydown = {
        let (menu, on_close) = (menu.clone(), props.on_close.clone());
        Callback::from(move |e: KeyboardEvent| {
            // The page's single-key shortcuts must not fire inside the menu.
            e.stop_propagation();
            let items = menu_items(&menu);
            let focused = gloo_utils::document().active_element();
            let current = items
                .iter()
                .position(|i| focused.as_ref() == Some(i.unchecked_ref::<Element>()));
            let last = items.len().saturating_sub(1);
            let target = match e.key().as_str() {
                "ArrowDown" => Some(current.map_or(0, |c| if c >= last { 0 } else { c + 1 })),
                "ArrowUp" => Some(current.map_or(last, |c| if c == 0 { last } else { c - 1 })),
                "Home" => Some(0),
                "End" => Some(last),
                "Escape" | "Tab" => {
                    e.prevent_default();
                    on_close.emit(());
                    None
                }
                _ => None,
            };
            if let Some(item) = target.and_then(|t| items.get(t)) {
                e.prevent_default();
                let _ = item.focus();
            }
        })
    };
    let entries = props.items.iter().map(|item| {
        let disabled = item.unavailable.is_some();
        let onclick = {
            let (action, on_choose) = (item.action.clone(), props.on_choose.clone());
            Callback::from(move |_: MouseEvent| {
                if !disabled {
                    on_choose.emit(Msg::Act(action.clone()));
                }
            })
        };
        html! {
            // aria-disabled rather than disabled: the entry stays focusable,
            // so keyboard and screen-reader users hear why it is unavailable.
            <button type="button" role="menuitem" tabindex="-1"
                    class={classes!("menu-item", disabled.then_some("disabled"))}
                    data-testid={format!("{}-{}", props.testid, item.key)}
                    aria-disabled={disabled.then_some("true")}
                    title={item.unavailable.clone()} {onclick}>
                <span>{ item.label }</span>
                if let Some(why) = &item.unavailable {
                    <span class="sr-only">{ format!(" (unavailable: {why})") }</span>
                }
            </button>
        }
    });
    let title_id = format!("{}-title", props.testid);
    html! {
        <div class={classes!("popup-menu", (!*placed).then_some("measuring"))} ref={popup}>
            <div class="menu-title" id={title_id.clone()}>{ &props.title }</div>
            <div role="menu" ref={menu} data-testid={props.testid.clone()}
                 aria-labelledby={title_id} {onkeydown}>
                { for entries }
            </div>
        </div>
    }
}
