//! `PUT /api/v1/tickets/:id` (spec §4): the policy with its closed-ticket rule per line, the
//! attributes it takes and ignores, `merged` refused, `updated_at` touched, an article, and
//! the answer in each shape.

use reqwest::Method;
use serde_json::{json, Value};

use super::{
    every_line, humanized, is_masked, minimal, App, Column, CHANGE_AGENT, CUSTOMER, OTHER_CUSTOMER,
    PLAIN_AGENT,
};
use crate::helpers::AGENT;

#[test]
fn an_update_changes_the_attributes_but_never_the_number() {
    for version in every_line() {
        let app = App::start(version);
        let id = app.create_simple("before");
        let (_, before) = app.ticket(id);
        std::thread::sleep(std::time::Duration::from_millis(5));
        // Act (§4.3, §4.6; Zammad's request spec 15, 20)
        let (status, ticket) = app.update_as(
            AGENT,
            id,
            json!({"title": "after", "number": "1", "customer_id": 2, "priority": "3 high",
                   "preferences": {"b": 2}}),
        );
        // Assert
        assert_eq!(status, 200, "{version:?}: {ticket}");
        assert_eq!(ticket["title"], "after");
        assert_eq!(ticket["number"], before["number"], "{version:?}");
        assert_eq!(
            (&ticket["customer_id"], &ticket["priority_id"]),
            (&json!(2), &json!(3))
        );
        assert_eq!(
            ticket["organization_id"], 1,
            "the new customer's organization"
        );
        assert_eq!(ticket["preferences"], json!({"b": 2}));
        assert_ne!(ticket["updated_at"], before["updated_at"]);
        assert_eq!(ticket["updated_by_id"], 3);
        assert_eq!(
            ticket["article_ids"],
            json!([464966]),
            "the record as assets show it"
        );
        // Preferences merge key by key.
        let (_, merged) = app.update_as(AGENT, id, json!({"preferences": {"c": 3}}));
        assert_eq!(
            merged["preferences"],
            json!({"b": 2, "c": 3}),
            "{version:?}"
        );
    }
}

#[test]
fn an_unknown_ticket_is_404_and_one_without_change_access_403() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let id = app.create_simple("x");
        // Act (§4.1, §4.2; Zammad's request spec 14, 19)
        let missing = app.update_as(AGENT, 99999, json!({"title": "y"}));
        let other = app.update_as(OTHER_CUSTOMER, id, json!({"title": "y"}));
        let change = app.update_as(CHANGE_AGENT, id, json!({"title": "by change"}));
        // Assert
        assert_eq!(
            missing,
            (404, humanized("Couldn't find Ticket with 'id'=99999"))
        );
        assert_eq!(other, (403, humanized("Not authorized")), "{version:?}");
        assert_eq!(change.0, 200, "{version:?}: change access suffices");
    }
}

#[test]
fn a_customer_keeps_the_fields_only_agents_change() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let mut body = minimal("x");
        body["customer_id"] = json!(2);
        let (_, ticket) = app.create(body);
        let id = ticket["id"].as_i64().unwrap();
        // Act (§4.3; Zammad's request spec 19)
        let (status, changed) = app.update_as(
            CUSTOMER,
            id,
            json!({"title": "mine", "customer_id": 103, "owner_id": 3, "group_id": 2,
                   "preferences": {"x": 1}}),
        );
        // Assert
        assert_eq!(status, 200, "{version:?}: {changed}");
        assert_eq!(changed["title"], "mine");
        assert_eq!(
            (&changed["customer_id"], &changed["owner_id"]),
            (&json!(2), &json!(1))
        );
        assert_eq!(changed["preferences"], json!({}));
        let moved = changed["group_id"] == json!(2);
        assert_eq!(
            moved,
            app.column() != Column::V701,
            "{version:?}: 7.0.1 keeps the group"
        );
    }
}

#[test]
fn merged_is_never_a_state_an_update_sets() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let id = app.create_simple("x");
        // Act (§4.4; surprise 6)
        let by_admin = app.update_as(AGENT, id, json!({"state": "merged"}));
        let by_agent = app.update_as(PLAIN_AGENT, id, json!({"state_id": 5}));
        let open = app.update_as(PLAIN_AGENT, id, json!({"state_id": 2}));
        let (_, same) = app.update_as(
            PLAIN_AGENT,
            id,
            json!({"state_id": 2, "title": "same state"}),
        );
        // Assert
        let text = "Invalid value '5' for field 'state_id'!";
        match app.column() {
            Column::V50 => assert_eq!(by_admin, (422, humanized(text))),
            Column::V65 | Column::V701 => {
                assert_eq!(by_admin, (422, json!({"error": text})), "{version:?}");
                assert!(is_masked(&by_agent.1), "{version:?}");
            }
        }
        assert_eq!(by_agent.0, 422);
        assert_eq!(open.0, 200, "{version:?}");
        assert_eq!(same["title"], "same state");
        assert_eq!(
            app.ticket(id).1["state_id"],
            2,
            "{version:?}: the refused ones changed nothing"
        );
    }
}

#[test]
fn closing_sets_close_at_and_clears_the_pending_time() {
    for version in every_line() {
        let app = App::start(version);
        let id = app.create_simple("x");
        let (status, pending) = app.update_as(
            AGENT,
            id,
            json!({"state": "pending reminder", "pending_time": "2030-01-01T00:00:00Z"}),
        );
        assert_eq!(status, 200, "{pending}");
        // Act (§4.6)
        let (_, closed) = app.update_as(AGENT, id, json!({"state": "closed"}));
        // Assert
        assert_eq!(closed["state_id"], 4, "{version:?}");
        assert_eq!(closed["pending_time"], Value::Null);
        assert!(closed["close_at"].is_string(), "{version:?}");
        if let Some(last) = closed.get("last_close_at") {
            assert_eq!(last, &closed["close_at"], "{version:?}");
        }
    }
}

#[test]
fn a_closed_ticket_in_a_group_without_follow_ups_refuses_a_customer_as_each_line_does() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let body = json!({"title": "closed", "group": "Closed", "customer_id": 2, "state": "closed",
                          "article": {"body": "b"}});
        let (status, ticket) = app.create_as(PLAIN_AGENT, body);
        assert_eq!(status, 201, "{ticket}");
        let id = ticket["id"].as_i64().unwrap();
        let follow_up = "Cannot follow-up on a closed ticket. Please create a new ticket.";
        // Act (§4.2; Zammad's request spec 26)
        let by_customer = app.update_as(CUSTOMER, id, json!({"state": "open"}));
        let by_other = app.update_as(OTHER_CUSTOMER, id, json!({"title": "x"}));
        let by_agent = app.update_as(PLAIN_AGENT, id, json!({"state": "open"}));
        // Assert
        assert_eq!(by_customer, (422, humanized(follow_up)), "{version:?}");
        let other = match app.column() {
            Column::V50 => humanized("Not authorized"),
            Column::V65 | Column::V701 => humanized(follow_up),
        };
        let other_status = if app.column() == Column::V50 {
            403
        } else {
            422
        };
        assert_eq!(by_other, (other_status, other), "{version:?}");
        assert_eq!(by_agent.0, 200, "{version:?}: agents may reopen");
    }
}

#[test]
fn an_empty_article_adds_nothing_and_a_given_one_is_added() {
    for version in every_line() {
        let app = App::start(version);
        let id = app.create_simple("x");
        // Act (§4.5; Zammad's request spec 21)
        let (_, empty) = app.update_as(AGENT, id, json!({"article": {}}));
        let (_, added) = app.update_as(AGENT, id, json!({"article": {"body": "reply"}}));
        let refused = app.update_as(
            AGENT,
            id,
            json!({"title": "no", "article": {"subject": "s"}}),
        );
        // Assert
        assert_eq!(empty["article_ids"], json!([464966]), "{version:?}");
        assert_eq!(added["article_ids"], json!([464966, 464967]));
        assert_eq!(added["article_count"], 2);
        assert_eq!(refused.0, 422, "{version:?}");
        assert_eq!(
            app.ticket(id).1["title"],
            "x",
            "{version:?}: one transaction"
        );
    }
}

#[test]
fn the_answer_takes_the_shape_asked_for() {
    for version in every_line() {
        let app = App::start(version);
        let id = app.create_simple("x");
        let put = |query: &str| {
            super::answer(app.call(
                Method::PUT,
                &format!("/api/v1/tickets/{id}{query}"),
                Some(AGENT),
                json!({"title": "y"}),
            ))
        };
        // Act (§4.7)
        let (status, expanded) = put("?expand=true");
        let (_, full) = put("?full=true");
        let (_, all) = put("?all=true");
        // Assert
        assert_eq!(
            (status, &expanded["state"]),
            (200, &json!("new")),
            "{version:?}"
        );
        assert_eq!(full["id"], id);
        assert!(full["assets"]["Ticket"][id.to_string()].is_object());
        assert_eq!(all["ticket_id"], id);
        assert_eq!(all["links"], json!([]));
    }
}

#[test]
fn links_are_not_changed_by_an_update() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("x");
        body["links"] = json!({"Ticket": {"normal": [147469]}});
        let (_, ticket) = app.create(body);
        let id = ticket["id"].as_i64().unwrap();
        // Act (§4.6)
        let (status, _) = app.update_as(
            AGENT,
            id,
            json!({"links": {"Ticket": {"normal": [147470]}}}),
        );
        // Assert
        assert_eq!(status, 200, "{version:?}");
        assert_eq!(app.links_of(id), [(json!("normal"), 147469)], "{version:?}");
    }
}
