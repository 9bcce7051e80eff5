//! The three calls of Zammad's Links API: `GET /api/v1/links`, `POST /api/v1/links/add` and
//! `DELETE /api/v1/links/remove` (`config/routes/link.rb`). Each turns the merged parameters
//! into a typed request of `links`, and renders Zammad's answer with `render`.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::answer::json_success;
use super::extract::Call;
use super::ApiError;
use crate::links::{self, AddLink, ListLinks, NameOrId, RemoveLink};
use crate::params::Params;
use crate::render::{self, Viewer};

/// `GET /api/v1/links`: 200 `{"links": […], "assets": {…}}`.
pub(super) async fn list_links(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    let params = call.params()?;
    let request = ListLinks {
        object: params.string("link_object"),
        value: params.integer("link_object_value"),
    };
    let release = call.release();
    let body = links::list(call.state(), &request, caller, |list, view| {
        render::links_response(list, view.records(), release, Viewer::of(caller))
    })
    .await
    .map_err(call.failed())?;
    Ok(json_success(StatusCode::OK, body))
}

/// `POST /api/v1/links/add`: 201 with the new row.
pub(super) async fn add_link(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    let params = call.params()?;
    let request = AddLink {
        link_type: params.string("link_type"),
        source_object: params.string("link_object_source"),
        source_number: params.string("link_object_source_number"),
        source_id: params.integer("link_object_source_number"),
        target_object: params.string("link_object_target"),
        target_value: params.integer("link_object_target_value"),
        target_shown: pattern(
            &params,
            "link_object_target",
            Some("link_object_target_value"),
            None,
        ),
        source_shown: pattern(
            &params,
            "link_object_source",
            None,
            Some("link_object_source_number"),
        ),
    };
    let added = links::add(call.state(), &request, caller)
        .await
        .map_err(call.failed())?;
    Ok(json_success(StatusCode::CREATED, render::added_row(&added)))
}

/// `DELETE /api/v1/links/remove`: always 201 (`links_controller.rb#remove`), with the rows
/// the reverse match removed as a JSON array, usually `[]`.
pub(super) async fn remove_link(call: Call) -> Result<HttpResponse, ApiError> {
    let caller = call.caller()?;
    let params = call.params()?;
    let request = RemoveLink {
        link_type: name_or_id(&params, "link_type", "link_type_id"),
        source_object: name_or_id(&params, "link_object_source", "link_object_source_id"),
        source_value: params.integer("link_object_source_value"),
        target_object: name_or_id(&params, "link_object_target", "link_object_target_id"),
        target_value: params.integer("link_object_target_value"),
        target_shown: pattern(
            &params,
            "link_object_target",
            Some("link_object_target_value"),
            None,
        ),
    };
    let rows = links::remove(call.state(), &request, caller)
        .await
        .map_err(call.failed())?;
    Ok(json_success(
        StatusCode::CREATED,
        render::removed_rows(&rows),
    ))
}

/// `[params[name], params[id], params[number]]` as Ruby inspects it (`nil` for a key not
/// given): what the links policy's pattern match sees (`links_controller_policy.rb`).
fn pattern(params: &Params<'_>, name: &str, id: Option<&str>, number: Option<&str>) -> String {
    let shown = |key: Option<&str>| key.map_or_else(|| "nil".to_owned(), |k| params.inspect(k));
    format!(
        "[{}, {}, {}]",
        params.inspect(name),
        shown(id),
        shown(number)
    )
}

/// `name` when its key was sent at all, else the raw id column `id`.
fn name_or_id<'p>(params: &'p Params<'_>, name: &str, id: &str) -> NameOrId<'p> {
    if params.has(name) {
        NameOrId::Name(params.string(name))
    } else {
        NameOrId::Id(params.integer(id))
    }
}
