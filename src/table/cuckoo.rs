//! Building the bucketized cuckoo hash index: every exact and suffix key gets a
//! slot in one of its two buckets. Keys that find both buckets full push a resident
//! to its other bucket (a random walk, with a fixed-seed generator so builds are
//! deterministic). If a walk runs too long, the table grows and the build starts
//! over.

use super::format::{BUCKET_LEN, SLOTS, probe, read_key_entry, slot};
use super::write::IndexKey;

/// The seed of the first attempt ("isptab" in ASCII).
const FIRST_SEED: u64 = 0x6973_7074_6162;
/// Fill the slots to about this fraction; 8-slot buckets with two choices build
/// reliably up to about 95%.
const LOAD: f64 = 0.92;
/// Evictions tried for one key before the attempt is abandoned.
const MAX_KICKS: usize = 1000;

/// The result: the seed and bucket count a reader needs, and the bucket bytes.
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

pub(super) fn build(index: &[IndexKey], keys: &[u8]) -> Built {
    let mut bucket_count = ((index.len() as f64 / (SLOTS as f64 * LOAD)).ceil() as u32).max(1);
    let mut seed = FIRST_SEED;
    loop {
        if let Some(slots) = try_build(index, keys, seed, bucket_count) {
            let mut buckets = Vec::with_capacity(slots.len() * 8);
            for s in slots {
                buckets.extend_from_slice(&s.to_le_bytes());
            }
            debug_assert_eq!(buckets.len(), bucket_count as usize * BUCKET_LEN);
            return Built {
                seed,
                bucket_count,
                buckets,
            };
        }
        // Rare: another seed, and a little more room.
        seed = seed.wrapping_add(1);
        bucket_count = bucket_count + bucket_count / 50 + 1;
    }
}

/// The key and kind a slot's entry holds.
fn entry_probe(keys: &[u8], seed: u64, bucket_count: u32, slot_value: u64) -> super::format::Probe {
    let entry = read_key_entry(keys, slot_value as u32 as usize)
        .expect("slots point at entries written by compile");
    probe(seed, entry.kind, entry.key, bucket_count)
}

fn try_build(index: &[IndexKey], keys: &[u8], seed: u64, bucket_count: u32) -> Option<Vec<u64>> {
    let mut slots = vec![0u64; bucket_count as usize * SLOTS];
    let mut rng = Rng(seed ^ 0x9e37_79b9_7f4a_7c15);
    for key in index {
        let entry = read_key_entry(keys, key.entry as usize)
            .expect("index points at entries written by compile");
        let p = probe(seed, key.kind, entry.key, bucket_count);
        let mut value = slot(p.fingerprint, key.entry);
        let mut bucket = p.first;
        if put(&mut slots, p.first, value) || put(&mut slots, p.second, value) {
            continue;
        }
        let mut placed = false;
        for _ in 0..MAX_KICKS {
            // Evict a random resident of this bucket and send it to its other bucket.
            let victim_at = bucket * SLOTS + (rng.next() % SLOTS as u64) as usize;
            let victim = std::mem::replace(&mut slots[victim_at], value);
            let vp = entry_probe(keys, seed, bucket_count, victim);
            bucket = if vp.first == bucket {
                vp.second
            } else {
                vp.first
            };
            if put(&mut slots, bucket, victim) {
                placed = true;
                break;
            }
            value = victim;
        }
        if !placed {
            return None;
        }
    }
    Some(slots)
}

/// Puts `value` in a free slot of `bucket`.
fn put(slots: &mut [u64], bucket: usize, value: u64) -> bool {
    let range = bucket * SLOTS..(bucket + 1) * SLOTS;
    match slots[range.clone()].iter().position(|&s| s == 0) {
        Some(i) => {
            slots[range.start + i] = value;
            true
        }
        None => false,
    }
}
