//! A fast hash for the lexicon's small tables of trusted words (currencies, joiners, kinds of
//! body), looked up for every amount or name of a text: a multiplication for each eight bytes,
//! where the standard hasher (SipHash, made to resist chosen keys) costs some hundred
//! instructions a word. The keys come from the compiled-in data files, never from a text.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;
pub type FastSet<K> = HashSet<K, BuildHasherDefault<WordHasher>>;

#[derive(Default, Clone, Copy)]
pub struct WordHasher(u64);

const K: u64 = 0x517c_c1b7_2722_0a95;

impl WordHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for WordHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ (rest.len() as u64) << 59);
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_of_every_length_are_found_and_others_not() {
        let words: Vec<String> = (0..40)
            .map(|n| "ж".repeat(n % 7) + &"a".repeat(n))
            .collect();
        let set: FastSet<String> = words.iter().cloned().collect();
        assert_eq!(set.len(), words.len());
        for w in &words {
            assert!(set.contains(w.as_str()));
            assert!(!set.contains(format!("{w}b").as_str()));
        }
        let map: FastMap<String, FastMap<String, usize>> = [(
            "a".to_string(),
            [("RU".to_string(), 3)].into_iter().collect(),
        )]
        .into_iter()
        .collect();
        assert_eq!(map.get("a").and_then(|m| m.get("RU")), Some(&3));
    }
}
