//! Lookup: the links of one object, on generated graphs of growing size with the same
//! fan-out, so a flat line means lookups do not grow with the graph.
//!
//! `random`: any ticket of the graph, the measure; past the CPU caches every lookup
//! pays its memory misses. `hot=1000`: only the first 1,000 tickets of the same graph, a
//! working set that stays cached, which shows how much of the growth is the graph's own
//! work and how much is the memory hierarchy.

mod common;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use zammad_links_mock::model::ObjectRef;

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
    }
    group.finish();
}

criterion_group!(benches, lookup);
criterion_main!(benches);
