//! The ticket and user calls that link workflows make around the Links API (spec §7):
//! `GET /api/v1/tickets/:id` (clients fetch a ticket to learn its number before linking it),
//! `GET /api/v1/tickets/:id?all=true` with its `links` and `assets`, `expand=true` and
//! `full=true` on both, and `GET /api/v1/users/me`. Same authentication as the link calls.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::{params, Body};
use super::links::viewer;
use super::{json_success, ApiError};
use crate::auth::Caller;
use crate::expand;
use crate::links::{self, LinkError};
use crate::model::ModelKind;
use crate::render;
use crate::state::AppState;

/// `GET /api/v1/tickets/:id`, as Zammad's `TicketsController#show`: find (404),
/// `authorize!(ticket, :show?)` (403), then, in the controller's order, `expand` (the
/// association names), `full` (`{id, assets}`), `all` (`ticket_all`) or the plain record.
pub(super) async fn show_ticket(
    req: HttpRequest,
    body: Body,
    caller: Result<Caller, ApiError>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller?;
    let params = params(&req, &body)?;
    let raw_id = req.match_info().get("id").unwrap_or("");
    let raw_id = raw_id.strip_suffix(".json").unwrap_or(raw_id);
    let record = raw_id
        .parse::<i64>()
        .ok()
        .and_then(|id| state.records().get(ModelKind::Ticket, id))
        .ok_or_else(|| ApiError::NotFound(format!("Couldn't find Ticket with 'id'={raw_id}")))?;
    let profile = state.profile();
    if !(profile.may_show_ticket)(&caller, state.records(), &record) {
        return Err(LinkError::NotAuthorized.into());
    }
    // `tickets_controller.rb#show` (5.0) checks expand, then full, then all.
    if params.is_true("expand") {
        let body = expand::ticket(&record, state.records());
        return Ok(json_success(StatusCode::OK, body));
    }
    if params.is_true("full") {
        let body = render::full(&record, state.records(), profile.relations, viewer(&caller));
        return Ok(json_success(StatusCode::OK, body));
    }
    if !params.is_true("all") {
        return Ok(json_success(StatusCode::OK, render::ticket(&record)));
    }
    let list = links::list_visible(&state, Some("Ticket"), Some(record.id), &caller).await?;
    let body = render::ticket_all(
        &record,
        &list,
        state.records(),
        profile.relations,
        viewer(&caller),
    );
    Ok(json_success(StatusCode::OK, body))
}

/// `GET /api/v1/users/me` (`UsersController#me`): with `expand` the association names, with
/// `full` `{id, assets}` (`User.full`), else the caller's own attributes; never the password.
pub(super) async fn show_me(
    req: HttpRequest,
    body: Body,
    caller: Result<Caller, ApiError>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller?;
    let params = params(&req, &body)?;
    let body = if params.is_true("expand") {
        expand::user(&caller.user, state.records())
    } else if params.is_true("full") {
        let relations = state.profile().relations;
        render::full(&caller.user, state.records(), relations, viewer(&caller))
    } else {
        caller.user.json.to_string()
    };
    Ok(json_success(StatusCode::OK, body))
}
