//! Deterministic ids, shared by every simulator of a sandbox.

use std::sync::atomic::{AtomicU64, Ordering};

/// Deterministic ids: the same seed gives the same sequence of ids.
#[derive(Debug)]
pub struct Ids {
    seed: u64,
    next: AtomicU64,
}

impl Ids {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Ids {
            seed,
            next: AtomicU64::new(0),
        }
    }

    /// The next id as 24 lowercase hex digits (the shape of the providers' ids), unique within
    /// this generator.
    pub fn next_hex(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        // splitmix64 of (seed, n): well spread, and the counter keeps ids unique.
        let mut z = self
            .seed
            .wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        format!("{:016x}{:08x}", z, n as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deterministic_per_seed_and_unique() {
        let a = Ids::new(7);
        let b = Ids::new(7);
        let c = Ids::new(8);
        let xs: Vec<String> = (0..1000).map(|_| a.next_hex()).collect();
        let ys: Vec<String> = (0..1000).map(|_| b.next_hex()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs[0], c.next_hex());
        let mut sorted = xs.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), xs.len());
        assert!(xs.iter().all(|x| x.len() == 24));
    }
}
