//! `GET|POST /api/v1/tickets/search` (spec §7, §11.6), as a Zammad without Elasticsearch
//! answers it, on every line: the answer's shapes per column (§7.2), who sees what (§7.1),
//! the match (title, number, article fields; 5.0's one entry per article row and case;
//! tickets without articles; field syntax taken literally), `condition`, the order and its
//! refusals, and paging.

use reqwest::Method;
use serde_json::{json, Value};
use zammad_links_mock::FixtureDocument;

use super::{
    answer, every_line, is_masked, minimal, App, Column, ADMIN_ONLY, CHANGE_AGENT, CUSTOMER,
    OTHER_CUSTOMER, PLAIN_AGENT,
};
use crate::helpers::AGENT;

/// The default data set's tickets, newest `updated_at` first.
const BY_UPDATE: [i64; 3] = [147470, 147469, 147471];

impl App {
    /// `GET /api/v1/tickets/search?<query>` as `who`.
    fn search_as(&self, who: (&str, &str), query: &str) -> (u16, Value) {
        self.get_as(who, &format!("/api/v1/tickets/search?{query}"))
    }

    /// `GET /api/v1/tickets/search?<query>` as the default agent (an admin).
    fn search(&self, query: &str) -> (u16, Value) {
        self.search_as(AGENT, query)
    }

    /// `POST /api/v1/tickets/search` with a JSON body as `who`.
    fn post_search_as(&self, who: (&str, &str), body: Value) -> (u16, Value) {
        answer(self.call(Method::POST, "/api/v1/tickets/search", Some(who), body))
    }

    /// The ids a plain search answer lists, in order, whatever the column.
    fn listed(&self, body: &Value) -> Vec<i64> {
        let list = match self.column() {
            Column::V50 => body["tickets"].as_array(),
            Column::V65 | Column::V701 => body.as_array(),
        };
        list.unwrap_or_else(|| panic!("{:?}: not a plain answer: {body}", self.version))
            .iter()
            .map(|entry| entry.as_i64().or_else(|| entry["id"].as_i64()).unwrap())
            .collect()
    }

    /// The ids a plain search for `query` as `who` lists.
    fn found_as(&self, who: (&str, &str), query: &str) -> Vec<i64> {
        let (status, body) = self.search_as(who, query);
        assert_eq!(status, 200, "{:?} {query}: {body}", self.version);
        self.listed(&body)
    }

    fn found(&self, query: &str) -> Vec<i64> {
        self.found_as(AGENT, query)
    }

    /// A ticket created by the default agent from `body` (group `Users` unless given).
    fn made(&self, body: Value) -> i64 {
        let (status, made) = self.create(body);
        assert_eq!(status, 201, "{made}");
        made["id"].as_i64().unwrap()
    }

    /// Merges tickets `id`… shaped like the data set's, each with `articles` article ids
    /// that have no record, in group `group` for customer `customer`.
    fn merge_tickets(&self, tickets: &[(i64, &str, i64, &[i64])]) {
        let mut section = serde_json::Map::new();
        for (id, title, customer, articles) in tickets {
            section.insert(
                id.to_string(),
                json!({"id": id, "group_id": 1, "priority_id": 2, "state_id": 2,
                       "organization_id": null, "number": format!("77{id}"), "title": title,
                       "owner_id": 1, "customer_id": customer, "created_by_id": 1,
                       "updated_by_id": 1, "created_at": "2021-11-03T10:00:00.000Z",
                       "updated_at": format!("2021-11-03T09:{:02}:00.000Z", id % 60),
                       "article_ids": articles}),
            );
        }
        let doc = json!({ "Ticket": section });
        self.server
            .merge_fixtures(&FixtureDocument::from_value(doc).unwrap())
            .unwrap();
    }
}

#[test]
fn search_is_routed_before_the_ticket_route_for_get_and_post_with_and_without_json() {
    for version in every_line() {
        let app = App::start(version);
        for path in ["/api/v1/tickets/search", "/api/v1/tickets/search.json"] {
            // Act
            let get = answer(app.call(Method::GET, path, Some(AGENT), Value::Null));
            let post = answer(app.call(Method::POST, path, Some(AGENT), json!({})));
            // Assert: not "Couldn't find Ticket with 'id'=search"
            assert_eq!(get.0, 200, "{version:?} {path}: {}", get.1);
            assert_eq!(post, get, "{version:?} {path}");
        }
        let put = app.call(
            Method::PUT,
            "/api/v1/tickets/search",
            Some(AGENT),
            json!({}),
        );
        assert_eq!(
            put.status(),
            404,
            "{version:?}: PUT is the show route's 404"
        );
    }
}

#[test]
fn the_plain_answer_takes_each_columns_shape() {
    for version in every_line() {
        let app = App::start(version);
        // Act
        let (status, body) = app.search("query=Test%20Ticket");
        // Assert (§7.2 "none of the below")
        assert_eq!(status, 200);
        match app.column() {
            Column::V50 => {
                assert_eq!(body["tickets"], json!(BY_UPDATE), "{body}");
                assert_eq!(body["tickets_count"], 3);
                let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
                assert_eq!(keys, ["tickets", "tickets_count", "assets"]);
                assert_eq!(
                    body["assets"]["Ticket"]["147469"]["number"], "34147469",
                    "{body}"
                );
                assert!(body["assets"]["User"]["3"].is_object());
            }
            Column::V65 | Column::V701 => {
                let records = body.as_array().unwrap();
                assert_eq!(app.listed(&body), BY_UPDATE);
                // The record as assets hold it: its columns and its `*_ids`.
                let (_, full) = app.get("/api/v1/tickets/147470?full=true");
                assert_eq!(
                    records[0], full["assets"]["Ticket"]["147470"],
                    "{version:?}"
                );
                assert!(records[0]["article_ids"].is_array());
            }
        }
    }
}

#[test]
fn expand_lists_the_tickets_with_names_in_every_line() {
    for version in every_line() {
        let app = App::start(version);
        // Act
        let (status, body) = app.search("query=Test&expand=true");
        // Assert
        assert_eq!(status, 200);
        let list = body
            .as_array()
            .unwrap_or_else(|| panic!("{version:?}: {body}"));
        let ids: Vec<i64> = list.iter().map(|t| t["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, BY_UPDATE);
        let (_, expanded) = app.get("/api/v1/tickets/147470?expand=true");
        assert_eq!(list[0], expanded, "{version:?}");
    }
}

#[test]
fn full_is_asked_before_expand_and_answers_record_ids_assets_and_the_total_from_6_5() {
    for version in every_line() {
        let app = App::start(version);
        // Act
        let (_, full) = app.search("query=Test&full=true&per_page=2");
        let (_, both) = app.search("query=Test&full=true&expand=true");
        // Assert
        match app.column() {
            Column::V50 => {
                // 5.0's search reads no `full`: the plain answer, and `expand` wins.
                assert_eq!(full["tickets"], json!(BY_UPDATE[..2]), "{full}");
                assert_eq!(full["tickets_count"], 2);
                assert!(both.is_array());
            }
            Column::V65 | Column::V701 => {
                assert_eq!(full["record_ids"], json!(BY_UPDATE[..2]), "{full}");
                assert_eq!(full["total_count"], 3);
                let keys: Vec<&String> = full.as_object().unwrap().keys().collect();
                assert_eq!(keys, ["record_ids", "assets", "total_count"]);
                let tickets: Vec<&String> = full["assets"]["Ticket"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .collect();
                assert_eq!(tickets, ["147470", "147469"]);
                assert_eq!(both["record_ids"], json!(BY_UPDATE));
            }
        }
    }
}

#[test]
fn with_total_count_wraps_records_from_7_0_and_only_total_count_counts_from_6_5() {
    for version in every_line() {
        let app = App::start(version);
        // Act
        let (_, with) = app.search("query=Test&with_total_count=true&per_page=1");
        let (_, with_expand) = app.search("query=Test&with_total_count=true&expand=true");
        let (_, without) = app.search("query=Test&with_total_count=false");
        let (_, only) = app.search("query=Test&only_total_count=true");
        // Assert
        match app.column() {
            Column::V50 => {
                assert_eq!(app.listed(&with), [BY_UPDATE[0]]);
                assert!(with_expand.is_array());
                assert_eq!(only["tickets_count"], 3, "{only}");
            }
            Column::V65 => {
                assert_eq!(app.listed(&with), [BY_UPDATE[0]]);
                assert!(with_expand.is_array());
                assert_eq!(only, json!({"total_count": 3}));
            }
            Column::V701 => {
                assert_eq!(with["total_count"], 3, "{with}");
                assert_eq!(with["records"][0]["id"], BY_UPDATE[0]);
                assert_eq!(with["records"].as_array().unwrap().len(), 1);
                assert_eq!(with_expand["total_count"], 3);
                assert_eq!(with_expand["records"][0]["group"], "Users");
                assert_eq!(only, json!({"total_count": 3}));
            }
        }
        assert!(without.is_array() || app.column() == Column::V50);
    }
}

#[test]
fn term_and_label_answer_labels_from_6_5_and_mean_nothing_in_5_0() {
    for version in every_line() {
        let app = App::start(version);
        let (_, mine) = app.create(minimal("Unrelated words"));
        let mine = mine["id"].as_i64().unwrap();
        // Act
        let (_, term) = app.search("term=Test%20Ticket");
        let (_, label) = app.search("query=%233&label=x");
        let (_, wrapped) = app.search("term=%233&with_total_count=true");
        // Assert
        match app.column() {
            Column::V50 => {
                // No `query`: every ticket in scope.
                assert_eq!(
                    app.listed(&term),
                    [mine, BY_UPDATE[0], BY_UPDATE[1], BY_UPDATE[2]]
                );
                assert_eq!(app.listed(&label), [147471]);
            }
            Column::V65 | Column::V701 => {
                let labels: Vec<Value> = BY_UPDATE
                    .iter()
                    .map(|id| json!({"id": id, "label": id, "value": id}))
                    .collect();
                assert_eq!(term, json!(labels), "{version:?}");
                assert_eq!(
                    label,
                    json!([{"id": 147471, "label": 147471, "value": 147471}])
                );
                if app.column() == Column::V701 {
                    assert_eq!(wrapped["total_count"], 1, "{wrapped}");
                    assert_eq!(wrapped["records"][0]["label"], 147471);
                } else {
                    assert_eq!(wrapped[0]["label"], 147471, "{wrapped}");
                }
            }
        }
    }
}

#[test]
fn an_empty_result_takes_each_columns_shape() {
    for version in every_line() {
        let app = App::start(version);
        // Act
        let (status, body) = app.search("query=nothing%20like%20this");
        let (_, full) = app.search("query=nothing&full=true");
        // Assert
        assert_eq!(status, 200);
        match app.column() {
            Column::V50 => {
                assert_eq!(
                    body,
                    json!({"tickets": [], "tickets_count": 0, "assets": {}})
                );
            }
            Column::V65 | Column::V701 => {
                assert_eq!(body, json!([]));
                assert_eq!(
                    full,
                    json!({"record_ids": [], "assets": {}, "total_count": 0})
                );
            }
        }
    }
}

#[test]
fn each_caller_sees_its_columns_scope() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let doc = json!({"User": {"104": {"id": 104, "login": "colleague@example.com",
            "email": "colleague@example.com", "password": "test", "firstname": "Col",
            "lastname": "League", "active": true, "role_ids": [3], "group_ids": {},
            "organization_id": 1, "created_by_id": 1, "updated_by_id": 1}}});
        app.server
            .merge_fixtures(&FixtureDocument::from_value(doc).unwrap())
            .unwrap();
        let for_customer = |customer: i64, group: &str| {
            let mut body = minimal("Scoped");
            body["customer_id"] = json!(customer);
            body["group"] = json!(group);
            let (status, made) = app.create_as(PLAIN_AGENT, body);
            assert_eq!(status, 201, "{made}");
            made["id"].as_i64().unwrap()
        };
        let nicoles = for_customer(2, "Users");
        let colleagues = for_customer(104, "Users");
        let others = for_customer(103, "Users");
        let admin_onlys = for_customer(100, "Users");
        let closed_group = for_customer(3, "Closed");
        // Act
        let sees = |who| {
            let mut found = app.found_as(who, "query=Scoped");
            found.sort_unstable();
            found
        };
        // Assert (§7.1)
        let everything = vec![nicoles, colleagues, others, admin_onlys, closed_group];
        assert_eq!(
            sees(PLAIN_AGENT),
            everything,
            "{version:?}: full on every group"
        );
        assert_eq!(
            sees(CHANGE_AGENT),
            vec![nicoles, colleagues, others, admin_onlys],
            "{version:?}: read on group 1 only"
        );
        // The customer's own ticket and her shared organization's.
        assert_eq!(sees(CUSTOMER), vec![nicoles, colleagues], "{version:?}");
        assert_eq!(sees(OTHER_CUSTOMER), vec![others], "{version:?}");
        // Neither ticket.agent nor ticket.customer: own tickets in 5.0, nothing after.
        match app.column() {
            Column::V50 => assert_eq!(sees(ADMIN_ONLY), vec![admin_onlys], "{version:?}"),
            Column::V65 | Column::V701 => {
                assert_eq!(sees(ADMIN_ONLY), Vec::<i64>::new(), "{version:?}");
                // Even a bad sort is not looked at.
                let (status, _) = app.search_as(ADMIN_ONLY, "sort_by=nope");
                assert_eq!(status, 200);
            }
        }
    }
}

#[test]
fn in_5_0_a_ticket_is_listed_once_per_matching_article_row_later_once() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("Twice over");
        body["article"] = json!({"body": "alpha beta"});
        let id = app.made(body);
        let (status, _) = app.update_as(AGENT, id, json!({"article": {"body": "alpha gamma"}}));
        assert_eq!(status, 200);
        // Act
        let (_, by_title) = app.search("query=Twice");
        let (_, by_both_bodies) = app.search("query=alpha");
        let (_, by_one_body) = app.search("query=gamma");
        let (_, paged) = app.search("query=Twice&per_page=1&page=2");
        // Assert
        match app.column() {
            Column::V50 => {
                assert_eq!(by_title["tickets"], json!([id, id]), "{by_title}");
                assert_eq!(by_title["tickets_count"], 2);
                assert_eq!(by_both_bodies["tickets"], json!([id, id]));
                assert_eq!(by_one_body["tickets"], json!([id]));
                // The entries are paged, not the tickets.
                assert_eq!(paged["tickets"], json!([id]));
            }
            Column::V65 | Column::V701 => {
                assert_eq!(app.listed(&by_title), [id]);
                assert_eq!(app.listed(&by_both_bodies), [id]);
                assert_eq!(app.listed(&by_one_body), [id]);
                assert_eq!(app.listed(&paged), Vec::<i64>::new());
            }
        }
    }
}

#[test]
fn the_query_is_case_sensitive_in_5_0_only() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("Printer Broken");
        body["article"] = json!({"body": "Paper JAM", "subject": "Ärger"});
        let id = app.made(body);
        // Act + Assert
        let sensitive = app.column() == Column::V50;
        let expect = |hit: bool| if hit { vec![id] } else { Vec::new() };
        assert_eq!(app.found("query=Printer"), [id]);
        assert_eq!(
            app.found("query=printer"),
            expect(!sensitive),
            "{version:?}"
        );
        assert_eq!(app.found("query=paper%20jam"), expect(!sensitive));
        assert_eq!(app.found("query=%C3%A4rger"), expect(!sensitive));
        assert_eq!(app.found("query=Jam*"), expect(!sensitive), "`*` removed");
    }
}

#[test]
fn every_article_field_matches_and_only_the_ticket_matches_for_record_less_article_ids() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("Plain title");
        body["article"] = json!({"body": "the body text", "subject": "subject words",
                                 "to": "recipient@example.com", "type": "note"});
        let id = app.made(body);
        // Act + Assert: body, subject, to, from (the author's name)
        for query in [
            "body%20text",
            "subject%20words",
            "recipient%40",
            "Max%20Muster",
        ] {
            let found = app.found(&format!("query={query}"));
            assert!(found.contains(&id), "{version:?} {query}: {found:?}");
        }
        // The data set's tickets list article ids without records: their number matches.
        assert_eq!(app.found("query=34147470"), [147470]);
    }
}

#[test]
fn tickets_without_articles_never_match_a_query_and_the_blank_query_differs_by_line() {
    for version in every_line() {
        let app = App::start(version);
        app.merge_tickets(&[(500, "Bare ticket", 3, &[])]);
        // Act
        let by_title = app.found("query=Bare");
        let no_query = app.found("");
        let blank = app.found("query=");
        let stars = app.found("query=**");
        // Assert (§7.1)
        assert_eq!(by_title, Vec::<i64>::new(), "{version:?}");
        assert!(
            no_query.contains(&500),
            "{version:?}: no query is every ticket in scope"
        );
        let joined = app.column() == Column::V50;
        assert_eq!(blank.contains(&500), !joined, "{version:?}: {blank:?}");
        assert_eq!(stars.contains(&500), !joined, "{version:?}");
        assert_eq!(blank.len(), if joined { 3 } else { 4 });
    }
}

#[test]
fn field_syntax_is_matched_literally_as_without_elasticsearch() {
    for version in every_line() {
        let app = App::start(version);
        let mut body = minimal("Mentions number:34147470 literally");
        body["article"] = json!({"body": "x"});
        let id = app.made(body);
        // Act + Assert
        assert_eq!(app.found("query=number:34147470"), [id], "{version:?}");
        assert_eq!(app.found("query=state.name:open"), Vec::<i64>::new());
        assert_eq!(app.found("query=Test%20AND%20Ticket"), Vec::<i64>::new());
        assert_eq!(app.found("query=4147470"), [id, 147470]);
    }
}

#[test]
fn conditions_is_is_not_contains_and_contains_not_select_ticket_columns() {
    for version in every_line() {
        let app = App::start(version);
        let search = |condition: Value| {
            let (status, body) = app.post_search_as(AGENT, json!({ "condition": condition }));
            assert_eq!(status, 200, "{version:?} {condition}: {body}");
            app.listed(&body)
        };
        let op = |column: &str, operator: &str, value: Value| json!({ column: {"operator": operator, "value": value} });
        // Act + Assert (§11.6)
        assert_eq!(search(op("ticket.id", "is", json!(147469))), [147469]);
        assert_eq!(
            search(op("ticket.id", "is", json!([147469, "147471"]))),
            [147469, 147471]
        );
        assert_eq!(
            search(op("ticket.id", "is not", json!([147469]))),
            [147470, 147471]
        );
        assert_eq!(
            search(op("ticket.title", "contains", json!("ticket #2"))),
            [147470]
        );
        assert_eq!(
            search(op("ticket.title", "contains not", json!("#2"))),
            [147469, 147471]
        );
        let both = json!({"ticket.title": {"operator": "contains", "value": "Test"},
                          "ticket.number": {"operator": "is not", "value": "34147469"}});
        assert_eq!(search(both), [147470, 147471]);
        // Another table's attribute, or no column: an empty result.
        assert_eq!(
            search(op("customer.email", "is", json!("x"))),
            Vec::<i64>::new()
        );
        assert_eq!(
            search(op("ticket.tags", "contains", json!("x"))),
            Vec::<i64>::new()
        );
        // No value: `selector2sql` gives up and the search has no condition.
        assert_eq!(
            search(json!({"ticket.title": {"operator": "is"}})),
            BY_UPDATE
        );
        // 5.0's query branch ignores the condition; 6.5+ apply both.
        let (_, with_query) = app.post_search_as(
            AGENT,
            json!({"query": "Test", "condition": op("ticket.id", "is", json!(147469))}),
        );
        let expected: &[i64] = match app.column() {
            Column::V50 => &BY_UPDATE,
            Column::V65 | Column::V701 => &[147469],
        };
        assert_eq!(app.listed(&with_query), expected, "{version:?}");
    }
}

#[test]
fn a_condition_zammad_cannot_read_is_a_422_with_its_text_for_admins_and_masked_else() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        let before = app.found("");
        // Act
        let (admin_status, admin) =
            app.post_search_as(AGENT, json!({"condition": {"ticket.title": "x"}}));
        let (other_status, other) =
            app.post_search_as(PLAIN_AGENT, json!({"condition": {"ticket.title": "x"}}));
        let (_, no_operator) = app.post_search_as(
            AGENT,
            json!({"condition": {"ticket.title": {"value": "x"}}}),
        );
        let (_, bad_operator) = app.post_search_as(
            AGENT,
            json!({"condition": {"ticket.title": {"operator": "sounds like", "value": "x"}}}),
        );
        let (unsupported_status, unsupported) = app.post_search_as(
            AGENT,
            json!({"condition": {"ticket.created_at":
                {"operator": "after (absolute)", "value": "2021-01-01T00:00:00Z"}}}),
        );
        // Assert
        assert_eq!(admin_status, 422, "{version:?}: {admin}");
        assert_eq!(admin, json!({"error": "Invalid selector \"x\""}));
        assert_eq!(other_status, 422);
        assert!(is_masked(&other), "{other}");
        assert_eq!(
            no_operator,
            json!({"error": "Invalid selector, operator missing {\"value\"=>\"x\"}"})
        );
        assert_eq!(
            bad_operator["error"],
            "Invalid selector, operator sounds like is invalid \
             {\"operator\"=>\"sounds like\", \"value\"=>\"x\"}"
        );
        assert_eq!(unsupported_status, 422, "{unsupported}");
        assert!(unsupported["error"]
            .as_str()
            .unwrap()
            .contains("'after (absolute)'"));
        assert_eq!(app.found(""), before, "nothing changed");
    }
}

#[test]
fn sort_by_and_order_by_pair_by_position_with_updated_at_descending_by_default() {
    for version in every_line() {
        let app = App::start(version);
        // Act + Assert
        assert_eq!(app.found("query=Test"), BY_UPDATE, "{version:?}");
        assert_eq!(
            app.found("sort_by=id&order_by=asc"),
            [147469, 147470, 147471]
        );
        assert_eq!(
            app.found("sort_by=id"),
            [147471, 147470, 147469],
            "desc by default"
        );
        assert_eq!(app.found("order_by=asc"), [147471, 147469, 147470]);
        assert_eq!(
            app.found("sort_by=state_id,%20id&order_by=asc,desc"),
            [147471, 147470, 147469]
        );
        assert_eq!(
            app.found("sort_by[]=created_at&order_by[]=ASC"),
            [147469, 147470, 147471]
        );
        // A column without a direction is left out.
        assert_eq!(
            app.found("sort_by=state_id,id&order_by=asc"),
            [147469, 147470, 147471]
        );
        let (_, body) = app.post_search_as(
            AGENT,
            json!({"sort_by": ["title"], "order_by": ["desc"], "query": "Test"}),
        );
        assert_eq!(app.listed(&body), [147471, 147470, 147469]);
    }
}

#[test]
fn an_unknown_sort_column_or_direction_is_a_422_with_zammads_text_for_admins_only() {
    for version in every_line() {
        let app = App::start(version).with_extra_users();
        // Act
        let column = app.search("sort_by=nope");
        let direction = app.search("sort_by=id&order_by=sideways");
        let masked = app.search_as(PLAIN_AGENT, "sort_by=nope");
        let masked_customer = app.search_as(CUSTOMER, "order_by=up");
        // Assert (§7.1, §11.4)
        assert_eq!(
            column,
            (
                422,
                json!({"error": "Found invalid column 'nope' for sorting."})
            ),
            "{version:?}"
        );
        assert_eq!(
            direction,
            (
                422,
                json!({"error":
                    "Found invalid order by value sideways. Please use 'asc' or 'desc'."})
            )
        );
        assert_eq!(masked.0, 422);
        assert!(is_masked(&masked.1), "{}", masked.1);
        assert_eq!(masked_customer.0, 422);
        assert!(is_masked(&masked_customer.1));
    }
}

#[test]
fn pages_are_per_page_else_limit_else_50_at_most_200_and_offset_is_not_read() {
    for version in every_line() {
        let app = App::start(version);
        let many: Vec<(i64, String, i64, Vec<i64>)> = (1000..1250)
            .map(|id| (id, format!("Paged {id}"), 3, vec![id]))
            .collect();
        let many: Vec<(i64, &str, i64, &[i64])> = many
            .iter()
            .map(|(id, title, c, a)| (*id, title.as_str(), *c, a.as_slice()))
            .collect();
        app.merge_tickets(&many);
        let count = |query: &str| app.found(&format!("sort_by=id&order_by=asc&{query}"));
        // Act + Assert
        assert_eq!(count("query=Paged").len(), 50, "{version:?}");
        assert_eq!(count("query=Paged&per_page=500").len(), 200);
        assert_eq!(count("query=Paged&limit=7").len(), 7);
        assert_eq!(count("query=Paged&limit=7&per_page=3").len(), 3);
        assert_eq!(count("query=Paged&per_page=3&page=2"), [1003, 1004, 1005]);
        assert_eq!(count("query=Paged&per_page=3&offset=6"), [1000, 1001, 1002]);
        assert_eq!(count("query=Paged&per_page=100&page=3").len(), 50);
        assert_eq!(count("query=Paged&per_page=0"), Vec::<i64>::new());
    }
}

#[test]
fn a_generated_data_set_with_articles_is_searched_through_their_subjects_and_bodies() {
    let mut text = Vec::new();
    let spec = zammad_links_mock::GenerateSpec {
        tickets: 40,
        links: 40,
        seed: 9,
        articles: 2,
    };
    zammad_links_mock::write_document(spec, &mut text).unwrap();
    let doc = FixtureDocument::from_json(std::str::from_utf8(&text).unwrap()).unwrap();
    for version in every_line() {
        let dir = tempfile::TempDir::new().unwrap();
        let server = zammad_links_mock::MockServer::builder()
            .zammad_version(version)
            .fixtures(doc.clone())
            .db_dir(dir.path())
            .start();
        let client = reqwest::blocking::Client::new();
        let search = |query: &str| -> Value {
            let url = server.url(&format!("/api/v1/tickets/search?{query}&per_page=200"));
            client
                .get(url)
                .basic_auth(AGENT.0, Some(AGENT.1))
                .send()
                .unwrap()
                .json()
                .unwrap()
        };
        let count = |body: &Value| match Column::of(version) {
            Column::V50 => body["tickets_count"].as_u64().unwrap(),
            Column::V65 | Column::V701 => body.as_array().unwrap().len() as u64,
        };
        // Act + Assert: the body's sign-off names the ticket; every body has "yesterday".
        // (5.0 lists a ticket once per matching article row: each has two.)
        let rows = if Column::of(version) == Column::V50 {
            2
        } else {
            1
        };
        let signed = search("query=regards,%20customer%2017");
        assert_eq!(count(&signed), rows, "{version:?}: {signed}");
        assert_eq!(count(&search("query=yesterday")), 40 * rows, "{version:?}");
        assert_eq!(
            count(&search("query=10017")),
            rows,
            "{version:?}: the number"
        );
    }
}
