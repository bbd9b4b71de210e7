//! The C library of isptab: `libisptab.so` and `libisptab.a`, declared in
//! `include/isptab.h` (generated from this file by cbindgen; `tests/header.rs`
//! fails when the two differ). The header's opening comment says how strings
//! live, how to reload a table and how to link; each function's comment below is
//! copied into it.
//!
//! Every function takes raw pointers from C, so every function is `unsafe` to
//! call from Rust; each one checks its pointers for NULL and its lengths, and
//! runs inside [`guard`], so a panic never unwinds into C.

#![deny(unsafe_op_in_unsafe_fn)]
#![deny(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

use std::collections::HashMap;
use std::ffi::{CStr, CString, OsStr, c_char, c_int};
use std::os::unix::ffi::OsStrExt;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::{PoisonError, RwLock};

use isptab_core::semantics::encoding::{Encoding, Part};
use isptab_core::semantics::pattern::PatternKind;
use isptab_core::semantics::query::Answer;
use isptab_core::table::{MappedTable, OpenError, RecordRef, RuleOp, Table, TableMatch};

/// What a lookup answered: the return value of `isptab_lookup` and
/// `isptab_lookup_mx` (an `int`). `ISPTAB_EXACT`, `ISPTAB_SUFFIX`, `ISPTAB_GLOB`
/// and `ISPTAB_MX` come with a record in the `isptab_match`.
#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C)]
pub enum isptab_kind {
    /// Nothing matched the domain (or, with MX hosts, not every host matched
    /// one record).
    ISPTAB_NONE = 0,
    /// The domain is an exact name of a record.
    ISPTAB_EXACT = 1,
    /// A suffix rule matched (`*.example.com`; the longest one wins).
    ISPTAB_SUFFIX = 2,
    /// A glob matched (the first in configuration order).
    ISPTAB_GLOB = 3,
    /// Only from `isptab_lookup_mx`: no domain pattern matched, and every MX
    /// host matched an MX pattern of the same record; the pattern is the most
    /// preferred host's.
    ISPTAB_MX = 4,
    /// Only from `isptab_lookup_mx`: the single MX host `.` (RFC 7505), the
    /// domain accepts no mail; no record.
    ISPTAB_NULL_MX = 5,
    /// The query is not a domain or an email address with a valid domain
    /// (invalid UTF-8 included).
    ISPTAB_INVALID = -1,
    /// The call itself was wrong: a NULL table or `out`, a NULL pointer with a
    /// non-zero length, a length over `PTRDIFF_MAX`; or an internal error.
    /// `out`, when not NULL, holds no record.
    ISPTAB_ERROR = -2,
}

use isptab_kind::*;

impl isptab_kind {
    /// The `int` C sees.
    const fn code(self) -> c_int {
        self as c_int
    }
}

/// The `record_id` of an `isptab_match` without a record (ids are below 32768).
pub const ISPTAB_NO_RECORD: u16 = u16::MAX;

/// An open table. Made by `isptab_open` or `isptab_load`, freed by
/// `isptab_close`; any number of threads may use one at once.
#[allow(non_camel_case_types)]
pub struct isptab_table {
    reader: Reader,
    /// `*.KEY`, the pattern of a suffix match (the table stores only KEY).
    suffix_patterns: Copies,
    /// Header rule names and values, NUL-terminated.
    rule_texts: Copies,
}

// One handle is shared by an MTA's threads and closed by any of them.
const _: fn() = assert_send_sync::<isptab_table>;
fn assert_send_sync<T: Send + Sync>() {}

/// The answer to a lookup. Its strings point into the table (or into copies
/// the handle owns) and stay valid until `isptab_close`.
#[allow(non_camel_case_types)]
#[repr(C)]
pub struct isptab_match {
    /// The record's name, NOT NUL-terminated: `record_len` bytes of UTF-8
    /// (print it with `"%.*s", (int)m.record_len, m.record`). NULL when there is
    /// no record.
    pub record: *const c_char,
    /// The length of `record` in bytes.
    pub record_len: usize,
    /// The pattern that matched, as written in a normalized configuration
    /// (`gmail.com`, `*.example.com`, `yahoo.*`), NOT NUL-terminated:
    /// `pattern_len` bytes. NULL when there is no record.
    pub pattern: *const c_char,
    /// The length of `pattern` in bytes.
    pub pattern_len: usize,
    /// The record's id (its position in configuration order, for the
    /// `isptab_record_*` functions), `ISPTAB_NO_RECORD` when there is none.
    pub record_id: u16,
}

impl isptab_match {
    const EMPTY: isptab_match = isptab_match {
        record: std::ptr::null(),
        record_len: 0,
        pattern: std::ptr::null(),
        pattern_len: 0,
        record_id: ISPTAB_NO_RECORD,
    };
}

/// The two ways a handle holds a table's bytes.
enum Reader {
    Mapped(MappedTable),
    Loaded(Table<Vec<u8>>),
}

impl Reader {
    fn lookup<'q>(&self, query: &'q str) -> Answer<'q, TableMatch<'_>> {
        match self {
            Reader::Mapped(t) => t.lookup(query),
            Reader::Loaded(t) => t.lookup(query),
        }
    }

    fn lookup_with_mx<'q>(
        &self,
        query: &'q str,
        hosts: &'q [&'q str],
    ) -> Answer<'q, TableMatch<'_>> {
        match self {
            Reader::Mapped(t) => t.lookup_with_mx(query, hosts),
            Reader::Loaded(t) => t.lookup_with_mx(query, hosts),
        }
    }

    fn record(&self, id: u16) -> Option<RecordRef<'_>> {
        match self {
            Reader::Mapped(t) => t.record(id),
            Reader::Loaded(t) => t.record(id),
        }
    }

    fn record_count(&self) -> usize {
        match self {
            Reader::Mapped(t) => t.record_count(),
            Reader::Loaded(t) => t.record_count(),
        }
    }
}

/// NUL-terminated copies of texts the table holds without a terminator, made on
/// first use and kept until the handle closes (so the pointers handed out stay
/// valid). There is at most one per distinct string of the table, so the memory
/// is bounded by the table's own strings.
struct Copies {
    prefix: &'static str,
    made: RwLock<HashMap<Box<str>, CString>>,
}

impl Copies {
    fn new(prefix: &'static str) -> Copies {
        Copies {
            prefix,
            made: RwLock::new(HashMap::new()),
        }
    }

    /// The copy of `prefix` + `text` (cut at a NUL, which valid tables never
    /// hold in these strings).
    fn get(&self, text: &str) -> *const c_char {
        // Nothing panics while the lock is held, so a poisoned lock is still
        // consistent.
        let made = self.made.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(copy) = made.get(text) {
            return copy.as_ptr();
        }
        drop(made);
        let mut made = self.made.write().unwrap_or_else(PoisonError::into_inner);
        let copy = made.entry(text.into()).or_insert_with(|| {
            let bytes = self.prefix.bytes().chain(text.bytes());
            CString::new(bytes.take_while(|&b| b != 0).collect::<Vec<u8>>()).unwrap_or_default()
        });
        // The CString's bytes live on the heap: moving the map's entries when
        // it grows does not move them.
        copy.as_ptr()
    }
}

/// Runs `f`, answering `fallback` if it panics: nothing unwinds into C.
fn guard<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        // Dropping the payload could panic again, outside the catch.
        std::mem::forget(payload);
        fallback
    })
}

/// The `len` bytes at `ptr`: empty for NULL with length 0, None for NULL with a
/// length or a length over `isize::MAX`.
///
/// # Safety
/// A non-NULL `ptr` points to `len` readable bytes that stay unchanged while the
/// slice is used.
unsafe fn bytes<'a>(ptr: *const c_char, len: usize) -> Option<&'a [u8]> {
    if ptr.is_null() || len == 0 {
        return (len == 0).then_some(&[]);
    }
    if len > isize::MAX as usize {
        return None;
    }
    // SAFETY: not NULL, `len` bytes readable (the caller's promise), and the
    // length fits `isize`.
    Some(unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) })
}

/// The table behind a handle, None for NULL.
///
/// # Safety
/// A non-NULL `table` came from `isptab_open` or `isptab_load` and is not closed.
unsafe fn handle<'a>(table: *const isptab_table) -> Option<&'a isptab_table> {
    // SAFETY: NULL or a live handle (the caller's promise); handles are only
    // read through shared references.
    unsafe { table.as_ref() }
}

/// Writes `message` into `err` as a NUL-terminated string, cut to `err_len - 1`
/// bytes on a character boundary; nothing when `err` is NULL or `err_len` 0.
///
/// # Safety
/// A non-NULL `err` points to `err_len` writable bytes.
unsafe fn write_error(err: *mut c_char, err_len: usize, message: &str) {
    if err.is_null() || err_len == 0 {
        return;
    }
    let mut n = message.len().min(err_len - 1);
    while !message.is_char_boundary(n) {
        n -= 1;
    }
    // SAFETY: `err` has room for `err_len` bytes and `n + 1 <= err_len`; the
    // message is our own string, which cannot overlap the caller's buffer.
    unsafe {
        std::ptr::copy_nonoverlapping(message.as_ptr(), err.cast::<u8>(), n);
        err.add(n).write(0);
    }
}

/// Opens a table with `open` and makes a handle of it; on failure, NULL and a
/// message in `err`.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string; `err` as in [`write_error`].
unsafe fn open_with(
    path: *const c_char,
    err: *mut c_char,
    err_len: usize,
    open: fn(&Path) -> Result<Reader, OpenError>,
) -> *mut isptab_table {
    let opened = guard(
        Err("internal error while opening the table".to_string()),
        || {
            if path.is_null() {
                return Err("no path given (NULL)".to_string());
            }
            // SAFETY: not NULL, and NUL-terminated (the caller's promise).
            let path = Path::new(OsStr::from_bytes(
                unsafe { CStr::from_ptr(path) }.to_bytes(),
            ));
            open(path)
                .map(|reader| isptab_table {
                    reader,
                    suffix_patterns: Copies::new("*."),
                    rule_texts: Copies::new(""),
                })
                .map_err(|e| format!("{}: {e}", path.display()))
        },
    );
    match opened {
        Ok(table) => {
            // SAFETY: `err` is NULL or has `err_len` writable bytes (the
            // caller's promise).
            unsafe { write_error(err, err_len, "") };
            Box::into_raw(Box::new(table))
        }
        Err(message) => {
            // SAFETY: as above.
            unsafe { write_error(err, err_len, &message) };
            std::ptr::null_mut()
        }
    }
}

/// Opens the table file at `path` (NUL-terminated) by mapping it into memory:
/// opening costs microseconds and no copy, whatever the table's size.
///
/// Returns NULL on error, with a message in `err` (always NUL-terminated, cut to
/// fit `err_len` bytes; `err` may be NULL or `err_len` 0 to get no message). On
/// success `err` holds the empty string. Only a regular file is opened (a FIFO or
/// a device is refused without blocking), and the table's header and small
/// sections are checked: a truncated or garbage file is an error, never a crash.
///
/// The file must be replaced only by rename while it is mapped (see the top of
/// this header); use `isptab_load` when that cannot be ruled out.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string; `err` is NULL or points to
/// `err_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn isptab_open(
    path: *const c_char,
    err: *mut c_char,
    err_len: usize,
) -> *mut isptab_table {
    // SAFETY: the caller's promises are `open_with`'s.
    unsafe { open_with(path, err, err_len, |p| Table::open(p).map(Reader::Mapped)) }
}

/// Like `isptab_open`, but reads the whole file into memory: later changes to
/// the file (even truncation in place) cannot affect the handle, at the cost of
/// one copy of the table per handle.
///
/// # Safety
/// As for `isptab_open`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn isptab_load(
    path: *const c_char,
    err: *mut c_char,
    err_len: usize,
) -> *mut isptab_table {
    // SAFETY: the caller's promises are `open_with`'s.
    unsafe { open_with(path, err, err_len, |p| Table::load(p).map(Reader::Loaded)) }
}

/// Closes a table: the map (or memory) and every string it handed out are
/// freed. NULL is ignored. Call it once, after the last lookup on it has
/// returned and its strings are no longer used.
///
/// # Safety
/// `table` is NULL or a handle from `isptab_open`/`isptab_load` not closed yet,
/// and no other thread uses it any more.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn isptab_close(table: *mut isptab_table) {
    if table.is_null() {
        return;
    }
    // SAFETY: the handle came from `Box::into_raw` in `open_with` and is
    // released once (the caller's promise).
    let table = unsafe { Box::from_raw(table) };
    guard((), || drop(table));
}

/// Fills `out` from an answer and returns its code.
fn answer(
    table: &isptab_table,
    answer: &Answer<'_, TableMatch<'_>>,
    out: &mut isptab_match,
) -> isptab_kind {
    *out = isptab_match::EMPTY;
    let found = match answer {
        Answer::Invalid(_) => return ISPTAB_INVALID,
        Answer::Miss(_) => return ISPTAB_NONE,
        Answer::NullMx(_) => return ISPTAB_NULL_MX,
        Answer::Hit(_, found) => found,
        Answer::Mx(_, mx) => match mx.found() {
            Some(found) => found,
            None => return ISPTAB_NONE,
        },
    };
    let name = found.record.name();
    let key = found.pattern.key;
    let (pattern, pattern_len) = match found.pattern.kind {
        PatternKind::Suffix => (table.suffix_patterns.get(key), key.len() + 2),
        PatternKind::Exact | PatternKind::Glob => (key.as_ptr().cast(), key.len()),
    };
    *out = isptab_match {
        record: name.as_ptr().cast(),
        record_len: name.len(),
        pattern,
        pattern_len,
        record_id: found.record.id(),
    };
    match (answer, found.pattern.kind) {
        (Answer::Mx(..), _) => ISPTAB_MX,
        (_, PatternKind::Exact) => ISPTAB_EXACT,
        (_, PatternKind::Suffix) => ISPTAB_SUFFIX,
        (_, PatternKind::Glob) => ISPTAB_GLOB,
    }
}

/// Looks up a query of `len` bytes (not NUL-terminated; NULL is allowed with
/// `len` 0): an email address or a domain, in any case, with or without a
/// trailing dot, in Unicode or punycode. Returns `ISPTAB_EXACT`,
/// `ISPTAB_SUFFIX`, `ISPTAB_GLOB` (with the record in `*out`), `ISPTAB_NONE`,
/// `ISPTAB_INVALID` (not a valid domain, or invalid UTF-8), or `ISPTAB_ERROR`
/// (NULL table or `out`, NULL query with a length). `*out` is always written when
/// `out` is not NULL.
///
/// # Safety
/// `table` is NULL or an open handle; `query` is NULL or points to `len`
/// readable bytes; `out` is NULL or points to a writable `isptab_match`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn isptab_lookup(
    table: *const isptab_table,
    query: *const c_char,
    len: usize,
    out: *mut isptab_match,
) -> c_int {
    // SAFETY: the caller's promises are `isptab_lookup_mx`'s with no hosts
    // (a NULL array of length 0 is never read).
    unsafe { lookup(table, query, len, None, out) }.code()
}

/// Like `isptab_lookup`, and when no domain pattern matches, step 4: the
/// domain's MX hosts, `host_count` of them in preference order (host `i` is the
/// `host_lens[i]` bytes at `hosts[i]`, with or without the trailing dot), are
/// matched against the MX patterns. `ISPTAB_MX` when every host matched one
/// record (the pattern is the first host's), `ISPTAB_NONE` when they do not
/// agree; no hosts (`host_count` 0, arrays may be NULL) is the implicit MX (the
/// domain itself); the single host `.` is a null MX, `ISPTAB_NULL_MX`. A host that
/// is not a valid host name (invalid UTF-8 included) matches nothing.
///
/// # Safety
/// As for `isptab_lookup`; `hosts` and `host_lens` are NULL (only with
/// `host_count` 0) or point to `host_count` elements, and each host to
/// `host_lens[i]` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn isptab_lookup_mx(
    table: *const isptab_table,
    query: *const c_char,
    len: usize,
    hosts: *const *const c_char,
    host_lens: *const usize,
    host_count: usize,
    out: *mut isptab_match,
) -> c_int {
    // SAFETY: the caller's promises are `lookup`'s.
    unsafe { lookup(table, query, len, Some((hosts, host_lens, host_count)), out) }.code()
}

/// MX hosts as C gives them: the arrays of pointers and of lengths, and the count.
type Hosts = (*const *const c_char, *const usize, usize);

/// Both lookups: without hosts (None) steps 1-3, with hosts step 4 too.
///
/// # Safety
/// As for `isptab_lookup_mx`.
unsafe fn lookup(
    table: *const isptab_table,
    query: *const c_char,
    len: usize,
    hosts: Option<Hosts>,
    out: *mut isptab_match,
) -> isptab_kind {
    if out.is_null() {
        return ISPTAB_ERROR;
    }
    // SAFETY: not NULL, and writable (the caller's promise); `write` does not
    // read the possibly uninitialized old value.
    unsafe { out.write(isptab_match::EMPTY) };
    let code = guard(ISPTAB_ERROR, || {
        // SAFETY: NULL or a live handle (the caller's promise).
        let Some(table) = (unsafe { handle(table) }) else {
            return ISPTAB_ERROR;
        };
        // SAFETY: NULL or `len` readable bytes (the caller's promise).
        let Some(query) = (unsafe { bytes(query, len) }) else {
            return ISPTAB_ERROR;
        };
        let Ok(query) = std::str::from_utf8(query) else {
            return ISPTAB_INVALID;
        };
        let mut found = isptab_match::EMPTY;
        let code = match hosts {
            None => answer(table, &table.reader.lookup(query), &mut found),
            Some(hosts) => {
                // SAFETY: the arrays and hosts are as the caller promised.
                let Some(hosts) = (unsafe { host_texts(hosts) }) else {
                    return ISPTAB_ERROR;
                };
                let hosts: Vec<&str> = hosts.iter().map(|h| &**h).collect();
                answer(
                    table,
                    &table.reader.lookup_with_mx(query, &hosts),
                    &mut found,
                )
            }
        };
        // SAFETY: `out` is writable (checked above, the caller's promise).
        unsafe { out.write(found) };
        code
    });
    if code == ISPTAB_ERROR {
        // SAFETY: as above; a caught panic may have left a half-made answer.
        unsafe { out.write(isptab_match::EMPTY) };
    }
    code
}

/// The MX hosts as text (invalid UTF-8 replaced, so it matches nothing); None
/// when an array or a host is NULL with a length.
///
/// # Safety
/// As for `isptab_lookup_mx`.
unsafe fn host_texts<'a>((hosts, lens, count): Hosts) -> Option<Vec<std::borrow::Cow<'a, str>>> {
    if count == 0 {
        return Some(Vec::new());
    }
    if hosts.is_null() || lens.is_null() || count > isize::MAX as usize / size_of::<usize>() {
        return None;
    }
    // SAFETY: both arrays are not NULL and hold `count` elements (the caller's
    // promise); `count` elements of pointer size fit `isize`.
    let (hosts, lens) = unsafe {
        (
            std::slice::from_raw_parts(hosts, count),
            std::slice::from_raw_parts(lens, count),
        )
    };
    hosts
        .iter()
        .zip(lens)
        // SAFETY: host `i` is NULL or has `lens[i]` readable bytes.
        .map(|(&h, &n)| unsafe { bytes(h, n) }.map(String::from_utf8_lossy))
        .collect()
}

/// How many records the table holds (ids are 0 to count - 1); 0 for NULL.
///
/// # Safety
/// `table` is NULL or an open handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn isptab_record_count(table: *const isptab_table) -> usize {
    // SAFETY: NULL or a live handle (the caller's promise).
    let table = unsafe { handle(table) };
    guard(0, || table.map_or(0, |t| t.reader.record_count()))
}

/// The name of record `record_id`, NOT NUL-terminated: its length in bytes is
/// stored in `*len` (when `len` is not NULL). NULL (and length 0) for a NULL
/// table or an id out of range.
///
/// # Safety
/// `table` is NULL or an open handle; `len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn isptab_record_name(
    table: *const isptab_table,
    record_id: u16,
    len: *mut usize,
) -> *const c_char {
    // SAFETY: NULL or a live handle (the caller's promise).
    let table = unsafe { handle(table) };
    let name = guard(None, || Some(table?.reader.record(record_id)?.name()));
    if !len.is_null() {
        // SAFETY: not NULL, and writable (the caller's promise).
        unsafe { len.write(name.map_or(0, str::len)) };
    }
    name.map_or(std::ptr::null(), |n| n.as_ptr().cast())
}

/// The transfer encoding in effect for a part of a record's messages: `part` is
/// `"global"`, `"html"` or `"text"` (NUL-terminated); the answer is
/// `"quoted-printable"`, `"base64"` or `"8bit"`, a static NUL-terminated string.
/// NULL for a NULL table or part, an unknown part or an id out of range.
///
/// # Safety
/// `table` is NULL or an open handle; `part` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn isptab_record_encoding(
    table: *const isptab_table,
    record_id: u16,
    part: *const c_char,
) -> *const c_char {
    // SAFETY: NULL or a live handle (the caller's promise).
    let table = unsafe { handle(table) };
    if part.is_null() {
        return std::ptr::null();
    }
    // SAFETY: not NULL, and NUL-terminated (the caller's promise).
    let part = unsafe { CStr::from_ptr(part) }.to_bytes();
    guard(std::ptr::null(), || {
        let Some(part) = Part::ALL
            .into_iter()
            .find(|p| p.as_str().as_bytes() == part)
        else {
            return std::ptr::null();
        };
        let Some(record) = table.and_then(|t| t.reader.record(record_id)) else {
            return std::ptr::null();
        };
        let text = match record.encoding(part) {
            Encoding::QuotedPrintable => c"quoted-printable",
            Encoding::Base64 => c"base64",
            Encoding::EightBit => c"8bit",
        };
        text.as_ptr()
    })
}

/// How many header rules record `record_id` has (0 for a NULL table or an id
/// out of range). The MTA applies every remove first, then the adds in order.
///
/// # Safety
/// `table` is NULL or an open handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn isptab_record_header_rule_count(
    table: *const isptab_table,
    record_id: u16,
) -> usize {
    // SAFETY: NULL or a live handle (the caller's promise).
    let table = unsafe { handle(table) };
    guard(0, || {
        table
            .and_then(|t| t.reader.record(record_id))
            .map_or(0, |r| r.header_rules().len())
    })
}

/// Header rule `i` of record `record_id`: `*op` is `"add"` or `"remove"`,
/// `*name` the field name, `*value` its body (`""` for a remove), all
/// NUL-terminated and valid until `isptab_close`. Any of the three may be NULL
/// when not wanted. Returns 0, or -1 (and NULL in each output) for a NULL table
/// or an id or index out of range.
///
/// # Safety
/// `table` is NULL or an open handle; `op`, `name` and `value` are each NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn isptab_record_header_rule(
    table: *const isptab_table,
    record_id: u16,
    i: usize,
    op: *mut *const c_char,
    name: *mut *const c_char,
    value: *mut *const c_char,
) -> c_int {
    // SAFETY: NULL or a live handle (the caller's promise).
    let table = unsafe { handle(table) };
    let rule = guard(None, || {
        let table = table?;
        let rule = table.reader.record(record_id)?.header_rules().nth(i)?;
        let op = match rule.op {
            RuleOp::Add => c"add",
            RuleOp::Remove => c"remove",
        };
        Some([
            op.as_ptr(),
            table.rule_texts.get(rule.name),
            table.rule_texts.get(rule.value),
        ])
    });
    let texts = rule.unwrap_or([std::ptr::null(); 3]);
    for (out, text) in [op, name, value].into_iter().zip(texts) {
        if !out.is_null() {
            // SAFETY: not NULL, and writable (the caller's promise).
            unsafe { out.write(text) };
        }
    }
    if rule.is_some() { 0 } else { -1 }
}

/// The library's version, for example `"0.1.0"` (static, NUL-terminated).
#[unsafe(no_mangle)]
pub extern "C" fn isptab_version() -> *const c_char {
    const VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(version) => version,
            Err(_) => panic!("the version has no NUL"),
        };
    VERSION.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_the_fallback() {
        assert_eq!(guard(ISPTAB_ERROR, || panic!("boom")), ISPTAB_ERROR);
        assert_eq!(guard(0, || 7), 7);
    }

    #[test]
    fn errors_are_cut_on_a_character_boundary_and_terminated() {
        let mut buf = [b'x' as c_char; 8];
        // SAFETY: `buf` has 8 writable bytes.
        unsafe { write_error(buf.as_mut_ptr(), 5, "abcé") };
        // "abcé" is 5 bytes; 4 fit, which would split the é: 3 are kept.
        assert_eq!(buf.map(|b| b as u8)[..5], *b"abc\0x");
        // SAFETY: as above.
        unsafe { write_error(buf.as_mut_ptr(), 1, "abc") };
        assert_eq!(buf[0], 0);
    }

    #[test]
    fn null_and_huge_lengths_are_refused() {
        // SAFETY: NULL pointers are never read.
        unsafe {
            assert_eq!(bytes(std::ptr::null(), 0), Some(&[][..]));
            assert_eq!(bytes(std::ptr::null(), 1), None);
            assert_eq!(bytes(c"a".as_ptr(), usize::MAX), None);
        }
    }
}
