//! The animation driver: one requestAnimationFrame loop that runs only while
//! playing. Browsers stop animation frames in hidden tabs, so nothing runs
//! (and no CPU burns) when the tab is hidden or playback is paused.

use gloo_render::{request_animation_frame, AnimationFrame};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

struct Loop {
    frame: Option<AnimationFrame>,
    last_ms: Option<f64>,
    on_frame: Callback<f64>,
}

fn schedule(state: Rc<RefCell<Loop>>) {
    let next = Rc::clone(&state);
    let frame = request_animation_frame(move |timestamp_ms| {
        let (callback, elapsed_ms) = {
            let mut s = next.borrow_mut();
            let elapsed = s.last_ms.map_or(0.0, |last| timestamp_ms - last);
            s.last_ms = Some(timestamp_ms);
            (s.on_frame.clone(), elapsed)
        };
        callback.emit(elapsed_ms);
        schedule(Rc::clone(&next));
    });
    state.borrow_mut().frame = Some(frame);
}

/// Calls `on_frame(elapsed wall ms)` on every animation frame while `active`.
#[hook]
pub fn use_frame_loop(active: bool, on_frame: Callback<f64>) {
    use_effect_with(active, move |&active| {
        let state = Rc::new(RefCell::new(Loop {
            frame: None,
            last_ms: None,
            on_frame,
        }));
        if active {
            schedule(Rc::clone(&state));
        }
        // Dropping the pending frame cancels it, which ends the loop.
        move || {
            state.borrow_mut().frame = None;
        }
    });
}
