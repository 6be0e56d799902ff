//! Envelope sealing and chain verification.
//!
//! The hashed text is the aegisd-profile canonical JSON of
//! `{event_type, payload, prev_hash, seq, session_id, tenant_id, ts_unix_ms, user_id}`
//! in that (already sorted) key order; only the payload is canonicalised
//! generically.

use crate::arena::Buf;
use crate::json::{self, Canon, E_TYPE};
use crate::sha256;

pub const E_SEQ: u32 = 20; // seq is not the next one
pub const E_PREV: u32 = 21; // prev_hash is not the previous hash
pub const E_HASH: u32 = 22; // hash differs from the recomputed one
pub const E_SESSION: u32 = 23; // another tenant or session in the chain
pub const E_BYTES: u32 = 25; // prev_hash/hash is not a 32-byte digest (hex, base64 or byte array)
pub const E_CASE: u32 = 26; // a key differs from a field name only in case
pub const E_UNSEALED: u32 = 27; // no hash to check
pub const E_UNHASHABLE: u32 = 28; // empty tenant/session or ts_unix_ms ≤ 0
pub const E_SWITCH: u32 = 29; // (not an error) the next record belongs to another session

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard padded base64 of `bytes`.
pub fn base64(out: &mut Buf<u8>, bytes: &[u8]) {
    let mut i = 0;
    while i + 3 <= bytes.len() {
        let n = (bytes[i] as u32) << 16 | (bytes[i + 1] as u32) << 8 | bytes[i + 2] as u32;
        out.push(B64[(n >> 18) as usize]);
        out.push(B64[(n >> 12 & 63) as usize]);
        out.push(B64[(n >> 6 & 63) as usize]);
        out.push(B64[(n & 63) as usize]);
        i += 3;
    }
    let rest = bytes.len() - i;
    if rest > 0 {
        let n = (bytes[i] as u32) << 16 | if rest == 2 { (bytes[i + 1] as u32) << 8 } else { 0 };
        out.push(B64[(n >> 18) as usize]);
        out.push(B64[(n >> 12 & 63) as usize]);
        out.push(if rest == 2 { B64[(n >> 6 & 63) as usize] } else { b'=' });
        out.push(b'=');
    }
}

fn b64_value(c: u8) -> Option<u32> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    } as u32)
}

/// Decodes standard padded base64 (as Go's `encoding/json` accepts for
/// `[]byte`); false when malformed.
fn unbase64(s: &[u8], out: &mut Buf<u8>) -> bool {
    if s.len() % 4 != 0 {
        return false;
    }
    let mut i = 0;
    while i < s.len() {
        let last = i + 4 == s.len();
        let pad = if last && s[i + 3] == b'=' { if s[i + 2] == b'=' { 2 } else { 1 } } else { 0 };
        let mut n = 0u32;
        for j in 0..4 - pad {
            match b64_value(s[i + j]) {
                Some(v) => n |= v << (18 - 6 * j),
                None => return false,
            }
        }
        out.push((n >> 16) as u8);
        if pad < 2 {
            out.push((n >> 8) as u8);
        }
        if pad < 1 {
            out.push(n as u8);
        }
        i += 4;
    }
    true
}

// ---- sealing ----------------------------------------------------------------

/// Output of [`seal_chain`]: canonical texts back to back, the end offset of
/// each, and each SHA-256.
pub struct Sealed {
    pub text: Buf<u8>,
    pub ends: Buf<u32>,
    pub hashes: Buf<u8>,
}

/// Reads `[record, record, …]` with nothing after it, calling `each` with
/// the cursor at every record (which `each` must consume).
fn each_record(c: &mut Canon, mut each: impl FnMut(&mut Canon) -> Result<(), ()>) -> Result<(), ()> {
    c.ws();
    c.expect(b'[')?;
    c.ws();
    if c.src().get(c.pos) == Some(&b']') {
        c.pos += 1;
    } else {
        loop {
            each(c)?;
            c.ws();
            match c.src().get(c.pos) {
                Some(b',') => c.pos += 1,
                Some(b']') => {
                    c.pos += 1;
                    break;
                }
                _ => c.expect(b']')?,
            }
        }
    }
    c.ws();
    if c.pos < c.src().len() {
        return c.fail(json::E_TRAILING, c.pos);
    }
    Ok(())
}

/// Seals the records of `[[event_type, payload, seq, session_id, tenant_id,
/// ts_unix_ms, user_id], …]` (the emission order) as one chain; `prev` is
/// the previous hash of the first record (None at seq 0).
pub fn seal_chain(c: &mut Canon, prev: Option<[u8; 32]>) -> Result<Sealed, ()> {
    let mut ends: Buf<u32> = Buf::with_capacity(16);
    let mut hashes: Buf<u8> = Buf::with_capacity(16 * 32);
    let mut prev = prev;
    each_record(c, |c| {
        let start = c.out.len();
        record(c, Prev::Chained(prev.as_ref()))?;
        let mut h = [0u8; 32];
        sha256::sha256(&c.out.as_slice()[start..], &mut h);
        hashes.extend(&h);
        ends.push(c.out.len() as u32);
        prev = Some(h);
        Ok(())
    })?;
    let text = core::mem::replace(&mut c.out, Buf::with_capacity(0));
    Ok(Sealed { text, ends, hashes })
}

/// Hashes the records of `[[event_type, payload, prev_hash, seq, session_id,
/// tenant_id, ts_unix_ms, user_id], …]` (the hashed key order) each on its
/// own: `prev_hash` is `null` or 64 lowercase hex. No record depends on
/// another, so the hashes are computed four at a time (SIMD multi-buffer);
/// this is what verification needs (each stored envelope carries its
/// `prev_hash`; linkage is checked afterwards).
pub fn hash_records(c: &mut Canon) -> Result<Sealed, ()> {
    let mut ends: Buf<u32> = Buf::with_capacity(16);
    each_record(c, |c| {
        record(c, Prev::Inline)?;
        ends.push(c.out.len() as u32);
        Ok(())
    })?;
    let text = core::mem::replace(&mut c.out, Buf::with_capacity(0));
    let n = ends.len();
    let mut hashes: Buf<u8> = Buf::with_capacity(n * 32);
    hashes.reserve(n * 32);
    for _ in 0..n * 32 {
        unsafe { hashes.push_unchecked(0) };
    }
    {
        let t = text.as_slice();
        let e = ends.as_slice();
        let msg = |i: usize| &t[if i == 0 { 0 } else { e[i - 1] as usize }..e[i] as usize];
        sha256::sha256_many(n, &msg, hashes.as_mut_slice());
    }
    Ok(Sealed { text, ends, hashes })
}

/// Where a record's `prev_hash` comes from.
enum Prev<'a> {
    /// Sealing a chain: the previous record's hash (None at seq 0).
    Chained(Option<&'a [u8; 32]>),
    /// The record's third element: `null` or 64 lowercase hex.
    Inline,
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Reads the inline `prev_hash` element (`null` or a 64-lowercase-hex string).
fn inline_prev(c: &mut Canon) -> Result<Option<[u8; 32]>, ()> {
    c.ws();
    let s = c.src();
    let at = c.pos;
    if s.len() >= at + 4 && &s[at..at + 4] == b"null" {
        c.pos += 4;
        return Ok(None);
    }
    if s.len() >= at + 66 && s[at] == b'"' && s[at + 65] == b'"' {
        let mut d = [0u8; 32];
        let mut ok = true;
        for (i, b) in d.iter_mut().enumerate() {
            match (hex_value(s[at + 1 + 2 * i]), hex_value(s[at + 2 + 2 * i])) {
                (Some(h), Some(l)) => *b = h << 4 | l,
                _ => ok = false,
            }
        }
        if ok {
            c.pos += 66;
            return Ok(Some(d));
        }
    }
    c.fail(E_TYPE, at).map(|_| None)
}

fn string_field(c: &mut Canon) -> Result<(), ()> {
    c.ws();
    if c.src().get(c.pos) != Some(&b'"') {
        return c.fail(E_TYPE, c.pos);
    }
    c.string(false)
}

fn number_field(c: &mut Canon) -> Result<(), ()> {
    c.ws();
    if !matches!(c.src().get(c.pos), Some(b'-') | Some(b'0'..=b'9')) {
        return c.fail(E_TYPE, c.pos);
    }
    c.value()
}

fn record(c: &mut Canon, prev: Prev) -> Result<(), ()> {
    c.expect(b'[')?;
    c.out.extend(b"{\"event_type\":");
    string_field(c)?;
    c.expect(b',')?;
    c.out.extend(b",\"payload\":");
    c.ws();
    c.value()?;
    c.expect(b',')?;
    let inline;
    let p = match prev {
        Prev::Chained(p) => p,
        Prev::Inline => {
            inline = inline_prev(c)?;
            c.expect(b',')?;
            inline.as_ref()
        }
    };
    if let Some(p) = p {
        c.out.extend(b",\"prev_hash\":\"");
        base64(&mut c.out, p);
        c.out.push(b'"');
    }
    c.out.extend(b",\"seq\":");
    number_field(c)?;
    c.expect(b',')?;
    c.out.extend(b",\"session_id\":");
    string_field(c)?;
    c.expect(b',')?;
    c.out.extend(b",\"tenant_id\":");
    string_field(c)?;
    c.expect(b',')?;
    c.out.extend(b",\"ts_unix_ms\":");
    number_field(c)?;
    c.expect(b',')?;
    c.out.extend(b",\"user_id\":");
    string_field(c)?;
    c.expect(b']')?;
    c.out.push(b'}');
    Ok(())
}

// ---- verification -----------------------------------------------------------

/// Chain state carried between calls (in the fixed header).
pub struct ChainState {
    pub next_seq: f64,
    pub prev: Option<[u8; 32]>,
    pub identity: Option<[u8; 32]>,
    /// Stop (with [`E_SWITCH`]) at a record of another tenant/session
    /// instead of failing: the caller keeps one chain per session.
    pub stop_at_switch: bool,
    /// The chain already failed: only skip its records (no checks; lines
    /// that cannot be read are skipped too) until another session's record.
    pub skip: bool,
    /// Identity of the record that stopped verification with [`E_SWITCH`].
    pub switch_identity: [u8; 32],
}

/// What verification found.
pub struct Verdict {
    pub record_at: usize, // start of the first bad record in the input
    pub checked: u32,
    pub error: u32,
    pub error_at: usize,
    pub bad_seq: f64, // NaN when the bad record's seq is unknown
}

#[derive(Clone, Copy)]
struct Range {
    start: u32,
    end: u32,
}

#[derive(Clone, Copy)]
struct Parsed {
    text: Range,     // canonical envelope in `env`
    seq: f64,
    identity: Range, // canonical tenant_id + session_id in `env`
    prev: Range,     // decoded prev_hash bytes in `bytes` (empty: none)
    hash: Range,     // decoded hash bytes in `bytes`
    has_hash: bool,
    hashable: bool,  // tenant and session non-empty, ts_unix_ms > 0
    at: u32,         // offset of the record in the input
}

const BATCH: usize = 64;

/// Verifies newline-separated wire envelopes (each a JSON object; keys in
/// any order) as one chain continuing `state`.
pub fn verify(c: &mut Canon, state: &mut ChainState) -> Verdict {
    let mut v = Verdict { record_at: 0, checked: 0, error: 0, error_at: 0, bad_seq: f64::NAN };
    let full = c.src();
    let mut env: Buf<u8> = Buf::with_capacity(BATCH * 1024);
    let mut bytes: Buf<u8> = Buf::with_capacity(BATCH * 64);
    let mut batch: Buf<Parsed> = Buf::with_capacity(BATCH);
    // Length-prefixed canonical texts of a record's keys that name no field.
    let mut other_keys: Buf<u8> = Buf::with_capacity(64);
    let mut digests = [0u8; BATCH * 32];
    loop {
        env.truncate(0);
        bytes.truncate(0);
        batch.truncate(0);
        let mut parse_error: Option<(u32, usize, f64, usize)> = None;
        let mut done = false;
        while batch.len() < BATCH {
            c.ws();
            if c.pos >= c.src().len() {
                done = true;
                break;
            }
            let rec = c.pos;
            // One record per line: the parser sees only this line.
            let line_end = full[rec..].iter().position(|&b| b == b'\n').map_or(full.len(), |i| rec + i);
            c.set_src(&full[..line_end]);
            let r = match wire(c, &mut env, &mut bytes, &mut other_keys) {
                Ok(p) => {
                    c.ws();
                    if c.pos < line_end {
                        let _ = c.fail(json::E_TRAILING, c.pos);
                        Err(p.seq)
                    } else {
                        Ok(p)
                    }
                }
                Err(seq) => Err(seq),
            };
            c.set_src(full);
            match r {
                Ok(p) => batch.push(p),
                Err(_) if state.skip => c.pos = line_end,
                Err(seq) => {
                    parse_error = Some((c.err, c.err_at, seq, rec));
                    done = true;
                    break;
                }
            }
        }
        if !state.skip {
            let envs = env.as_slice();
            let b = batch.as_slice();
            sha256::sha256_many(b.len(), &|i| &envs[b[i].text.start as usize..b[i].text.end as usize], &mut digests);
        }
        let envs = env.as_slice();
        let bs = bytes.as_slice();
        for (i, p) in batch.as_slice().iter().enumerate() {
            let digest: [u8; 32] = digests[i * 32..i * 32 + 32].try_into().unwrap_or([0; 32]);
            let mut id = [0u8; 32];
            sha256::sha256(&envs[p.identity.start as usize..p.identity.end as usize], &mut id);
            let prev = &bs[p.prev.start as usize..p.prev.end as usize];
            // The order of the TypeScript verifier: identity, seq, linkage,
            // sealed, hashable, hash.
            // The first record names the chain's tenant and session, even
            // when it fails another rule (as in the TypeScript verifier).
            if state.identity.is_none() {
                state.identity = Some(id);
            }
            let other = state.identity.map_or(false, |x| x != id);
            if other && state.stop_at_switch {
                state.switch_identity = id;
                v.error = E_SWITCH;
                v.error_at = p.at as usize;
                v.record_at = p.at as usize;
                v.bad_seq = p.seq;
                return v;
            }
            if state.skip {
                continue;
            }
            let fail = if other {
                E_SESSION
            } else if p.seq != state.next_seq {
                E_SEQ
            } else if match &state.prev {
                Some(h) => prev != &h[..],
                None => !prev.is_empty(),
            } {
                E_PREV
            } else if !p.has_hash {
                E_UNSEALED
            } else if !p.hashable {
                E_UNHASHABLE
            } else if &bs[p.hash.start as usize..p.hash.end as usize] != &digest[..] {
                E_HASH
            } else {
                0
            };
            if fail != 0 {
                v.error = fail;
                v.error_at = p.at as usize;
                v.record_at = p.at as usize;
                v.bad_seq = p.seq;
                return v;
            }
            state.identity = Some(id);
            state.prev = Some(digest);
            state.next_seq += 1.0;
            v.checked += 1;
        }
        if let Some((code, at, seq, rec)) = parse_error {
            v.record_at = rec;
            v.error = code;
            v.error_at = at;
            v.bad_seq = seq;
            return v;
        }
        if done {
            return v;
        }
    }
}

/// Bytes of a `prev_hash`/`hash` value: 64-hex or standard base64 string,
/// byte array, or null / "" / [] for none; a digest must have 32 bytes.
fn hash_bytes(c: &mut Canon, bytes: &mut Buf<u8>) -> Result<Range, ()> {
    let start = bytes.len() as u32;
    let at = c.pos;
    let bad = |c: &mut Canon| c.fail(E_BYTES, at).map(|_| Range { start: 0, end: 0 });
    match c.src().get(c.pos) {
        Some(b'"') => {
            let mark = c.out.len();
            c.string(false)?;
            let s_end = c.out.len() - 1;
            let text = &c.out.as_slice()[mark + 1..s_end];
            let ok = if text.len() == 64 && text.iter().all(|b| b.is_ascii_hexdigit()) {
                for i in 0..32 {
                    let h = |x: u8| if x <= b'9' { x - b'0' } else { (x | 0x20) - b'a' + 10 };
                    bytes.push(h(text[2 * i]) << 4 | h(text[2 * i + 1]));
                }
                true
            } else {
                unbase64(text, bytes)
            };
            c.out.truncate(mark);
            if !ok {
                return bad(c);
            }
        }
        Some(b'[') => {
            c.pos += 1;
            c.ws();
            if c.src().get(c.pos) == Some(&b']') {
                c.pos += 1;
            } else {
                loop {
                    c.ws();
                    if !matches!(c.src().get(c.pos), Some(b'-') | Some(b'0'..=b'9')) {
                        if matches!(c.src().get(c.pos), Some(b'"') | Some(b'[') | Some(b'{') | Some(b't') | Some(b'f') | Some(b'n')) {
                            return bad(c);
                        }
                        c.value()?;
                    }
                    let mark = c.out.len();
                    let x = c.integer()?;
                    c.out.truncate(mark);
                    if !(x >= 0.0 && x <= 255.0) {
                        return bad(c);
                    }
                    bytes.push(x as u8);
                    c.ws();
                    match c.src().get(c.pos) {
                        Some(b',') => c.pos += 1,
                        Some(b']') => {
                            c.pos += 1;
                            break;
                        }
                        _ => {
                            c.expect(b']')?;
                        }
                    }
                }
            }
        }
        Some(b'n') => {
            let mark = c.out.len();
            c.value()?;
            c.out.truncate(mark);
        }
        _ => {
            let mark = c.out.len();
            c.value()?;
            c.out.truncate(mark);
            return bad(c);
        }
    }
    let n = bytes.len() as u32 - start;
    if n != 0 && n != 32 {
        return bad(c);
    }
    Ok(Range { start, end: bytes.len() as u32 })
}

const F_EVENT: usize = 0;
const F_PAYLOAD: usize = 1;
const F_SEQ: usize = 2;
const F_SESSION: usize = 3;
const F_TENANT: usize = 4;
const F_TS: usize = 5;
const F_USER: usize = 6;
const F_PREV: usize = 7;
const F_HASH: usize = 8;
const NAMES: [&[u8]; 9] = [
    b"event_type",
    b"payload",
    b"seq",
    b"session_id",
    b"tenant_id",
    b"ts_unix_ms",
    b"user_id",
    b"prev_hash",
    b"hash",
];

/// Which field a decoded key names: `Ok(Some(i))` exactly, `Ok(None)` not
/// at all, `Err(i)` only after case folding (Go would match it; rejected).
fn field_of(key: &[u8]) -> Result<Option<usize>, usize> {
    if let Some(i) = NAMES.iter().position(|n| *n == key) {
        return Ok(Some(i));
    }
    // Fold like Go: ASCII case, U+017F ſ → s, U+212A K → k.
    let mut folded = [0u8; 16];
    let mut n = 0;
    let mut i = 0;
    while i < key.len() {
        if n == folded.len() {
            return Ok(None);
        }
        let b = key[i];
        if b < 0x80 {
            folded[n] = b.to_ascii_lowercase();
            i += 1;
        } else if key[i..].starts_with(&[0xC5, 0xBF]) {
            folded[n] = b's';
            i += 2;
        } else if key[i..].starts_with(&[0xE2, 0x84, 0xAA]) {
            folded[n] = b'k';
            i += 3;
        } else {
            return Ok(None);
        }
        n += 1;
    }
    match NAMES.iter().position(|f| *f == &folded[..n]) {
        Some(i) => Err(i),
        None => Ok(None),
    }
}

/// One wire envelope: builds its canonical text in `env`. On error returns
/// the record's seq when it was read (NaN otherwise).
fn wire(c: &mut Canon, env: &mut Buf<u8>, bytes: &mut Buf<u8>, other_keys: &mut Buf<u8>) -> Result<Parsed, f64> {
    let at = c.pos;
    let mut seq = 0.0;
    let mut ts = 0.0;
    let mut field: [Range; 9] = [Range { start: 0, end: 0 }; 9];
    let mut seen = [false; 9];
    let mark = c.out.len();
    other_keys.truncate(0);
    let r = (|| -> Result<(), ()> {
        if c.src().get(c.pos) != Some(&b'{') {
            if c.src().get(c.pos) == Some(&b'[') || c.src().get(c.pos) == Some(&b'"') {
                return c.fail(E_TYPE, c.pos);
            }
            c.value()?;
            return c.fail(E_TYPE, at);
        }
        c.pos += 1;
        c.ws();
        if c.src().get(c.pos) == Some(&b'}') {
            c.pos += 1;
            return Ok(());
        }
        loop {
            c.ws();
            if c.src().get(c.pos) != Some(&b'"') {
                return c.expect(b'"');
            }
            let key_at = c.pos;
            let k0 = c.out.len();
            c.string(false)?;
            let k_end = c.out.len();
            let f = field_of(&c.out.as_slice()[k0 + 1..k_end - 1]);
            if f != Ok(None) {
                c.out.truncate(k0);
            }
            c.expect(b':')?;
            c.ws();
            let vat = c.pos;
            match f {
                Err(_) => {
                    return c.fail(E_CASE, key_at);
                }
                Ok(Some(i)) => {
                    if seen[i] {
                        return c.fail(json::E_DUPLICATE, key_at);
                    }
                    seen[i] = true;
                    let s = c.out.len() as u32;
                    let is_null = c.src()[c.pos..].starts_with(b"null");
                    match i {
                        F_EVENT | F_SESSION | F_TENANT | F_USER => {
                            if is_null {
                                c.pos += 4;
                                c.out.extend(b"\"\"");
                            } else if c.src().get(c.pos) != Some(&b'"') {
                                return c.fail(E_TYPE, vat);
                            } else {
                                c.string(false)?;
                            }
                        }
                        F_SEQ | F_TS => {
                            if is_null {
                                c.pos += 4;
                                c.out.push(b'0');
                            } else {
                                if !matches!(c.src().get(c.pos), Some(b'-') | Some(b'0'..=b'9')) {
                                    return c.fail(E_TYPE, vat);
                                }
                                let x = c.integer()?;
                                if i == F_SEQ {
                                    if x < 0.0 {
                                        return c.fail(E_TYPE, vat);
                                    }
                                    seq = x;
                                } else {
                                    ts = x;
                                }
                            }
                        }
                        F_PAYLOAD => c.value()?,
                        _ => {
                            let r = hash_bytes(c, bytes)?;
                            field[i] = r;
                            continue_after(c)?;
                            if c.src().get(c.pos - 1) == Some(&b'}') {
                                return Ok(());
                            }
                            continue;
                        }
                    }
                    field[i] = Range { start: s, end: c.out.len() as u32 };
                }
                Ok(None) => {
                    // Other keys are ignored, but must not repeat (the
                    // TypeScript reader rejects duplicate keys anywhere).
                    // Canonical key text is injective, so it identifies the key.
                    let key = &c.out.as_slice()[k0..k_end];
                    let mut seen_before = false;
                    let mut i = 0;
                    while i < other_keys.len() {
                        let n = other_keys.as_slice()[i] as usize;
                        if &other_keys.as_slice()[i + 1..i + 1 + n] == key {
                            seen_before = true;
                        }
                        i += 1 + n;
                    }
                    if seen_before {
                        return c.fail(json::E_DUPLICATE, key_at);
                    }
                    if key.len() < 255 {
                        other_keys.push(key.len() as u8);
                        other_keys.extend(key);
                    }
                    c.out.truncate(k0);
                    let m = c.out.len();
                    c.value()?;
                    c.out.truncate(m);
                }
            }
            continue_after(c)?;
            if c.src().get(c.pos - 1) == Some(&b'}') {
                return Ok(());
            }
        }
    })();
    if r.is_err() {
        c.out.truncate(mark);
        return Err(seq);
    }
    let o = c.out.as_slice();
    let get = |i: usize| -> &[u8] {
        if seen[i] {
            &o[field[i].start as usize..field[i].end as usize]
        } else if i == F_SEQ || i == F_TS {
            b"0"
        } else if i == F_PAYLOAD {
            b"null"
        } else {
            b"\"\""
        }
    };
    let start = env.len() as u32;
    env.extend(b"{\"event_type\":");
    env.extend(get(F_EVENT));
    env.extend(b",\"payload\":");
    env.extend(get(F_PAYLOAD));
    let prev = field[F_PREV];
    if prev.end > prev.start {
        env.extend(b",\"prev_hash\":\"");
        let bs = bytes.as_slice();
        base64(env, &bs[prev.start as usize..prev.end as usize]);
        env.push(b'"');
    }
    env.extend(b",\"seq\":");
    env.extend(get(F_SEQ));
    env.extend(b",\"session_id\":");
    env.extend(get(F_SESSION));
    env.extend(b",\"tenant_id\":");
    env.extend(get(F_TENANT));
    env.extend(b",\"ts_unix_ms\":");
    env.extend(get(F_TS));
    env.extend(b",\"user_id\":");
    env.extend(get(F_USER));
    env.push(b'}');
    let text = Range { start, end: env.len() as u32 };
    let id_start = env.len() as u32;
    env.extend(get(F_TENANT));
    env.push(b'\n');
    env.extend(get(F_SESSION));
    let identity = Range { start: id_start, end: env.len() as u32 };
    let hashable = get(F_TENANT) != b"\"\"" && get(F_SESSION) != b"\"\"" && ts > 0.0;
    c.out.truncate(mark);
    Ok(Parsed {
        text,
        seq,
        identity,
        prev,
        hash: field[F_HASH],
        has_hash: field[F_HASH].end > field[F_HASH].start,
        hashable,
        at: at as u32,
    })
}

/// After a member value: `,` (more members) or `}` (the object ends).
fn continue_after(c: &mut Canon) -> Result<(), ()> {
    c.ws();
    match c.src().get(c.pos) {
        Some(b',') | Some(b'}') => {
            c.pos += 1;
            Ok(())
        }
        _ => c.expect(b'}'),
    }
}
