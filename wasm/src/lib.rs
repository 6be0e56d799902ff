//! aegis_core: the WebAssembly core of `@aegis/sdk`.
//!
//! ABI (all offsets are byte addresses in linear memory):
//!
//! - `input(len) -> ptr`: starts a call; reserves `len` bytes at the start
//!   of the arena (growing memory as needed; 0 when it cannot) for the
//!   caller to write its input into.
//! - `header() -> ptr`: a fixed 256-byte block (8-aligned) for small
//!   arguments and results; see the `H_*` offsets below.
//! - Every operation takes the input length it actually wrote, returns 0 on
//!   success or an error code, and leaves its results in the arena, described
//!   by the header. Results stay valid until the next `input` call.
//!
//! Header layout:
//! | offset | type | meaning |
//! | 0   | [u8;32] | prev hash (seal: in; verify: in/out — last hash of the chain) |
//! | 32  | [u8;32] | verify: SHA-256 of the chain's tenant "\n" session (in/out) |
//! | 64  | f64     | verify: next expected seq (in/out); seal/verify: bad seq out |
//! | 72  | u32     | flags (in/out): bit 0 prev hash set, bit 1 identity set; verify (in): bit 2 stop at another session's record (code 29), bit 3 skip this session's records |
//! | 76  | u32     | verify: records checked (out) |
//! | 80  | f64     | verify: seq of the first bad record, NaN when unknown (out) |
//! | 88  | u32     | error code (out) |
//! | 92  | u32     | error byte offset in the input (out) |
//! | 96  | u32     | result pointer (out) |
//! | 100 | u32     | result length (out) |
//! | 104 | u32     | second result pointer (out) |
//! | 108 | u32     | third result pointer (out) |
//! | 112 | u32     | count (out) |
//! | 116 | u32     | verify: offset of the first bad record (out) |
//! | 128 | [u8;32] | verify: identity of the record that stopped it with code 29 (out) |

#![no_std]

mod arena;
mod json;
mod envelope;
mod number;
mod sha256;

use arena::Buf;
use json::Canon;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[repr(C, align(16))]
struct Header([u8; 256]);

static mut HEADER: Header = Header([0; 256]);

const H_PREV: usize = 0;
const H_IDENTITY: usize = 32;
const H_NEXT_SEQ: usize = 64;
const H_FLAGS: usize = 72;
const H_CHECKED: usize = 76;
const H_BAD_SEQ: usize = 80;
const H_ERROR: usize = 88;
const H_ERROR_AT: usize = 92;
const H_PTR: usize = 96;
const H_LEN: usize = 100;
const H_PTR2: usize = 104;
const H_PTR3: usize = 108;
const H_COUNT: usize = 112;
const H_RECORD_AT: usize = 116;
const H_SWITCH_ID: usize = 128;

fn h() -> &'static mut [u8; 256] {
    unsafe { &mut HEADER.0 }
}
fn put_u32(at: usize, v: u32) {
    h()[at..at + 4].copy_from_slice(&v.to_le_bytes());
}
fn get_u32(at: usize) -> u32 {
    u32::from_le_bytes(h()[at..at + 4].try_into().unwrap_or([0; 4]))
}
fn put_f64(at: usize, v: f64) {
    h()[at..at + 8].copy_from_slice(&v.to_le_bytes());
}
fn get_f64(at: usize) -> f64 {
    f64::from_le_bytes(h()[at..at + 8].try_into().unwrap_or([0; 8]))
}
fn get32(at: usize) -> [u8; 32] {
    h()[at..at + 32].try_into().unwrap_or([0; 32])
}

fn input_slice(len: usize) -> &'static [u8] {
    let p = arena::commit_input(len);
    unsafe { core::slice::from_raw_parts(p as *const u8, len) }
}

fn set_error(code: u32, at: usize) -> u32 {
    put_u32(H_ERROR, code);
    put_u32(H_ERROR_AT, at as u32);
    code
}

/// Reserves `len` input bytes at the start of a fresh arena; returns their
/// address (0 when memory cannot grow).
#[no_mangle]
pub extern "C" fn input(len: usize) -> usize {
    arena::reserve_input(len)
}

/// Address of the 256-byte header.
#[no_mangle]
pub extern "C" fn header() -> usize {
    unsafe { HEADER.0.as_ptr() as usize }
}

/// SHA-256 of the `len` input bytes; the digest is at header offset 0.
#[no_mangle]
pub extern "C" fn sha256(len: usize) -> u32 {
    let src = input_slice(len);
    let mut d = [0u8; 32];
    sha256::sha256(src, &mut d);
    h()[H_PREV..H_PREV + 32].copy_from_slice(&d);
    0
}

/// SHA-256 of `count` messages. Input: `count` pairs of u32 (offset from the
/// input start, length), then the message bytes. Digests: 32 × count bytes at
/// the result pointer.
#[no_mangle]
pub extern "C" fn sha256_many(len: usize, count: usize) -> u32 {
    let src = input_slice(len);
    if count * 8 > len {
        return set_error(json::E_END, len);
    }
    for i in 0..count {
        let o = u32::from_le_bytes(src[i * 8..i * 8 + 4].try_into().unwrap_or([0; 4])) as usize;
        let l = u32::from_le_bytes(src[i * 8 + 4..i * 8 + 8].try_into().unwrap_or([0; 4])) as usize;
        if o > len || l > len - o {
            return set_error(json::E_END, i * 8);
        }
    }
    let mut out: Buf<u8> = Buf::with_capacity(count * 32);
    // The buffer is fully written by sha256_many.
    for _ in 0..count * 32 {
        unsafe { out.push_unchecked(0) };
    }
    let msg = |i: usize| {
        let o = u32::from_le_bytes(src[i * 8..i * 8 + 4].try_into().unwrap_or([0; 4])) as usize;
        let l = u32::from_le_bytes(src[i * 8 + 4..i * 8 + 8].try_into().unwrap_or([0; 4])) as usize;
        &src[o..o + l]
    };
    sha256::sha256_many(count, &msg, out.as_mut_slice());
    put_u32(H_PTR, out.as_ptr() as u32);
    put_u32(H_LEN, (count * 32) as u32);
    0
}

/// Canonical form of the `len`-byte UTF-8 JSON text in the input; `profile`
/// 0 = rfc8785, 1 = aegisd. Result: UTF-8 at the result pointer/length.
#[no_mangle]
pub extern "C" fn canonicalize(len: usize, profile: u32) -> u32 {
    let src = input_slice(len);
    let mut c = Canon::new(src, profile == 1, len + len / 8 + 16);
    match c.document() {
        Ok(()) => {
            put_u32(H_PTR, c.out.as_ptr() as u32);
            put_u32(H_LEN, c.out.len() as u32);
            0
        }
        Err(()) => set_error(c.err, c.err_at),
    }
}

/// Seals a chain. Input: UTF-8 JSON `[[event_type, payload, seq, session_id,
/// tenant_id, ts_unix_ms, user_id], …]`; header prev hash (flag bit 0) is the
/// first record's `prev_hash`. Results: canonical texts back to back at the
/// result pointer/length, `count` u32 end offsets at pointer 2, `count`
/// digests at pointer 3; the last digest is also copied to the header's prev
/// hash.
#[no_mangle]
pub extern "C" fn seal_chain(len: usize) -> u32 {
    let src = input_slice(len);
    let prev = if get_u32(H_FLAGS) & 1 != 0 { Some(get32(H_PREV)) } else { None };
    let mut c = Canon::new(src, true, len + len / 4 + 256);
    match envelope::seal_chain(&mut c, prev) {
        Ok(s) => {
            let n = put_sealed(&s);
            if n > 0 {
                let last: [u8; 32] = s.hashes.as_slice()[(n - 1) * 32..n * 32].try_into().unwrap_or([0; 32]);
                h()[H_PREV..H_PREV + 32].copy_from_slice(&last);
                put_u32(H_FLAGS, get_u32(H_FLAGS) | 1);
            }
            0
        }
        Err(()) => set_error(c.err, c.err_at),
    }
}

/// Describes sealed records in the header (as [`seal_chain`] documents);
/// returns their count.
fn put_sealed(s: &envelope::Sealed) -> usize {
    let n = s.ends.len();
    put_u32(H_PTR, s.text.as_ptr() as u32);
    put_u32(H_LEN, s.text.len() as u32);
    put_u32(H_PTR2, s.ends.as_ptr() as u32);
    put_u32(H_PTR3, s.hashes.as_ptr() as u32);
    put_u32(H_COUNT, n as u32);
    n
}

/// Hashes records independently (verification). Input: UTF-8 JSON
/// `[[event_type, payload, prev_hash, seq, session_id, tenant_id,
/// ts_unix_ms, user_id], …]` with `prev_hash` `null` or 64 lowercase hex
/// (each record's own). Results as [`seal_chain`]'s; the digests are
/// computed four at a time in SIMD lanes.
#[no_mangle]
pub extern "C" fn hash_records(len: usize) -> u32 {
    let src = input_slice(len);
    let mut c = Canon::new(src, true, len + len / 4 + 256);
    match envelope::hash_records(&mut c) {
        Ok(s) => {
            put_sealed(&s);
            0
        }
        Err(()) => set_error(c.err, c.err_at),
    }
}

/// Verifies newline-separated wire envelopes as one chain continuing the
/// header state (next seq, prev hash, identity); updates that state with
/// every record that checks, and stops at the first that does not.
#[no_mangle]
pub extern "C" fn verify(len: usize) -> u32 {
    let src = input_slice(len);
    let flags = get_u32(H_FLAGS);
    let mut state = envelope::ChainState {
        next_seq: get_f64(H_NEXT_SEQ),
        prev: if flags & 1 != 0 { Some(get32(H_PREV)) } else { None },
        identity: if flags & 2 != 0 { Some(get32(H_IDENTITY)) } else { None },
        stop_at_switch: flags & 4 != 0,
        skip: flags & 8 != 0,
        switch_identity: [0; 32],
    };
    let mut c = Canon::new(src, true, 4096);
    let v = envelope::verify(&mut c, &mut state);
    put_f64(H_NEXT_SEQ, state.next_seq);
    let mut f = 0;
    if let Some(p) = state.prev {
        h()[H_PREV..H_PREV + 32].copy_from_slice(&p);
        f |= 1;
    }
    if let Some(p) = state.identity {
        h()[H_IDENTITY..H_IDENTITY + 32].copy_from_slice(&p);
        f |= 2;
    }
    put_u32(H_FLAGS, f | (flags & 12));
    h()[H_SWITCH_ID..H_SWITCH_ID + 32].copy_from_slice(&state.switch_identity);
    put_u32(H_CHECKED, v.checked);
    put_u32(H_RECORD_AT, v.record_at as u32);
    put_f64(H_BAD_SEQ, v.bad_seq);
    set_error(v.error, v.error_at)
}
