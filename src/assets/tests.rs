//! The assets walk over small record graphs: order, dedup, kept closures against walking,
//! their invalidation, and what a customer sees.
use super::*;
use serde_json::json;

fn store(records: Vec<(ModelKind, Value)>) -> RecordStore {
    let store = RecordStore::default();
    for (kind, value) in records {
        let Value::Object(attrs) = value else {
            unreachable!()
        };
        let id = attrs["id"].as_i64().unwrap();
        store.upsert(Record::from_attributes(kind, id, attrs).unwrap().0);
    }
    store
}

fn render(builder: &AssetsBuilder<'_>) -> String {
    let mut out = String::new();
    builder.write_json(&mut out, AssetLevel::Agent, 0);
    out
}

#[test]
fn a_ticket_pulls_in_its_users_then_their_roles_and_groups_once_each() {
    let records = store(vec![
        (
            ModelKind::Ticket,
            json!({"id": 10, "created_by_id": 3, "updated_by_id": 3, "owner_id": 1, "customer_id": 3}),
        ),
        (
            ModelKind::Ticket,
            json!({"id": 11, "created_by_id": 3, "owner_id": 1}),
        ),
        (
            ModelKind::User,
            json!({"id": 3, "role_ids": [1], "group_ids": {"1": ["full"]}, "created_by_id": 1}),
        ),
        (ModelKind::User, json!({"id": 1, "created_by_id": 1})),
        (ModelKind::Role, json!({"id": 1, "created_by_id": 1})),
        (ModelKind::Group, json!({"id": 1, "created_by_id": 1})),
    ]);
    let mut builder = AssetsBuilder::new(&records, ZammadVersion::V5_0);
    builder.add(records.get(ModelKind::Ticket, 10).unwrap());
    builder.add(records.get(ModelKind::Ticket, 11).unwrap());
    let rendered = render(&builder);
    let keys: Vec<String> = serde_json::from_str::<Map<String, Value>>(&rendered)
        .unwrap()
        .iter()
        .map(|(model, ids)| {
            let ids: Vec<&String> = ids.as_object().unwrap().keys().collect();
            format!("{model}{ids:?}")
        })
        .collect();
    assert_eq!(
        keys,
        vec![
            "Ticket[\"10\", \"11\"]",
            "User[\"3\", \"1\"]",
            "Role[\"1\"]",
            "Group[\"1\"]"
        ]
    );
}

#[test]
fn kept_closures_give_what_walking_gives_in_any_order() {
    // Users, roles, groups and organizations pointing at each other (cycles included),
    // some relations missing, and tickets over them; every release's walk.
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |n: i64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        i64::try_from(rng % n.unsigned_abs()).unwrap() + 1
    };
    let mut rows = Vec::new();
    for id in 1..=12 {
        rows.push((
            ModelKind::User,
            json!({"id": id, "role_ids": [next(4), next(6)], "group_ids": {next(3).to_string(): ["read"]},
                   "organization_id": next(4), "created_by_id": next(14), "updated_by_id": next(12)}),
        ));
    }
    for id in 1..=4 {
        rows.push((ModelKind::Role, json!({"id": id, "group_ids": {next(3).to_string(): ["full"]}, "created_by_id": next(12)})));
        rows.push((ModelKind::Organization, json!({"id": id, "member_ids": [next(12), next(12), next(14)], "created_by_id": next(12)})));
    }
    for id in 1..=3 {
        rows.push((
            ModelKind::Group,
            json!({"id": id, "created_by_id": next(12)}),
        ));
    }
    for id in 100..110 {
        rows.push((
            ModelKind::Ticket,
            json!({"id": id, "group_id": next(3), "organization_id": next(5), "owner_id": next(13),
                   "customer_id": next(12), "created_by_id": next(12), "updated_by_id": next(12)}),
        ));
    }
    let records = store(rows);
    for version in ZammadVersion::all() {
        for round in 0..20 {
            let roots: Vec<i64> = (0..1 + round % 5).map(|_| 99 + next(10)).collect();
            let mut walked = AssetsBuilder::new(&records, version);
            for id in &roots {
                walked.add_walking(records.get(ModelKind::Ticket, *id).unwrap());
            }
            let walked = render(&walked);
            // Twice: the first builds the closures, the second reuses them.
            for _ in 0..2 {
                let mut kept = AssetsBuilder::new(&records, version);
                for id in &roots {
                    kept.add(records.get(ModelKind::Ticket, *id).unwrap());
                }
                assert_eq!(render(&kept), walked, "{version:?} {roots:?}");
            }
        }
    }
}

#[test]
fn a_kept_closure_is_dropped_exactly_when_it_could_have_changed() {
    let records = store(vec![
        (ModelKind::Ticket, json!({"id": 10, "owner_id": 1})),
        (
            ModelKind::Ticket,
            json!({"id": 11, "owner_id": 1, "customer_id": 77}),
        ),
        (ModelKind::User, json!({"id": 1})),
    ]);
    let kept = |id: i64| {
        let ticket = records.get(ModelKind::Ticket, id).unwrap();
        let mut builder = AssetsBuilder::new(&records, ZammadVersion::V5_0);
        builder.add(Arc::clone(&ticket));
        drop(builder);
        let closure = ticket.assets.closure();
        Arc::clone(closure.as_ref().expect("a closure is kept"))
    };
    let (complete, missing) = (kept(10), kept(11));
    // Used again while nothing changed.
    assert!(Arc::ptr_eq(&complete, &kept(10)));
    assert!(Arc::ptr_eq(&missing, &kept(11)));
    // A record arrives: only the closure that skipped a missing record is walked again.
    records.upsert(Record::from_json(ModelKind::Group, 5, r#"{"id":5}"#).unwrap());
    assert!(Arc::ptr_eq(&complete, &kept(10)));
    let missing = {
        let again = kept(11);
        assert!(!Arc::ptr_eq(&missing, &again));
        again
    };
    // A member changes: every closure holding it is walked again.
    records.upsert(Record::from_json(ModelKind::User, 1, r#"{"id":1,"x":1}"#).unwrap());
    assert!(!Arc::ptr_eq(&complete, &kept(10)));
    assert!(!Arc::ptr_eq(&missing, &kept(11)));
}

#[test]
fn a_builder_on_a_thread_that_built_one_before_starts_empty() {
    let records = store(vec![
        (ModelKind::Ticket, json!({"id": 10, "owner_id": 1})),
        (ModelKind::User, json!({"id": 1})),
        (ModelKind::Ticket, json!({"id": 11})),
    ]);
    let mut first = AssetsBuilder::new(&records, ZammadVersion::V5_0);
    first.add(records.get(ModelKind::Ticket, 10).unwrap());
    assert_eq!(first.len(), 2);
    drop(first);
    // Act: the second builder takes over the first one's buffers.
    let mut second = AssetsBuilder::new(&records, ZammadVersion::V5_0);
    second.add(records.get(ModelKind::Ticket, 11).unwrap());
    // Assert
    assert_eq!(second.len(), 1);
    assert_eq!(render(&second), r#"{"Ticket":{"11":{"id":11}}}"#);
}

#[test]
fn the_length_bound_covers_what_is_written() {
    let records = store(vec![
        (
            ModelKind::Ticket,
            json!({"id": 10, "owner_id": 1, "customer_id": 2}),
        ),
        (ModelKind::User, json!({"id": 1, "organization_id": 9})),
        (ModelKind::User, json!({"id": 2})),
        (ModelKind::Organization, json!({"id": 9, "member_ids": [2]})),
    ]);
    let mut builder = AssetsBuilder::new(&records, ZammadVersion::V5_0);
    builder.add(records.get(ModelKind::Ticket, 10).unwrap());
    assert!(render(&builder).len() <= builder.json_len_bound());
}

#[test]
fn missing_related_records_are_skipped() {
    let records = store(vec![(ModelKind::Ticket, json!({"id": 10, "owner_id": 99}))]);
    let mut builder = AssetsBuilder::new(&records, ZammadVersion::V5_0);
    builder.add(records.get(ModelKind::Ticket, 10).unwrap());
    assert_eq!(
        render(&builder),
        r#"{"Ticket":{"10":{"id":10,"owner_id":99}}}"#
    );
}

#[test]
fn a_customer_sees_other_users_and_roles_reduced() {
    let records = store(vec![
        (
            ModelKind::User,
            json!({"id": 2, "firstname": "N", "phone": "1", "role_ids": [3]}),
        ),
        (
            ModelKind::User,
            json!({"id": 5, "login": "x", "firstname": "A", "lastname": "B", "active": true}),
        ),
        (
            ModelKind::Role,
            json!({"id": 3, "name": "Customer", "note": "n", "permission_ids": [54]}),
        ),
    ]);
    let mut builder = AssetsBuilder::new(&records, ZammadVersion::V5_0);
    builder.add(records.get(ModelKind::User, 2).unwrap());
    builder.add(records.get(ModelKind::User, 5).unwrap());
    let mut out = String::new();
    builder.write_json(&mut out, AssetLevel::Customer, 2);
    assert_eq!(
        out,
        r#"{"User":{"2":{"id":2,"firstname":"N","role_ids":[3]},"5":{"id":5,"firstname":"A","lastname":"B","active":true}},"Role":{"3":{"id":3,"name":"Role_3","permission_ids":[54]}}}"#
    );
}
