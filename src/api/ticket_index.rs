//! `GET /api/v1/tickets`, Zammad 5.0's ticket index: the tickets the caller may see, by id,
//! one page at a time, as plain attribute objects (no `expand`, no `full`). Clients that list
//! tickets use it, and so does `capture --all`. Authentication and rendering helpers are
//! `api`'s; which ticket a caller may see is `auth`'s.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use super::{caller, journaled, json_success, ApiError, Body};
use crate::model::ModelKind;
use crate::params::Params;
use crate::state::AppState;

/// Tickets per page when the client does not page (`TicketsController#index`, Zammad 5.0).
pub const DEFAULT_PER_PAGE: i64 = 100;
/// The largest page Zammad 5.0 hands out, whatever `per_page` asks for.
pub const MAX_PER_PAGE: i64 = 100;

/// `GET /api/v1/tickets`: 200 with a JSON array of ticket attributes.
pub async fn list_tickets(
    req: HttpRequest,
    body: Body,
    state: web::Data<AppState>,
) -> HttpResponse {
    let mut user = None;
    let result = index(&req, &body, &state, &mut user);
    journaled(&req, &body, &state, user, result)
}

/// Which slice of the visible tickets a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Page {
    offset: usize,
    limit: usize,
}

impl Page {
    /// `TicketsController#index` (Zammad 5.0): `page` and `per_page` count only when both are
    /// given (each through Ruby's `to_i`); then offset = (page − 1) × per_page; per_page is cut
    /// to 100. Zammad hands a negative offset or limit to PostgreSQL, which refuses it with a
    /// 500; the mock answers those pages as empty instead (a choice of the mock).
    fn from_params(params: &Params<'_>) -> Result<Self, ApiError> {
        let (page, per_page) = match (params.integer("page")?, params.integer("per_page")?) {
            (Some(page), Some(per_page)) => (page, per_page),
            _ => (1, DEFAULT_PER_PAGE),
        };
        let per_page = per_page.min(MAX_PER_PAGE);
        let offset = page.saturating_sub(1).saturating_mul(per_page);
        if per_page < 0 || offset < 0 {
            return Ok(Self {
                offset: 0,
                limit: 0,
            });
        }
        Ok(Self {
            offset: usize::try_from(offset).unwrap_or(usize::MAX),
            limit: usize::try_from(per_page).unwrap_or(0),
        })
    }
}

fn index(
    req: &HttpRequest,
    body: &[u8],
    state: &AppState,
    user: &mut Option<i64>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(req, state)?;
    *user = Some(caller.user_id());
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let params = Params::from_parts(content_type, body, req.query_string())?;
    let page = Page::from_params(&params)?;
    // Zammad 5.0 selects with `Ticket.access_condition(user, 'read')`; the mock uses the same
    // `TicketPolicy#show?` rule as the links filter, so that the index and the links list
    // never disagree about a ticket (they differ in Zammad only for an owner without group
    // access).
    let mut out = String::from("[");
    let visible = state
        .records
        .all_of(ModelKind::Ticket)
        .into_iter()
        .filter(|ticket| caller.may_show_ticket(&state.records, ticket))
        .skip(page.offset)
        .take(page.limit);
    for (n, ticket) in visible.enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&plain_attributes(&ticket.json));
    }
    out.push(']');
    Ok(json_success(StatusCode::OK, out))
}

/// A ticket as `render json: ticket` shows it: the table columns only. Records captured from
/// assets also carry association ids (`article_ids`, …), which are left out, as in
/// `GET /api/v1/tickets/:id`.
fn plain_attributes(json: &str) -> String {
    match serde_json::from_str::<Map<String, Value>>(json) {
        Ok(attrs) => Value::Object(
            attrs
                .into_iter()
                .filter(|(key, value)| !(key.ends_with("_ids") && value.is_array()))
                .collect(),
        )
        .to_string(),
        // Stored records are always objects; anything else is passed on untouched.
        Err(_) => json.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(query: &str) -> Page {
        Page::from_params(&Params::from_parts("", b"", query).unwrap()).unwrap()
    }

    #[test]
    fn without_both_paging_parameters_the_first_hundred_are_given() {
        assert_eq!(
            page(""),
            Page {
                offset: 0,
                limit: 100
            }
        );
        assert_eq!(
            page("page=3"),
            Page {
                offset: 0,
                limit: 100
            }
        );
        assert_eq!(
            page("per_page=5"),
            Page {
                offset: 0,
                limit: 100
            }
        );
    }

    #[test]
    fn page_and_per_page_give_offset_and_limit_like_zammad() {
        assert_eq!(
            page("page=3&per_page=20"),
            Page {
                offset: 40,
                limit: 20
            }
        );
        assert_eq!(
            page("page=2&per_page=500"),
            Page {
                offset: 100,
                limit: 100
            }
        );
        // Ruby's to_i: "2abc" is 2.
        assert_eq!(
            page("page=2abc&per_page=10"),
            Page {
                offset: 10,
                limit: 10
            }
        );
    }

    #[test]
    fn a_page_before_the_first_is_empty() {
        assert_eq!(
            page("page=0&per_page=10"),
            Page {
                offset: 0,
                limit: 0
            }
        );
        assert_eq!(
            page("page=1&per_page=-1"),
            Page {
                offset: 0,
                limit: 0
            }
        );
    }

    #[test]
    fn association_ids_are_left_out_of_plain_attributes() {
        let plain = plain_attributes(r#"{"id":1,"group_id":2,"article_ids":[5],"title":"t"}"#);
        assert_eq!(plain, r#"{"id":1,"group_id":2,"title":"t"}"#);
    }
}
