//! Lookup: the links of one object, on generated graphs of growing size with the same
//! fan-out, so a flat line means lookups do not grow with the graph.
//!
//! `random`: any ticket of the graph, the measure; past the CPU caches every lookup
//! pays its memory misses. `hot=1000`: only the first 1,000 tickets of the same graph, a
//! working set that stays cached, which shows how much of the growth is the graph's own
//! work and how much is the memory hierarchy.
//!
//! `random, no lock`: the same lists in a plain hash map, as a reference for what the shard
//! lock of dashmap costs (not what the service uses: its graph is shared between workers).
//!
//! `random, dense array`: the same lists in another layout, as a reference for what a
//! different design would give: one slot per object id in a plain array, up to 8 edges
//! inline, so a lookup reads from a computed address with no chain of pointers (not what the
//! service uses: it needs small dense ids and gives up dashmap's concurrent writes).
//!
//! `floor`: one random 8-byte read from a plain array as large as the graph's edges (48 bytes
//! per link), with the same random draw. Any layout must read at least one line of memory
//! that belongs to the object, from a region at least that large, so this is what a random
//! lookup cannot go below on this machine.

mod common;

use std::collections::HashMap;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use rustc_hash::FxBuildHasher;
use zammad_links_mock::internals::{Edge, LinkGraph, LinkObjectId, LinkTypeId, ObjectRef, Side};

fn lookup(c: &mut Criterion) {
    let mut group = c.benchmark_group("lookup");
    let fanout = 8;
    for links in [1_000usize, 100_000, 1_000_000, 10_000_000] {
        let graph = common::graph(links, fanout);
        let tickets = (links / fanout) as u64;
        for (pattern, drawn_from) in [("random", tickets), ("hot=1000", tickets.min(1_000))] {
            let mut rng = common::Rng::new(9);
            group.bench_with_input(
                BenchmarkId::new(
                    format!("fanout={fanout}/{pattern}"),
                    format!("links={links}"),
                ),
                &graph,
                |b, graph| {
                    b.iter(|| {
                        let ticket = 1 + rng.below(drawn_from) as i64;
                        black_box(graph.edges(black_box(ObjectRef::ticket(ticket))))
                    })
                },
            );
        }
        // The same map without locks: every object of the generated graph (targets are drawn
        // from ids up to 5 × the sources).
        let plain: HashMap<ObjectRef, Vec<Edge>, FxBuildHasher> = (1..=5 * tickets as i64)
            .map(ObjectRef::ticket)
            .map(|object| (object, graph.edges(object)))
            .filter(|(_, edges)| !edges.is_empty())
            .collect();
        let dense = DenseLists::new(&graph, 5 * tickets as usize);
        drop(graph);
        let mut rng = common::Rng::new(9);
        group.bench_with_input(
            BenchmarkId::new(
                format!("fanout={fanout}/random, dense array"),
                format!("links={links}"),
            ),
            &dense,
            |b, dense| {
                b.iter(|| {
                    let ticket = 1 + rng.below(tickets) as usize;
                    black_box(dense.edges(black_box(ticket)))
                })
            },
        );
        drop(dense);
        let mut rng = common::Rng::new(9);
        group.bench_with_input(
            BenchmarkId::new(
                format!("fanout={fanout}/random, no lock"),
                format!("links={links}"),
            ),
            &plain,
            |b, plain| {
                b.iter(|| {
                    let ticket = ObjectRef::ticket(1 + rng.below(tickets) as i64);
                    black_box(plain.get(black_box(&ticket)).cloned().unwrap_or_default())
                })
            },
        );
    }
    for links in [1_000usize, 10_000_000] {
        let words = links * 48 / 8;
        let memory: Vec<u64> = (0..words as u64).collect();
        let mut rng = common::Rng::new(9);
        group.bench_with_input(
            BenchmarkId::new("floor/random-read", format!("links={links}")),
            &memory,
            |b, memory| b.iter(|| black_box(memory[rng.below(words as u64) as usize])),
        );
    }
    group.finish();
}

/// Up to 8 edges per object, inline in one slot per ticket id (24 bytes each, the length in
/// a separate array so that a slot is exactly 3 cache lines).
struct DenseLists {
    lengths: Vec<u8>,
    slots: Vec<[Edge; 8]>,
}

impl DenseLists {
    fn new(graph: &LinkGraph, objects: usize) -> Self {
        let mut lengths = Vec::with_capacity(objects + 1);
        let mut slots = Vec::with_capacity(objects + 1);
        for id in 0..=objects as i64 {
            let edges = graph.edges(ObjectRef::ticket(id));
            let Some(&first) = edges.first() else {
                lengths.push(0);
                slots.push([EMPTY; 8]);
                continue;
            };
            let mut slot = [first; 8];
            let len = edges.len().min(8);
            slot[..len].copy_from_slice(&edges[..len]);
            lengths.push(len as u8);
            slots.push(slot);
        }
        Self { lengths, slots }
    }

    fn edges(&self, id: usize) -> Vec<Edge> {
        self.slots[id][..self.lengths[id] as usize].to_vec()
    }
}

const EMPTY: Edge = Edge {
    link_id: 0,
    other_value: 0,
    other_object: LinkObjectId(0),
    link_type: LinkTypeId(0),
    side: Side::Source,
};

criterion_group!(benches, lookup);
criterion_main!(benches);
