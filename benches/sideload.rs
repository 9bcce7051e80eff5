//! Sideload: building the `links` array and the `assets` for an object with 10, 100 and 1,000
//! links, the work of one `GET /api/v1/links` after the lookup. Time proportional to the
//! links shows as a tenfold step between sizes.

mod common;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use zammad_links_mock::auth::AssetLevel;
use zammad_links_mock::graph::LinkGraph;
use zammad_links_mock::model::{LinkRow, LinkTypeId, Millis, ModelKind, ObjectRef};
use zammad_links_mock::state::LinkList;

fn sideload(c: &mut Criterion) {
    let mut group = c.benchmark_group("sideload");
    let records = common::records(1_200);
    let names = common::catalog().snapshot();
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
            entries,
        };
        group.bench_with_input(
            BenchmarkId::new("response", format!("links={links}")),
            &list,
            |b, list| {
                b.iter(|| {
                    let assets = list.assets(&records);
                    let mut out = String::with_capacity(4096);
                    out.push_str("{\"links\":");
                    list.write_links_json(&mut out);
                    out.push_str(",\"assets\":");
                    assets.write_json(&mut out, AssetLevel::Agent, 3);
                    out.push('}');
                    black_box(out)
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, sideload);
criterion_main!(benches);
