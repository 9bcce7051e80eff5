//! `links` on create (spec §2.6): each id a row with the new ticket as source, the touches,
//! the refusals of a misshapen structure, duplicates as each line treats them, and the
//! authorization of the linked tickets from 7.0.1 (and 6.5.4) on (§11.5).

use serde_json::{json, Value};

use super::{every_line, humanized, minimal, App, Column, CUSTOMER, PLAIN_AGENT};

fn with_links(links: Value) -> Value {
    let mut body = minimal("linked");
    body["links"] = links;
    body
}

#[test]
fn a_parent_link_is_listed_as_child_from_the_new_ticket_and_as_parent_from_the_target() {
    for version in every_line() {
        let app = App::start(version);
        let (_, before) = app.ticket(147469);
        // Act (§2.6; Zammad's request spec 13)
        let (status, ticket) = app.create(with_links(json!({"Ticket": {"parent": [147469]}})));
        // Assert
        assert_eq!(status, 201, "{version:?}: {ticket}");
        assert_eq!(
            app.links_of(147472),
            [(json!("child"), 147469)],
            "{version:?}"
        );
        assert!(
            app.links_of(147469).contains(&(json!("parent"), 147472)),
            "{version:?}"
        );
        // Both ends touched.
        let (_, after) = app.ticket(147469);
        assert_ne!(after["updated_at"], before["updated_at"], "{version:?}");
        assert_eq!(after["updated_at"], ticket["updated_at"], "{version:?}");
        // The link ids continue the data set's: 5.
        let (_, export) = app.get("/__mock/fixtures");
        let row = export["Link"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["link_object_source_value"] == 147472)
            .cloned()
            .unwrap();
        assert_eq!(row["id"], 5, "{version:?}");
        assert_eq!(row["link_type"], "parent");
        assert_eq!(row["link_object_target_value"], 147469);
    }
}

#[test]
fn every_type_and_id_becomes_a_row_in_the_requests_order() {
    for version in every_line() {
        let app = App::start(version);
        let links =
            json!({"Ticket": {"normal": [147470, 147471], "child": [147469], "related": [147470]}});
        // Act
        let (status, _) = app.create(with_links(links));
        // Assert: custom types show as null from the source (§1.4).
        assert_eq!(status, 201, "{version:?}");
        assert_eq!(
            app.links_of(147472),
            [
                (json!("normal"), 147470),
                (json!("normal"), 147471),
                (json!("parent"), 147469),
                (Value::Null, 147470)
            ],
            "{version:?}"
        );
    }
}

#[test]
fn a_missing_target_gives_a_dangling_row_before_7_0_1_and_a_404_after() {
    for version in every_line() {
        let app = App::start(version);
        // Act
        let (status, body) = app.create(with_links(json!({"Ticket": {"normal": [99999]}})));
        // Assert (§2.6, §11.5)
        if version.line_name() == "5.0" || version.line_name() == "6.5" {
            assert_eq!(status, 201, "{version:?}: {body}");
            assert_eq!(app.links_of(147472), [(json!("normal"), 99999)]);
        } else {
            let text = "Couldn't find Ticket with 'id'=99999";
            assert_eq!((status, body), (404, humanized(text)), "{version:?}");
            assert_eq!(app.ticket(147472).0, 404, "{version:?}: rolled back");
        }
    }
}

#[test]
fn misshapen_links_are_refused_with_zammads_texts() {
    for version in every_line() {
        let app = App::start(version);
        let arrow = match app.column() {
            Column::V50 => "Invalid link structure (Object->LinkType)",
            Column::V65 | Column::V701 => "Invalid link structure (Object → LinkType)",
        };
        // Act + Assert (§2.6, §11.4)
        for (links, text) in [
            (json!([147469]), "Invalid link structure"),
            (json!("147469"), "Invalid link structure"),
            (json!(5), "Invalid link structure"),
            (
                json!({"Ticket": [147469]}),
                "Invalid link structure (Object)",
            ),
            (json!({"Ticket": {"normal": 147469}}), arrow),
        ] {
            let (status, body) = app.create(with_links(links.clone()));
            assert_eq!(
                (status, body),
                (422, humanized(text)),
                "{version:?}: {links}"
            );
        }
        // Blank links are no links.
        for blank in [json!({}), json!([]), json!(""), Value::Null] {
            assert_eq!(app.create(with_links(blank)).0, 201, "{version:?}");
        }
    }
}

#[test]
fn a_misshapen_entry_after_a_good_one_keeps_the_good_row_in_5_0_only() {
    for version in every_line() {
        let app = App::start(version);
        let links = json!({"Ticket": {"normal": [147470], "child": 1}});
        // Act (§2.2 atomicity)
        let (status, _) = app.create(with_links(links));
        // Assert
        assert_eq!(status, 422, "{version:?}");
        match app.column() {
            Column::V50 => {
                assert_eq!(app.links_of(147472), [(json!("normal"), 147470)]);
                assert_eq!(
                    app.ticket(147472).1["article_count"],
                    1,
                    "the article stays too"
                );
            }
            Column::V65 | Column::V701 => {
                assert_eq!(app.ticket(147472).0, 404, "{version:?}");
                assert!(!app.links_of(147470).iter().any(|(_, id)| *id == 147472));
                // No link id was used: the next link is 5.
                let (_, _) = app.create(with_links(json!({"Ticket": {"normal": [147470]}})));
                let (_, export) = app.get("/__mock/fixtures");
                let ids: Vec<&Value> = export["Link"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| &l["id"])
                    .collect();
                assert_eq!(ids, [&json!(3), &json!(4), &json!(5)], "{version:?}");
            }
        }
    }
}

#[test]
fn the_same_id_twice_is_refused_in_5_0_and_skipped_later() {
    for version in every_line() {
        let app = App::start(version);
        let links = json!({"Ticket": {"normal": [147470, 147470, 147471]}});
        // Act (§2.6 duplicates)
        let (status, body) = app.create(with_links(links));
        // Assert
        match app.column() {
            Column::V50 => {
                assert_eq!((status, body), (422, humanized("Object already exists!")));
                // The rows before the duplicate stay; the duplicate used up id 6.
                assert_eq!(app.links_of(147472), [(json!("normal"), 147470)]);
                let (_, _) = app.create(with_links(json!({"Ticket": {"normal": [147471]}})));
                let (_, export) = app.get("/__mock/fixtures");
                let last = export["Link"].as_array().unwrap().last().cloned().unwrap();
                assert_eq!(last["id"], 7);
            }
            Column::V65 | Column::V701 => {
                assert_eq!(status, 201, "{version:?}: {body}");
                assert_eq!(
                    app.links_of(147472),
                    [(json!("normal"), 147470), (json!("normal"), 147471)],
                    "{version:?}"
                );
            }
        }
    }
}

#[test]
fn from_7_0_1_the_linked_tickets_must_be_ones_the_caller_may_update() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let authorizes = !(version.line_name() == "5.0" || version.line_name() == "6.5");
        // The 7.3 line's links policy has no customer path (spec §11.5).
        let customers_link = version.line_name() != "7.3";
        // Act (§11.5): the customer links a new ticket to another customer's ticket…
        let links = json!({"Ticket": {"normal": [147469]}});
        let (to_foreign, answer) = app.create_as(CUSTOMER, with_links(links));
        // …and to one of their own.
        let (_, own) = app.create_as(CUSTOMER, minimal("own"));
        let links = json!({"Ticket": {"normal": [own["id"].as_i64().unwrap()]}});
        let (to_own, _) = app.create_as(CUSTOMER, with_links(links));
        // An agent names an object that is not a ticket.
        let links = json!({"KnowledgeBase::Answer::Translation": {"normal": [1]}});
        let (to_other_object, _) = app.create_as(PLAIN_AGENT, with_links(links));
        // Assert
        let own_status = if customers_link { 201 } else { 403 };
        assert_eq!(to_own, own_status, "{version:?}: a customer's own tickets");
        if authorizes {
            assert_eq!(
                (to_foreign, answer),
                (403, humanized("Not authorized")),
                "{version:?}"
            );
            assert_eq!(to_other_object, 403, "{version:?}: never linked unchecked");
            assert!(app.links_of(147469).iter().all(|(_, id)| *id < 147472));
        } else {
            assert_eq!(to_foreign, 201, "{version:?}: the release checks nothing");
            assert!(app.links_of(147469).contains(&(json!("normal"), 147472)));
            assert_eq!(to_other_object, 201, "{version:?}");
        }
    }
}

#[test]
fn a_new_ticket_linked_to_itself_is_stored_where_the_line_stores_self_links() {
    for version in every_line() {
        let app = App::start(version);
        // Act: the next id is predictable (147472).
        let (status, _) = app.create(with_links(json!({"Ticket": {"normal": [147472]}})));
        // Assert: answered 201 whatever the line does with the row.
        assert_eq!(status, 201, "{version:?}");
        let listed = app.links_of(147472);
        assert!(
            listed.is_empty() || listed == [(json!("normal"), 147472), (json!("normal"), 147472)],
            "{version:?}: {listed:?}"
        );
    }
}
