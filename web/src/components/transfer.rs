//! Export and import: download the scenario (JSON) or the trace (JSON
//! lines), load a scenario file by picker or by dropping it anywhere on the
//! page. The formats are `crate::transfer`; this is the browser side.

use crate::state::{LatestState, Msg, NewRun};
use crate::transfer::{self, ImportError, TraceHeader, MAX_FILE_BYTES};
use gloo_events::{EventListener, EventListenerOptions};
use std::cell::Cell;
use std::io;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, DragEvent, File, HtmlAnchorElement, HtmlInputElement, Url};
use yew::prelude::*;

/// Props of [`Transfer`].
#[derive(Properties, Clone, PartialEq)]
pub struct TransferProps {
    /// The playground as last rendered: exports describe exactly this.
    pub state: LatestState,
    /// Sends a message to the reducer.
    pub dispatch: Callback<Msg>,
}

/// The export buttons, the file picker and the page-wide drop target.
#[function_component(Transfer)]
pub fn transfer(props: &TransferProps) -> Html {
    let dragging = use_file_drop(props.dispatch.clone());
    let export_scenario = {
        let (state, dispatch) = (props.state.clone(), props.dispatch.clone());
        Callback::from(move |_: MouseEvent| {
            let state = state.get();
            let share = state.share_state();
            let hash = state.timeline.borrow().sim().trace_hash();
            let text = transfer::encode_scenario(&share, hash);
            let name = transfer::scenario_file_name(&share);
            if let Err(e) = download(&name, "application/json", &[text.into_bytes()]) {
                dispatch.emit(Msg::Error(e));
            }
        })
    };
    let export_trace = {
        let (state, dispatch) = (props.state.clone(), props.dispatch.clone());
        Callback::from(move |_: MouseEvent| {
            let state = state.get();
            let share = state.share_state();
            let timeline = state.timeline.borrow();
            let trace = timeline.sim().trace();
            let mut parts = Chunks::default();
            let header = TraceHeader::new(&share, trace);
            let written = transfer::write_trace(&mut parts, &header, trace);
            let result = written
                .map_err(|e| format!("The trace could not be exported: {e}."))
                .and_then(|()| {
                    let name = transfer::trace_file_name(&share);
                    download(&name, "application/jsonl", &parts.finish())
                });
            if let Err(e) = result {
                dispatch.emit(Msg::Error(e));
            }
        })
    };
    let picked = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                load(file, dispatch.clone());
            }
            // Choosing the same file again must fire `change` again; and the
            // keyboard shortcuts ignore keys while a field has the focus.
            input.set_value("");
            let _ = input.blur();
        })
    };
    html! {
        <div class="files-tool" role="group" aria-label="Files">
            <button data-testid="export-scenario" onclick={export_scenario}
                    title="Download the settings, seed, every action and this moment, as JSON">
                { "Export" }
            </button>
            <button data-testid="export-trace" onclick={export_trace}
                    title="Download every event still in memory, one JSON object a line">
                { "Trace" }
            </button>
            // The input stays focusable (only visually hidden) and its
            // label is the visible button: one control, one tab stop.
            <input id="import-file" data-testid="import-file" class="sr-only file-input" type="file"
                   accept=".json,application/json" onchange={picked} />
            <label for="import-file" class="file-button" data-testid="import-button"
                   title={format!("Open an exported scenario .json (at most {} KiB; or drop it anywhere on the page). It opens paused at the moment it was exported.", MAX_FILE_BYTES / 1024)}>
                { "Open…" }
            </label>
            if dragging {
                <div class="drop-hint" data-testid="drop-hint" aria-hidden="true">
                    <span>{ "Drop a scenario .json file to load it" }</span>
                </div>
            }
        </div>
    }
}

/// Reads `file` (after checking its size, before reading a byte) and loads
/// it, or shows why not; a refused file changes nothing.
fn load(file: File, dispatch: Callback<Msg>) {
    let name = file.name();
    let refuse = {
        let (name, dispatch) = (name.clone(), dispatch.clone());
        move |e: ImportError| dispatch.emit(Msg::Error(transfer::refused_message(&name, &e)))
    };
    // A File's size is an integral number of bytes (an f64 in JavaScript).
    let bytes = file.size() as u64;
    if bytes > MAX_FILE_BYTES {
        return refuse(ImportError::TooLarge { bytes });
    }
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await else {
            return refuse(ImportError::Unreadable);
        };
        match transfer::decode_scenario(&js_sys::Uint8Array::new(&buffer).to_vec()) {
            Ok(file) => dispatch.emit(Msg::NewRun(NewRun::Import {
                name,
                file: Box::new(file),
            })),
            Err(e) => refuse(e),
        }
    });
}

/// Whether a drag carries files (not text or a link dragged within the page).
fn carries_files(event: &DragEvent) -> bool {
    event
        .data_transfer()
        .is_some_and(|dt| dt.types().includes(&JsValue::from_str("Files"), 0))
}

/// Listens for files dragged over the whole page; returns whether one is
/// over it now (to show the drop hint). A dropped file is loaded: the
/// browser's default, opening the file in place of the app, would lose the run.
#[hook]
fn use_file_drop(dispatch: Callback<Msg>) -> bool {
    let dragging = use_state_eq(|| false);
    let set = dragging.setter();
    use_effect_with((), move |_| {
        let document = gloo_utils::document();
        // dragenter and dragleave fire for every element crossed: count them.
        let depth = Rc::new(Cell::new(0i32));
        // Passive listeners cannot cancel the default (opening the file).
        let active = EventListenerOptions::enable_prevent_default();
        let on = |kind: &'static str, handler: Box<dyn Fn(&DragEvent)>| {
            EventListener::new_with_options(&document, kind, active, move |e| {
                if let Some(e) = e.dyn_ref::<DragEvent>().filter(|e| carries_files(e)) {
                    e.prevent_default();
                    handler(e);
                }
            })
        };
        let listeners = [
            on("dragenter", {
                let (depth, set) = (depth.clone(), set.clone());
                Box::new(move |_| {
                    depth.set(depth.get() + 1);
                    set.set(true);
                })
            }),
            on("dragover", {
                Box::new(|e| {
                    if let Some(dt) = e.data_transfer() {
                        dt.set_drop_effect("copy");
                    }
                })
            }),
            on("dragleave", {
                let (depth, set) = (depth.clone(), set.clone());
                Box::new(move |_| {
                    depth.set((depth.get() - 1).max(0));
                    if depth.get() == 0 {
                        set.set(false);
                    }
                })
            }),
            on("drop", {
                Box::new(move |e| {
                    depth.set(0);
                    set.set(false);
                    let files = e.data_transfer().and_then(|dt| dt.files());
                    match files.as_ref().map_or(0, |f| f.length()) {
                        0 => {}
                        1 => {
                            if let Some(file) = files.and_then(|f| f.get(0)) {
                                load(file, dispatch.clone());
                            }
                        }
                        n => dispatch.emit(Msg::Error(format!(
                            "{n} files were dropped; drop one scenario file at a time. Your current run is unchanged."
                        ))),
                    }
                })
            }),
        ];
        move || drop(listeners)
    });
    *dragging
}

/// A sink that hands the download over in 64 KiB pieces, so a long trace is
/// never one huge buffer in the WebAssembly memory.
#[derive(Default)]
struct Chunks {
    done: Vec<Vec<u8>>,
    current: Vec<u8>,
}

impl Chunks {
    const SIZE: usize = 64 * 1024;

    fn finish(mut self) -> Vec<Vec<u8>> {
        if !self.current.is_empty() {
            self.done.push(self.current);
        }
        self.done
    }
}

impl io::Write for Chunks {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.current.extend_from_slice(bytes);
        if self.current.len() >= Self::SIZE {
            self.done.push(std::mem::take(&mut self.current));
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Saves `parts` as a file called `name`: a Blob, an object URL and a
/// click on a temporary `<a download>`. The URL is revoked a minute later:
/// revoking it at once can cancel a download the browser has not started.
fn download(name: &str, mime: &str, parts: &[Vec<u8>]) -> Result<(), String> {
    let fail = |e: JsValue| {
        format!(
            "The download of \"{name}\" could not start ({}).",
            e.as_string()
                .or_else(|| e.dyn_ref::<js_sys::Error>().map(|e| e.message().into()))
                .unwrap_or_else(|| "the browser refused".into())
        )
    };
    let sequence = js_sys::Array::new();
    for part in parts {
        sequence.push(&js_sys::Uint8Array::from(part.as_slice()));
    }
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&sequence, &options).map_err(fail)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = gloo_utils::document();
    let anchor: HtmlAnchorElement = document.create_element("a").map_err(fail)?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    // Some browsers only follow a link that is in the document.
    let body = gloo_utils::body();
    body.append_child(&anchor).map_err(fail)?;
    anchor.click();
    anchor.remove();
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url);
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    }
    Ok(())
}
