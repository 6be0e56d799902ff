//! SHA-256 (FIPS 180-4): a scalar single-message core for hash chains, where
//! every message depends on the previous digest, and a 4-lane SIMD128
//! multi-buffer core for independent messages (chain verification).

use core::arch::wasm32::*;

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const IV: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

#[inline(always)]
fn load_be(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

macro_rules! round {
    ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $g:ident, $h:ident, $k:expr, $w:expr) => {
        let t1 = $h
            .wrapping_add($e.rotate_right(6) ^ $e.rotate_right(11) ^ $e.rotate_right(25))
            .wrapping_add($g ^ ($e & ($f ^ $g)))
            .wrapping_add($k)
            .wrapping_add($w);
        let t2 = ($a.rotate_right(2) ^ $a.rotate_right(13) ^ $a.rotate_right(22))
            .wrapping_add((($a | $b) & $c) | ($a & $b));
        $d = $d.wrapping_add(t1);
        $h = t1.wrapping_add(t2);
    };
}

#[inline(always)]
fn s0(x: u32) -> u32 {
    x.rotate_right(7) ^ x.rotate_right(18) ^ (x >> 3)
}

#[inline(always)]
fn s1(x: u32) -> u32 {
    x.rotate_right(17) ^ x.rotate_right(19) ^ (x >> 10)
}

/// Compresses one 64-byte block into `s`: four groups of sixteen unrolled
/// rounds. The working variables rotate by renaming (a group of sixteen
/// returns them to their names) and the sixteen-word schedule window stays
/// in locals (WebAssembly registers), never in linear memory.
#[inline(never)]
fn compress(s: &mut [u32; 8], block: &[u8; 64]) {
    let be = |i: usize| u32::from_be_bytes([block[4 * i], block[4 * i + 1], block[4 * i + 2], block[4 * i + 3]]);
    let (mut w0, mut w1, mut w2, mut w3, mut w4, mut w5, mut w6, mut w7) =
        (be(0), be(1), be(2), be(3), be(4), be(5), be(6), be(7));
    let (mut w8, mut w9, mut w10, mut w11, mut w12, mut w13, mut w14, mut w15) =
        (be(8), be(9), be(10), be(11), be(12), be(13), be(14), be(15));
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *s;
    let mut j = 0;
    loop {
            round!(a, b, c, d, e, f, g, h, K[16 * j + 0], w0);
            round!(h, a, b, c, d, e, f, g, K[16 * j + 1], w1);
            round!(g, h, a, b, c, d, e, f, K[16 * j + 2], w2);
            round!(f, g, h, a, b, c, d, e, K[16 * j + 3], w3);
            round!(e, f, g, h, a, b, c, d, K[16 * j + 4], w4);
            round!(d, e, f, g, h, a, b, c, K[16 * j + 5], w5);
            round!(c, d, e, f, g, h, a, b, K[16 * j + 6], w6);
            round!(b, c, d, e, f, g, h, a, K[16 * j + 7], w7);
            round!(a, b, c, d, e, f, g, h, K[16 * j + 8], w8);
            round!(h, a, b, c, d, e, f, g, K[16 * j + 9], w9);
            round!(g, h, a, b, c, d, e, f, K[16 * j + 10], w10);
            round!(f, g, h, a, b, c, d, e, K[16 * j + 11], w11);
            round!(e, f, g, h, a, b, c, d, K[16 * j + 12], w12);
            round!(d, e, f, g, h, a, b, c, K[16 * j + 13], w13);
            round!(c, d, e, f, g, h, a, b, K[16 * j + 14], w14);
            round!(b, c, d, e, f, g, h, a, K[16 * j + 15], w15);
        j += 1;
        if j == 4 {
            break;
        }
        // The next sixteen schedule words, in place.
            w0 = w0.wrapping_add(s0(w1)).wrapping_add(w9).wrapping_add(s1(w14));
            w1 = w1.wrapping_add(s0(w2)).wrapping_add(w10).wrapping_add(s1(w15));
            w2 = w2.wrapping_add(s0(w3)).wrapping_add(w11).wrapping_add(s1(w0));
            w3 = w3.wrapping_add(s0(w4)).wrapping_add(w12).wrapping_add(s1(w1));
            w4 = w4.wrapping_add(s0(w5)).wrapping_add(w13).wrapping_add(s1(w2));
            w5 = w5.wrapping_add(s0(w6)).wrapping_add(w14).wrapping_add(s1(w3));
            w6 = w6.wrapping_add(s0(w7)).wrapping_add(w15).wrapping_add(s1(w4));
            w7 = w7.wrapping_add(s0(w8)).wrapping_add(w0).wrapping_add(s1(w5));
            w8 = w8.wrapping_add(s0(w9)).wrapping_add(w1).wrapping_add(s1(w6));
            w9 = w9.wrapping_add(s0(w10)).wrapping_add(w2).wrapping_add(s1(w7));
            w10 = w10.wrapping_add(s0(w11)).wrapping_add(w3).wrapping_add(s1(w8));
            w11 = w11.wrapping_add(s0(w12)).wrapping_add(w4).wrapping_add(s1(w9));
            w12 = w12.wrapping_add(s0(w13)).wrapping_add(w5).wrapping_add(s1(w10));
            w13 = w13.wrapping_add(s0(w14)).wrapping_add(w6).wrapping_add(s1(w11));
            w14 = w14.wrapping_add(s0(w15)).wrapping_add(w7).wrapping_add(s1(w12));
            w15 = w15.wrapping_add(s0(w0)).wrapping_add(w8).wrapping_add(s1(w13));
    }
    s[0] = s[0].wrapping_add(a);
    s[1] = s[1].wrapping_add(b);
    s[2] = s[2].wrapping_add(c);
    s[3] = s[3].wrapping_add(d);
    s[4] = s[4].wrapping_add(e);
    s[5] = s[5].wrapping_add(f);
    s[6] = s[6].wrapping_add(g);
    s[7] = s[7].wrapping_add(h);
}

/// Builds the final one or two padded blocks of a message of `len` bytes
/// whose last `tail.len()` (< 64) bytes are `tail`; returns the block count.
fn pad_tail(tail: &[u8], len: usize, buf: &mut [u8; 128]) -> usize {
    let r = tail.len();
    buf[..r].copy_from_slice(tail);
    buf[r] = 0x80;
    let n = if r < 56 { 64 } else { 128 };
    for b in buf[r + 1..n - 8].iter_mut() {
        *b = 0;
    }
    buf[n - 8..n].copy_from_slice(&((len as u64) * 8).to_be_bytes());
    n / 64
}

/// SHA-256 of one message.
pub fn sha256(msg: &[u8], out: &mut [u8; 32]) {
    let mut s = IV;
    let full = msg.len() / 64;
    for chunk in msg[..full * 64].chunks_exact(64) {
        compress(&mut s, chunk.try_into().unwrap_or(&[0; 64]));
    }
    let mut buf = [0u8; 128];
    let n = pad_tail(&msg[full * 64..], msg.len(), &mut buf);
    compress(&mut s, buf[..64].try_into().unwrap_or(&[0; 64]));
    if n == 2 {
        compress(&mut s, buf[64..].try_into().unwrap_or(&[0; 64]));
    }
    for i in 0..8 {
        out[i * 4..i * 4 + 4].copy_from_slice(&s[i].to_be_bytes());
    }
}

// ---- 4-lane SIMD128 multi-buffer ------------------------------------------

#[inline(always)]
fn rotr(x: v128, n: u32) -> v128 {
    v128_or(u32x4_shr(x, n), u32x4_shl(x, 32 - n))
}

#[inline(always)]
fn add(a: v128, b: v128) -> v128 {
    u32x4_add(a, b)
}

/// Compresses one block in each of four lanes; `w[i]` holds word `i` of the
/// four blocks.
#[inline(never)]
fn compress4(s: &mut [v128; 8], w16: &[v128; 16]) {
    let mut w = [u32x4_splat(0); 64];
    w[..16].copy_from_slice(w16);
    let mut i = 16;
    while i < 64 {
        let x = w[i - 15];
        let y = w[i - 2];
        let s0 = v128_xor(v128_xor(rotr(x, 7), rotr(x, 18)), u32x4_shr(x, 3));
        let s1 = v128_xor(v128_xor(rotr(y, 17), rotr(y, 19)), u32x4_shr(y, 10));
        w[i] = add(add(w[i - 16], s0), add(w[i - 7], s1));
        i += 1;
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *s;
    let mut i = 0;
    while i < 64 {
        let s1 = v128_xor(v128_xor(rotr(e, 6), rotr(e, 11)), rotr(e, 25));
        let ch = v128_bitselect(f, g, e);
        let t1 = add(add(add(h, s1), add(ch, u32x4_splat(K[i]))), w[i]);
        let s0 = v128_xor(v128_xor(rotr(a, 2), rotr(a, 13)), rotr(a, 22));
        // Maj(a, b, c): where a and c agree take them, elsewhere take b.
        let maj = v128_bitselect(b, c, v128_xor(a, c));
        let t2 = add(s0, maj);
        h = g;
        g = f;
        f = e;
        e = add(d, t1);
        d = c;
        c = b;
        b = a;
        a = add(t1, t2);
        i += 1;
    }
    s[0] = add(s[0], a);
    s[1] = add(s[1], b);
    s[2] = add(s[2], c);
    s[3] = add(s[3], d);
    s[4] = add(s[4], e);
    s[5] = add(s[5], f);
    s[6] = add(s[6], g);
    s[7] = add(s[7], h);
}

struct Lane<'a> {
    msg: &'a [u8],
    block: usize,
    full: usize,
    total: usize,
    tail: [u8; 128],
    index: usize,
    active: bool,
}

impl<'a> Lane<'a> {
    fn idle() -> Self {
        Lane { msg: &[], block: 0, full: 0, total: 0, tail: [0; 128], index: 0, active: false }
    }
    fn start(&mut self, msg: &'a [u8], index: usize) {
        self.msg = msg;
        self.block = 0;
        self.full = msg.len() / 64;
        let n = pad_tail(&msg[self.full * 64..], msg.len(), &mut self.tail);
        self.total = self.full + n;
        self.index = index;
        self.active = true;
    }
    #[inline(always)]
    fn current(&self) -> &[u8] {
        if self.block < self.full {
            &self.msg[self.block * 64..self.block * 64 + 64]
        } else {
            let t = (self.block - self.full) * 64;
            &self.tail[t..t + 64]
        }
    }
}

/// SHA-256 of many independent messages, four at a time in SIMD lanes.
/// `msgs(i)` returns message `i` of `count`; digest `i` goes to `out[32 i..]`.
pub fn sha256_many<'a>(count: usize, msgs: &dyn Fn(usize) -> &'a [u8], out: &mut [u8]) {
    if count < 2 {
        if count == 1 {
            let mut d = [0u8; 32];
            sha256(msgs(0), &mut d);
            out[..32].copy_from_slice(&d);
        }
        return;
    }
    let mut lanes = [Lane::idle(), Lane::idle(), Lane::idle(), Lane::idle()];
    let mut next = 0;
    let mut state = [u32x4_splat(0); 8];
    let zero_block = [0u8; 64];
    for l in 0..4 {
        if next < count {
            lanes[l].start(msgs(next), next);
            next += 1;
        }
    }
    for (j, v) in state.iter_mut().enumerate() {
        *v = u32x4_splat(IV[j]);
    }
    loop {
        let mut w = [u32x4_splat(0); 16];
        {
            let b0 = if lanes[0].active { lanes[0].current() } else { &zero_block[..] };
            let b1 = if lanes[1].active { lanes[1].current() } else { &zero_block[..] };
            let b2 = if lanes[2].active { lanes[2].current() } else { &zero_block[..] };
            let b3 = if lanes[3].active { lanes[3].current() } else { &zero_block[..] };
            for (i, wi) in w.iter_mut().enumerate() {
                *wi = u32x4(load_be(b0, i * 4), load_be(b1, i * 4), load_be(b2, i * 4), load_be(b3, i * 4));
            }
        }
        compress4(&mut state, &w);
        let mut any = false;
        for l in 0..4 {
            if !lanes[l].active {
                continue;
            }
            lanes[l].block += 1;
            if lanes[l].block == lanes[l].total {
                let idx = lanes[l].index;
                let mut words = [0u32; 8];
                for (j, v) in state.iter().enumerate() {
                    words[j] = lane_get(*v, l);
                }
                for j in 0..8 {
                    out[idx * 32 + j * 4..idx * 32 + j * 4 + 4].copy_from_slice(&words[j].to_be_bytes());
                }
                if next < count {
                    lanes[l].start(msgs(next), next);
                    next += 1;
                    for (j, v) in state.iter_mut().enumerate() {
                        *v = lane_set(*v, l, IV[j]);
                    }
                } else {
                    lanes[l].active = false;
                }
            }
            any |= lanes[l].active;
        }
        if !any {
            break;
        }
    }
}

#[inline(always)]
fn lane_get(v: v128, l: usize) -> u32 {
    match l {
        0 => u32x4_extract_lane::<0>(v),
        1 => u32x4_extract_lane::<1>(v),
        2 => u32x4_extract_lane::<2>(v),
        _ => u32x4_extract_lane::<3>(v),
    }
}

#[inline(always)]
fn lane_set(v: v128, l: usize, x: u32) -> v128 {
    match l {
        0 => u32x4_replace_lane::<0>(v, x),
        1 => u32x4_replace_lane::<1>(v, x),
        2 => u32x4_replace_lane::<2>(v, x),
        _ => u32x4_replace_lane::<3>(v, x),
    }
}
