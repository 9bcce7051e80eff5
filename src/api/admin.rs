//! The admin API under the reserved prefix `/__mock/`, which is never part of Zammad's API:
//! health, reset, fixtures (replace, merge, export) and the request journal. Admin calls are
//! not journaled. Errors here are the mock's own, in Zammad's `{"error": …}` shape.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::{AdminAccess, Body, JSON_UTF8};
use crate::exchange::MergeError;
use crate::fixtures::FixtureDocument;
use crate::state::AppState;

fn json(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(JSON_UTF8)
        .body(body)
}

fn error(status: StatusCode, text: impl std::fmt::Display) -> HttpResponse {
    json(status, json!({ "error": text.to_string() }).to_string())
}

/// `None` when `req` may use the admin API, else the refusal.
pub(super) fn refused(req: &HttpRequest) -> Option<HttpResponse> {
    let access = req.app_data::<web::Data<AdminAccess>>()?;
    let AdminAccess::Token(token) = access.as_ref() else {
        return None;
    };
    let sent = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match sent {
        Some(sent) if sent.as_bytes() == token.as_bytes() => None,
        _ => Some(error(StatusCode::UNAUTHORIZED, "admin token required")),
    }
}

fn store_failed(e: &dyn std::error::Error) -> HttpResponse {
    log::error!("{}", crate::error_chain(e));
    error(StatusCode::INTERNAL_SERVER_ERROR, "the database failed")
}

/// `GET /__mock/health`: 200 `{"status":"ok"}`.
pub async fn health() -> HttpResponse {
    json(StatusCode::OK, "{\"status\":\"ok\"}".into())
}

/// `POST /__mock/reset`: back to the start-up fixtures; 204.
pub async fn reset_state(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(refusal) = refused(&req) {
        return refusal;
    }
    match state.reset().await {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(e) => store_failed(&e),
    }
}

/// The posted fixture document of an allowed caller, or the refusal (401, or 422 naming the
/// place).
fn posted_document(req: &HttpRequest, body: &[u8]) -> Result<FixtureDocument, Box<HttpResponse>> {
    if let Some(refusal) = refused(req) {
        return Err(Box::new(refusal));
    }
    let text = std::str::from_utf8(body).map_err(|_| {
        Box::new(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "(document): not UTF-8 text",
        ))
    })?;
    FixtureDocument::from_json(text)
        .map_err(|e| Box::new(error(StatusCode::UNPROCESSABLE_ENTITY, e)))
}

/// `PUT /__mock/fixtures`: replace the whole state; 204, or 422 naming the place.
pub async fn put_fixtures(
    req: HttpRequest,
    body: Body,
    state: web::Data<AppState>,
) -> HttpResponse {
    let doc = match posted_document(&req, &body) {
        Ok(doc) => doc,
        Err(refusal) => return *refusal,
    };
    let result = match state.replace_unflushed(&doc) {
        Ok(()) => state.store().flush().await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => HttpResponse::NoContent().finish(),
        Err(e) => store_failed(&e),
    }
}

/// `POST /__mock/fixtures`: merge into the state; 204, or 422 naming the place.
pub async fn post_fixtures(
    req: HttpRequest,
    body: Body,
    state: web::Data<AppState>,
) -> HttpResponse {
    let doc = match posted_document(&req, &body) {
        Ok(doc) => doc,
        Err(refusal) => return *refusal,
    };
    match state.merge_unflushed(&doc) {
        Ok(()) => match state.store().flush().await {
            Ok(()) => HttpResponse::NoContent().finish(),
            Err(e) => store_failed(&e),
        },
        Err(MergeError::Conflict(e)) => error(StatusCode::UNPROCESSABLE_ENTITY, e),
        Err(MergeError::Catalog(e)) => error(StatusCode::UNPROCESSABLE_ENTITY, e),
        Err(MergeError::Store(e)) => store_failed(&e),
    }
}

/// `GET /__mock/fixtures`: the whole state as one fixture document.
pub async fn get_fixtures(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(refusal) = refused(&req) {
        return refusal;
    }
    match state.export_json() {
        Ok(body) => json(StatusCode::OK, body),
        Err(e) => store_failed(&e),
    }
}

/// `GET /__mock/requests`: the journal, oldest first.
pub async fn get_requests(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(refusal) = refused(&req) {
        return refusal;
    }
    let entries = state.journal.entries();
    json(
        StatusCode::OK,
        serde_json::to_string(&entries).expect("journal entries always serialise"),
    )
}

/// `DELETE /__mock/requests`: forget the journal; 204.
pub async fn delete_requests(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if let Some(refusal) = refused(&req) {
        return refusal;
    }
    state.journal.clear();
    HttpResponse::NoContent().finish()
}
