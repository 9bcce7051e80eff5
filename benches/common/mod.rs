//! Generated inputs for the benches: a fixed-seed generator (no `data/`, no sled), so every
//! run measures the same graph.

#![allow(dead_code)]

use std::sync::Arc;

use serde_json::json;
use zammad_links_mock::internals::{
    Catalog, LinkGraph, LinkRow, LinkTypeId, ObjectRef, RecordStore, Stored,
};
use zammad_links_mock::{Millis, ModelKind, Record};

pub use zammad_links_mock::internals::Rng;

/// A graph of `links` links where every ticket has `fanout` links as source, so ticket 1's
/// list always has the same length whatever the graph's size.
pub fn graph(links: usize, fanout: usize) -> LinkGraph {
    let graph = LinkGraph::new();
    let tickets = (links / fanout).max(1) as i64;
    let mut rng = Rng::new(42);
    let mut id = 1;
    for source in 1..=tickets {
        for _ in 0..fanout {
            // Targets drawn from the whole graph keep each ticket's target-side list short.
            let target = tickets + 1 + rng.below(tickets as u64 * 4) as i64;
            graph.insert(&LinkRow {
                id,
                link_type: LinkTypeId(1 + (rng.below(3) as u16)),
                source: ObjectRef::ticket(source),
                target: ObjectRef::ticket(target),
                created_at: Millis(0),
                updated_at: Millis(0),
            });
            id += 1;
        }
    }
    graph
}

/// A catalog with `normal`, `parent` and `child`.
pub fn catalog() -> Catalog {
    let catalog = Catalog::seeded();
    let mut created = Vec::new();
    catalog.ensure_type("parent", &mut created).unwrap();
    catalog.ensure_type("child", &mut created).unwrap();
    catalog
}

/// Records shaped like the seed's: `tickets` tickets (ids 1..), 20 users with roles and a
/// group, each ticket created and owned by a random user.
pub fn records(tickets: i64) -> RecordStore {
    let store = RecordStore::default();
    let mut rng = Rng::new(7);
    let seed_ticket: serde_json::Value =
        serde_json::from_str(zammad_links_mock::DEFAULT_DATA).unwrap();
    let template = seed_ticket["Ticket"]["147470"].as_object().unwrap().clone();
    for id in 1..=tickets {
        let mut attrs = template.clone();
        attrs.insert("id".into(), json!(id));
        attrs.insert("number".into(), json!(format!("{}", 10_000 + id)));
        attrs.insert("owner_id".into(), json!(1 + rng.below(20) as i64));
        attrs.insert("customer_id".into(), json!(1 + rng.below(20) as i64));
        attrs.insert("created_by_id".into(), json!(1 + rng.below(20) as i64));
        attrs.insert("updated_by_id".into(), json!(1 + rng.below(20) as i64));
        store.upsert(
            Record::from_attributes(ModelKind::Ticket, id, attrs)
                .unwrap()
                .0,
        );
    }
    let user = seed_ticket["User"]["3"].as_object().unwrap().clone();
    for id in 1..=20 {
        let mut attrs = user.clone();
        attrs.insert("id".into(), json!(id));
        attrs.insert("login".into(), json!(format!("user{id}")));
        store.upsert(
            Record::from_attributes(ModelKind::User, id, attrs)
                .unwrap()
                .0,
        );
    }
    for kind in [ModelKind::Role, ModelKind::Group] {
        for (id, attrs) in seed_ticket[kind.class_name()].as_object().unwrap() {
            let attrs = attrs.as_object().unwrap().clone();
            let id = id.parse().unwrap();
            store.upsert(Record::from_attributes(kind, id, attrs).unwrap().0);
        }
    }
    store
}

/// The records of tickets `ids`.
pub fn tickets(store: &RecordStore, ids: impl IntoIterator<Item = i64>) -> Vec<Arc<Stored>> {
    ids.into_iter()
        .filter_map(|id| store.get(ModelKind::Ticket, id))
        .collect()
}
