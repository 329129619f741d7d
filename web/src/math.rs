//! The few elementary functions the page draws with. In the browser they are
//! JavaScript's `Math`: Rust's own (libm, compiled into the wasm) cost about
//! 9 KB of it. Natively (unit tests) they are std's. Only drawing and the
//! speed slider use them, never the simulation, so results that differ in
//! the last bit change no trace.

#[cfg(target_arch = "wasm32")]
mod imp {
    use js_sys::Math;

    pub fn sin(x: f64) -> f64 {
        Math::sin(x)
    }
    pub fn cos(x: f64) -> f64 {
        Math::cos(x)
    }
    pub fn atan2(y: f64, x: f64) -> f64 {
        Math::atan2(y, x)
    }
    pub fn pow10(x: f64) -> f64 {
        Math::pow(10.0, x)
    }
    pub fn log10(x: f64) -> f64 {
        Math::log10(x)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub fn sin(x: f64) -> f64 {
        x.sin()
    }
    pub fn cos(x: f64) -> f64 {
        x.cos()
    }
    pub fn atan2(y: f64, x: f64) -> f64 {
        y.atan2(x)
    }
    pub fn pow10(x: f64) -> f64 {
        10f64.powf(x)
    }
    pub fn log10(x: f64) -> f64 {
        x.log10()
    }
}

/// Angle of the point (`x`, `y`) in radians, in (-π, π].
pub use imp::atan2;
/// Cosine of `x` radians.
pub use imp::cos;
/// Base-10 logarithm of `x`.
pub use imp::log10;
/// 10 to the power `x`.
pub use imp::pow10;
/// Sine of `x` radians.
pub use imp::sin;
