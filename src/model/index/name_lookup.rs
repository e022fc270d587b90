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
}

/// The hash of `name` lowercased. `scratch` holds the lowercase text (reused, so no string is
/// kept or allocated per name).
fn lowercase_hash(hasher: &Hasher, name: &str, scratch: &mut String) -> u64 {
    scratch.clear();
    if name.is_ascii() {
        scratch.push_str(name);
        scratch.make_ascii_lowercase();
    } else {
        scratch.extend(name.chars().flat_map(char::to_lowercase));
    }
    hasher.hash_one(scratch.as_str())
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
            let ((by_lowercase, by_scope), sorted) = join(
                firsts.len() >= PARALLEL_NAMES,
                || {
                    let mut scratch = String::new();
                    let mut by_lowercase: HashTable<u32> = HashTable::with_capacity(firsts.len());
                    for &id in &firsts {
                        let h = lowercase_hash(hasher, name(id), &mut scratch);
                        let same = |&other: &u32| same_lowercase(name(other as NodeId), name(id));
                        if by_lowercase.find(h, same).is_none() {
                            // Never called: the table was sized for every name.
                            let rehash = |&other: &u32| {
                                lowercase_hash(hasher, name(other as NodeId), &mut String::new())
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
                    keyed
                        .into_iter()
                        .map(|(_, id)| (self.nodes[id].name, id as u32))
                        .collect()
                },
            );
            NameLookup {
                by_lowercase,
                by_scope,
                sorted,
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
        let h = lowercase_hash(&self.hasher, name, &mut String::new());
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
    /// name order.
    pub fn nodes_extending<'m>(&'m self, prefix: &'m str) -> impl Iterator<Item = NodeId> + 'm {
        let name = move |span: Span| self.strings.get(span);
        let sorted = &self.name_lookup().sorted;
        let from = sorted.partition_point(|&(span, _)| name(span) < prefix);
        sorted[from..]
            .iter()
            .take_while(move |&&(span, _)| name(span).starts_with(prefix))
            .filter(move |&&(span, _)| name(span).len() > prefix.len())
            .map(|&(_, id)| id as NodeId)
    }
}
