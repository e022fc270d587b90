//! The layout of the precision map: top-down by topological order, groups as boxes.
//!
//! 1. A topological order of the nodes (Kahn's algorithm, file order among the ready nodes; a
//!    cycle is broken at its earliest node in file order, so garbage never hangs) and each
//!    node's *depth*, the longest path from a node without inputs. Nodes that depend on
//!    nothing computed from the model's inputs (constants) are pulled down to just above their
//!    first reader.
//! 2. Each group is laid out on its own, innermost first, with its children (nodes and groups,
//!    the latter as boxes of their laid-out size) as the items of a small layered graph: the
//!    edges between two of its children, and the rule that a child lies below every child that
//!    ends (in depth) before it starts. So parallel branches sit side by side and a sequence of
//!    blocks that only connect through the outside is stacked, in the order of the network.
//! 3. Within a layer, items are ordered by the barycenter of their neighbours (down, up,
//!    down), then placed left to right under the mean of their predecessors' centres.
//! 4. A group whose layers make a stack far taller than wide (a long chain of blocks) is
//!    wrapped into columns of about equal height, read left to right.
//!
//! Everything is linear in the nodes and edges, up to sorting. A collapsed group is drawn at
//! the size of its content, so opening or closing one needs no new layout: the page only draws.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{Group, GroupId, Item, MapEdge};

/// The size of a node's box, in map units (a pixel at zoom 1).
pub const NODE_W: f64 = 132.0;
pub const NODE_H: f64 = 30.0;
/// Space between two items of a layer.
pub const H_GAP: f64 = 16.0;
/// Space between layers (where the edges run).
pub const V_GAP: f64 = 26.0;
/// A group's padding around its content.
pub const PAD: f64 = 10.0;
/// The height of a group's title band.
pub const HEAD: f64 = 20.0;
/// A stack of layers taller than this many times its width (and at least
/// `WRAP_RATIO * WRAP_MIN_WIDTH`) is wrapped into about square columns.
const WRAP_RATIO: f64 = 8.0;
const WRAP_MIN_WIDTH: f64 = 500.0;
/// Space between two columns of a wrapped stack.
const COLUMN_GAP: f64 = 48.0;

/// Absolute positions: nodes' top-left corners, groups' `(x, y, w, h)`.
pub struct Placed {
    pub nodes: Vec<(f64, f64)>,
    pub groups: Vec<(f64, f64, f64, f64)>,
    pub width: f64,
    pub height: f64,
}

/// What the layout of a group needs to know of one of its children.
#[derive(Clone, Copy, Debug, Default)]
struct ItemBox {
    /// The least and greatest depth of its nodes.
    dmin: u32,
    dmax: u32,
    /// Its first node in topological order.
    tmin: u32,
    w: f64,
    h: f64,
}

/// Compressed adjacency: the neighbours of `i` are `list[start[i]..start[i + 1]]`.
struct Csr {
    start: Vec<usize>,
    list: Vec<u32>,
}

impl Csr {
    fn new(n: usize, pairs: &[(u32, u32)]) -> Csr {
        let mut start = vec![0usize; n + 1];
        for &(a, _) in pairs {
            start[a as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut list = vec![0u32; pairs.len()];
        for &(a, b) in pairs {
            list[fill[a as usize]] = b;
            fill[a as usize] += 1;
        }
        Csr { start, list }
    }
    fn of(&self, i: usize) -> &[u32] {
        &self.list[self.start[i]..self.start[i + 1]]
    }
}

/// Topological rank and depth of every node.
/// `reads_input[v]`: node `v` reads one of the model's inputs.
fn order_and_depth(n: usize, pairs: &[(u32, u32)], reads_input: &[bool]) -> (Vec<u32>, Vec<u32>) {
    let succ = Csr::new(n, pairs);
    let reversed: Vec<(u32, u32)> = pairs.iter().map(|&(a, b)| (b, a)).collect();
    let pred = Csr::new(n, &reversed);
    let mut indeg: Vec<u32> = (0..n).map(|v| pred.of(v).len() as u32).collect();
    let mut done = vec![false; n];
    let mut rank = vec![0u32; n];
    let mut order = Vec::with_capacity(n);
    let mut ready: BinaryHeap<Reverse<u32>> = (0..n as u32)
        .filter(|&v| indeg[v as usize] == 0)
        .map(Reverse)
        .collect();
    let mut next_forced = 0usize;
    while order.len() < n {
        let v = match ready.pop() {
            Some(Reverse(v)) if !done[v as usize] => v as usize,
            Some(_) => continue,
            None => {
                // A cycle: take the earliest node not placed yet.
                while done[next_forced] {
                    next_forced += 1;
                }
                next_forced
            }
        };
        done[v] = true;
        rank[v] = order.len() as u32;
        order.push(v);
        for &s in succ.of(v) {
            let s = s as usize;
            indeg[s] = indeg[s].saturating_sub(1);
            if indeg[s] == 0 && !done[s] {
                ready.push(Reverse(s as u32));
            }
        }
    }
    let mut depth = vec![0u32; n];
    // Floating: depends on no node that reads the model's inputs (constants and what is
    // computed from them only).
    let mut floating: Vec<bool> = (0..n)
        .map(|v| !reads_input.get(v).copied().unwrap_or(false))
        .collect();
    for &v in &order {
        for &p in pred.of(v) {
            let p = p as usize;
            if rank[p] < rank[v] {
                depth[v] = depth[v].max(depth[p] + 1);
                floating[v] &= floating[p];
            }
        }
    }
    for &v in order.iter().rev() {
        if !floating[v] {
            continue;
        }
        let later = succ
            .of(v)
            .iter()
            .map(|&s| s as usize)
            .filter(|&s| rank[s] > rank[v]);
        if let Some(first_reader) = later.map(|s| depth[s]).min() {
            depth[v] = depth[v].max(first_reader.saturating_sub(1));
        }
    }
    (rank, depth)
}

/// Lays out every group, innermost first, then places everything absolutely.
pub fn layout(
    n: usize,
    reads_input: &[bool],
    edges: &[MapEdge],
    groups: &[Group],
    node_group: &[GroupId],
) -> Placed {
    let mut pairs: Vec<(u32, u32)> = edges.iter().map(|e| (e.from as u32, e.to as u32)).collect();
    pairs.sort_unstable();
    pairs.dedup();
    let (rank, depth) = order_and_depth(n, &pairs, reads_input);

    let g_count = groups.len();
    let mut gdepth = vec![0usize; g_count];
    for g in 1..g_count {
        gdepth[g] = gdepth[groups[g].parent] + 1;
    }
    // Items: node v is v, group g is n + g. `local` is the place among its parent's children.
    let item = |it: &Item| match *it {
        Item::Node(v) => v,
        Item::Group(g) => n + g,
    };
    let mut local = vec![0u32; n + g_count];
    for group in groups {
        for (i, child) in group.children.iter().enumerate() {
            local[item(child)] = i as u32;
        }
    }
    // The edges between two children of a group, in the group where the two ends meet.
    let mut inner: Vec<Vec<(u32, u32)>> = vec![Vec::new(); g_count];
    for &(u, v) in &pairs {
        let (mut a, mut b) = (u as usize, v as usize);
        let (mut ga, mut gb) = (node_group[a], node_group[b]);
        while ga != gb {
            if gdepth[ga] >= gdepth[gb] {
                a = n + ga;
                ga = groups[ga].parent;
            } else {
                b = n + gb;
                gb = groups[gb].parent;
            }
        }
        if a != b {
            inner[ga].push((local[a], local[b]));
        }
    }

    let mut boxes = vec![ItemBox::default(); n + g_count];
    for v in 0..n {
        boxes[v] = ItemBox {
            dmin: depth[v],
            dmax: depth[v],
            tmin: rank[v],
            w: NODE_W,
            h: NODE_H,
        };
    }
    // Positions relative to the parent's content origin.
    let mut rel = vec![(0.0f64, 0.0f64); n + g_count];
    for g in (0..g_count).rev() {
        let children: Vec<usize> = groups[g].children.iter().map(item).collect();
        let items: Vec<ItemBox> = children.iter().map(|&c| boxes[c]).collect();
        let mut edges = std::mem::take(&mut inner[g]);
        edges.sort_unstable();
        edges.dedup();
        let (pos, w, h) = place(&items, &edges);
        for (&c, p) in children.iter().zip(pos) {
            rel[c] = p;
        }
        let (w, h) = if g == 0 {
            (w + 2.0 * PAD, h + 2.0 * PAD)
        } else {
            (w + 2.0 * PAD, h + HEAD + 2.0 * PAD)
        };
        boxes[n + g] = ItemBox {
            dmin: items.iter().map(|b| b.dmin).min().unwrap_or(0),
            dmax: items.iter().map(|b| b.dmax).max().unwrap_or(0),
            tmin: items.iter().map(|b| b.tmin).min().unwrap_or(0),
            w,
            h,
        };
    }
    // Absolute positions, parents first.
    let mut placed_groups = vec![(0.0, 0.0, 0.0, 0.0); g_count];
    let mut origin = vec![(0.0f64, 0.0f64); g_count];
    for g in 0..g_count {
        let (x, y) = if g == 0 {
            (0.0, 0.0)
        } else {
            let (ox, oy) = origin[groups[g].parent];
            (ox + rel[n + g].0, oy + rel[n + g].1)
        };
        placed_groups[g] = (x, y, boxes[n + g].w, boxes[n + g].h);
        origin[g] = if g == 0 {
            (x + PAD, y + PAD)
        } else {
            (x + PAD, y + HEAD + PAD)
        };
    }
    let nodes = (0..n)
        .map(|v| {
            let (ox, oy) = origin[node_group[v]];
            (ox + rel[v].0, oy + rel[v].1)
        })
        .collect();
    let (width, height) = if g_count > 0 {
        (boxes[n].w, boxes[n].h)
    } else {
        (0.0, 0.0)
    };
    Placed {
        nodes,
        groups: placed_groups,
        width,
        height,
    }
}

/// Lays out the children of one group: their positions relative to the group's content
/// origin, and the content's width and height.
fn place(items: &[ItemBox], edges: &[(u32, u32)]) -> (Vec<(f64, f64)>, f64, f64) {
    let k = items.len();
    if k == 0 {
        return (Vec::new(), 0.0, 0.0);
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&i| (items[i].dmin, items[i].tmin, i));
    let mut pos = vec![0usize; k];
    for (p, &i) in order.iter().enumerate() {
        pos[i] = p;
    }
    // Only edges that go forward in this order count (the others close a cycle through the
    // outside, or between two boxes; they are drawn, not laid out).
    let forward: Vec<(u32, u32)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| pos[a as usize] < pos[b as usize])
        .collect();
    let succ = Csr::new(k, &forward);
    let reversed: Vec<(u32, u32)> = forward.iter().map(|&(a, b)| (b, a)).collect();
    let pred = Csr::new(k, &reversed);

    // Layers.
    let mut layer = vec![0usize; k];
    let mut ended: BinaryHeap<Reverse<(u32, usize)>> = BinaryHeap::new();
    let mut above: Option<usize> = None;
    for &c in &order {
        while let Some(&Reverse((dmax, q))) = ended.peek() {
            if dmax >= items[c].dmin {
                break;
            }
            above = Some(above.map_or(layer[q], |m: usize| m.max(layer[q])));
            ended.pop();
        }
        let mut l = above.map_or(0, |m| m + 1);
        for &p in pred.of(c) {
            l = l.max(layer[p as usize] + 1);
        }
        layer[c] = l;
        ended.push(Reverse((items[c].dmax, c)));
    }
    let layer_count = layer.iter().max().map_or(0, |m| m + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    for &c in &order {
        layers[layer[c]].push(c);
    }

    // Order within layers: barycenters of the neighbours' places, down, up, down.
    let mut idx = vec![0f64; k];
    let index = |layers: &[Vec<usize>], idx: &mut [f64], l: usize| {
        for (i, &c) in layers[l].iter().enumerate() {
            idx[c] = i as f64;
        }
    };
    for l in 0..layer_count {
        index(&layers, &mut idx, l);
    }
    let sweep = |layers: &mut [Vec<usize>], idx: &mut [f64], l: usize, adj: &Csr| {
        let keyed: Vec<(f64, usize)> = layers[l]
            .iter()
            .map(|&c| {
                let ns = adj.of(c);
                let key = if ns.is_empty() {
                    idx[c]
                } else {
                    ns.iter().map(|&p| idx[p as usize]).sum::<f64>() / ns.len() as f64
                };
                (key, c)
            })
            .collect();
        let mut keyed = keyed;
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        layers[l] = keyed.into_iter().map(|(_, c)| c).collect();
        for (i, &c) in layers[l].iter().enumerate() {
            idx[c] = i as f64;
        }
    };
    for pass in 0..3 {
        if pass % 2 == 0 {
            for l in 1..layer_count {
                sweep(&mut layers, &mut idx, l, &pred);
            }
        } else {
            for l in (0..layer_count.saturating_sub(1)).rev() {
                sweep(&mut layers, &mut idx, l, &succ);
            }
        }
    }

    // x: under the mean of the predecessors' centres, left to right without overlap; then
    // items without predecessors move over their successors.
    let mut x = vec![0f64; k];
    let pack = |x: &mut [f64], row: &[usize], want: &dyn Fn(usize, &[f64]) -> Option<f64>| {
        let mut right = f64::NEG_INFINITY;
        for &c in row {
            let w = items[c].w;
            let left = right + H_GAP;
            let at = match want(c, x) {
                Some(center) => (center - w / 2.0).max(left),
                None if right == f64::NEG_INFINITY => 0.0,
                None => left,
            };
            x[c] = at;
            right = at + w;
        }
    };
    let mean_center = |ns: &[u32], x: &[f64]| -> Option<f64> {
        if ns.is_empty() {
            return None;
        }
        let sum: f64 = ns
            .iter()
            .map(|&p| x[p as usize] + items[p as usize].w / 2.0)
            .sum();
        Some(sum / ns.len() as f64)
    };
    for row in &layers {
        pack(&mut x, row, &|c, x| mean_center(pred.of(c), x));
    }
    for row in layers.iter().rev() {
        pack(&mut x, row, &|c, x| {
            if pred.of(c).is_empty() {
                mean_center(succ.of(c), x)
            } else {
                Some(x[c] + items[c].w / 2.0)
            }
        });
    }
    let heights: Vec<f64> = layers
        .iter()
        .map(|row| row.iter().map(|&c| items[c].h).fold(0.0, f64::max))
        .collect();
    let total = heights.iter().sum::<f64>() + V_GAP * (layer_count.saturating_sub(1)) as f64;
    let left = x.iter().copied().fold(f64::INFINITY, f64::min);
    let right = (0..k)
        .map(|c| x[c] + items[c].w)
        .fold(f64::NEG_INFINITY, f64::max);
    let width = (right - left).max(1.0);
    // A very tall stack (a long chain of blocks) is wrapped into columns, read left to right,
    // so that the whole picture is not a thin strip.
    let columns = if total > WRAP_RATIO * width.max(WRAP_MIN_WIDTH) {
        ((total / width).sqrt().ceil() as usize).clamp(1, layer_count)
    } else {
        1
    };
    let per_column = total / columns as f64;
    let mut column_of = vec![0usize; layer_count];
    let mut y_of = vec![0f64; layer_count];
    let (mut column, mut y) = (0usize, 0f64);
    for l in 0..layer_count {
        if y > 0.0 && y + heights[l] > per_column && column + 1 < columns {
            column += 1;
            y = 0.0;
        }
        column_of[l] = column;
        y_of[l] = y;
        y += heights[l] + V_GAP;
    }
    let used = column + 1;
    let mut col_left = vec![f64::INFINITY; used];
    let mut col_right = vec![f64::NEG_INFINITY; used];
    for c in 0..k {
        let col = column_of[layer[c]];
        col_left[col] = col_left[col].min(x[c]);
        col_right[col] = col_right[col].max(x[c] + items[c].w);
    }
    let mut col_x = vec![0f64; used];
    let mut at = 0.0;
    for col in 0..used {
        col_x[col] = at;
        if col_right[col].is_finite() {
            at += col_right[col] - col_left[col] + COLUMN_GAP;
        }
    }
    let pos: Vec<(f64, f64)> = (0..k)
        .map(|c| {
            let col = column_of[layer[c]];
            (x[c] - col_left[col] + col_x[col], y_of[layer[c]])
        })
        .collect();
    let width = (0..k).map(|c| pos[c].0 + items[c].w).fold(0.0, f64::max);
    let height = (0..k).map(|c| pos[c].1 + items[c].h).fold(0.0, f64::max);
    (pos, width, height)
}

#[cfg(test)]
pub(super) fn test_place(items: &[(u32, u32, u32)], edges: &[(u32, u32)]) -> Vec<(f64, f64)> {
    let boxes: Vec<ItemBox> = items
        .iter()
        .map(|&(dmin, dmax, tmin)| ItemBox {
            dmin,
            dmax,
            tmin,
            w: NODE_W,
            h: NODE_H,
        })
        .collect();
    place(&boxes, edges).0
}

#[cfg(test)]
pub(super) fn test_order_and_depth(
    n: usize,
    pairs: &[(u32, u32)],
    reads_input: &[bool],
) -> (Vec<u32>, Vec<u32>) {
    order_and_depth(n, pairs, reads_input)
}
