//! The keys searched at word starts, as a trie of their chars.

use super::*;

/// The keys searched at word starts, as a trie of their chars in one hash table, each node
/// with the keys its text ends with: what an anchored Aho-Corasick automaton reports at each
/// step (the node's own key and the shorter keys that are its suffixes), in a table of about a
/// megabyte where a DFA of these keys takes 30.
pub(super) struct KeyTrie {
    /// `(parent << 32 | char, child)`, open addressing; `EMPTY` marks a free slot.
    slots: Vec<(u64, u32)>,
    /// `slots.len() - 1` (a power of two less one).
    mask: usize,
    /// For node `n`, its keys are `keys[ends[n]..ends[n + 1]]`.
    ends: Vec<u32>,
    /// A key's index and its length in bytes.
    keys: Vec<(u32, u32)>,
    /// The root's child on each char below U+0800 (`NO_CHILD` for none), read without hashing:
    /// every word start of a text looks there first, and most go no further.
    root: Vec<u32>,
}

impl KeyTrie {
    pub(super) const ROOT: u32 = 0;
    const EMPTY: u64 = u64::MAX;
    const NO_CHILD: u32 = u32::MAX;
    const ROOT_TABLE: usize = 0x800;

    /// The trie of `keys`, each with its index.
    pub(super) fn new<'k>(keys: impl Iterator<Item = (&'k str, usize)> + Clone) -> KeyTrie {
        // The nodes, each with its parent and char, in the order made.
        let mut nodes: Vec<(u32, char)> = vec![(0, '\0')];
        let mut edges: HashMap<(u32, char), u32> = HashMap::new();
        let mut text_of: Vec<String> = vec![String::new()];
        for (key, _) in keys.clone() {
            let mut node = Self::ROOT;
            for c in key.chars() {
                node = *edges.entry((node, c)).or_insert_with(|| {
                    nodes.push((node, c));
                    let mut t = text_of[node as usize].clone();
                    t.push(c);
                    text_of.push(t);
                    (nodes.len() - 1) as u32
                });
            }
        }
        let index: HashMap<&str, usize> = keys.clone().collect();
        let mut ends = Vec::with_capacity(nodes.len() + 1);
        let mut found = Vec::new();
        for text in &text_of {
            ends.push(found.len() as u32);
            // Keys start at char boundaries: those are the only suffixes that can be keys.
            for (at, _) in text.char_indices() {
                if let Some(&k) = index.get(&text[at..]) {
                    found.push((k as u32, (text.len() - at) as u32));
                }
            }
        }
        ends.push(found.len() as u32);
        let size = (edges.len() * 2).next_power_of_two().max(2);
        let mut trie = KeyTrie {
            slots: vec![(Self::EMPTY, 0); size],
            mask: size - 1,
            ends,
            keys: found,
            root: vec![Self::NO_CHILD; Self::ROOT_TABLE],
        };
        for (&(parent, c), &child) in &edges {
            if parent == Self::ROOT && (c as usize) < Self::ROOT_TABLE {
                trie.root[c as usize] = child;
            }
            let key = Self::slot_key(parent, c);
            let mut at = trie.slot_of(key);
            while trie.slots[at].0 != Self::EMPTY {
                at = (at + 1) & trie.mask;
            }
            trie.slots[at] = (key, child);
        }
        trie
    }

    #[inline]
    pub(super) fn slot_key(node: u32, c: char) -> u64 {
        u64::from(node) << 32 | u64::from(u32::from(c))
    }

    #[inline]
    pub(super) fn slot_of(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize & self.mask
    }

    /// The node after `node` on `c`, if a key goes on so.
    #[inline]
    pub(super) fn child(&self, node: u32, c: char) -> Option<u32> {
        if node == Self::ROOT {
            if let Some(&child) = self.root.get(c as usize) {
                return (child != Self::NO_CHILD).then_some(child);
            }
        }
        let key = Self::slot_key(node, c);
        let mut at = self.slot_of(key);
        loop {
            let (k, child) = self.slots[at];
            if k == key {
                return Some(child);
            }
            if k == Self::EMPTY {
                return None;
            }
            at = (at + 1) & self.mask;
        }
    }

    /// The keys that end at `node`: its own and those it ends with.
    #[inline]
    pub(super) fn matches(&self, node: u32) -> &[(u32, u32)] {
        &self.keys[self.ends[node as usize] as usize..self.ends[node as usize + 1] as usize]
    }
}

#[derive(Default)]
pub(super) struct CharHasher(u64);

impl std::hash::Hasher for CharHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(n)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}
