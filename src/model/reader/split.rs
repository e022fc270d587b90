//! A big graph walked on two threads: one decodes the run of nodes the graph starts with, the
//! other hops over it and walks what comes after, then may take the back of the run
//! ([`NodeCut`]); the parts are joined in file order ([`RawGraph::append`]).

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};

use super::wire::hop;
use super::{read_graph, NodeRecord, OnLeadingNodes, RawGraph, Source, WalkError};
use crate::model::strings::Span;

/// Walks the graph at `start..end` on two threads: this one decodes the run of nodes it starts
/// with, while a second one hops over those nodes (their headers only) and walks every field
/// after them. When the second one is done first, it takes the back part of the nodes this one
/// has not reached yet ([`NodeCut`]): on a graph without weights its own part is short. The
/// result is the one [`read_graph`] gives, and so is the first error: the second thread reads
/// the nodes' headers that this one reads too, and what each decoded is put back in file
/// order. `on_leading_nodes` is given the nodes as soon as they are decoded, when this thread
/// decoded them all.
pub(super) fn read_graph_split(
    src: &mut dyn Source,
    start: u64,
    end: u64,
    on_leading_nodes: OnLeadingNodes,
) -> Result<RawGraph, WalkError> {
    let Some(mut other) = src.another() else {
        let mut g = RawGraph::default();
        read_graph(src, start, end, &mut g, false, None)?;
        return Ok(g);
    };
    let cut = NodeCut::new(start);
    let (nodes, (tail, rest)) = crate::parallel::join(
        true,
        || {
            // Whatever happens here, the second thread gets its answer: at the latest when
            // this thread is done with the run, before it builds the maps.
            let answer = cut.answer_on_drop();
            let mut g = RawGraph::default();
            read_graph(src, start, end, &mut g, true, Some(&cut))?;
            drop(answer);
            if !cut.stopped() {
                on_leading_nodes(&g);
            }
            Ok(g)
        },
        || {
            let (after_nodes, marks) = match skip_leading_nodes(&mut *other, start, end) {
                Ok(hop) => hop,
                Err(e) => return (None, Err(e)),
            };
            let mut g = RawGraph::default();
            let rest = read_graph(&mut *other, after_nodes, end, &mut g, false, None).map(|()| g);
            let tail = match rest {
                Ok(_) => take_tail(&mut *other, &cut, &marks, after_nodes, end),
                Err(_) => None,
            };
            (tail, rest)
        },
    );
    let mut g = nodes?;
    if let Some(tail) = tail {
        g.append(tail?);
    }
    g.append(rest?);
    Ok(g)
}

/// Below this many bytes of nodes left to the first thread, the second one does not take any.
const MIN_TAIL: u64 = 256 << 10;

/// The second thread's share of the run of nodes that ends at `nodes_end`: from the mark
/// halfway between where the first thread is and the end, if the first thread stops there.
/// `None` when it did not stop there (it had passed that node, or finished, or failed).
fn take_tail(
    src: &mut dyn Source,
    cut: &NodeCut,
    marks: &[u64],
    nodes_end: u64,
    end: u64,
) -> Option<Result<RawGraph, WalkError>> {
    let reached = cut.progress();
    let left = nodes_end.checked_sub(reached)?;
    if left < MIN_TAIL {
        return None;
    }
    let halfway = reached + left / 2;
    let from = *marks.get(marks.partition_point(|&m| m < halfway))?;
    if from >= nodes_end {
        return None;
    }
    cut.offer(from);
    // Decoded before the answer is known: the first thread mostly reaches the mark about when
    // this is done. Thrown away if it did not stop there.
    let mut tail = RawGraph::default();
    let decoded = read_graph(src, from, end, &mut tail, true, None).map(|()| tail);
    cut.wait_stopped().then_some(decoded)
}

/// How two threads share a run of nodes: the second one offers to take the nodes from one on
/// (a node's offset), and the first one, which decodes the nodes in order, either stops at that
/// node (the offer is taken) or is already past it or done (it is refused). Only the first
/// thread answers, once, so no node is decoded by both or by neither.
pub(super) struct NodeCut {
    /// The offset of the node the first thread is at.
    progress: AtomicU64,
    /// The offered node's offset; `u64::MAX` while there is no offer.
    offer: AtomicU64,
    answer: AtomicU8,
}

const NO_ANSWER: u8 = 0;
const STOPPED: u8 = 1;
const REFUSED: u8 = 2;

impl NodeCut {
    pub(super) fn new(start: u64) -> Self {
        NodeCut {
            progress: AtomicU64::new(start),
            offer: AtomicU64::new(u64::MAX),
            answer: AtomicU8::new(NO_ANSWER),
        }
    }

    pub(super) fn progress(&self) -> u64 {
        self.progress.load(Ordering::Relaxed)
    }

    /// The first thread, before it decodes the node at `pos`: true when it stops there.
    pub(super) fn stops_at(&self, pos: u64) -> bool {
        self.progress.store(pos, Ordering::Relaxed);
        let offer = self.offer.load(Ordering::Acquire);
        if pos < offer {
            return false;
        }
        let answer = if pos == offer { STOPPED } else { REFUSED };
        // Only the first answer counts: past a refused offer, the walk goes on.
        self.answer
            .compare_exchange(NO_ANSWER, answer, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
            && answer == STOPPED
    }

    pub(super) fn stopped(&self) -> bool {
        self.answer.load(Ordering::Acquire) == STOPPED
    }

    /// Refuses, when dropped, any offer not answered yet or made later: the first thread is done
    /// with the nodes it had, however it ended (done, an error, a panic).
    pub(super) fn answer_on_drop(&self) -> impl Drop + '_ {
        struct Refuse<'c>(&'c NodeCut);
        impl Drop for Refuse<'_> {
            fn drop(&mut self) {
                let _ = self.0.answer.compare_exchange(
                    NO_ANSWER,
                    REFUSED,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                );
            }
        }
        Refuse(self)
    }

    pub(super) fn offer(&self, from: u64) {
        self.offer.store(from, Ordering::Release);
    }

    /// Waits for the first thread's answer: true when it stopped at the offered node. It
    /// answers at the next node it reaches, or when it is done.
    pub(super) fn wait_stopped(&self) -> bool {
        loop {
            match self.answer.load(Ordering::Acquire) {
                NO_ANSWER => std::thread::yield_now(),
                answer => return answer == STOPPED,
            }
        }
    }
}

/// Where the run of nodes at `pos` ends, reading only their headers; and the offsets of every
/// [`MARK_EVERY`]th node, where the second thread may take the rest of the run from.
pub(super) fn skip_leading_nodes(
    src: &mut dyn Source,
    pos: u64,
    end: u64,
) -> Result<(u64, Vec<u64>), WalkError> {
    let mut marks = Vec::new();
    let mut count = 0u32;
    let after = hop(src, pos, end, "GraphProto", |at, f| {
        if f.number != 1 {
            return Ok(false);
        }
        if count % MARK_EVERY == 0 {
            marks.push(at);
        }
        count += 1;
        Ok(true)
    })?;
    Ok((after, marks))
}

/// One node in this many is a place the second thread may take the rest of the run from.
const MARK_EVERY: u32 = 16;

impl RawGraph {
    /// Puts `other`'s fields after this graph's, as if they had been read after them.
    fn append(&mut self, other: RawGraph) {
        let shift = self.strings.append(other.strings);
        let tensors = self.tensors.len() as u32;
        self.nodes
            .extend(other.nodes.into_iter().map(|n| NodeRecord {
                name: n.name.shifted(shift),
                op_type: n.op_type.shifted(shift),
                domain: n.domain.shifted(shift),
                tensors: n.tensors + tensors,
                ..n
            }));
        let shifted = |spans: Vec<Span>| spans.into_iter().map(move |s| s.shifted(shift));
        self.tensors.extend(shifted(other.tensors));
        self.initializers.extend(shifted(other.initializers));
        self.inputs.extend(shifted(other.inputs));
        self.outputs.extend(shifted(other.outputs));
    }
}
