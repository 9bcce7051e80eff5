//! The ticket and user calls that link workflows make around the Links API (spec §7):
//! `GET /api/v1/tickets/:id` (with `expand`, `full` or `all`), `GET /api/v1/tickets` and
//! `GET /api/v1/users/me`, and the calls that make the tickets an integration links:
//! `POST /api/v1/tickets`, `PUT` and `DELETE /api/v1/tickets/:id` (issue 22), the merge,
//! `PUT /api/v1/ticket_merge/:source_ticket_id/:target_ticket_number`, and the search,
//! `GET|POST /api/v1/tickets/search` (issue 23). Each is a thin
//! adapter of `tickets`. Same authentication as the link calls.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::answer::json_success;
use super::extract::Call;
use super::ApiError;
use crate::tickets::{
    self, Asked, CreateTicket, ListTickets, MergeTickets, SearchTickets, ShowTicket, UpdateTicket,
};

/// `GET /api/v1/tickets/:id`: 200 with the ticket in the shape asked for.
pub(super) async fn show_ticket(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    let params = call.params()?;
    let request = ShowTicket {
        id: call.path("id"),
        asked: Asked::from_params(&params, call.release()),
    };
    let body = tickets::show(call.state(), &request, caller)
        .await
        .map_err(call.failed())?;
    Ok(json_success(StatusCode::OK, body))
}

/// `GET /api/v1/tickets`: 200 with the page of tickets in the shape asked for.
pub(super) async fn list_tickets(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    let params = call.params()?;
    let request = ListTickets {
        page: params.to_i("page"),
        per_page: match params.to_i("per_page") {
            Ok(None) => params.to_i("limit"),
            given => given,
        },
        asked: Asked::from_params(&params, call.release()),
    };
    let body = tickets::list(call.state(), &request, caller).map_err(call.failed())?;
    Ok(json_success(StatusCode::OK, body))
}

/// `GET|POST /api/v1/tickets/search`: 200 with the page of matching tickets in the shape
/// asked for.
pub(super) async fn search_tickets(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    let params = call.params()?;
    let request = SearchTickets { params: &params };
    let body = tickets::search(call.state(), &request, caller).map_err(call.failed())?;
    Ok(json_success(StatusCode::OK, body))
}

/// `GET /api/v1/users/me`: 200 with the caller's own record in the shape asked for.
pub(super) async fn show_me(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    let params = call.params()?;
    let asked = Asked::from_params(&params, call.release());
    let body = tickets::me(call.state(), asked, caller);
    Ok(json_success(StatusCode::OK, body))
}

/// `POST /api/v1/tickets`: 201 with the new ticket in the shape asked for.
pub(super) async fn create_ticket(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    let params = call.params()?;
    let request = CreateTicket {
        params: &params,
        asked: Asked::from_params(&params, call.release()),
    };
    let body = tickets::create(call.state(), &request, caller)
        .await
        .map_err(call.failed())?;
    Ok(json_success(StatusCode::CREATED, body))
}

/// `PUT /api/v1/tickets/:id`: 200 with the changed ticket in the shape asked for.
pub(super) async fn update_ticket(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    let params = call.params()?;
    let request = UpdateTicket {
        id: call.path("id"),
        params: &params,
        asked: Asked::from_params(&params, call.release()),
    };
    let body = tickets::update(call.state(), &request, caller)
        .await
        .map_err(call.failed())?;
    Ok(json_success(StatusCode::OK, body))
}

/// `DELETE /api/v1/tickets/:id`: 200 with an empty body (`head :ok`).
pub(super) async fn delete_ticket(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    tickets::delete(call.state(), call.path("id"), caller)
        .await
        .map_err(call.failed())?;
    Ok(json_success(StatusCode::OK, String::new()))
}

/// `PUT /api/v1/ticket_merge/:source_ticket_id/:target_ticket_number`: 200 with the merge's
/// result (a "failed" result is a refusal answered 200 too).
pub(super) async fn merge_tickets(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    // The action reads `params[...]`: a body Rails cannot parse is its 400 first.
    call.params()?;
    let request = MergeTickets {
        source_id: call.path("source"),
        target_number: call.path("target"),
    };
    let body = tickets::merge(call.state(), &request, caller)
        .await
        .map_err(call.failed())?;
    Ok(json_success(StatusCode::OK, body))
}
