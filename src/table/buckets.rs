//! The hash index of the format: hash-sorted buckets. Every key of an index
//! hashes to one bucket; the entries are stored bucket after bucket, and three
//! arrays say where:
//!
//! * the **bucket heads**, 8 bytes a bucket (plus one at the end): the number
//!   and the byte offset of the bucket's first entry;
//! * the **summary**, 2 bytes an entry (tag, key length), in entry order;
//! * the **entries**: the record, then the key, with no padding.
//!
//! A lookup reads one head and a few summaries (3 bytes a key in all, small
//! enough to stay in cache where the entries do not) and touches an entry only
//! when its tag and length match: a miss is answered from the summary, a hit
//! reads the one entry it confirms. Nothing is left empty, so the index is the
//! keys plus 5 bytes each, whatever their length, and building it is a counting
//! sort (no evictions, no restarts).

use super::hash::{Probe, probe};
use super::layout::{KIND_EXACT, LOAD, MAX_BUCKET, bucket, entry, summary};

/// The seed of the first attempt ("isptab" in ASCII).
const FIRST_SEED: u64 = 0x6973_7074_6162;
/// Keys hashed by one thread before the build uses a second.
const PARALLEL_FROM: usize = 100_000;

/// One key of the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Key<'a> {
    pub kind: u8,
    pub key: &'a [u8],
    pub record: u16,
}

/// One index: the seed and bucket count a reader needs, and the section.
pub(super) struct Built {
    pub seed: u64,
    pub bucket_count: u32,
    pub bytes: Vec<u8>,
}

/// The bucket count of an index of `keys` keys.
fn bucket_count_of(keys: usize) -> u32 {
    keys.div_ceil(LOAD).clamp(1, u32::MAX as usize) as u32
}

/// Builds an index, or gives a key that is there twice. Keys may come in any
/// order; the bytes depend only on the set of keys (each bucket's entries are
/// in byte order of their keys). The entries must total under 4 GiB.
pub(super) fn build<'a>(keys: &[Key<'a>]) -> Result<Built, &'a [u8]> {
    let bucket_count = bucket_count_of(keys.len());
    let mut seed = FIRST_SEED;
    loop {
        let probes = hash_all(keys, seed, bucket_count);
        let mut starts = vec![0u32; bucket_count as usize + 1];
        for p in &probes {
            starts[p.bucket + 1] += 1;
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        let mut order = vec![0u32; keys.len()];
        let mut next = starts.clone();
        for (i, p) in probes.iter().enumerate() {
            order[next[p.bucket] as usize] = i as u32;
            next[p.bucket] += 1;
        }
        // Duplicates first: copies of one key share a bucket under every seed,
        // so no other seed could make their bucket small enough.
        let mut crowded = false;
        for w in starts.windows(2) {
            let members = &mut order[w[0] as usize..w[1] as usize];
            members.sort_unstable_by_key(|&i| keys[i as usize].key);
            if let Some(pair) = members
                .windows(2)
                .find(|m| keys[m[0] as usize].key == keys[m[1] as usize].key)
            {
                return Err(keys[pair[0] as usize].key);
            }
            crowded |= members.len() > MAX_BUCKET;
        }
        // Rare, and only for keys chosen to collide: another seed spreads them.
        if crowded {
            seed = seed.wrapping_add(1);
            continue;
        }
        let bytes = serialize(keys, &probes, &order, &starts);
        return Ok(Built {
            seed,
            bucket_count,
            bytes,
        });
    }
}

/// The probe of every key, on every core for big indexes (the result does not
/// depend on how the work is split).
fn hash_all(keys: &[Key<'_>], seed: u64, bucket_count: u32) -> Vec<Probe> {
    let mut probes = vec![Probe { tag: 0, bucket: 0 }; keys.len()];
    let hash = |keys: &[Key<'_>], out: &mut [Probe]| {
        for (k, p) in keys.iter().zip(out) {
            *p = probe(seed, k.kind, k.key, bucket_count);
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || keys.len() < PARALLEL_FROM {
        hash(keys, &mut probes);
        return probes;
    }
    let chunk = keys.len().div_ceil(threads);
    std::thread::scope(|s| {
        for (keys, out) in keys.chunks(chunk).zip(probes.chunks_mut(chunk)) {
            s.spawn(move || hash(keys, out));
        }
    });
    probes
}

/// The section's bytes: heads, summaries, entries.
fn serialize(keys: &[Key<'_>], probes: &[Probe], order: &[u32], starts: &[u32]) -> Vec<u8> {
    let entry_bytes: usize = keys.iter().map(|k| entry::HEADER_LEN + k.key.len()).sum();
    let heads_len = starts.len() * bucket::LEN;
    let summary_at = heads_len;
    let entries_at = summary_at + keys.len() * summary::LEN;
    let mut bytes = vec![0u8; entries_at + entry_bytes];
    let mut at = 0usize;
    let mut first = 0usize;
    for (b, w) in starts.windows(2).enumerate() {
        let head = &mut bytes[b * bucket::LEN..][..bucket::LEN];
        bucket::FIRST_ENTRY.put(head, &w[0].to_le_bytes());
        bucket::FIRST_BYTE.put(head, &(at as u32).to_le_bytes());
        for &i in &order[w[0] as usize..w[1] as usize] {
            let k = keys[i as usize];
            let s = &mut bytes[summary_at + first * summary::LEN..][..summary::LEN];
            summary::TAG.put(s, &[probes[i as usize].tag]);
            summary::KEY_LENGTH.put(s, &[k.key.len() as u8]);
            let e = &mut bytes[entries_at + at..][..entry::HEADER_LEN + k.key.len()];
            entry::RECORD_KIND.put(e, &record_kind(k.record, k.kind).to_le_bytes());
            e[entry::KEY.offset..].copy_from_slice(k.key);
            at += entry::HEADER_LEN + k.key.len();
            first += 1;
        }
    }
    let last = &mut bytes[(starts.len() - 1) * bucket::LEN..][..bucket::LEN];
    bucket::FIRST_ENTRY.put(last, &(keys.len() as u32).to_le_bytes());
    bucket::FIRST_BYTE.put(last, &(at as u32).to_le_bytes());
    bytes
}

/// The `record_kind` field of an entry.
fn record_kind(record: u16, kind: u8) -> u16 {
    if kind == KIND_EXACT {
        record
    } else {
        record | entry::KIND_BIT
    }
}

/// One entry as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Stored<'t> {
    pub tag: u8,
    /// `KIND_EXACT` or `KIND_SUFFIX`.
    pub kind: u8,
    pub record: u16,
    /// The key, or `None` when the entry runs past the section.
    pub key: Option<&'t [u8]>,
}

/// An index section, split into its three arrays. Every read is bounds
/// checked, so any bytes are safe to look up in; only the full check
/// ([`Buckets::check_heads`] and the entries) says they are an index.
#[derive(Clone, Copy)]
pub(super) struct Buckets<'t> {
    heads: &'t [u8],
    summaries: &'t [u8],
    entries: &'t [u8],
}

impl<'t> Buckets<'t> {
    /// The arrays of a section with `bucket_count` buckets, or why the section
    /// cannot be one (checked on open: its length must be what the last head
    /// says).
    pub fn new(section: &'t [u8], bucket_count: u32) -> Result<Buckets<'t>, String> {
        // In u64, so that no count a table gives overflows on any target.
        let heads_len = (u64::from(bucket_count) + 1) * bucket::LEN as u64;
        let heads = usize::try_from(heads_len)
            .ok()
            .and_then(|n| section.get(..n))
            .ok_or_else(|| format!("shorter than its {bucket_count} bucket heads"))?;
        let last = &heads[heads.len() - bucket::LEN..];
        let count = u64::from(bucket::FIRST_ENTRY.u32(last).unwrap_or(0));
        let total = u64::from(bucket::FIRST_BYTE.u32(last).unwrap_or(0));
        let expected = heads_len + count * summary::LEN as u64 + total;
        if section.len() as u64 != expected {
            return Err(format!(
                "{} bytes, but its last bucket head says {expected}",
                section.len()
            ));
        }
        // The length matched, so these fit in the section.
        let (summaries, entries) = section[heads.len()..].split_at(count as usize * summary::LEN);
        Ok(Buckets {
            heads,
            summaries,
            entries,
        })
    }

    /// The lengths of the heads and of the summaries, for [`Buckets::split`].
    pub fn lengths(&self) -> (usize, usize) {
        (self.heads.len(), self.summaries.len())
    }

    /// The arrays of a section whose lengths [`Buckets::new`] gave on open
    /// (any other lengths give arrays that are safe to read, and empty).
    #[inline]
    pub fn split(section: &'t [u8], (heads, summaries): (usize, usize)) -> Buckets<'t> {
        let part = |r: std::ops::Range<usize>| section.get(r).unwrap_or_default();
        Buckets {
            heads: part(0..heads),
            summaries: part(heads..heads + summaries),
            entries: part(heads + summaries..section.len()),
        }
    }

    /// Where bucket `b`'s entries are: the first entry's number, how many
    /// (at most [`MAX_BUCKET`]) and the first entry's byte offset.
    #[inline]
    fn span(&self, b: usize) -> Option<(usize, usize, usize)> {
        let head = self.heads.get(b * bucket::LEN..(b + 2) * bucket::LEN)?;
        let first = bucket::FIRST_ENTRY.u32(head)? as usize;
        let at = bucket::FIRST_BYTE.u32(head)? as usize;
        let end = bucket::FIRST_ENTRY.u32(&head[bucket::LEN..])? as usize;
        Some((first, end.checked_sub(first)?.min(MAX_BUCKET), at))
    }

    /// Reads bucket `b`'s head, so that a later [`Buckets::find`] finds it in
    /// cache (lookups touch the heads of all their candidates first).
    #[inline]
    pub fn touch(&self, b: usize) -> u8 {
        self.heads.get(b * bucket::LEN).copied().unwrap_or(0)
    }

    /// The summaries of bucket `b`, each with where its entry starts: (tag,
    /// key length, byte offset in the entries). The offsets come from the
    /// lengths alone, so no entry is read.
    #[inline]
    fn summaries_of(&self, b: usize) -> impl Iterator<Item = (u8, usize, usize)> + 't {
        let (first, n, at) = self.span(b).unwrap_or((0, 0, 0));
        let summaries = self
            .summaries
            .get(first * summary::LEN..(first + n) * summary::LEN)
            .unwrap_or_default();
        summaries.chunks_exact(summary::LEN).scan(at, |at, s| {
            let len = usize::from(s[summary::KEY_LENGTH.offset]);
            let here = *at;
            *at += entry::HEADER_LEN + len;
            Some((s[summary::TAG.offset], len, here))
        })
    }

    /// The entry with a key of `len` bytes at byte `at`: its record, kind and
    /// key, or `None` when it runs past the section.
    #[inline]
    fn entry(&self, at: usize, len: usize) -> Option<(u16, u8, &'t [u8])> {
        let e = self.entries.get(at..at + entry::HEADER_LEN + len)?;
        let field = entry::RECORD_KIND.u16(e)?;
        Some((
            field & !entry::KIND_BIT,
            kind_of(field),
            &e[entry::KEY.offset..],
        ))
    }

    /// The record and stored bytes of `key` of `kind` in bucket `b`, when its
    /// tag is `tag`. Only an entry whose summary matches is read.
    #[inline]
    pub fn find(&self, b: usize, tag: u8, kind: u8, key: &[u8]) -> Option<(u16, &'t [u8])> {
        self.summaries_of(b)
            .filter(|&(t, len, _)| t == tag && len == key.len())
            .find_map(|(_, len, at)| {
                let (record, k, stored) = self.entry(at, len)?;
                (stored == key && k == kind).then_some((record, stored))
            })
    }

    /// The entries of bucket `b`, in order.
    pub fn bucket(&self, b: usize) -> impl Iterator<Item = Stored<'t>> + 't {
        let this = *self;
        self.summaries_of(b).map(move |(tag, len, at)| {
            let found = this.entry(at, len);
            Stored {
                tag,
                kind: found.map_or(0, |(_, kind, _)| kind),
                record: found.map_or(0, |(record, _, _)| record),
                key: found.map(|(_, _, key)| key),
            }
        })
    }

    /// The full check of the heads: they start at zero, never go back, hold at
    /// most [`MAX_BUCKET`] entries a bucket, and each bucket's bytes are its
    /// entries' (so entries tile the entries array exactly).
    pub fn check_heads(&self, bucket_count: u32) -> Result<(), String> {
        let mut expected_at = 0usize;
        let mut expected_first = 0usize;
        for b in 0..=bucket_count as usize {
            let head = &self.heads[b * bucket::LEN..][..bucket::LEN];
            let first = bucket::FIRST_ENTRY.u32(head).unwrap_or(0) as usize;
            let at = bucket::FIRST_BYTE.u32(head).unwrap_or(0) as usize;
            let follows = first == expected_first && at == expected_at;
            if b == bucket_count as usize {
                if !follows {
                    return Err("the last bucket head does not add up the entries".into());
                }
                break;
            }
            if !follows {
                return Err(format!(
                    "bucket {b}: its head does not follow the bucket before"
                ));
            }
            let next = bucket::FIRST_ENTRY.u32(&self.heads[(b + 1) * bucket::LEN..]);
            let n = (next.unwrap_or(0) as usize)
                .checked_sub(first)
                .ok_or_else(|| format!("bucket {b}: its head goes back"))?;
            if n > MAX_BUCKET {
                return Err(format!("bucket {b}: {n} entries, more than {MAX_BUCKET}"));
            }
            let summaries = self
                .summaries
                .get(first * summary::LEN..(first + n) * summary::LEN)
                .ok_or_else(|| format!("bucket {b}: past the summary"))?;
            expected_first = first + n;
            expected_at = at
                + summaries
                    .chunks_exact(summary::LEN)
                    .map(|s| entry::HEADER_LEN + usize::from(s[summary::KEY_LENGTH.offset]))
                    .sum::<usize>();
        }
        Ok(())
    }
}

/// The key kind of a `record_kind` field.
#[inline]
fn kind_of(field: u16) -> u8 {
    u8::from(field & entry::KIND_BIT != 0)
}
