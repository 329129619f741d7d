//! Feeds arbitrary bytes to the share-link decoder as the *inflated* payload:
//! they are deflated and base64-encoded into a well-formed `1.` link first, so
//! the fuzzer spends its time in the postcard decoding and range validation
//! instead of failing the base64/deflate layers (the `decode_link` target
//! covers those). Decoding must return a value or a `LinkError`, never panic.
//!
//! `cargo fuzz run decode_link_payload` (nightly), from the repository root.
#![no_main]

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use raft_core::scenario::link;

fuzz_target!(|data: &[u8]| {
    let packed = miniz_oxide::deflate::compress_to_vec(data, 1);
    let mut text = String::from("1.");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode_string(&packed, &mut text);
    if let Ok(state) = link::decode(&text) {
        assert_eq!(link::decode(&link::encode(&state)), Ok(state));
    }
});
