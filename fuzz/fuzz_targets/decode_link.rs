//! Feeds arbitrary bytes (as a lossy UTF-8 string) to the share-link decoder,
//! which must return a value or a `LinkError` and never panic.
//!
//! `cargo fuzz run decode_link` (nightly), from the repository root.
#![no_main]

use libfuzzer_sys::fuzz_target;
use raft_core::scenario::link;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(state) = link::decode(&text) {
        // Whatever decodes must re-encode to a link that decodes to the same state.
        assert_eq!(link::decode(&link::encode(&state)), Ok(state));
    }
});
