//! Numbers: JSON number text → nearest f64 → the ES6
//! `Number.prototype.toString` form.
//!
//! Texts whose canonical form is the text itself (integers of up to 15
//! digits; decimals of up to 15 significant digits without exponent,
//! trailing fraction zeros, or more than five zeros after the point) are
//! copied. Everything else goes to the host's own ES6 conversion through the
//! `env.number` import (`String(Number(text))`, which is exactly the
//! specification RFC 8785 and aegisd follow): core's float parsing and
//! shortest formatting would add about 45 KiB to the module.

use crate::arena::Buf;

#[link(wasm_import_module = "env")]
extern "C" {
    /// Writes the ES6 form of the number text at `ptr`/`len` to `out` (at most
    /// 32 bytes; `-0` for negative zero) and returns its length, or -1 when
    /// the value is not finite.
    fn number(ptr: *const u8, len: usize, out: *mut u8) -> i32;
}

/// Shape of a number text (already checked against the JSON grammar).
pub struct Shape {
    pub simple: bool,      // canonical as written (except "-0")
    pub integer: bool,     // no fraction, no exponent
}

pub fn shape(text: &[u8]) -> Shape {
    let mut i = 0;
    if text[0] == b'-' {
        i = 1;
    }
    let int_start = i;
    while i < text.len() && text[i].is_ascii_digit() {
        i += 1;
    }
    let int_len = i - int_start;
    if i == text.len() {
        return Shape { simple: int_len <= 15, integer: true };
    }
    if text[i] != b'.' {
        return Shape { simple: false, integer: false };
    }
    let frac = &text[i + 1..];
    if frac.iter().any(|&b| !b.is_ascii_digit()) || frac[frac.len() - 1] == b'0' {
        return Shape { simple: false, integer: false };
    }
    let sig = if int_len == 1 && text[int_start] == b'0' {
        let zeros = frac.iter().take_while(|&&b| b == b'0').count();
        if zeros > 5 {
            return Shape { simple: false, integer: false };
        }
        frac.len() - zeros
    } else {
        int_len + frac.len()
    };
    Shape { simple: sig <= 15, integer: false }
}

/// Writes the canonical form of a number text; false when it is out of range.
pub fn canonical(text: &[u8], aegisd: bool, out: &mut Buf<u8>) -> bool {
    let s = shape(text);
    if s.simple {
        if text == b"-0" && !aegisd {
            out.push(b'0');
        } else {
            out.extend(text);
        }
        return true;
    }
    let mut buf = [0u8; 32];
    let n = unsafe { number(text.as_ptr(), text.len(), buf.as_mut_ptr()) };
    if n < 0 {
        return false;
    }
    let t = &buf[..(n as usize).min(32)];
    if t == b"-0" && !aegisd {
        out.push(b'0');
    } else {
        out.extend(t);
    }
    true
}

/// Integer value of a number text whose canonical form is a safe integer
/// (below 2^53 in magnitude); None otherwise (or when out of range).
pub fn integer(text: &[u8]) -> Option<f64> {
    let mut tmp: [u8; 32] = [0; 32];
    let t: &[u8] = if shape(text).simple {
        text
    } else {
        let n = unsafe { number(text.as_ptr(), text.len(), tmp.as_mut_ptr()) };
        if n < 0 {
            return None;
        }
        &tmp[..(n as usize).min(32)]
    };
    let (neg, digits) = if t.first() == Some(&b'-') { (true, &t[1..]) } else { (false, t) };
    if digits.is_empty() || digits.len() > 16 || !digits.iter().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v * 10 + (d - b'0') as u64;
    }
    if v >= (1u64 << 53) {
        return None;
    }
    Some(if neg { -(v as f64) } else { v as f64 })
}
