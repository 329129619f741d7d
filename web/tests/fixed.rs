//! `web::fixed` in the browser, where `shortest` asks JavaScript for its
//! digits: the same text as core's `{}` and `{:.N}` (which this test, not
//! the page, compiles in).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;
use web::fixed::{f0, f1, f2, f3, shortest};

wasm_bindgen_test_configure!(run_in_browser);

fn same(x: f64) {
    for x in [x, -x] {
        assert_eq!(shortest(x), format!("{x}"), "{x:e}");
        assert_eq!(f0(x).to_string(), format!("{x:.0}"), "{x:e}");
        assert_eq!(f1(x).to_string(), format!("{x:.1}"), "{x:e}");
        assert_eq!(f2(x).to_string(), format!("{x:.2}"), "{x:e}");
        assert_eq!(f3(x).to_string(), format!("{x:.3}"), "{x:e}");
    }
}

#[wasm_bindgen_test]
fn the_page_numbers_read_as_core_writes_them() {
    for x in [
        0.0,
        -1.7,
        -3.0,
        120.0,
        1e-7,
        1.5e-7,
        123e-9,
        1e21,
        1.5e22,
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        f64::INFINITY,
        f64::NAN,
        0.1 + 0.2,
    ] {
        same(x);
    }
    for i in 0..5_000u32 {
        same(f64::from(i) * 0.05 - 3.0);
        same(f64::from(i) / 7.0);
    }
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..2_000 {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        same(f64::from_bits(s));
    }
}
