//! Building the bucketized cuckoo hash index with keys stored inline: every exact
//! name and suffix rule gets an entry (tag, length, record and kind, key bytes) in
//! one of its two 64-byte buckets, so a lookup confirms a key in the same cache line
//! it found it in.
//!
//! Entries have different sizes, so a key that fits in neither bucket evicts random
//! residents of one of them until it fits; the evicted keys try their own two
//! buckets in turn (a random walk, with a fixed-seed generator). Keys are inserted
//! in sorted order, so the result depends only on the set of keys. If a walk runs
//! too long, the index grows and the build starts over.

use super::hash::probe;
use super::layout::{BUCKET_LEN, INLINE_MAX, entry, entry_len, write_entry};

/// The seed of the first attempt ("isptab" in ASCII).
const FIRST_SEED: u64 = 0x6973_7074_6162;
/// Fill the buckets to about this fraction of their bytes. Two 64-byte choices
/// holding entries of 5 to 44 bytes pack reliably up to about 0.81 (measured on
/// synthetic mail domains); beyond it the walks run long and the build restarts.
const FILL: f64 = 0.80;
/// Evictions tried for one key before the attempt is abandoned.
const MAX_STEPS: usize = 2000;
/// The most entries a bucket can hold (entries are at least 5 bytes).
const MAX_ENTRIES: usize = BUCKET_LEN / (entry::HEADER_LEN + 1);

/// One key of the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Key<'a> {
    pub kind: u8,
    pub key: &'a [u8],
    pub record: u16,
}

/// One index: the seed and bucket count a reader needs, and the buckets.
pub(super) struct Built {
    pub seed: u64,
    pub bucket_count: u32,
    pub buckets: Vec<u8>,
}

/// A small deterministic generator (xorshift64*) for choosing whom to evict.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Builds an index. `keys` must be sorted and free of duplicates; keys too long to
/// be inline are appended to `long_keys`.
pub(super) fn build(keys: &[Key<'_>], long_keys: &mut Vec<u8>) -> Built {
    let total: usize = keys.iter().map(|k| entry_len(k.key.len())).sum();
    let mut bucket_count = ((total as f64 / (BUCKET_LEN as f64 * FILL)).ceil() as u32).max(1);
    let mut seed = FIRST_SEED;
    loop {
        if let Some((members, tags)) = place(keys, seed, bucket_count) {
            let buckets = serialize(keys, &members, &tags, bucket_count, long_keys);
            return Built {
                seed,
                bucket_count,
                buckets,
            };
        }
        // Rare: another seed, and a little more room.
        seed = seed.wrapping_add(1);
        bucket_count = bucket_count + bucket_count / 32 + 1;
    }
}

/// One bucket while keys are placed: bytes used and its keys, in one cache line.
#[derive(Clone, Copy)]
struct Slots {
    used: u8,
    count: u8,
    members: [u32; MAX_ENTRIES],
}

impl Slots {
    fn fits(&self, size: usize) -> bool {
        usize::from(self.used) + size <= BUCKET_LEN && usize::from(self.count) < MAX_ENTRIES
    }

    fn add(&mut self, key: u32, size: usize) {
        self.members[usize::from(self.count)] = key;
        self.count += 1;
        self.used += size as u8;
    }

    fn remove(&mut self, index: usize, size: usize) -> u32 {
        let n = usize::from(self.count);
        let key = self.members[index];
        self.members.copy_within(index + 1..n, index);
        self.count -= 1;
        self.used -= size as u8;
        key
    }
}

/// Tries to place every key; `None` if some walk ran too long. Returns the
/// buckets' keys and every key's tag.
fn place(keys: &[Key<'_>], seed: u64, bucket_count: u32) -> Option<(Vec<Slots>, Vec<u8>)> {
    let mut tags = Vec::with_capacity(keys.len());
    let probes: Vec<(u32, u32)> = keys
        .iter()
        .map(|k| {
            let p = probe(seed, k.kind, k.key, bucket_count);
            tags.push(p.tag);
            (p.first as u32, p.second as u32)
        })
        .collect();
    let size = |k: u32| entry_len(keys[k as usize].key.len());
    let empty = Slots {
        used: 0,
        count: 0,
        members: [0; MAX_ENTRIES],
    };
    let mut buckets = vec![empty; bucket_count as usize];
    let mut rng = Rng(seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut pending = Vec::new();
    for start in 0..keys.len() as u32 {
        pending.push(start);
        let mut steps = 0;
        while let Some(k) = pending.pop() {
            let (first, second) = probes[k as usize];
            let (first, second, s) = (first as usize, second as usize, size(k));
            // The emptier of the two buckets that fit (two choices keep the load
            // even, so few keys later find both full).
            let target = match (buckets[first].fits(s), buckets[second].fits(s)) {
                (true, true) if buckets[second].used < buckets[first].used => Some(second),
                (true, _) => Some(first),
                (false, true) => Some(second),
                (false, false) => None,
            };
            if let Some(b) = target {
                buckets[b].add(k, s);
                continue;
            }
            steps += 1;
            if steps > MAX_STEPS {
                return None;
            }
            // Make room in one of the two buckets by evicting random residents.
            let bucket = &mut buckets[if rng.next() & 1 == 0 { first } else { second }];
            while !bucket.fits(s) {
                let victim_index = (rng.next() % u64::from(bucket.count)) as usize;
                let victim = bucket.members[victim_index];
                bucket.remove(victim_index, size(victim));
                pending.push(victim);
            }
            bucket.add(k, s);
        }
    }
    Some((buckets, tags))
}

/// Writes the buckets (entries in placement order, zero padded), appending the
/// long keys (in sorted key order).
fn serialize(
    keys: &[Key<'_>],
    members: &[Slots],
    tags: &[u8],
    bucket_count: u32,
    long_keys: &mut Vec<u8>,
) -> Vec<u8> {
    let mut long_offsets = vec![0u32; keys.len()];
    for (i, k) in keys.iter().enumerate() {
        if k.key.len() > INLINE_MAX {
            long_offsets[i] = long_keys.len() as u32;
            long_keys.extend_from_slice(k.key);
        }
    }
    let mut buckets = vec![0u8; bucket_count as usize * BUCKET_LEN];
    for (b, slots) in members.iter().enumerate() {
        let mut at = b * BUCKET_LEN;
        for &k in &slots.members[..usize::from(slots.count)] {
            let key = &keys[k as usize];
            let (tag, long) = (tags[k as usize], long_offsets[k as usize]);
            at = write_entry(&mut buckets, at, tag, key.kind, key.record, key.key, long);
        }
    }
    buckets
}
