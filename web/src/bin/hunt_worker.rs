//! The bug hunt's Web Worker (Trunk builds it with `data-type="worker"`):
//! runs seeds and shrinks for the page, off its main thread.

fn main() {
    #[cfg(target_arch = "wasm32")]
    web::hunt::worker::start();
}
