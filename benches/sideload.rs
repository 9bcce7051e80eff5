//! Sideload: the body of one `GET /api/v1/links` for an object with 10, 100 and 1,000 links,
//! after the lookup: the `links` array and the `assets`, rendered by the very function the
//! handler calls (`render::links_response`). Time proportional to the links shows as a
//! tenfold step between sizes.

mod common;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use zammad_links_mock::internals::{
    links_response, AssetLevel, LinkGraph, LinkList, LinkRow, LinkTypeId, ObjectRef, Viewer,
};
use zammad_links_mock::{Millis, ModelKind, ZammadVersion};

fn sideload(c: &mut Criterion) {
    let mut group = c.benchmark_group("sideload");
    let records = common::records(1_200);
    let names = common::catalog().snapshot();
    let viewer = Viewer {
        level: AssetLevel::Agent,
        user_id: 3,
    };
    for links in [10i64, 100, 1_000] {
        let graph = LinkGraph::new();
        for i in 0..links {
            graph.insert(&LinkRow {
                id: i as u64 + 1,
                link_type: LinkTypeId(1),
                source: ObjectRef::ticket(1),
                target: ObjectRef::ticket(2 + i),
                created_at: Millis(0),
                updated_at: Millis(0),
            });
        }
        let entries: Vec<_> = graph
            .edges(ObjectRef::ticket(1))
            .into_iter()
            .map(|edge| (edge, records.get(ModelKind::Ticket, edge.other_value)))
            .collect();
        let list = LinkList {
            names: names.clone(),
            entries: entries.into(),
        };
        group.bench_with_input(
            BenchmarkId::new("response", format!("links={links}")),
            &list,
            |b, list| {
                b.iter(|| black_box(links_response(list, &records, ZammadVersion::V5_0, viewer)))
            },
        );
    }
    group.finish();
}

criterion_group!(benches, sideload);
criterion_main!(benches);
