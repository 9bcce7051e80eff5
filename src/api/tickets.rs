//! The ticket and user calls that link workflows make around the Links API (spec §7):
//! `GET /api/v1/tickets/:id` (clients fetch a ticket to learn its number before linking it),
//! `GET /api/v1/tickets/:id?all=true` with its `links` and `assets`, and
//! `GET /api/v1/users/me`. Same authentication as the link calls.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{Map, Value};

use super::{caller, journaled, json_success, ApiError, Body};
use crate::assets::AssetsBuilder;
use crate::model::ModelKind;
use crate::state::{AppState, LinkError};

/// `GET /api/v1/tickets/:id`.
pub async fn show_ticket(req: HttpRequest, body: Body, state: web::Data<AppState>) -> HttpResponse {
    let mut user = None;
    let result = ticket(&req, &state, &mut user).await;
    journaled(&req, &body, &state, user, result)
}

/// Zammad's `TicketsController#show`: find (404), `authorize!(ticket, :show?)` (403), then
/// the plain record or, with `all`, `ticket_all`.
async fn ticket(
    req: &HttpRequest,
    state: &AppState,
    user: &mut Option<i64>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(req, state)?;
    *user = Some(caller.user_id());
    let raw_id = req.match_info().get("id").unwrap_or("");
    let raw_id = raw_id.strip_suffix(".json").unwrap_or(raw_id);
    let record = raw_id
        .parse::<i64>()
        .ok()
        .and_then(|id| state.records.get(ModelKind::Ticket, id))
        .ok_or_else(|| ApiError::NotFound(format!("Couldn't find Ticket with 'id'={raw_id}")))?;
    if !caller.may_show_ticket(&state.records, &record) {
        return Err(LinkError::NotAuthorized.into());
    }
    let all = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(|q| {
            q.iter()
                .any(|(k, v)| k == "all" && !v.is_empty() && v != "false")
        })
        .unwrap_or(false);
    let attrs: Map<String, Value> =
        serde_json::from_str(&record.json).expect("stored record JSON is always an object");
    if !all {
        // `render json: ticket` renders the table columns only; fixtures captured from
        // assets also carry association ids (`article_ids`, …), which are left out here.
        let columns: Map<String, Value> = attrs
            .into_iter()
            .filter(|(key, value)| !(key.ends_with("_ids") && value.is_array()))
            .collect();
        return Ok(json_success(
            StatusCode::OK,
            Value::Object(columns).to_string(),
        ));
    }
    // `TicketsController#ticket_all` (Zammad 5.0): the ticket's assets, then each linked
    // ticket's; screen options, articles, tags and mentions are not modelled.
    let list = state
        .list_visible(Some("Ticket"), Some(record.id), &caller)
        .await?;
    let mut assets = AssetsBuilder::new(&state.records);
    assets.add(record.clone());
    for (_, linked) in &list.entries {
        if let Some(linked) = linked.as_ref().filter(|r| r.kind == ModelKind::Ticket) {
            assets.add(linked.clone());
        }
    }
    let article_ids = attrs
        .get("article_ids")
        .cloned()
        .unwrap_or(Value::Array(Vec::new()));
    let mut out = format!(
        "{{\"ticket_id\":{},\"ticket_article_ids\":{article_ids},\"assets\":",
        record.id
    );
    assets.write_json(&mut out, caller.asset_level(), caller.user_id());
    out.push_str(",\"links\":");
    list.write_links_json(&mut out);
    out.push_str(",\"tags\":[],\"mentions\":[],\"form_meta\":{\"filter\":{},\"dependencies\":{}}}");
    Ok(json_success(StatusCode::OK, out))
}

/// `GET /api/v1/users/me`: the caller's own attributes, without the password.
pub async fn show_me(req: HttpRequest, body: Body, state: web::Data<AppState>) -> HttpResponse {
    let result = caller(&req, &state);
    let user = result.as_ref().ok().map(|c| c.user_id());
    let result = result.map(|caller| json_success(StatusCode::OK, caller.user.json.to_string()));
    journaled(&req, &body, &state, user, result)
}
