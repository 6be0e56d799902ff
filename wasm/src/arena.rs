//! The linear-memory arena: a bump allocator over everything above
//! `__heap_base`. Every exported entry point starts a new epoch with
//! [`reset`], so nothing allocated during one call survives into the next
//! and there is no per-call allocation that JavaScript must free.
//!
//! JavaScript writes its input at the start of the arena (returned by the
//! `input` export), the call allocates its scratch space and its result after
//! it, and JavaScript reads the result in place before the next call.

use core::arch::wasm32;

extern "C" {
    static __heap_base: u8;
}

static mut TOP: usize = 0;

const PAGE: usize = 65536;

#[inline(always)]
pub fn heap_base() -> usize {
    unsafe { &__heap_base as *const u8 as usize }
}

/// Makes sure linear memory reaches `end`; false when it cannot grow.
#[inline(never)]
fn ensure(end: usize) -> bool {
    let have = wasm32::memory_size(0) * PAGE;
    if end <= have {
        return true;
    }
    let need = (end - have + PAGE - 1) / PAGE;
    // Grow geometrically so that repeated large inputs do not grow page by page.
    let cur = have / PAGE;
    let pages = if need < cur { cur.min(16384 - cur).max(need) } else { need };
    wasm32::memory_grow(0, pages) != usize::MAX || wasm32::memory_grow(0, need) != usize::MAX
}

/// Starts a new epoch: frees everything.
pub fn reset() {
    unsafe { TOP = (heap_base() + 15) & !15 };
}

/// Reserves `len` bytes at the start of a fresh arena and returns their
/// address, or 0 when memory cannot grow that far.
pub fn reserve_input(len: usize) -> usize {
    reset();
    let start = unsafe { TOP };
    if !ensure(start + len) {
        return 0;
    }
    start
}

/// Marks the first `len` bytes of the arena as the call's input.
pub fn commit_input(len: usize) -> usize {
    reset();
    unsafe {
        let start = TOP;
        TOP = (start + len + 15) & !15;
        start
    }
}

/// Allocates `size` bytes aligned to `align` (a power of two); null when
/// memory cannot grow.
#[inline]
pub fn alloc(size: usize, align: usize) -> *mut u8 {
    unsafe {
        let start = (TOP + align - 1) & !(align - 1);
        let end = start + size;
        if !ensure(end) {
            return core::ptr::null_mut();
        }
        TOP = end;
        start as *mut u8
    }
}

/// Resizes the allocation at `ptr` (of `old` bytes) to `new` bytes, in place
/// when it is the most recent allocation, by copying otherwise.
pub fn realloc(ptr: *mut u8, old: usize, new: usize, align: usize) -> *mut u8 {
    unsafe {
        let p = ptr as usize;
        if p + old == TOP {
            if !ensure(p + new) {
                return core::ptr::null_mut();
            }
            TOP = p + new;
            return ptr;
        }
        let q = alloc(new, align);
        if !q.is_null() {
            core::ptr::copy_nonoverlapping(ptr, q, old.min(new));
        }
        q
    }
}

/// A growable array of plain values in the arena. It has no destructor: the
/// next [`reset`] frees it.
pub struct Buf<T: Copy> {
    ptr: *mut T,
    len: usize,
    cap: usize,
}

impl<T: Copy> Buf<T> {
    pub fn with_capacity(cap: usize) -> Buf<T> {
        let cap = cap.max(4);
        let ptr = alloc(cap * core::mem::size_of::<T>(), core::mem::align_of::<T>()) as *mut T;
        if ptr.is_null() {
            oom();
        }
        Buf { ptr, len: 0, cap }
    }
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }
    #[cold]
    #[inline(never)]
    fn grow(&mut self, need: usize) {
        let sz = core::mem::size_of::<T>();
        let new_cap = (self.cap * 2).max(need);
        let p = realloc(self.ptr as *mut u8, self.cap * sz, new_cap * sz, core::mem::align_of::<T>());
        if p.is_null() {
            oom();
        }
        self.ptr = p as *mut T;
        self.cap = new_cap;
    }
    #[inline(always)]
    pub fn reserve(&mut self, extra: usize) {
        if self.len + extra > self.cap {
            self.grow(self.len + extra);
        }
    }
    #[inline(always)]
    pub fn push(&mut self, v: T) {
        if self.len == self.cap {
            self.grow(self.len + 1);
        }
        unsafe { *self.ptr.add(self.len) = v };
        self.len += 1;
    }
    /// Pushes without a capacity check; the caller has reserved space.
    #[inline(always)]
    pub unsafe fn push_unchecked(&mut self, v: T) {
        *self.ptr.add(self.len) = v;
        self.len += 1;
    }
    #[inline(always)]
    pub fn extend(&mut self, s: &[T]) {
        self.reserve(s.len());
        unsafe { core::ptr::copy_nonoverlapping(s.as_ptr(), self.ptr.add(self.len), s.len()) };
        self.len += s.len();
    }
    #[inline(always)]
    pub fn truncate(&mut self, len: usize) {
        if len < self.len {
            self.len = len;
        }
    }
    #[inline(always)]
    pub fn as_slice(&self) -> &[T] {
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }
    #[inline(always)]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        unsafe { core::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
    #[inline(always)]
    pub fn as_ptr(&self) -> *const T {
        self.ptr
    }
}

/// Memory cannot grow any further: trap (JavaScript falls back to TS).
#[cold]
pub fn oom() -> ! {
    core::arch::wasm32::unreachable()
}
