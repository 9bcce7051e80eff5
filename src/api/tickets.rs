//! The ticket and user calls that link workflows make around the Links API (spec §7):
//! `GET /api/v1/tickets/:id` (clients fetch a ticket to learn its number before linking it),
//! `GET /api/v1/tickets/:id?all=true` with its `links` and `assets`, `expand=true` and
//! `full=true` on both, and `GET /api/v1/users/me`. Same authentication as the link calls.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use super::extract::{params, state, Body};
use super::links::viewer;
use super::{json_success, ApiError};
use crate::auth::Caller;
use crate::expand;
use crate::links::{self, LinkError};
use crate::model::ModelKind;
use crate::records::Record;
use crate::render;
use crate::state::View;

/// `GET /api/v1/tickets/:id`, as Zammad's `TicketsController#show`: find (404),
/// `authorize!(ticket, :show?)` (403), then, in the controller's order, `expand` (the
/// association names), `full` (`{id, assets}`), `all` (`ticket_all`) or the plain record.
pub(super) async fn show_ticket(
    req: HttpRequest,
    body: Body,
    caller: Result<Caller, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller?;
    let state = state(&req)?;
    let params = params(&req, &body)?;
    let raw_id = req.match_info().get("id").unwrap_or("");
    let raw_id = raw_id.strip_suffix(".json").unwrap_or(raw_id);
    let profile = state.profile();
    let find = |view: &View<'_>| -> Result<Arc<Record>, ApiError> {
        let record = raw_id
            .parse::<i64>()
            .ok()
            .and_then(|id| view.records().get(ModelKind::Ticket, id))
            .ok_or_else(|| {
                ApiError::NotFound(format!("Couldn't find Ticket with 'id'={raw_id}"))
            })?;
        if !(profile.may_show_ticket)(&caller, view.records(), &record) {
            return Err(LinkError::NotAuthorized.into());
        }
        Ok(record)
    };
    let body = {
        let view = state.view();
        let record = find(&view)?;
        // `tickets_controller.rb#show` (5.0) checks expand, then full, then all.
        if params.is_true("expand") {
            Some(expand::ticket(&record, view.records()))
        } else if params.is_true("full") {
            let relations = profile.relations;
            Some(render::full(
                &record,
                view.records(),
                relations,
                viewer(&caller),
            ))
        } else if !params.is_true("all") {
            Some(render::ticket(&record))
        } else {
            None
        }
    };
    if let Some(body) = body {
        return Ok(json_success(StatusCode::OK, body));
    }
    // The ticket is found again in the view its links are read in, so that both come from
    // the same state.
    let id = find(&state.view())?.id;
    let body = links::list_visible(state, Some("Ticket"), Some(id), &caller, |list, view| {
        let record = find(view)?;
        Ok::<_, ApiError>(render::ticket_all(
            &record,
            list,
            view.records(),
            profile.relations,
            viewer(&caller),
        ))
    })
    .await??;
    Ok(json_success(StatusCode::OK, body))
}

/// `GET /api/v1/users/me` (`UsersController#me`): with `expand` the association names, with
/// `full` `{id, assets}` (`User.full`), else the caller's own attributes; never the password.
pub(super) async fn show_me(
    req: HttpRequest,
    body: Body,
    caller: Result<Caller, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller?;
    let state = state(&req)?;
    let params = params(&req, &body)?;
    let view = state.view();
    let body = if params.is_true("expand") {
        expand::user(&caller.user, view.records())
    } else if params.is_true("full") {
        let relations = state.profile().relations;
        render::full(&caller.user, view.records(), relations, viewer(&caller))
    } else {
        caller.user.json().to_string()
    };
    Ok(json_success(StatusCode::OK, body))
}
