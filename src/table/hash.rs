//! The hashes of the format: where a key sits in an index, and the checksum of
//! the header.

use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::layout::header;

/// The hash of one candidate key: its bucket and how to recognize it there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    /// The tag stored in the key's summary: the hash's top byte.
    pub tag: u8,
    /// The bucket.
    pub bucket: usize,
}

/// Maps `x` uniformly onto `0..n` without division (Lemire's fast range).
#[inline]
fn fast_range(x: u32, n: u32) -> u32 {
    ((u64::from(x) * u64::from(n)) >> 32) as u32
}

/// Hashes a key of a kind into an index of `buckets` buckets: xxh3-64 with the
/// index's seed plus the kind (each index holds one kind; the kind is part of
/// the seed all the same). The bucket comes from the low 32 bits, the tag from
/// the top 8, so the two are independent.
#[inline]
pub fn probe(seed: u64, kind: u8, key: &[u8], buckets: u32) -> Probe {
    let h = xxh3_64_with_seed(key, seed.wrapping_add(u64::from(kind)));
    Probe {
        tag: (h >> 56) as u8,
        bucket: fast_range(h as u32, buckets) as usize,
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
