//! `POST /api/v1/tickets` (spec §2): who may call it, the attributes by id and by name, the
//! customer, the defaults, the number, the refusals in Zammad's order, atomicity per line,
//! and the 201 answer in each shape.

use reqwest::Method;
use serde_json::{json, Value};

use super::{
    every_line, humanized, is_masked, minimal, App, Column, ADMIN_ONLY, ADMIN_ONLY_TOKEN,
    CHANGE_AGENT, CUSTOMER, OTHER_CUSTOMER, PLAIN_AGENT,
};
use crate::helpers::AGENT;

#[test]
fn the_first_created_ticket_is_147472_with_number_34147472_and_the_next_follows() {
    for version in every_line() {
        let app = App::start(version);
        // Act
        let (status, first) = app.create(minimal("First"));
        let (_, second) = app.create(minimal("Second"));
        // Assert (§2.8, §11.1)
        assert_eq!(status, 201, "{version:?}: {first}");
        assert_eq!(first["id"], 147472, "{version:?}");
        assert_eq!(first["number"], "34147472", "{version:?}");
        assert_eq!(first["article_ids"], json!([464966]), "{version:?}");
        assert_eq!(second["id"], 147473, "{version:?}");
        assert_eq!(second["number"], "34147473", "{version:?}");
    }
}

#[test]
fn a_caller_without_ticket_agent_or_ticket_customer_gets_the_lines_text() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let (user, token) = match app.column() {
            Column::V50 => ("Not authorized (user)!", "Not authorized (token)!"),
            Column::V65 | Column::V701 => {
                ("User authorization failed.", "Token authorization failed.")
            }
        };
        // Act (§2.1.1)
        let by_basic = app.create_as(ADMIN_ONLY, minimal("x"));
        let by_token = app
            .client
            .post(app.server.url("/api/v1/tickets"))
            .header("Authorization", format!("Token token={ADMIN_ONLY_TOKEN}"))
            .json(&minimal("x"))
            .send()
            .unwrap();
        // Assert
        assert_eq!(by_basic, (403, humanized(user)), "{version:?}");
        assert_eq!(by_token.headers()["x-failure"], token, "{version:?}");
        assert_eq!(
            super::answer(by_token),
            (403, humanized(token)),
            "{version:?}"
        );
        assert_eq!(
            app.ticket(147472).0,
            404,
            "{version:?}: nothing was created"
        );
    }
}

#[test]
fn an_agent_needs_create_on_the_group_and_the_group_must_be_active() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        // Act (§2.1.2; Zammad's request spec 3)
        let change_only = app.create_as(CHANGE_AGENT, minimal("x"));
        let mut inactive = minimal("x");
        inactive["group"] = json!("Gone");
        let inactive = app.create_as(PLAIN_AGENT, inactive);
        // Assert
        assert_eq!(
            change_only,
            (403, humanized("Not authorized")),
            "{version:?}"
        );
        assert_eq!(inactive, (403, humanized("Not authorized")), "{version:?}");
    }
}

#[test]
fn in_5_0_an_agent_who_is_the_owner_may_create_without_group_access() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let mut body = minimal("x");
        body["owner_id"] = json!(102);
        body["group"] = json!("Closed");
        // Act
        let (status, _) = app.create_as(CHANGE_AGENT, body);
        // Assert (§2.1.2: V50 lets the owner through)
        let expected = if app.column() == Column::V50 {
            201
        } else {
            403
        };
        assert_eq!(status, expected, "{version:?}");
    }
}

#[test]
fn a_customer_is_always_the_customer_whatever_it_sends() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let body = json!({"title": "Mine", "group_id": 1, "customer_id": 103, "owner_id": 3,
                          "preferences": {"x": 1}, "customer": {"email": "new@example.com"},
                          "article": {"body": "help", "type": "phone", "internal": true}});
        // Act (§2.2 step 3; Zammad's request spec 18)
        let (status, ticket) = app.create_as(CUSTOMER, body);
        // Assert
        assert_eq!(status, 201, "{version:?}: {ticket}");
        assert_eq!(ticket["customer_id"], 2, "{version:?}");
        assert_eq!(ticket["created_by_id"], 2, "{version:?}");
        assert_eq!(ticket["owner_id"], 1, "{version:?}");
        assert_eq!(ticket["preferences"], json!({}), "{version:?}");
        assert_eq!(
            ticket["organization_id"], 1,
            "{version:?}: Nicole's organization"
        );
        // Forced article values (§3.1): note (phone is not note or web), Customer, public.
        let id = ticket["id"].as_i64().unwrap();
        let (_, articles) = app.get(&format!("/api/v1/ticket_articles/by_ticket/{id}"));
        assert_eq!(articles[0]["type"], "note", "{version:?}");
        assert_eq!(articles[0]["sender"], "Customer", "{version:?}");
        assert_eq!(articles[0]["internal"], false, "{version:?}");
        assert_eq!(articles[0]["origin_by_id"], 2, "{version:?}");
        assert_eq!(
            app.exported_ids("User"),
            [1, 2, 3, 100, 101, 102, 103],
            "{version:?}"
        );
    }
}

#[test]
fn names_become_ids_and_an_id_given_beside_a_name_wins() {
    for version in every_line() {
        let app = App::start(version);
        let body = json!({"title": "Named", "group": "Users", "state": "open", "priority": "3 high",
                          "customer": "nicole.braun@zammad.org", "owner": "test@test.de",
                          "priority_id": 1, "article": {"body": "b"}});
        // Act (§2.4; Zammad's request spec 7, 8)
        let (status, ticket) = app.create(body);
        // Assert
        assert_eq!(status, 201, "{version:?}: {ticket}");
        assert_eq!(
            (
                &ticket["group_id"],
                &ticket["state_id"],
                &ticket["priority_id"]
            ),
            (&json!(1), &json!(2), &json!(1)),
            "{version:?}"
        );
        assert_eq!(
            (&ticket["customer_id"], &ticket["owner_id"]),
            (&json!(2), &json!(3))
        );
        assert!(ticket.get("group").is_none() && ticket.get("customer").is_none());
    }
}

#[test]
fn an_unknown_name_or_a_user_given_as_a_number_is_refused() {
    for version in every_line() {
        let app = App::start(version);
        let with = |key: &str, value: Value| {
            let mut body = minimal("x");
            body[key] = value;
            app.create(body)
        };
        // Act + Assert (§2.4; Zammad's request spec 2)
        assert_eq!(
            with("group", json!("not_existing")),
            (
                422,
                humanized("No lookup value found for 'group': \"not_existing\"")
            ),
            "{version:?}"
        );
        assert_eq!(
            with("owner", json!(5)),
            (
                422,
                humanized("String is needed as ref value 5 for 'owner'")
            ),
            "{version:?}"
        );
        assert_eq!(
            with("state", json!("nope")),
            (
                422,
                humanized("No lookup value found for 'state': \"nope\"")
            ),
            "{version:?}"
        );
        assert_eq!(app.ticket(147472).0, 404, "{version:?}");
    }
}

#[test]
fn a_missing_referenced_record_is_refused_with_the_value_as_ruby_inspects_it() {
    for version in every_line() {
        let app = App::start(version);
        let with = |key: &str, value: Value| {
            let mut body = minimal("x");
            body[key] = value;
            app.create(body)
        };
        // Act + Assert (§2.3; Zammad's request spec 8)
        for (key, value, shown) in [
            ("owner_id", json!(99999), "99999"),
            ("owner_id", json!(0), "0"),
            ("state_id", json!("abc"), "\"abc\""),
            ("customer_id", json!(77), "77"),
            ("group_id", json!(99), "99"),
        ] {
            let text = format!("Invalid value for param '{key}': {shown}");
            assert_eq!(with(key, value), (422, humanized(&text)), "{version:?}");
        }
        // An empty or null owner is no owner: nobody (1).
        for owner in [json!(""), Value::Null] {
            let (status, ticket) = with("owner_id", owner);
            assert_eq!(
                (status, &ticket["owner_id"]),
                (201, &json!(1)),
                "{version:?}"
            );
        }
    }
}

#[test]
fn ignored_attributes_and_non_attributes_are_not_stored() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("x");
        for (key, value) in [
            ("id", json!(5)),
            ("created_by_id", json!(2)),
            ("updated_at", json!("2020-01-01T00:00:00Z")),
            ("article_ids", json!([1, 2])),
            ("whatever", json!("no column")),
            ("remote_access", json!("granted")),
        ] {
            body[key] = value;
        }
        // Act (§2.3)
        let (status, ticket) = app.create(body);
        // Assert
        assert_eq!(status, 201, "{version:?}: {ticket}");
        assert_eq!(ticket["id"], 147472);
        assert_eq!(ticket["created_by_id"], 3);
        assert_ne!(ticket["updated_at"], "2020-01-01T00:00:00.000Z");
        assert_eq!(ticket["article_ids"], json!([464966]));
        assert!(ticket.get("whatever").is_none());
        assert_eq!(
            ticket["remote_access"], "granted",
            "a data set's custom attribute"
        );
    }
}

#[test]
fn a_given_number_is_kept_and_a_taken_one_refused_in_the_lines_words() {
    for version in every_line() {
        let app = App::start(version);
        let with_number = |number: Value| {
            let mut body = minimal("x");
            body["number"] = number;
            app.create(body)
        };
        let exists = match app.column() {
            Column::V50 => "Object already exists!",
            Column::V65 | Column::V701 => "This object already exists.",
        };
        // Act + Assert (§2.3, §2.8)
        assert_eq!(with_number(json!(4711)).1["number"], "4711", "{version:?}");
        assert_eq!(with_number(json!("")).1["number"], "", "{version:?}");
        assert_eq!(
            with_number(json!("34147469")),
            (422, humanized(exists)),
            "{version:?}"
        );
        // Refused creates used no id; a generated number that a ticket has is skipped.
        assert_eq!(
            with_number(json!("34147472")).1["id"],
            147474,
            "{version:?}"
        );
        let (_, generated) = app.create(minimal("y"));
        assert_eq!(
            generated["number"], "34147473",
            "{version:?}: 34147472 is taken"
        );
    }
}

#[test]
fn guess_finds_or_creates_the_customer_and_refuses_a_bad_address() {
    for version in every_line() {
        let app = App::start(version);
        let guess = |address: &str| {
            let mut body = minimal("x");
            body["customer_id"] = json!(format!("guess:{address}"));
            app.create(body)
        };
        // Act (§2.5; Zammad's request spec 9)
        let (status, ticket) = guess("Some.Customer@Example.com");
        let (_, again) = guess("some.customer@example.com");
        let (_, known) = guess("nicole.braun@zammad.org");
        let bad = guess("not an address");
        // Assert
        assert_eq!(status, 201, "{version:?}: {ticket}");
        assert_eq!(ticket["customer_id"], 4, "{version:?}");
        assert_eq!(again["customer_id"], 4, "{version:?}");
        assert_eq!(known["customer_id"], 2, "{version:?}");
        assert_eq!(ticket["organization_id"], Value::Null);
        assert_eq!(
            bad,
            (
                422,
                json!({"error": "Invalid email 'not an address' of customer"})
            ),
            "{version:?}"
        );
        let (_, export) = app.get("/__mock/fixtures");
        let user = &export["User"]["4"];
        assert_eq!(user["login"], "some.customer@example.com", "{version:?}");
        assert_eq!(user["email"], "some.customer@example.com");
        assert_eq!(
            (&user["firstname"], &user["lastname"]),
            (&json!("Some"), &json!("Customer"))
        );
        assert_eq!(user["role_ids"], json!([3]), "the signup role");
        assert_eq!(
            (&user["active"], &user["created_by_id"]),
            (&json!(true), &json!(3))
        );
        assert!(user.get("password").is_none());
        // The data set's user keys, in order (§11.2).
        let sample: Vec<&String> = export["User"]["1"].as_object().unwrap().keys().collect();
        let new: Vec<&String> = user.as_object().unwrap().keys().collect();
        assert_eq!(new, sample, "{version:?}");
    }
}

#[test]
fn a_customer_object_finds_the_user_or_creates_one() {
    for version in every_line() {
        let app = App::start(version);
        let with = |customer: Value| {
            let mut body = minimal("x");
            body.as_object_mut().unwrap().remove("customer_id");
            body["customer"] = customer;
            app.create(body)
        };
        // Act (§2.5; Zammad's request spec 10)
        let (_, by_email) = with(json!({"email": "NICOLE.BRAUN@zammad.org"}));
        let (_, by_id) = with(json!({"id": 3}));
        let (status, new) = with(
            json!({"firstname": "some firstname", "lastname": "some lastname",
                                         "email": "some.new@example.com"}),
        );
        // Assert
        assert_eq!(by_email["customer_id"], 2, "{version:?}");
        assert_eq!(by_id["customer_id"], 3, "{version:?}");
        assert_eq!(
            (status, &new["customer_id"]),
            (201, &json!(4)),
            "{version:?}"
        );
        let (_, export) = app.get("/__mock/fixtures");
        assert_eq!(export["User"]["4"]["firstname"], "some firstname");
        assert_eq!(export["User"]["4"]["login"], "some.new@example.com");
    }
}

#[test]
fn without_a_customer_or_a_title_the_not_null_refusal_names_the_column() {
    for version in every_line() {
        let app = App::start(version);
        let required = |column: &str| match Column::of(version) {
            Column::V50 => format!("Attribute '{column}' required!"),
            Column::V65 | Column::V701 => {
                format!("Attribute '{column}\" of relation \"tickets' required!")
            }
        };
        let mut no_customer = minimal("x");
        no_customer.as_object_mut().unwrap().remove("customer_id");
        let mut no_title = minimal("x");
        no_title.as_object_mut().unwrap().remove("title");
        // Act + Assert (§2.5)
        assert_eq!(
            app.create(no_customer),
            (422, humanized(&required("customer_id")))
        );
        assert_eq!(app.create(no_title), (422, humanized(&required("title"))));
    }
}

#[test]
fn without_a_group_the_lines_text_answers() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("x");
        body.as_object_mut().unwrap().remove("group");
        let text = match app.column() {
            Column::V50 => "Group can't be blank",
            Column::V65 | Column::V701 => "The required value 'group_id' is missing.",
        };
        // Act + Assert (§2.9; Zammad's request spec 1)
        assert_eq!(app.create(body), (422, humanized(text)), "{version:?}");
    }
}

#[test]
fn the_article_is_required_in_5_0_and_optional_later() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("x");
        body.as_object_mut().unwrap().remove("article");
        // Act (§2.2 step 6; Zammad's request spec 5)
        let (status, ticket) = app.create(body);
        // Assert
        match app.column() {
            Column::V50 => {
                assert_eq!(
                    (status, ticket),
                    (422, json!({"error": "article hash is missing"}))
                );
                assert_eq!(app.ticket(147472).0, 404, "nothing created");
            }
            Column::V65 | Column::V701 => {
                assert_eq!(status, 201, "{version:?}: {ticket}");
                assert_eq!(ticket["article_ids"], json!([]));
                assert_eq!(ticket["article_count"], Value::Null);
                assert_eq!(ticket["create_article_type_id"], Value::Null);
            }
        }
    }
}

#[test]
fn an_article_without_a_body_or_with_a_blank_one_as_each_line_has_it() {
    for version in every_line() {
        let app = App::start(version);
        let with = |article: Value| {
            let mut body = minimal("x");
            body["article"] = article;
            app.create(body)
        };
        let missing = match app.column() {
            Column::V50 => r#"Need at least article: { body: "some text" }"#,
            Column::V65 | Column::V701 => "Need at least an 'article body' field.",
        };
        // Act (§2.9; Zammad's request spec 4, 5, 6, 11)
        let (empty_status, empty) = with(json!({}));
        let (_, subject_only) = with(json!({"subject": "only"}));
        let blank = with(json!({"body": " \n "}));
        // Assert
        assert_eq!(
            (empty_status, &empty),
            (422, &humanized(missing)),
            "{version:?}"
        );
        assert_eq!(subject_only, humanized(missing), "{version:?}");
        match app.column() {
            Column::V50 => {
                assert_eq!(blank.0, 201, "{version:?}");
                // No transaction: the tickets of the two refused creates stay, without article.
                let (status, first) = app.ticket(147472);
                assert_eq!((status, &first["article_count"]), (200, &Value::Null));
                assert_eq!(blank.1["id"], 147474);
            }
            Column::V65 | Column::V701 => {
                assert_eq!(blank, (422, humanized(missing)), "{version:?}");
                assert_eq!(app.ticket(147472).0, 404, "{version:?}: rolled back");
                // Nothing was consumed: the next create is still 147472 / 34147472.
                let (_, next) = app.create(minimal("y"));
                assert_eq!(
                    (&next["id"], &next["number"]),
                    (&json!(147472), &json!("34147472"))
                );
            }
        }
    }
}

#[test]
fn a_guess_customer_stays_after_a_later_refusal_in_5_0_only() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("x");
        body["customer_id"] = json!("guess:kept@example.com");
        body["group"] = Value::Null;
        // Act (§2.2 atomicity)
        let (status, _) = app.create(body);
        // Assert
        assert_eq!(status, 422, "{version:?}");
        let kept = app.exported_ids("User").contains(&4);
        assert_eq!(kept, app.column() == Column::V50, "{version:?}");
    }
}

#[test]
fn core_workflow_refuses_states_the_create_screen_does_not_offer() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let with = |who, state: i64, pending: Option<&str>| {
            let mut body = minimal("x");
            body["state_id"] = json!(state);
            if let Some(at) = pending {
                body["pending_time"] = json!(at);
            }
            app.create_as(who, body)
        };
        // Act (§2.9 core workflow)
        let merged_by_admin = with(AGENT, 5, None);
        let merged_by_agent = with(PLAIN_AGENT, 5, None);
        let pending = with(PLAIN_AGENT, 3, None);
        let pending_with_time = with(PLAIN_AGENT, 3, Some("2030-01-01T10:00:00Z"));
        let open_by_customer = with(CUSTOMER, 2, None);
        // Assert
        let invalid = "Invalid value '5' for field 'state_id'!";
        let missing = "Missing required value for field 'pending_time'!";
        match app.column() {
            Column::V50 => {
                assert_eq!(merged_by_admin, (422, humanized(invalid)));
                assert_eq!(merged_by_agent, (422, humanized(invalid)));
                assert_eq!(pending, (422, humanized(missing)));
                assert_eq!(
                    open_by_customer,
                    (422, humanized("Invalid value '2' for field 'state_id'!"))
                );
            }
            Column::V65 | Column::V701 => {
                assert_eq!(
                    merged_by_admin,
                    (422, json!({"error": invalid})),
                    "{version:?}"
                );
                assert_eq!(merged_by_agent.0, 422);
                assert!(
                    is_masked(&merged_by_agent.1),
                    "{version:?}: {}",
                    merged_by_agent.1
                );
                assert!(is_masked(&pending.1) && pending.0 == 422, "{version:?}");
                assert!(is_masked(&open_by_customer.1), "{version:?}");
            }
        }
        assert_eq!(
            pending_with_time.0, 201,
            "{version:?}: {}",
            pending_with_time.1
        );
        assert_eq!(
            pending_with_time.1["pending_time"],
            "2030-01-01T10:00:00.000Z"
        );
    }
}

#[test]
fn defaults_and_computed_fields_of_a_new_ticket() {
    for version in every_line() {
        let app = App::start(version);
        let body = json!({"title": "Line\tone\nline two", "group_id": 1, "customer_id": 2,
                          "article": {"body": "call", "type": "phone", "sender": "Customer"}});
        // Act (§2.7)
        let (status, ticket) = app.create(body);
        // Assert
        assert_eq!(status, 201, "{version:?}: {ticket}");
        assert_eq!(ticket["title"], "Line one line two");
        assert_eq!(
            (&ticket["state_id"], &ticket["priority_id"]),
            (&json!(1), &json!(2))
        );
        assert_eq!(
            (&ticket["owner_id"], &ticket["organization_id"]),
            (&json!(1), &json!(1))
        );
        assert_eq!(
            (&ticket["created_by_id"], &ticket["updated_by_id"]),
            (&json!(3), &json!(3))
        );
        assert_eq!(ticket["article_count"], 1);
        assert_eq!(ticket["create_article_type_id"], 5, "phone");
        assert_eq!(ticket["create_article_sender_id"], 2, "Customer");
        assert_eq!(
            ticket["last_contact_customer_at"],
            ticket["last_contact_at"]
        );
        assert!(ticket["last_contact_at"].is_string(), "{version:?}");
        assert_eq!(ticket["first_response_at"], Value::Null);
        assert_eq!(ticket["preferences"], json!({}));
        assert_eq!(ticket["created_at"], ticket["updated_at"]);
        // An agent's phone call answers first.
        let body = json!({"title": "x", "group_id": 1, "customer_id": 2,
                          "article": {"body": "call", "type": "phone"}});
        let (_, answered) = app.create(body);
        assert!(answered["first_response_at"].is_string(), "{version:?}");
        assert_eq!(
            answered["last_contact_agent_at"],
            answered["first_response_at"]
        );
    }
}

#[test]
fn the_organization_is_the_customers_and_a_given_one_stays_only_where_the_customer_belongs() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("x");
        body["customer_id"] = json!(2);
        body["organization_id"] = json!(1);
        let mut elsewhere = minimal("y");
        elsewhere["organization_id"] = json!(1);
        // Act (§2.7 organization_id)
        let (_, kept) = app.create(body);
        let (_, dropped) = app.create(elsewhere);
        // Assert: customer 3 has no organization, so a given one never stays.
        assert_eq!(kept["organization_id"], 1, "{version:?}");
        assert_eq!(dropped["organization_id"], Value::Null, "{version:?}");
    }
}

#[test]
fn the_answer_is_the_record_as_assets_show_it_with_the_data_sets_keys_in_order() {
    for version in every_line() {
        let app = App::start(version);
        // Act (§2.10, §11.2)
        let (_, created) = app.create(minimal("x"));
        // Assert: the keys of the data set's tickets (in the answer of a full GET).
        let (_, full) = app.get("/api/v1/tickets/147469?full=true");
        let sample: Vec<&String> = full["assets"]["Ticket"]["147469"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        let keys: Vec<&String> = created.as_object().unwrap().keys().collect();
        for key in &sample {
            assert!(keys.contains(key), "{version:?}: {key} missing");
        }
        assert_eq!(created["ticket_time_accounting_ids"], json!([]));
        if app.column() != Column::V50 {
            assert_eq!(
                created["referencing_checklist_ids"],
                json!([]),
                "{version:?}"
            );
        }
        if app.column() == Column::V701 {
            assert_eq!(created["ai_stored_result_ids"], json!([]), "{version:?}");
        }
        assert_eq!(
            (
                &created["remote_access"],
                &created["remote_access_permission_by"]
            ),
            (&json!(""), &Value::Null)
        );
    }
}

#[test]
fn expand_full_and_all_answer_as_the_show_call_does_with_201() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("x");
        body["links"] = json!({"Ticket": {"normal": [147470]}});
        // Act (§2.10)
        let expand = app.call(
            Method::POST,
            "/api/v1/tickets?expand=true",
            Some(AGENT),
            body.clone(),
        );
        let full = app.call(
            Method::POST,
            "/api/v1/tickets?full=true",
            Some(AGENT),
            body.clone(),
        );
        let all = app.call(Method::POST, "/api/v1/tickets?all=true", Some(AGENT), body);
        // Assert
        let (status, expanded) = super::answer(expand);
        assert_eq!(status, 201, "{version:?}");
        assert_eq!(
            (&expanded["group"], &expanded["state"]),
            (&json!("Users"), &json!("new"))
        );
        let (_, shown) = app.get("/api/v1/tickets/147472?expand=true");
        // `updated_at` moved: the later creates touched 147470, not 147472.
        assert_eq!(expanded, shown, "{version:?}");
        let (status, full) = super::answer(full);
        assert_eq!((status, &full["id"]), (201, &json!(147473)), "{version:?}");
        assert!(full["assets"]["Ticket"]["147473"].is_object());
        let (status, all) = super::answer(all);
        assert_eq!(
            (status, &all["ticket_id"]),
            (201, &json!(147474)),
            "{version:?}"
        );
        assert_eq!(
            all["links"],
            json!([{"link_type": "normal", "link_object": "Ticket", "link_object_value": 147470}])
        );
    }
}

#[test]
fn bad_input_gets_a_client_error_and_changes_nothing() {
    for version in every_line() {
        let app = App::start(version);
        let bodies = [
            json!([1, 2]),
            json!("x"),
            json!({"title": {"a": 1}, "group_id": 1, "customer_id": 3, "article": {"body": "b"}}),
            json!({"title": "x", "group_id": [1], "customer_id": 3}),
            json!({"title": "x", "group_id": 1, "customer_id": {"a": 1}, "article": "text"}),
            json!({"title": "x", "group_id": 1e300, "customer_id": 3}),
            json!({"title": "x", "group": {"name": "Users"}, "customer_id": 3}),
            json!({"title": "x", "group_id": 1, "customer_id": 3, "article": {"body": ["a"]}}),
            json!({"title": "x", "group_id": 1, "customer_id": 3, "pending_time": 5}),
        ];
        for body in bodies {
            let (status, answer) = app.create(body.clone());
            assert!(
                (400..500).contains(&status) || status == 201,
                "{version:?}: {body} → {status} {answer}"
            );
        }
        let broken = app
            .client
            .post(app.server.url("/api/v1/tickets"))
            .basic_auth(AGENT.0, Some(AGENT.1))
            .header("Content-Type", "application/json")
            .body("{\"title\":")
            .send()
            .unwrap();
        assert_eq!(broken.status(), 400, "{version:?}");
    }
}

#[test]
fn other_customers_ticket_data_is_not_reachable_through_a_create() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        // Act: a customer tries to name another customer and organization.
        let body = json!({"title": "x", "group_id": 1, "customer_id": 2, "organization_id": 1,
                          "article": {"body": "b"}});
        let (status, ticket) = app.create_as(OTHER_CUSTOMER, body);
        // Assert
        assert_eq!(status, 201, "{version:?}: {ticket}");
        assert_eq!(
            (&ticket["customer_id"], &ticket["organization_id"]),
            (&json!(103), &Value::Null)
        );
    }
}
