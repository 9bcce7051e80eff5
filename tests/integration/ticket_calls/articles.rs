//! Articles (spec §3): the article a create brings, stored as a record and counted, with a
//! customer's forced values; attachments; `GET /api/v1/ticket_articles/by_ticket/:id` in each
//! shape, per line.

use serde_json::{json, Value};

use super::{every_line, humanized, minimal, App, Column, CUSTOMER, OTHER_CUSTOMER};

fn article_of(app: &App, body: Value) -> Value {
    let (status, ticket) = app.create(body);
    assert_eq!(status, 201, "{ticket}");
    let id = ticket["id"].as_i64().unwrap();
    let (status, articles) = app.get(&format!("/api/v1/ticket_articles/by_ticket/{id}"));
    assert_eq!(status, 200);
    articles[0].clone()
}

#[test]
fn an_agents_note_has_zammads_defaults_and_the_lines_columns() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("x");
        body["article"] = json!({"body": "text", "subject": "a\nb", "to": "someone"});
        // Act (§3.1, §3.2)
        let article = article_of(&app, body);
        // Assert
        assert_eq!(article["id"], 464966, "{version:?}");
        assert_eq!(article["ticket_id"], 147472);
        assert_eq!(
            (&article["type_id"], &article["type"]),
            (&json!(10), &json!("note"))
        );
        assert_eq!(
            (&article["sender_id"], &article["sender"]),
            (&json!(1), &json!("Agent"))
        );
        assert_eq!(article["from"], "Max Mustermann");
        assert_eq!(article["subject"], "a b");
        assert_eq!(article["to"], "someone");
        assert_eq!(article["content_type"], "text/plain");
        assert_eq!(
            (&article["internal"], &article["origin_by_id"]),
            (&json!(false), &Value::Null)
        );
        assert_eq!(
            (&article["created_by"], &article["updated_by"]),
            (&json!("test@test.de"), &json!("test@test.de"))
        );
        assert_eq!(article["attachments"], json!([]));
        let keys: Vec<&String> = article.as_object().unwrap().keys().collect();
        match app.column() {
            Column::V50 => {
                assert!(
                    article.get("references").is_some()
                        && article.get("detected_language").is_none()
                );
                assert!(article.get("time_unit").is_none());
                assert_eq!(keys.last().unwrap().as_str(), "attachments");
            }
            Column::V65 | Column::V701 => {
                assert!(article.get("references").is_none(), "{version:?}");
                assert_eq!(article["detected_language"], Value::Null);
                assert_eq!(keys[4], "detected_language");
                assert_eq!(keys.last().unwrap().as_str(), "time_unit");
                assert_eq!(article["time_unit"], Value::Null);
            }
        }
        assert!(article.get("origin_by").is_none(), "only when set");
    }
}

#[test]
fn a_customers_web_article_names_its_author_with_the_address() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("x");
        body["article"] =
            json!({"body": "help", "type": "web", "internal": true, "sender": "Agent"});
        // Act (§3.1: forced values; Zammad's request spec 19)
        let (status, ticket) = app.create_as(CUSTOMER, body);
        assert_eq!(status, 201, "{ticket}");
        let (_, articles) = app.get_as(CUSTOMER, "/api/v1/ticket_articles/by_ticket/147472");
        let article = &articles[0];
        // Assert
        assert_eq!(article["type"], "web", "{version:?}");
        assert_eq!(article["sender"], "Customer");
        assert_eq!(article["internal"], false);
        assert_eq!(
            article["from"], "Nicole Braun <nicole.braun@zammad.org>",
            "{version:?}"
        );
        assert_eq!(article["origin_by"], "nicole.braun@zammad.org");
    }
}

#[test]
fn an_agent_writing_for_the_customer_makes_a_customer_article() {
    for version in every_line() {
        let app = App::start(version);
        let body = json!({"title": "x", "group_id": 1, "customer_id": 2,
                          "article": {"body": "b", "origin_by_id": 2}});
        // Act (§3.1 origin_by_id, sender_id again; Zammad's request spec 10)
        let article = article_of(&app, body);
        // Assert
        assert_eq!(article["sender"], "Customer", "{version:?}");
        assert_eq!(article["origin_by_id"], 2);
        assert_eq!(article["from"], "Nicole Braun", "a note: no address");
    }
}

#[test]
fn an_email_article_needs_the_groups_address_and_the_refusal_is_masked_for_non_admins() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let mut body = minimal("x");
        body["article"] = json!({"body": "mail", "type": "email"});
        // Act (§2.9 last row, §11.4)
        let by_admin = app.create(body.clone());
        let by_agent = app.create_as(super::PLAIN_AGENT, body.clone());
        body["group"] = json!("Mail");
        let (status, ticket) = app.create_as(super::PLAIN_AGENT, body);
        // Assert
        let text = "No email address found for group 'Users' (1)";
        assert_eq!(by_admin, (422, json!({"error": text})), "{version:?}");
        assert!(
            super::is_masked(&by_agent.1) && by_agent.0 == 422,
            "{version:?}"
        );
        assert_eq!(status, 201, "{version:?}: {ticket}");
        let path = format!("/api/v1/ticket_articles/by_ticket/{}", ticket["id"]);
        let (_, articles) = app.get_as(super::PLAIN_AGENT, &path);
        assert_eq!(
            articles[0]["subject"], "x",
            "the title, for an empty subject"
        );
        assert_eq!(articles[0]["type"], "email");
    }
}

#[test]
fn attachments_are_checked_kept_and_listed() {
    for version in every_line() {
        let app = App::start(version);
        let with = |attachments: Value| {
            let mut body = minimal("x");
            body["article"] = json!({"body": "b", "attachments": attachments});
            app.create(body)
        };
        // Act + Assert (§3.1 attachments; Zammad's request spec 12)
        assert_eq!(
            with(json!([{"filename": "a.txt", "data": "aGVsbG8="}])),
            (
                422,
                humanized("Attachment needs 'mime-type' param for attachment with index '0'")
            )
        );
        assert_eq!(
            with(
                json!([{"filename": "a.txt", "data": "aGVsbG8=", "mime-type": "text/plain"},
                        {"filename": "b", "data": "!!", "mime-type": "text/plain"}])
            ),
            (
                422,
                humanized("Invalid base64 for attachment with index '1'")
            )
        );
        let (status, ticket) =
            with(json!([{"filename": "a.txt", "data": "aGVs\nbG8=", "mime-type": "text/plain"}]));
        assert_eq!(status, 201, "{version:?}: {ticket}");
        let (_, articles) = app.get(&format!(
            "/api/v1/ticket_articles/by_ticket/{}",
            ticket["id"]
        ));
        let attachment = &articles[0]["attachments"][0];
        assert_eq!(attachment["filename"], "a.txt");
        assert_eq!(attachment["size"], "5");
        assert_eq!(
            attachment["preferences"],
            json!({"Mime-Type": "text/plain"})
        );
        assert!(attachment["id"].is_i64());
    }
}

#[test]
fn by_ticket_lists_what_the_caller_may_see_in_creation_order() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let mut body = minimal("x");
        body["customer_id"] = json!(2);
        let (_, ticket) = app.create(body);
        let id = ticket["id"].as_i64().unwrap();
        let (status, _) = app.update_as(
            crate::helpers::AGENT,
            id,
            json!({"article": {"body": "internal note", "internal": true}}),
        );
        assert_eq!(status, 200);
        // Act (§3.2)
        let (_, agent) = app.get(&format!("/api/v1/ticket_articles/by_ticket/{id}"));
        let (_, customer) =
            app.get_as(CUSTOMER, &format!("/api/v1/ticket_articles/by_ticket/{id}"));
        let other = app.get_as(
            OTHER_CUSTOMER,
            &format!("/api/v1/ticket_articles/by_ticket/{id}"),
        );
        let missing = app.get("/api/v1/ticket_articles/by_ticket/99999");
        let (_, full) = app.get(&format!("/api/v1/ticket_articles/by_ticket/{id}?full=true"));
        let (_, expand) = app.get(&format!(
            "/api/v1/ticket_articles/by_ticket/{id}?expand=true"
        ));
        // Assert
        let ids = |list: &Value| -> Vec<i64> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_i64().unwrap())
                .collect()
        };
        assert_eq!(ids(&agent), [464966, 464967], "{version:?}");
        assert_eq!(
            ids(&customer),
            [464966],
            "{version:?}: no internal articles"
        );
        assert_eq!(other, (403, humanized("Not authorized")));
        assert_eq!(
            missing,
            (404, humanized("Couldn't find Ticket with 'id'=99999"))
        );
        assert_eq!(full["record_ids"], json!([464966, 464967]));
        // Zammad starts the assets afresh per article: the last one's.
        assert!(
            full["assets"]["TicketArticle"]["464967"].is_object(),
            "{full}"
        );
        assert!(full["assets"]["TicketArticle"].get("464966").is_none());
        assert!(full["assets"]["Ticket"][id.to_string()].is_object());
        assert_eq!(expand, agent);
        // The data set's articles have no record: an empty list.
        assert_eq!(
            app.get("/api/v1/ticket_articles/by_ticket/147469"),
            (200, json!([]))
        );
    }
}

#[test]
fn the_ticket_counts_its_articles_and_lists_their_ids() {
    for version in every_line() {
        let app = App::start(version);
        let id = app.create_simple("x");
        // Act
        let (_, updated) = app.update_as(
            crate::helpers::AGENT,
            id,
            json!({"article": {"body": "system", "sender": "System"}}),
        );
        // Assert (§2.7 article_count)
        assert_eq!(
            updated["article_ids"],
            json!([464966, 464967]),
            "{version:?}"
        );
        assert_eq!(
            updated["article_count"], 1,
            "{version:?}: System articles do not count"
        );
        let (_, all) = app.get(&format!("/api/v1/tickets/{id}?all=true"));
        assert_eq!(all["ticket_article_ids"], json!([464966, 464967]));
    }
}
