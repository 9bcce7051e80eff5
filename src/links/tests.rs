//! The link rules over a real state (in-memory sled), without HTTP.

use std::borrow::Cow;

use super::*;
use crate::auth::{AuthMethod, Caller};
use crate::fixtures::FixtureDocument;
use crate::release::ZammadVersion;
use crate::store::Store;

const DOC: &str = r#"{
  "Permission": {"1": {"id": 1, "name": "admin"}, "2": {"id": 2, "name": "ticket.agent"}},
  "Role": {"2": {"id": 2, "name": "Agent", "permission_ids": [2], "group_ids": {"1": ["full"]}}},
  "Group": {"1": {"id": 1, "name": "Users"}},
  "User": {"3": {"id": 3, "login": "agent", "role_ids": [2]},
           "4": {"id": 4, "login": "nobody", "role_ids": []}},
  "Ticket": {"10": {"id": 10, "number": "1010", "group_id": 1, "updated_at": "2021-01-01T00:00:00.000Z"},
             "20": {"id": 20, "number": "1020", "group_id": 1, "updated_at": "2021-01-01T00:00:00.000Z"},
             "30": {"id": 30, "number": "1030", "group_id": 1}},
  "Link": [{"id": 3, "link_type": "parent", "link_object_source": "Ticket", "link_object_source_value": 10,
            "link_object_target": "Ticket", "link_object_target_value": 20}]
}"#;

fn state() -> AppState {
    let doc = FixtureDocument::from_json(DOC).unwrap();
    AppState::open(Store::temporary().unwrap(), doc, false, ZammadVersion::V5_0).unwrap()
}

fn caller(state: &AppState, user: i64) -> Caller {
    let view = state.view();
    let user = view.records().get(ModelKind::User, user).unwrap();
    Caller::for_user(view.records(), view.grants(), user, AuthMethod::Basic, None)
}

fn ticket_json(state: &AppState, ticket: i64) -> String {
    let view = state.view();
    view.records()
        .get(ModelKind::Ticket, ticket)
        .unwrap()
        .json()
        .to_string()
}

fn run<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

fn add_request(link_type: &str, source_number: &str, target: i64) -> AddLink<'static> {
    AddLink {
        link_type: Some(Cow::Owned(link_type.into())),
        source_object: Some(Cow::Borrowed("Ticket")),
        source_number: Some(Cow::Owned(source_number.into())),
        source_id: Ok(None),
        target_object: Some(Cow::Borrowed("Ticket")),
        target_value: Ok(Some(target)),
        target_shown: format!("[\"Ticket\", {target}, nil]"),
        source_shown: format!("[\"Ticket\", nil, {source_number:?}]"),
    }
}

/// The stored row of an add.
fn stored(added: Added) -> LinkRow {
    match added {
        Added::Stored(row) => row,
        other => panic!("not stored: {other:?}"),
    }
}

fn shown(state: &AppState, ticket: i64) -> Vec<(Option<String>, i64)> {
    let request = ListLinks {
        object: Some(Cow::Borrowed("Ticket")),
        value: Ok(Some(ticket)),
    };
    run(list(state, &request, &caller(state, 3), |list, _| {
        list.entries
            .iter()
            .map(|(edge, _)| {
                // `{"link_type":<name>,` as the list writes it.
                let entry = list.names.entry_type(edge.link_type, edge.side);
                let name = &entry["{\"link_type\":".len()..entry.len() - 1];
                (serde_json::from_str(name).unwrap(), edge.other_value)
            })
            .collect()
    }))
    .unwrap()
}

#[test]
fn a_parent_row_reads_child_from_its_source_and_parent_from_its_target() {
    let state = state();
    assert_eq!(shown(&state, 10), vec![(Some("child".into()), 20)]);
    assert_eq!(shown(&state, 20), vec![(Some("parent".into()), 10)]);
}

#[test]
fn an_unknown_type_reads_null_from_its_source() {
    let state = state();
    run(add(
        &state,
        &add_request("related", "1010", 30),
        &caller(&state, 3),
    ))
    .unwrap();
    assert_eq!(
        shown(&state, 10),
        vec![(Some("child".into()), 20), (None, 30)]
    );
    assert_eq!(shown(&state, 30), vec![(Some("related".into()), 10)]);
}

#[test]
fn a_duplicate_is_refused_but_touches_both_ends_and_uses_up_an_id() {
    let state = state();
    let before = ticket_json(&state, 20);
    let refused = run(add(
        &state,
        &add_request("parent", "1010", 20),
        &caller(&state, 3),
    ));
    assert!(matches!(
        refused,
        Err(DomainError::Refused(Refusal::LinkExists))
    ));
    let after = ticket_json(&state, 20);
    assert_ne!(before, after, "the target was touched");
    let row = run(add(
        &state,
        &add_request("normal", "1010", 30),
        &caller(&state, 3),
    ))
    .map(stored)
    .unwrap();
    assert_eq!(row.id, 5, "id 4 went to the refused duplicate");
}

#[test]
fn the_reverse_of_a_link_is_a_new_link() {
    let state = state();
    let row = run(add(
        &state,
        &add_request("parent", "1020", 10),
        &caller(&state, 3),
    ))
    .map(stored)
    .unwrap();
    assert_eq!((row.source.value, row.target.value), (20, 10));
}

#[test]
fn a_source_is_found_by_number_not_id() {
    let state = state();
    let refused = run(add(
        &state,
        &add_request("normal", "10", 30),
        &caller(&state, 3),
    ));
    assert!(matches!(
        refused,
        Err(DomainError::Refused(Refusal::NoSuchObject))
    ));
}

#[test]
fn a_caller_without_agent_or_admin_is_not_authorized_before_any_parameter_is_read() {
    let state = state();
    let mut request = add_request("normal", "1010", 30);
    request.target_value = Err(ParamsError::OutOfRange("9".repeat(30)));
    let refused = run(add(&state, &request, &caller(&state, 4)));
    assert!(matches!(
        refused,
        Err(DomainError::Refused(Refusal::NotAuthorized))
    ));
    let refused = run(add(&state, &request, &caller(&state, 3)));
    assert!(matches!(
        refused,
        Err(DomainError::Refused(Refusal::BadParameter(_)))
    ));
}

#[test]
fn remove_by_the_inverse_answers_the_removed_row_and_touches_both_ends() {
    let state = state();
    let request = RemoveLink {
        link_type: NameOrId::Name(Some(Cow::Borrowed("child"))),
        source_object: NameOrId::Name(Some(Cow::Borrowed("Ticket"))),
        source_value: Ok(Some(20)),
        target_object: NameOrId::Name(Some(Cow::Borrowed("Ticket"))),
        target_value: Ok(Some(10)),
        target_shown: "[\"Ticket\", 10, nil]".into(),
    };
    let removed = run(remove(&state, &request, &caller(&state, 3))).unwrap();
    assert_eq!(removed.iter().map(|r| r.id).collect::<Vec<_>>(), vec![3]);
    assert!(shown(&state, 10).is_empty());
    for ticket in [10, 20] {
        let json = ticket_json(&state, ticket);
        assert!(
            !json.contains("2021-01-01"),
            "ticket {ticket} touched: {json}"
        );
    }
}

#[test]
fn remove_as_stored_deletes_but_answers_an_empty_array() {
    let state = state();
    let request = RemoveLink {
        link_type: NameOrId::Name(Some(Cow::Borrowed("parent"))),
        source_object: NameOrId::Name(Some(Cow::Borrowed("Ticket"))),
        source_value: Ok(Some(10)),
        target_object: NameOrId::Id(Ok(Some(1))),
        target_value: Ok(Some(20)),
        target_shown: "[nil, 20, nil]".into(),
    };
    let removed = run(remove(&state, &request, &caller(&state, 3))).unwrap();
    assert!(removed.is_empty());
    assert!(shown(&state, 20).is_empty());
}

#[test]
fn a_lists_future_stays_small() {
    // The list's future is part of the future actix allocates for every GET; the rare path
    // that creates a name (and awaits a flush) is boxed so that it does not inflate it.
    let state = state();
    let caller = caller(&state, 3);
    let request = ListLinks {
        object: Some(Cow::Borrowed("Ticket")),
        value: Ok(Some(10)),
    };
    let future = list(&state, &request, &caller, |list, _| list.entries.len());
    let size = std::mem::size_of_val(&future);
    assert!(size <= 256, "{size} bytes");
}
