//! The three calls of Zammad's Links API: `GET /api/v1/links`, `POST /api/v1/links/add` and
//! `DELETE /api/v1/links/remove` (`config/routes/link.rb`). Each reads the merged parameters,
//! authenticates, lets `state` do the work and renders Zammad's answer.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{caller, journaled, json_success, ApiError, Body};
use crate::params::Params;
use crate::state::AppState;

fn params<'a>(req: &'a HttpRequest, body: &'a [u8]) -> Result<Params<'a>, ApiError> {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(Params::from_parts(content_type, body, req.query_string())?)
}

/// `GET /api/v1/links`: 200 `{"links": […], "assets": {…}}`.
pub async fn list_links(req: HttpRequest, body: Body, state: web::Data<AppState>) -> HttpResponse {
    let mut user = None;
    let result = list(&req, &body, &state, &mut user).await;
    journaled(&req, &body, &state, user, result)
}

async fn list(
    req: &HttpRequest,
    body: &[u8],
    state: &AppState,
    user: &mut Option<i64>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(req, state)?;
    *user = Some(caller.user_id());
    let params = params(req, body)?;
    let list = state.list(&params, &caller).await?;
    let assets = list.assets(&state.records);
    // A `links` entry is about 80 bytes; 160 leaves room for long type and object names.
    let mut out = String::with_capacity(32 + 160 * list.entries.len() + assets.json_len_bound());
    out.push_str("{\"links\":");
    list.write_links_json(&mut out);
    out.push_str(",\"assets\":");
    assets.write_json(&mut out, caller.asset_level(), caller.user_id());
    out.push('}');
    Ok(json_success(StatusCode::OK, out))
}

/// `POST /api/v1/links/add`: 201 with the new row.
pub async fn add_link(req: HttpRequest, body: Body, state: web::Data<AppState>) -> HttpResponse {
    let mut user = None;
    let result = add(&req, &body, &state, &mut user).await;
    journaled(&req, &body, &state, user, result)
}

async fn add(
    req: &HttpRequest,
    body: &[u8],
    state: &AppState,
    user: &mut Option<i64>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(req, state)?;
    *user = Some(caller.user_id());
    let params = params(req, body)?;
    let row = state.add(&params, &caller).await?;
    Ok(json_success(StatusCode::CREATED, row.to_json()))
}

/// `DELETE /api/v1/links/remove`: always 201 (`links_controller.rb#remove`), with the rows
/// the reverse match removed as a JSON array, usually `[]`.
pub async fn remove_link(req: HttpRequest, body: Body, state: web::Data<AppState>) -> HttpResponse {
    let mut user = None;
    let result = remove(&req, &body, &state, &mut user).await;
    journaled(&req, &body, &state, user, result)
}

async fn remove(
    req: &HttpRequest,
    body: &[u8],
    state: &AppState,
    user: &mut Option<i64>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(req, state)?;
    *user = Some(caller.user_id());
    let params = params(req, body)?;
    let rows = state.remove(&params, &caller).await?;
    let body = format!(
        "[{}]",
        rows.iter()
            .map(|r| r.to_json())
            .collect::<Vec<_>>()
            .join(",")
    );
    Ok(json_success(StatusCode::CREATED, body))
}
