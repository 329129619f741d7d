//! Numbers with a fixed count of decimals, written as `format!("{x:.N}")`
//! writes them, byte for byte, but with integer arithmetic only: the page
//! formats SVG coordinates and a few times this way, and core's float
//! formatting (Grisu and Dragon with their tables) was the only reason the
//! wasm carried it. `{}` [`Fixed`] replaces `{:.N}` wherever an `f64` is shown.
//!
//! [`shortest`] stands in for `{}` of an `f64` and [`number_of`] for
//! `input.value().parse::<f64>()`, so neither core's shortest formatting nor
//! its float parser is compiled in: in the browser both ask JavaScript.
//!
//! The value is exact: an `f64` is `m · 2^e`, so `x · 10^N` is computed as an
//! integer and rounded to nearest, a tie (possible only when the binary
//! value ends exactly on a half) to even, as core rounds. A negative value
//! keeps its sign even when it rounds to zero (`-0.0`), as core writes it.

use std::fmt;

/// `x` with `decimals` digits after the point (at most 9), as `{:.N}`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fixed {
    /// The value.
    pub x: f64,
    /// Digits after the point.
    pub decimals: u8,
}

/// `{:.0}`.
pub fn f0(x: f64) -> Fixed {
    Fixed { x, decimals: 0 }
}

/// `{:.1}`.
pub fn f1(x: f64) -> Fixed {
    Fixed { x, decimals: 1 }
}

/// `{:.2}`.
pub fn f2(x: f64) -> Fixed {
    Fixed { x, decimals: 2 }
}

/// `{:.3}`.
pub fn f3(x: f64) -> Fixed {
    Fixed { x, decimals: 3 }
}

/// `x` as `format!("{x}")` writes it: the shortest digits that read back as
/// `x`, without an exponent. In the browser the digits come from
/// JavaScript's `Number.prototype.toString()`, whose choice (the fewest
/// digits, then the closest to `x`) is core's; below 1e-6 and from 1e21 it
/// writes an exponent, which is turned into positional notation here.
pub fn shortest(x: f64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        if !x.is_finite() || x == 0.0 {
            // Few and fixed: NaN, inf, -inf, 0, -0.
            return Fixed { x, decimals: 0 }.to_string();
        }
        let text = js_sys::Number::from(x.abs())
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_default();
        if text.contains('e') {
            positional(x.is_sign_negative(), &text)
        } else if x < 0.0 {
            format!("-{text}")
        } else {
            text
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        format!("{x}")
    }
}

/// `d.ddde±n` (JavaScript's exponential form of a positive number) in
/// positional notation, with `-` in front if `negative`.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn positional(negative: bool, exp: &str) -> String {
    let (mantissa, e) = exp.split_once('e').unwrap_or((exp, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let e: i64 = e.trim_start_matches('+').parse().unwrap_or(0);
    let mut out = String::from(if negative { "-" } else { "" });
    // The point goes after `e + 1` digits.
    let point = e + 1;
    if point <= 0 {
        out.push_str("0.");
        push_zeros(&mut out, (-point) as u32);
        out.push_str(&digits);
    } else if point as usize >= digits.len() {
        out.push_str(&digits);
        push_zeros(&mut out, (point as usize - digits.len()) as u32);
    } else {
        let (whole, part) = digits.split_at(point as usize);
        out.push_str(whole);
        out.push('.');
        out.push_str(part);
    }
    out
}

/// The number in an `<input type="range">` or `type="number"`: the browser
/// keeps its value a valid floating-point number or empty (`None`), so
/// `valueAsNumber` reads what `value().parse::<f64>()` would.
pub fn number_of(input: &web_sys::HtmlInputElement) -> Option<f64> {
    let v = input.value_as_number();
    (!v.is_nan()).then_some(v)
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl Fixed {
    /// The text (what [`fmt::Display`] writes).
    fn to_text(self) -> String {
        let Fixed { x, decimals } = self;
        let decimals = u32::from(decimals.min(9));
        if x.is_nan() {
            return "NaN".into();
        }
        let mut out = String::new();
        if x.is_sign_negative() {
            out.push('-');
        }
        if x.is_infinite() {
            out.push_str("inf");
            return out;
        }
        let bits = x.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as i32;
        let fraction = bits & ((1 << 52) - 1);
        let (mantissa, e) = if exponent == 0 {
            (fraction, -1074)
        } else {
            (fraction | (1 << 52), exponent - 1075)
        };
        let scale = 10u128.pow(decimals);
        // |x| · 10^N = mantissa · 10^N · 2^e, with mantissa · 10^N < 2^83.
        let scaled = u128::from(mantissa) * scale;
        if e > 44 {
            // Beyond 2^96: an integer too large for the u128 below, whose
            // decimals are zeros.
            push_big_integer(&mut out, mantissa, e as u32);
            if decimals > 0 {
                out.push('.');
                push_zeros(&mut out, decimals);
            }
            return out;
        }
        let units = if e >= 0 {
            scaled << e
        } else {
            let shift = (-e) as u32;
            if shift >= 127 {
                // Below 2^-44 · 10^N: under half a unit of the last digit.
                0
            } else {
                let q = scaled >> shift;
                let rest = scaled & ((1u128 << shift) - 1);
                let half = 1u128 << (shift - 1);
                if rest > half || (rest == half && q & 1 == 1) {
                    q + 1
                } else {
                    q
                }
            }
        };
        let whole = units / scale;
        out.push_str(&whole.to_string());
        if decimals > 0 {
            out.push('.');
            let part = (units % scale).to_string();
            push_zeros(&mut out, decimals - part.len() as u32);
            out.push_str(&part);
        }
        out
    }
}

fn push_zeros(out: &mut String, n: u32) {
    out.extend((0..n).map(|_| '0'));
}

/// `mantissa · 2^e` in decimal: doubling in base 10^9 limbs, least
/// significant first.
fn push_big_integer(out: &mut String, mantissa: u64, e: u32) {
    const BASE: u64 = 1_000_000_000;
    let mut limbs = vec![
        mantissa % BASE,
        (mantissa / BASE) % BASE,
        mantissa / BASE / BASE,
    ];
    for _ in 0..e {
        let mut carry = 0;
        for limb in &mut limbs {
            let v = *limb * 2 + carry;
            *limb = v % BASE;
            carry = v / BASE;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut iter = limbs.iter().rev();
    if let Some(top) = iter.next() {
        out.push_str(&top.to_string());
    }
    for limb in iter {
        let digits = limb.to_string();
        push_zeros(out, 9 - digits.len() as u32);
        out.push_str(&digits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Same text as core's `{:.N}`, for `x` and `-x`.
    fn same(x: f64) {
        for x in [x, -x] {
            assert_eq!(f0(x).to_string(), format!("{x:.0}"), "{x:e}");
            assert_eq!(f1(x).to_string(), format!("{x:.1}"), "{x:e}");
            assert_eq!(f2(x).to_string(), format!("{x:.2}"), "{x:e}");
            assert_eq!(f3(x).to_string(), format!("{x:.3}"), "{x:e}");
        }
    }

    #[test]
    fn special_values_and_ties() {
        for x in [
            0.0,
            0.05,
            0.25,
            0.35,
            0.5,
            1.5,
            2.5,
            0.125,
            0.375,
            1e-300,
            5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::INFINITY,
            f64::NAN,
            1e15,
            1e16 + 2.0,
            2f64.powi(53),
            2f64.powi(96),
            2f64.powi(97) + 2f64.powi(45),
            1e30,
            123_456.789,
        ] {
            same(x);
        }
    }

    #[test]
    fn positional_notation_of_exponential_forms() {
        for (exp, text) in [
            ("1e+0", "1"),
            ("1.7e+0", "1.7"),
            ("1.7e-1", "0.17"),
            ("1e-7", "0.0000001"),
            ("1.25e+2", "125"),
            ("1.5e+22", "15000000000000000000000"),
            ("5e-324", &format!("{}", 5e-324)),
        ] {
            assert_eq!(positional(false, exp), text);
            assert_eq!(positional(true, exp), format!("-{text}"));
        }
    }

    #[test]
    fn grids_and_random_bits() {
        // Every tie and near-tie of the page's ranges.
        for i in 0..20_000u32 {
            same(f64::from(i) / 8.0);
            same(f64::from(i) / 1000.0);
            same(f64::from(i) * 0.1);
        }
        // Random bit patterns (a fixed xorshift), over every exponent.
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..3_000 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            same(f64::from_bits(s));
            // And values in the drawing's range.
            same((s >> 11) as f64 / (1u64 << 53) as f64 * 2000.0 - 1000.0);
        }
    }
}
