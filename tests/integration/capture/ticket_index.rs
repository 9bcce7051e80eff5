//! The mock's ticket index, `GET /api/v1/tickets`: Zammad's paging (`CanPaginate`),
//! visibility and plain attributes, on the default line.

use serde_json::json;
use zammad_links_mock::{FixtureDocument, MockServer};

use super::{generated, get, start_mock, Login};
use crate::helpers::Fixture;

fn index(server: &MockServer, login: &Login, query: &[(&str, String)]) -> Vec<i64> {
    let (status, body) = get(server, login, "/api/v1/tickets", query);
    assert_eq!(status, 200, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn the_ticket_index_pages_by_id_like_zammad() {
    let server = start_mock(generated(250, 10));
    let agent = Login::agent();
    let page = |p: i64, per: i64| {
        index(
            &server,
            &agent,
            &[("page", p.to_string()), ("per_page", per.to_string())],
        )
    };
    assert_eq!(index(&server, &agent, &[]), (1..=100).collect::<Vec<_>>());
    assert_eq!(page(2, 30), (31..=60).collect::<Vec<_>>());
    assert_eq!(page(3, 100), (201..=250).collect::<Vec<_>>());
    assert_eq!(
        page(2, 500),
        (101..=200).collect::<Vec<_>>(),
        "per_page is cut to 100"
    );
    assert_eq!(page(9, 100), Vec::<i64>::new());
    // `page` and `per_page` count each on their own (`CanPaginate::Pagination`, issue 21).
    assert_eq!(
        index(&server, &agent, &[("page", "2".into())]),
        (101..=200).collect::<Vec<_>>()
    );
    assert_eq!(
        index(&server, &agent, &[("per_page", "3".into())]),
        vec![1, 2, 3]
    );
}

#[test]
fn the_ticket_index_lists_only_visible_tickets_as_plain_attributes() {
    let fixture = Fixture::new()
        .group(2, "Secret")
        .user(4, "reader@example.com", &[2], json!({"1": ["read"]}))
        .user(
            6,
            "both@example.com",
            &[2],
            json!({"1": ["read"], "2": ["full"]}),
        )
        .ticket_in(1, "1001", 1, 3)
        .ticket_in(2, "1002", 2, 3)
        .ticket_in(3, "1003", 1, 3)
        .build();
    let mut fixture = fixture;
    fixture["Ticket"]["3"]["article_ids"] = json!([7, 8]);
    let server = start_mock(FixtureDocument::from_value(fixture).unwrap());
    let reader = Login::Basic("reader@example.com".into(), "test".into());
    assert_eq!(index(&server, &reader, &[]), vec![1, 3]);
    let both = Login::Basic("both@example.com".into(), "test".into());
    assert_eq!(index(&server, &both, &[]), vec![1, 2, 3]);
    let (_, body) = get(&server, &reader, "/api/v1/tickets", &[]);
    assert!(body[1].get("article_ids").is_none());
    assert_eq!(body[1]["number"], "1003");
    let (status, _) = get(
        &server,
        &Login::Basic("reader@example.com".into(), "wrong".into()),
        "/api/v1/tickets",
        &[],
    );
    assert_eq!(status, 401);
}
