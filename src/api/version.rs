//! `GET /api/v1/version` (`VersionController#index`): `{"version": "…"}`, the running
//! release's, for callers with `admin.version` (its policy's `default_permit!`). Clients use
//! it to tell which Zammad they talk to.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::answer::json_success;
use super::extract::Call;
use super::ApiError;
use crate::refusal::Refusal;

/// `GET /api/v1/version`: 200 `{"version": …}`, the running release's; refused for a caller without
/// `admin.version` (`controllers/version_controller_policy.rb`).
pub(super) async fn show_version(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    if !caller.has_permission("admin.version") {
        return Err(call.refusal(Refusal::PermissionMissing {
            by_token: caller.by_token(),
        }));
    }
    let body = serde_json::json!({ "version": call.release().version() }).to_string();
    Ok(json_success(StatusCode::OK, body))
}
