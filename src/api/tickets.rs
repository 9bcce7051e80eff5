//! The ticket and user calls that link workflows make around the Links API (spec §7):
//! `GET /api/v1/tickets/:id` (clients fetch a ticket to learn its number before linking it),
//! `GET /api/v1/tickets/:id?all=true` with its `links` and `assets`, and
//! `GET /api/v1/users/me`. Same authentication as the link calls.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::extract::Body;
use super::links::viewer;
use super::{json_success, ApiError};
use crate::auth::Caller;
use crate::links::{self, LinkError};
use crate::model::ModelKind;
use crate::records::Record;
use crate::render;
use crate::state::{AppState, View};

/// `GET /api/v1/tickets/:id`, as Zammad's `TicketsController#show`: find (404),
/// `authorize!(ticket, :show?)` (403), then the plain record or, with `all`, `ticket_all`.
pub(super) async fn show_ticket(
    req: HttpRequest,
    _body: Body,
    caller: Result<Caller, ApiError>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller?;
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
    let all = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(|q| {
            q.iter()
                .any(|(k, v)| k == "all" && !v.is_empty() && v != "false")
        })
        .unwrap_or(false);
    let record = find(&state.view())?;
    if !all {
        return Ok(json_success(StatusCode::OK, render::ticket(&record)));
    }
    // The ticket is found again in the view its links are read in, so that both come from
    // the same state.
    let body = links::list_visible(
        &state,
        Some("Ticket"),
        Some(record.id),
        &caller,
        |list, view| {
            let record = find(view)?;
            let relations = profile.relations;
            Ok::<_, ApiError>(render::ticket_all(
                &record,
                list,
                view.records(),
                relations,
                viewer(&caller),
            ))
        },
    )
    .await??;
    Ok(json_success(StatusCode::OK, body))
}

/// `GET /api/v1/users/me`: the caller's own attributes, without the password.
pub(super) async fn show_me(
    _body: Body,
    caller: Result<Caller, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller?;
    Ok(json_success(StatusCode::OK, caller.user.json.to_string()))
}
