//! Lookup: the links of one object, on generated graphs of growing size with the same
//! fan-out, so a flat line means lookups do not grow with the graph.

mod common;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use zammad_links_mock::model::ObjectRef;

fn lookup(c: &mut Criterion) {
    let mut group = c.benchmark_group("lookup");
    let fanout = 8;
    for links in [1_000usize, 100_000, 1_000_000] {
        let graph = common::graph(links, fanout);
        let mut rng = common::Rng::new(9);
        let tickets = (links / fanout) as u64;
        group.bench_with_input(
            BenchmarkId::new(format!("fanout={fanout}"), format!("links={links}")),
            &graph,
            |b, graph| {
                b.iter(|| {
                    let ticket = 1 + rng.below(tickets) as i64;
                    black_box(graph.edges(black_box(ObjectRef::ticket(ticket))))
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, lookup);
criterion_main!(benches);
