//! The hashes of the format: where a key sits in an index, and the checksum of
//! the header.

use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::layout::header;

/// The hash of one candidate key: where it may sit and how to recognize it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    /// The non-zero tag stored in the entry's first byte.
    pub tag: u8,
    /// The first bucket.
    pub first: usize,
    /// The second bucket (different from the first when there are two or more).
    pub second: usize,
}

/// Maps `x` uniformly onto `0..n` without division (Lemire's fast range).
#[inline]
fn fast_range(x: u32, n: u32) -> u32 {
    ((u64::from(x) * u64::from(n)) >> 32) as u32
}

/// The finalizer of MurmurHash3: spreads the bits of a 32-bit value.
#[inline]
fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// Hashes a key of a kind into an index: xxh3-64 with the index's seed plus the
/// kind (each index holds one kind; the kind is part of the seed all the same).
#[inline]
pub fn probe(seed: u64, kind: u8, key: &[u8], buckets: u32) -> Probe {
    let h = xxh3_64_with_seed(key, seed.wrapping_add(u64::from(kind)));
    let tag = ((h >> 56) as u8).max(1);
    let low = h as u32;
    let first = fast_range(low, buckets);
    let mut second = fast_range(fmix32(low ^ 0x5bd1_e995), buckets);
    if second == first && buckets > 1 {
        second = (first + 1) % buckets;
    }
    Probe {
        tag,
        first: first as usize,
        second: second as usize,
    }
}

/// xxh3-64 of the header and the directory, the checksum field read as zero.
pub fn header_checksum(header_and_directory: &[u8]) -> u64 {
    let field = header::HEADER_CHECKSUM.range(0);
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&header_and_directory[..field.start]);
    hasher.update(&[0; 8]);
    hasher.update(&header_and_directory[field.end..]);
    hasher.digest()
}
