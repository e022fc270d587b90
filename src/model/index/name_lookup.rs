//! The did-you-mean lookups of a model: its node names by lowercase spelling, by scope and in
//! sorted order, built on first use and then shared by every check against the model.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder as Hasher, HashTable};

use super::{name_scope, ModelIndex, NodeId};
use crate::model::id_map::{MultiMap, NodeIds};
use crate::model::strings::Span;
use crate::parallel::join;

/// From this many names on, the did-you-mean lookups are built on two threads.
const PARALLEL_NAMES: usize = 10_000;

/// Node names by lowercase spelling, by scope (the part before the last `/`) and in sorted
/// order, for suggesting names close to a misspelled or unfinished one. Like the other maps it
/// keeps no copy of a name: a lowercase copy of 100,000 names and a `String` per scope cost
/// about 15 MB.
#[derive(Clone, Debug, Default)]
pub(super) struct NameLookup {
    /// The first node of each lowercase spelling (as `u32`: 4 bytes a slot; the table is
    /// sized once, so its hashes are never needed again).
    by_lowercase: HashTable<u32>,
    /// Each distinct name once, in file order, grouped by scope.
    by_scope: MultiMap,
    /// Every distinct name once, sorted, with where its text is: a binary search then reads
    /// the names without going through the nodes (it was a sixth of checking 100,000 unknown
    /// names). Node ids as `u32`: 12 bytes an entry instead of 16.
    sorted: Vec<(Span, u32)>,
    /// Where each node's name is in `sorted`, by node id (for the first node of each name):
    /// a search for the names that go on from an unknown name starts at a name of its scope,
    /// a few entries away, instead of halving all of `sorted` (a tenth of checking 100,000
    /// unknown names).
    sorted_position: Vec<u32>,
}

/// The hash of `name` lowercased. An ASCII name of up to 256 bytes is lowercased on the
/// stack; a longer or non-ASCII one in `scratch` (reused, so no string is kept or allocated
/// per name).
fn lowercase_hash(hasher: &Hasher, name: &str, scratch: &mut Vec<u8>) -> u64 {
    let mut stack = [0u8; 256];
    let lower: &[u8] = if name.is_ascii() && name.len() <= stack.len() {
        let lower = &mut stack[..name.len()];
        lower.copy_from_slice(name.as_bytes());
        lower.make_ascii_lowercase();
        lower
    } else {
        scratch.clear();
        let mut utf8 = [0u8; 4];
        for c in name.chars().flat_map(char::to_lowercase) {
            scratch.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
        scratch
    };
    hasher.hash_one(lower)
}

fn same_lowercase(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

impl ModelIndex {
    /// Names by lowercase spelling and by scope, built once per model.
    fn name_lookup(&self) -> &NameLookup {
        self.name_lookup.get_or_init(|| {
            let hasher = &self.hasher;
            // Each distinct non-empty name once: its first node (the first of its group in
            // `by_name`, whose groups are in order of first appearance).
            let by_name = &self.by_name;
            let firsts: Vec<NodeId> = (0..by_name.keys.len())
                .filter(|&g| !by_name.keys[g].is_empty())
                .filter_map(|g| by_name.group(g).first())
                .collect();
            let name = |id: NodeId| self.strings.get(self.nodes[id].name);
            // Three independent parts of about 10 ms each on 100,000 names: the sort beside
            // the two tables.
            let ((by_lowercase, by_scope), (sorted, sorted_position)) = join(
                firsts.len() >= PARALLEL_NAMES,
                || {
                    let mut scratch = Vec::new();
                    let mut by_lowercase: HashTable<u32> = HashTable::with_capacity(firsts.len());
                    for &id in &firsts {
                        let h = lowercase_hash(hasher, name(id), &mut scratch);
                        let same = |&other: &u32| same_lowercase(name(other as NodeId), name(id));
                        if by_lowercase.find(h, same).is_none() {
                            // Never called: the table was sized for every name.
                            let rehash = |&other: &u32| {
                                lowercase_hash(hasher, name(other as NodeId), &mut Vec::new())
                            };
                            by_lowercase.insert_unique(h, id as u32, rehash);
                        }
                    }
                    // Sized for one scope a name (the most there can be): grown from a quarter
                    // of that, the table's rehashing was half of building it.
                    let by_scope = MultiMap::build(
                        hasher,
                        firsts.len(),
                        firsts.iter().map(|&id| {
                            let span = self.nodes[id].name;
                            let scope = name_scope(name(id));
                            (scope, id, span.prefix(scope.len()))
                        }),
                        |span| self.strings.get(span),
                    );
                    (by_lowercase, by_scope)
                },
                || {
                    // Sorted with each name looked up once, not at every comparison.
                    let mut keyed: Vec<(&str, NodeId)> =
                        firsts.iter().map(|&id| (name(id), id)).collect();
                    keyed.sort_unstable();
                    let mut sorted_position = vec![0; self.nodes.len()];
                    for (position, &(_, id)) in keyed.iter().enumerate() {
                        sorted_position[id] = position as u32;
                    }
                    let sorted = keyed
                        .into_iter()
                        .map(|(_, id)| (self.nodes[id].name, id as u32))
                        .collect();
                    (sorted, sorted_position)
                },
            );
            NameLookup {
                by_lowercase,
                by_scope,
                sorted,
                sorted_position,
            }
        })
    }

    /// Builds the did-you-mean lookups now rather than at the first unknown name: the server
    /// does so right after reading the model of a big config being opened, while the config is
    /// still parsed (a big config is seldom free of names the model lacks).
    pub fn prepare_name_lookups(&self) {
        self.name_lookup();
    }

    /// The first node whose name is `name` but for case.
    pub fn node_named_ignoring_case(&self, name: &str) -> Option<NodeId> {
        let h = lowercase_hash(&self.hasher, name, &mut Vec::new());
        let lookup = self.name_lookup();
        lookup
            .by_lowercase
            .find(h, |&id| {
                same_lowercase(self.node(id as NodeId).name(), name)
            })
            .map(|&id| id as NodeId)
    }

    /// The nodes of `scope` (see [`name_scope`]), each name once, in file order.
    pub fn nodes_in_scope(&self, scope: &str) -> NodeIds<'_> {
        self.lookup(&self.name_lookup().by_scope, scope)
    }

    /// The nodes whose names start with `prefix` and are longer than it, each name once, in
    /// name order. The search starts from the name of `near` (a node whose name sorts close
    /// to `prefix`, such as one of its scope), or halves every name without one.
    pub fn nodes_extending<'m>(
        &'m self,
        prefix: &'m str,
        near: Option<NodeId>,
    ) -> impl Iterator<Item = NodeId> + 'm {
        let name = move |span: Span| self.strings.get(span);
        let lookup = self.name_lookup();
        let sorted = &lookup.sorted;
        let before = |&(span, _): &(Span, u32)| name(span) < prefix;
        let from = match near.and_then(|id| lookup.sorted_position.get(id)) {
            Some(&start) => partition_point_near(sorted, start as usize, before),
            None => sorted.partition_point(before),
        };
        sorted[from..]
            .iter()
            .take_while(move |&&(span, _)| name(span).starts_with(prefix))
            .filter(move |&&(span, _)| name(span).len() > prefix.len())
            .map(|&(_, id)| id as NodeId)
    }
}

/// `items.partition_point(is_before)`, found by galloping from `start`: steps of 1, 2, 4, …
/// away from it until the point is passed, then halving what is left. It costs about twice
/// the logarithm of how far the point is from `start`, so a good `start` makes it a few
/// comparisons. Any `start` gives the same answer.
fn partition_point_near<T>(items: &[T], start: usize, is_before: impl Fn(&T) -> bool) -> usize {
    let len = items.len();
    if len == 0 {
        return 0;
    }
    let start = start.min(len - 1);
    // The point is in `lo..=hi`: everything before `lo` is before it, nothing from `hi` on.
    let (lo, hi) = if is_before(&items[start]) {
        let (mut lo, mut step) = (start + 1, 1);
        loop {
            let probe = lo + step - 1;
            if probe >= len {
                break (lo, len);
            }
            if !is_before(&items[probe]) {
                break (lo, probe);
            }
            lo = probe + 1;
            step *= 2;
        }
    } else {
        let (mut hi, mut step) = (start, 1);
        loop {
            if hi < step {
                break (0, hi);
            }
            let probe = hi - step;
            if is_before(&items[probe]) {
                break (probe + 1, hi);
            }
            hi = probe;
            step *= 2;
        }
    };
    lo + items[lo..hi].partition_point(is_before)
}

#[cfg(test)]
mod tests {
    use super::partition_point_near;

    #[test]
    fn galloping_from_anywhere_finds_the_partition_point() {
        for len in 0..40usize {
            // Runs of repeated values, so that the point can be inside a run.
            let items: Vec<usize> = (0..len).map(|i| i / 3).collect();
            for target in 0..=len / 3 + 1 {
                let expected = items.partition_point(|&v| v < target);
                for start in 0..len + 2 {
                    assert_eq!(
                        partition_point_near(&items, start, |&v| v < target),
                        expected,
                        "len {len}, target {target}, start {start}"
                    );
                }
            }
        }
    }
}
