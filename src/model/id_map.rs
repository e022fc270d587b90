//! The index's maps from a name to its nodes: each key's node ids are one contiguous run, so
//! a lookup answers a [`NodeIds`] view without allocating, and no key string is copied (a key
//! is a [`Span`] of the index's [`Strings`]).

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder as Hasher, HashTable};

use super::index::NodeId;
use super::strings::Span;

/// A string → node ids multimap whose keys are borrowed from the index (a [`Span`]) and whose
/// values for one key are a contiguous run, so lookups return [`NodeIds`] without allocating.
#[derive(Clone, Debug, Default)]
pub(super) struct MultiMap {
    /// Group numbers, hashed by their key string.
    table: HashTable<u32>,
    /// Where each group's key string lives.
    pub(super) keys: Vec<Span>,
    /// `starts[g]..starts[g + 1]` is group g's range in `items`.
    starts: Vec<u32>,
    /// Node ids as `u32` (a model under protobuf's 2 GiB has fewer nodes): the four maps of a
    /// 100,000-node model hold some 560,000 of them.
    items: Vec<u32>,
}

impl MultiMap {
    pub(super) fn build<'a>(
        hasher: &Hasher,
        hint: usize,
        entries: impl Iterator<Item = (&'a str, NodeId, Span)>,
        resolve: impl Fn(Span) -> &'a str,
    ) -> MultiMap {
        let mut table: HashTable<u32> = HashTable::with_capacity(hint);
        let mut keys: Vec<Span> = Vec::with_capacity(hint);
        let mut counts: Vec<u32> = Vec::with_capacity(hint);
        // Node ids as `u32` here too: these vectors are fresh memory, and on a big model
        // fresh memory is what building the maps costs most.
        let mut last: Vec<u32> = Vec::with_capacity(hint);
        // (group, node) per entry that is kept; entries arrive in node order, so a node that
        // uses one tensor twice (`Mul(x, x)`) is counted once by comparing with `last`.
        let mut assigned: Vec<(u32, u32)> = Vec::with_capacity(hint);
        for (s, node, key) in entries {
            let node = node as u32;
            let h = hasher.hash_one(s);
            let g = match table.find(h, |&g| resolve(keys[g as usize]) == s) {
                Some(&g) => g,
                None => {
                    let g = keys.len() as u32;
                    keys.push(key);
                    counts.push(0);
                    last.push(u32::MAX);
                    table.insert_unique(h, g, |&g| hasher.hash_one(resolve(keys[g as usize])));
                    g
                }
            };
            let gi = g as usize;
            if last[gi] != node {
                last[gi] = node;
                counts[gi] += 1;
                assigned.push((g, node));
            }
        }
        drop(last);
        let mut starts = Vec::with_capacity(counts.len() + 1);
        let mut total = 0u32;
        for c in &counts {
            starts.push(total);
            total += c;
        }
        starts.push(total);
        let mut items = vec![0; total as usize];
        // Reuse `counts` as the fill cursor of each group.
        counts.iter_mut().for_each(|c| *c = 0);
        for (g, node) in assigned {
            let gi = g as usize;
            items[(starts[gi] + counts[gi]) as usize] = node;
            counts[gi] += 1;
        }
        keys.shrink_to_fit();
        MultiMap {
            table,
            keys,
            starts,
            items,
        }
    }

    pub(super) fn get<'a>(
        &'a self,
        hasher: &Hasher,
        s: &str,
        resolve: impl Fn(Span) -> &'a str,
    ) -> NodeIds<'a> {
        let h = hasher.hash_one(s);
        match self.table.find(h, |&g| resolve(self.keys[g as usize]) == s) {
            Some(&g) => self.group(g as usize),
            None => NodeIds::default(),
        }
    }

    /// The node ids of group `g` (groups are numbered in order of first appearance).
    pub(super) fn group(&self, g: usize) -> NodeIds<'_> {
        let range = self.starts[g] as usize..self.starts[g + 1] as usize;
        NodeIds(self.items.get(range).unwrap_or(&[]))
    }
}

/// The nodes a lookup of the index found, in file order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeIds<'m>(&'m [u32]);

impl<'m> NodeIds<'m> {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn first(&self) -> Option<NodeId> {
        self.0.first().map(|&id| id as NodeId)
    }

    pub fn to_vec(&self) -> Vec<NodeId> {
        self.iter().collect()
    }

    pub fn contains(&self, id: NodeId) -> bool {
        u32::try_from(id).is_ok_and(|id| self.0.contains(&id))
    }

    pub fn iter(&self) -> NodeIdIter<'m> {
        self.0.iter().map(|&id| id as NodeId)
    }
}

pub type NodeIdIter<'m> = std::iter::Map<std::slice::Iter<'m, u32>, fn(&u32) -> NodeId>;

impl<'m> IntoIterator for NodeIds<'m> {
    type Item = NodeId;
    type IntoIter = NodeIdIter<'m>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
