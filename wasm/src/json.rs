//! JSON text canonicalization without building a tree: one pass over the
//! UTF-8 input writes the canonical form, sorting each object's members in
//! place once the object closes.
//!
//! Profiles: `rfc8785` (keys by UTF-16 code units, `-0` → `0`) and `aegisd`
//! (keys by UTF-8 bytes, `< > &` U+2028 U+2029 escaped, `-0` kept).

use crate::arena::Buf;
use crate::number;

pub const E_END: u32 = 1; // unexpected end of input
pub const E_CHAR: u32 = 2; // unexpected character
pub const E_UTF8: u32 = 3; // invalid UTF-8
pub const E_SURROGATE: u32 = 4; // lone surrogate escape
pub const E_ESCAPE: u32 = 5; // invalid escape
pub const E_CONTROL: u32 = 6; // unescaped control character in a string
pub const E_NUMBER: u32 = 7; // malformed number
pub const E_RANGE: u32 = 8; // number out of range
pub const E_DUPLICATE: u32 = 9; // duplicate key
pub const E_DEPTH: u32 = 10; // nesting too deep
pub const E_TRAILING: u32 = 11; // data after the value
pub const E_TYPE: u32 = 12; // value of the wrong type (sealing and verification)

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: u32 = 1000;

#[derive(Clone, Copy)]
struct Member {
    key: u32,   // offset of the decoded key in `keys`
    key_len: u32,
    start: u32, // canonical member text in `out`
    end: u32,
    src: u32, // offset of the key's opening quote in the input
}

/// Byte classes for the string scanner.
const SAFE: u8 = 0;
const QUOTE: u8 = 1;
const BACKSLASH: u8 = 2;
const CONTROL: u8 = 3;
const HIGH: u8 = 4;
const HTML: u8 = 5;

const fn class_table(aegisd: bool) -> [u8; 256] {
    let mut t = [SAFE; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if i < 0x20 {
            CONTROL
        } else if i == b'"' as usize {
            QUOTE
        } else if i == b'\\' as usize {
            BACKSLASH
        } else if i >= 0x80 {
            HIGH
        } else if aegisd && (i == b'<' as usize || i == b'>' as usize || i == b'&' as usize) {
            HTML
        } else {
            SAFE
        };
        i += 1;
    }
    t
}

static CLASS_RFC: [u8; 256] = class_table(false);
static CLASS_AEGISD: [u8; 256] = class_table(true);

const HEX: &[u8; 16] = b"0123456789abcdef";

pub struct Canon<'a> {
    src: &'a [u8],
    pub pos: usize,
    aegisd: bool,
    class: &'static [u8; 256],
    depth: u32,
    pub out: Buf<u8>,
    keys: Buf<u8>,
    members: Buf<Member>,
    tmp: Buf<u8>,
    pub err: u32,
    pub err_at: usize,
}

type R = Result<(), ()>;

impl<'a> Canon<'a> {
    pub fn new(src: &'a [u8], aegisd: bool, out_cap: usize) -> Canon<'a> {
        Canon {
            src,
            pos: 0,
            aegisd,
            class: if aegisd { &CLASS_AEGISD } else { &CLASS_RFC },
            depth: 0,
            out: Buf::with_capacity(out_cap),
            keys: Buf::with_capacity(256),
            members: Buf::with_capacity(64),
            tmp: Buf::with_capacity(64),
            err: 0,
            err_at: 0,
        }
    }

    /// Canonicalizes the whole input as one JSON text.
    pub fn document(&mut self) -> R {
        self.ws();
        self.value()?;
        self.ws();
        if self.pos < self.src.len() {
            return self.fail(E_TRAILING, self.pos);
        }
        Ok(())
    }

    /// Records the first error (code and byte offset) and stops.
    #[cold]
    #[inline(never)]
    pub fn fail(&mut self, code: u32, at: usize) -> R {
        // Like the TypeScript reader, which decodes before it parses: an
        // ill-formed UTF-8 sequence anywhere in the input wins. A text that
        // parses has every non-ASCII byte inside a string, validated there,
        // so the whole-input check is needed only here, on failure.
        let bad = utf8_valid_up_to(self.src);
        if bad < self.src.len() {
            self.err = E_UTF8;
            self.err_at = bad;
        } else {
            self.err = code;
            self.err_at = at;
        }
        Err(())
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    #[inline(always)]
    pub fn ws(&mut self) {
        while let Some(&c) = self.src.get(self.pos) {
            if c == b' ' || c == b'\n' || c == b'\r' || c == b'\t' {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    #[inline]
    fn unexpected(&mut self) -> R {
        if self.pos >= self.src.len() {
            self.fail(E_END, self.src.len())
        } else {
            self.fail(E_CHAR, self.pos)
        }
    }

    /// Expects byte `c` (after whitespace) and consumes it.
    #[inline]
    pub fn expect(&mut self, c: u8) -> R {
        self.ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            self.unexpected()
        }
    }

    pub fn value(&mut self) -> R {
        match self.peek() {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string(false),
            Some(b'-') | Some(b'0'..=b'9') => self.number(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            _ => self.unexpected(),
        }
    }

    fn literal(&mut self, word: &'static [u8]) -> R {
        if !self.src[self.pos..].starts_with(word) {
            return self.fail(E_CHAR, self.pos);
        }
        self.pos += word.len();
        self.out.extend(word);
        Ok(())
    }

    fn enter(&mut self) -> R {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.fail(E_DEPTH, self.pos);
        }
        Ok(())
    }

    fn array(&mut self) -> R {
        self.enter()?;
        self.pos += 1;
        self.out.push(b'[');
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.out.push(b']');
            self.depth -= 1;
            return Ok(());
        }
        loop {
            self.ws();
            self.value()?;
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.out.push(b',');
                }
                Some(b']') => {
                    self.pos += 1;
                    self.out.push(b']');
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return self.unexpected(),
            }
        }
    }

    fn object(&mut self) -> R {
        self.enter()?;
        self.pos += 1;
        self.out.push(b'{');
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.out.push(b'}');
            self.depth -= 1;
            return Ok(());
        }
        let first = self.members.len();
        let keys_mark = self.keys.len();
        let region = self.out.len();
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return self.unexpected();
            }
            let src = self.pos as u32;
            let start = self.out.len() as u32;
            let key = self.keys.len() as u32;
            self.string(true)?;
            let key_len = self.keys.len() as u32 - key;
            self.members.push(Member { key, key_len, start, end: start, src });
            self.expect(b':')?;
            self.out.push(b':');
            self.ws();
            self.value()?;
            let idx = self.members.len() - 1;
            self.members.as_mut_slice()[idx].end = self.out.len() as u32;
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.out.push(b',');
                }
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return self.unexpected(),
            }
        }
        self.sort_members(first, region)?;
        self.members.truncate(first);
        self.keys.truncate(keys_mark);
        self.out.push(b'}');
        self.depth -= 1;
        Ok(())
    }

    #[inline(always)]
    fn key_of<'k>(keys: &'k [u8], m: &Member) -> &'k [u8] {
        &keys[m.key as usize..(m.key + m.key_len) as usize]
    }

    /// Orders members `first..` of the object whose canonical text starts at
    /// `region` in `out`; rejects duplicate keys.
    fn sort_members(&mut self, first: usize, region: usize) -> R {
        let aegisd = self.aegisd;
        let n = self.members.len() - first;
        if n < 2 {
            return Ok(());
        }
        {
            let keys = self.keys.as_slice();
            let ms = &self.members.as_slice()[first..];
            let mut sorted = true;
            for i in 1..n {
                let c = compare(Self::key_of(keys, &ms[i - 1]), Self::key_of(keys, &ms[i]), aegisd);
                if c != core::cmp::Ordering::Less {
                    sorted = false;
                    break;
                }
            }
            if sorted {
                return Ok(());
            }
        }
        {
            let keys = self.keys.as_slice();
            let ms = &mut self.members.as_mut_slice()[first..];
            sort(ms, &|a: &Member, b: &Member| {
                compare(Self::key_of(keys, a), Self::key_of(keys, b), aegisd).then(a.src.cmp(&b.src))
                    == core::cmp::Ordering::Less
            });
        }
        // Duplicates are now adjacent; report the earliest second occurrence.
        let mut dup: Option<usize> = None;
        {
            let keys = self.keys.as_slice();
            let ms = &self.members.as_slice()[first..];
            for i in 1..n {
                if Self::key_of(keys, &ms[i - 1]) == Self::key_of(keys, &ms[i]) {
                    let at = ms[i].src as usize;
                    if dup.map_or(true, |d| at < d) {
                        dup = Some(at);
                    }
                }
            }
        }
        if let Some(at) = dup {
            return self.fail(E_DUPLICATE, at);
        }
        let end = self.out.len();
        self.tmp.truncate(0);
        self.tmp.extend(&self.out.as_slice()[region..end]);
        self.out.truncate(region);
        let tmp = self.tmp.as_slice();
        for i in 0..n {
            let m = self.members.as_slice()[first + i];
            if i > 0 {
                self.out.push(b',');
            }
            self.out.extend(&tmp[m.start as usize - region..m.end as usize - region]);
        }
        Ok(())
    }

    /// A string starting at the opening quote: canonical form to `out`, and
    /// when `key`, the decoded UTF-8 to `keys`.
    pub fn string(&mut self, key: bool) -> R {
        let src = self.src;
        let class = self.class;
        let aegisd = self.aegisd;
        self.pos += 1;
        self.out.push(b'"');
        loop {
            let run = self.pos;
            let mut p = self.pos;
            // Copy runs of plain bytes, validating UTF-8 sequences in place.
            let stop = loop {
                // SAFETY: p < src.len() is checked before each read.
                while p < src.len() && class[unsafe { *src.get_unchecked(p) } as usize] == SAFE {
                    p += 1;
                }
                match src.get(p) {
                    Some(&c) if c >= 0x80 => {
                        let n = utf8_len(&src[p..]);
                        if n == 0 || (aegisd && n == 3 && c == 0xE2 && src[p + 1] == 0x80 && (src[p + 2] & 0xFE) == 0xA8) {
                            break Some(c);
                        }
                        p += n;
                    }
                    Some(&c) => break Some(c),
                    None => break None,
                }
            };
            if p > run {
                self.out.extend(&src[run..p]);
                if key {
                    self.keys.extend(&src[run..p]);
                }
            }
            self.pos = p;
            let c = match stop {
                Some(c) => c,
                None => return self.fail(E_END, src.len()),
            };
            match class[c as usize] {
                QUOTE => {
                    self.pos += 1;
                    self.out.push(b'"');
                    return Ok(());
                }
                BACKSLASH => self.escape(key)?,
                CONTROL => return self.fail(E_CONTROL, p),
                HTML => {
                    self.pos += 1;
                    self.emit_ascii(c);
                    if key {
                        self.keys.push(c);
                    }
                }
                _ => {
                    if utf8_len(&src[p..]) == 0 {
                        return self.fail(E_UTF8, p);
                    }
                    // U+2028 or U+2029 in the aegisd profile.
                    self.pos += 3;
                    self.out.extend(if src[p + 2] == 0xA8 { b"\\u2028" } else { b"\\u2029" });
                    if key {
                        self.keys.extend(&src[p..p + 3]);
                    }
                }
            }
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        if at + 4 > self.src.len() {
            return None;
        }
        let mut v = 0u32;
        for &b in &self.src[at..at + 4] {
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return None,
            };
            v = v * 16 + d as u32;
        }
        Some(v)
    }

    /// An escape sequence at a backslash.
    fn escape(&mut self, key: bool) -> R {
        let at = self.pos;
        let c = match self.src.get(at + 1) {
            Some(&c) => c,
            None => return self.fail(E_ESCAPE, at),
        };
        let cp = match c {
            b'"' => 0x22,
            b'\\' => 0x5c,
            b'/' => 0x2f,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => 0x0a,
            b'r' => 0x0d,
            b't' => 0x09,
            b'u' => {
                let u = match self.hex4(at + 2) {
                    Some(u) => u,
                    None => return self.fail(E_ESCAPE, at),
                };
                if (0xDC00..0xE000).contains(&u) {
                    return self.fail(E_SURROGATE, at);
                }
                if (0xD800..0xDC00).contains(&u) {
                    let lo = if self.src.get(at + 6) == Some(&b'\\') && self.src.get(at + 7) == Some(&b'u') {
                        self.hex4(at + 8)
                    } else {
                        None
                    };
                    match lo {
                        Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                            self.pos = at + 12;
                            let cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                            self.emit_cp(cp, key);
                            return Ok(());
                        }
                        _ => return self.fail(E_SURROGATE, at),
                    }
                }
                self.pos = at + 6;
                self.emit_cp(u, key);
                return Ok(());
            }
            _ => return self.fail(E_ESCAPE, at),
        };
        self.pos = at + 2;
        self.emit_cp(cp, key);
        Ok(())
    }

    /// One ASCII character in canonical string form.
    #[inline]
    fn emit_ascii(&mut self, c: u8) {
        let out = &mut self.out;
        match c {
            b'"' => out.extend(b"\\\""),
            b'\\' => out.extend(b"\\\\"),
            0x08 => out.extend(b"\\b"),
            0x0c => out.extend(b"\\f"),
            b'\n' => out.extend(b"\\n"),
            b'\r' => out.extend(b"\\r"),
            b'\t' => out.extend(b"\\t"),
            c if c < 0x20 || (self.aegisd && (c == b'<' || c == b'>' || c == b'&')) => {
                out.extend(b"\\u00");
                out.push(HEX[(c >> 4) as usize]);
                out.push(HEX[(c & 15) as usize]);
            }
            c => out.push(c),
        }
    }

    /// A decoded code point in canonical string form (and raw to `keys`).
    fn emit_cp(&mut self, cp: u32, key: bool) {
        let mut b = [0u8; 4];
        let n = encode_utf8(cp, &mut b);
        if key {
            self.keys.extend(&b[..n]);
        }
        if cp < 0x80 {
            self.emit_ascii(cp as u8);
        } else if self.aegisd && (cp == 0x2028 || cp == 0x2029) {
            self.out.extend(if cp == 0x2028 { b"\\u2028" } else { b"\\u2029" });
        } else {
            self.out.extend(&b[..n]);
        }
    }

    /// Scans a number per the RFC 8259 grammar; returns its (start, end).
    pub fn scan_number(&mut self) -> Result<(usize, usize), ()> {
        let src = self.src;
        let start = self.pos;
        let mut p = start;
        if src.get(p) == Some(&b'-') {
            p += 1;
        }
        match src.get(p) {
            Some(b'0') => p += 1,
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = src.get(p) {
                    p += 1;
                }
            }
            _ => {
                self.pos = p;
                return self.fail(E_NUMBER, start).map(|_| (0, 0));
            }
        }
        if src.get(p) == Some(&b'.') {
            p += 1;
            if !matches!(src.get(p), Some(b'0'..=b'9')) {
                self.pos = p;
                return self.fail(E_NUMBER, start).map(|_| (0, 0));
            }
            while let Some(b'0'..=b'9') = src.get(p) {
                p += 1;
            }
        }
        if matches!(src.get(p), Some(b'e') | Some(b'E')) {
            p += 1;
            if matches!(src.get(p), Some(b'+') | Some(b'-')) {
                p += 1;
            }
            if !matches!(src.get(p), Some(b'0'..=b'9')) {
                self.pos = p;
                return self.fail(E_NUMBER, start).map(|_| (0, 0));
            }
            while let Some(b'0'..=b'9') = src.get(p) {
                p += 1;
            }
        }
        self.pos = p;
        Ok((start, p))
    }

    fn number(&mut self) -> R {
        let (start, end) = self.scan_number()?;
        let src = self.src;
        if number::canonical(&src[start..end], self.aegisd, &mut self.out) {
            Ok(())
        } else {
            self.fail(E_RANGE, start)
        }
    }

    /// A number that must be an integer (|v| ≤ 2^53): its value, with its
    /// canonical form written to `out`.
    pub fn integer(&mut self) -> Result<f64, ()> {
        let at = self.pos;
        let (start, end) = self.scan_number()?;
        let src = self.src;
        match number::integer(&src[start..end]) {
            Some(v) => {
                number::canonical(&src[start..end], true, &mut self.out);
                Ok(v)
            }
            None => self.fail(E_TYPE, at).map(|_| 0.0),
        }
    }

    pub fn src(&self) -> &'a [u8] {
        self.src
    }

    /// Restricts (or restores) the input to `full[..end]`: JSONL records
    /// are parsed one line at a time.
    pub fn set_src(&mut self, src: &'a [u8]) {
        self.src = src;
    }
}

/// Length of the longest well-formed UTF-8 prefix of `s` (the offset of the
/// first ill-formed sequence).
pub fn utf8_valid_up_to(s: &[u8]) -> usize {
    let mut i = 0;
    while i < s.len() {
        // Eight ASCII bytes at a time.
        while i + 8 <= s.len() {
            let w = u64::from_le_bytes([s[i], s[i + 1], s[i + 2], s[i + 3], s[i + 4], s[i + 5], s[i + 6], s[i + 7]]);
            if w & 0x8080_8080_8080_8080 != 0 {
                break;
            }
            i += 8;
        }
        if i >= s.len() {
            break;
        }
        if s[i] < 0x80 {
            i += 1;
            continue;
        }
        let n = utf8_len(&s[i..]);
        if n == 0 {
            return i;
        }
        i += n;
    }
    s.len()
}

/// Length of the well-formed UTF-8 sequence at the start of `s` (non-ASCII
/// lead byte), or 0 when it is ill-formed.
#[inline]
fn utf8_len(s: &[u8]) -> usize {
    let b0 = s[0];
    let cont = |i: usize| s.get(i).map_or(false, |&b| (0x80..0xC0).contains(&b));
    let in_range = |i: usize, lo: u8, hi: u8| s.get(i).map_or(false, |&b| b >= lo && b <= hi);
    match b0 {
        0xC2..=0xDF => {
            if cont(1) {
                2
            } else {
                0
            }
        }
        0xE0 => {
            if in_range(1, 0xA0, 0xBF) && cont(2) {
                3
            } else {
                0
            }
        }
        0xE1..=0xEC | 0xEE..=0xEF => {
            if cont(1) && cont(2) {
                3
            } else {
                0
            }
        }
        0xED => {
            if in_range(1, 0x80, 0x9F) && cont(2) {
                3
            } else {
                0
            }
        }
        0xF0 => {
            if in_range(1, 0x90, 0xBF) && cont(2) && cont(3) {
                4
            } else {
                0
            }
        }
        0xF1..=0xF3 => {
            if cont(1) && cont(2) && cont(3) {
                4
            } else {
                0
            }
        }
        0xF4 => {
            if in_range(1, 0x80, 0x8F) && cont(2) && cont(3) {
                4
            } else {
                0
            }
        }
        _ => 0,
    }
}

fn encode_utf8(cp: u32, b: &mut [u8; 4]) -> usize {
    if cp < 0x80 {
        b[0] = cp as u8;
        1
    } else if cp < 0x800 {
        b[0] = 0xC0 | (cp >> 6) as u8;
        b[1] = 0x80 | (cp & 0x3F) as u8;
        2
    } else if cp < 0x10000 {
        b[0] = 0xE0 | (cp >> 12) as u8;
        b[1] = 0x80 | ((cp >> 6) & 0x3F) as u8;
        b[2] = 0x80 | (cp & 0x3F) as u8;
        3
    } else {
        b[0] = 0xF0 | (cp >> 18) as u8;
        b[1] = 0x80 | ((cp >> 12) & 0x3F) as u8;
        b[2] = 0x80 | ((cp >> 6) & 0x3F) as u8;
        b[3] = 0x80 | (cp & 0x3F) as u8;
        4
    }
}

/// Key order: UTF-8 bytes (aegisd) or UTF-16 code units (rfc8785).
#[inline]
pub fn compare(a: &[u8], b: &[u8], aegisd: bool) -> core::cmp::Ordering {
    if aegisd {
        return a.cmp(b);
    }
    let n = a.len().min(b.len());
    let mut i = 0;
    while i < n && a[i] == b[i] {
        i += 1;
    }
    if i == n {
        return a.len().cmp(&b.len());
    }
    // Back up to the start of the differing characters (same prefix, so
    // the same start in both), then compare them as UTF-16.
    let mut s = i;
    while s > 0 && (a[s] & 0xC0) == 0x80 {
        s -= 1;
    }
    utf16_rank(decode(&a[s..])).cmp(&utf16_rank(decode(&b[s..])))
}

/// Maps a code point to a value ordered like its first UTF-16 code unit(s):
/// astral characters (surrogate pairs D800–DBFF…) sort after U+D7FF and
/// before U+E000.
#[inline]
fn utf16_rank(cp: u32) -> u32 {
    if cp >= 0xE000 && cp < 0x10000 {
        cp + 0x200000
    } else {
        cp
    }
}

#[inline]
fn decode(s: &[u8]) -> u32 {
    let b0 = s[0] as u32;
    if b0 < 0x80 {
        b0
    } else if b0 < 0xE0 {
        ((b0 & 0x1F) << 6) | (s[1] as u32 & 0x3F)
    } else if b0 < 0xF0 {
        ((b0 & 0x0F) << 12) | ((s[1] as u32 & 0x3F) << 6) | (s[2] as u32 & 0x3F)
    } else {
        ((b0 & 0x07) << 18) | ((s[1] as u32 & 0x3F) << 12) | ((s[2] as u32 & 0x3F) << 6) | (s[3] as u32 & 0x3F)
    }
}

/// Sorts `v` by `less`: insertion sort for short runs, heapsort beyond (small
/// code, no allocation, O(n log n)); the order is total, so stability does
/// not matter.
fn sort<T: Copy>(v: &mut [T], less: &dyn Fn(&T, &T) -> bool) {
    let n = v.len();
    if n <= 16 {
        for i in 1..n {
            let x = v[i];
            let mut j = i;
            while j > 0 && less(&x, &v[j - 1]) {
                v[j] = v[j - 1];
                j -= 1;
            }
            v[j] = x;
        }
        return;
    }
    let sift = |v: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            break;
        }
        v.swap(root, child);
        root = child;
    };
    for i in (0..n / 2).rev() {
        sift(v, i, n);
    }
    for end in (1..n).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}
