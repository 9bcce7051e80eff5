//! Faults on the wire: the middleware that carries out what `faults` decided for a call
//! ([`InjectFaults`]: wait, answer instead, hold, or close the connection without an answer),
//! and the admin routes under `/__mock/faults` that list, add, replace and remove rules.
//!
//! The middleware sits inside the journal, so a faulted call is noted like any other, with a
//! [`FaultNote`] saying which rule did it. With no rule set it reads one atomic and passes the
//! call on; the mock's own routes under `/__mock/` never take faults. A rule that answers
//! instead of the call never calls the handler, so nothing in the state changes (no
//! half-written link); a latency rule waits, then runs the call as usual.
//!
//! Who calls is decided by the same extractor the handlers use, and only when a rule needs to
//! know (a `caller`, the masked 500, maintenance): it caches the verified `Authorization`
//! header, so the handler's own authentication afterwards is a cache hit, not a second check.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{
    HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, LOCATION, USER_AGENT,
};
use actix_web::http::StatusCode;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse, ResponseError};

use super::admin::{resource, AdminError};
use super::answer::JSON_UTF8;
use super::extract::Body;
use super::journal::{Noted, NotedBody};
use super::ApiError;
use crate::auth::{AuthError, Credentials};
use crate::faults::answer::{self, Answer, ProxyPage};
use crate::faults::{CallerFacts, Fault, FaultRule, Faults, HoldEnd};
use crate::journal::JournalFault;
use crate::refusal::Refusal;
use crate::state::AppState;

/// The journal's status for a call whose connection was closed without an answer: nginx's
/// own code for "close the connection, send nothing" (`return 444`), which its access log
/// shows the same way.
pub(super) const NO_ANSWER: u16 = 444;

/// Left in a request's extensions by the middleware: the rule that answered it (or delayed
/// it), for the journal.
pub(super) struct FaultNote(pub(super) JournalFault);

/// Whether `path` is one of the mock's own, which never take faults.
fn is_mock_path(path: &str) -> bool {
    path == "/__mock" || path.starts_with("/__mock/")
}

/// The middleware: carries out each call's plan (`Faults::plan`).
pub(super) struct InjectFaults(pub(super) web::Data<Faults>);

impl<S, B> Transform<S, ServiceRequest> for InjectFaults
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = InjectFaultsService<S>;
    type InitError = ();
    type Future = std::future::Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        std::future::ready(Ok(InjectFaultsService {
            service: Rc::new(service),
            faults: self.0.clone(),
        }))
    }
}

/// The service [`InjectFaults`] wraps around the app.
pub(super) struct InjectFaultsService<S> {
    service: Rc<S>,
    faults: web::Data<Faults>,
}

impl<S, B> Service<ServiceRequest> for InjectFaultsService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = Faulting<S::Future, B>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        // The whole cost of faults while none is set: one relaxed load, then the call as it
        // was (no boxed future, no body conversion beyond the `EitherBody` tag).
        if !self.faults.is_active() || is_mock_path(req.path()) {
            return Faulting::Passing {
                answering: self.service.call(req),
            };
        }
        Faulting::Faulted {
            answering: Box::pin(faulted(Rc::clone(&self.service), self.faults.clone(), req)),
        }
    }
}

/// The boxed future of a call that faults have a say in (only such calls pay for a box).
type FaultedFuture<B> =
    Pin<Box<dyn Future<Output = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>>>>;

pin_project_lite::pin_project! {
    /// A call passed on as it was, or one that faults have a say in.
    #[project = FaultingProjection]
    pub(super) enum Faulting<F, B> {
        Passing { #[pin] answering: F },
        Faulted { answering: FaultedFuture<B> },
    }
}

impl<F, B> Future for Faulting<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            FaultingProjection::Passing { answering } => answering
                .poll(cx)
                .map(|answered| answered.map(ServiceResponse::map_into_left_body)),
            FaultingProjection::Faulted { answering } => answering.as_mut().poll(cx),
        }
    }
}

/// A call that rules may delay or answer.
async fn faulted<S, B>(
    service: Rc<S>,
    faults: web::Data<Faults>,
    mut req: ServiceRequest,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let plan = {
        let http = req.request();
        faults.plan(req.method().as_str(), req.path(), &mut || {
            caller_facts(http)
        })
    };
    if plan.delay_ms > 0 {
        actix_web::rt::time::sleep(Duration::from_millis(plan.delay_ms)).await;
    }
    let answering = match plan.answer {
        Some((_, Fault::Latency(_))) | None => None,
        Some(answer) => Some(answer),
    };
    let Some((rule, fault)) = answering else {
        if let Some(rule) = plan.delayed_by {
            req.extensions_mut().insert(FaultNote(JournalFault {
                rule,
                kind: "latency".into(),
            }));
        }
        return Ok(service.call(req).await?.map_into_left_body());
    };
    req.extensions_mut().insert(FaultNote(JournalFault {
        rule,
        kind: fault.kind().into(),
    }));
    log::info!(
        "fault rule {rule} ({}) answers {} {}",
        fault.kind(),
        req.method(),
        req.path()
    );
    read_body(&mut req).await;
    let response = answer(&req, rule, &fault, plan.caller.as_ref()).await;
    Ok(req.into_response(response).map_into_right_body())
}

/// What a rule that needs the caller learns of them; `None` when the credentials fail. The
/// handler's own extractor, so the verified header is cached for the handler.
fn caller_facts(req: &HttpRequest) -> Option<CallerFacts> {
    let state = req.app_data::<web::Data<AppState>>()?;
    let caller = super::extract::caller(req, state).ok()?;
    Some(CallerFacts {
        user_id: caller.user_id(),
        login: caller.user.fields.login.clone(),
        email: caller.user.fields.email.clone(),
        is_admin: caller.is_admin(),
        passes_maintenance: caller.has_permission("admin.maintenance"),
    })
}

/// Reads the body of a call a rule answers, as a server does before it answers: the journal
/// notes it, and the connection stays usable for the next call (an unread body would close
/// it). A body over the limit or broken is left; the answer goes out all the same.
async fn read_body(req: &mut ServiceRequest) {
    if let Ok(bytes) = req.extract::<web::Bytes>().await {
        if Noted::is_wanted(req.request()) {
            req.extensions_mut().insert(NotedBody(bytes));
        }
    }
}

/// The answer of rule `rule` doing `fault`.
async fn answer(
    req: &ServiceRequest,
    rule: u64,
    fault: &Fault,
    caller: Option<&CallerFacts>,
) -> HttpResponse {
    let user_agent = req.headers().get(USER_AGENT).and_then(|v| v.to_str().ok());
    match fault {
        // `faulted` runs the call for these; never an answer of its own.
        Fault::Latency(_) => ApiError::Internal("a latency rule answered").error_response(),
        Fault::Respond {
            status,
            body,
            headers,
        } => respond(*status, body.as_ref(), headers),
        Fault::Drop => no_answer(rule),
        Fault::Hold { ms, then } => {
            actix_web::rt::time::sleep(Duration::from_millis(*ms)).await;
            match then {
                HoldEnd::GatewayTimeout => {
                    send(answer::nginx_page(ProxyPage::GatewayTimeout, user_agent))
                }
                HoldEnd::Drop => no_answer(rule),
            }
        }
        Fault::InternalError { message } => {
            let raw = message
                .clone()
                .unwrap_or_else(|| format!("zammad-links-mock fault rule {rule}: internal_error"));
            let sees_details = caller.is_some_and(|c| c.is_admin);
            refused(
                req.request(),
                Refusal::Unrescued { message: raw },
                sees_details,
            )
            .error_response()
        }
        Fault::BadGateway => send(answer::nginx_page(ProxyPage::BadGateway, user_agent)),
        Fault::GatewayTimeout => send(answer::nginx_page(ProxyPage::GatewayTimeout, user_agent)),
        Fault::Maintenance => refused(req.request(), Refusal::Maintenance, false).error_response(),
        Fault::TooManyRequests { retry_after } => send(answer::throttled(*retry_after)),
        Fault::TokenRevoked => revoked(req.request()).error_response(),
    }
}

/// The 401 Zammad gives credentials it no longer knows, in the running release's words
/// (`authenticates.rb#authentication_check_only`): a `Token` token not found, a `Bearer`
/// token failing the OAuth2 check too, a Basic password that no longer matches. Without
/// credentials it is Zammad's answer to those.
fn revoked(req: &HttpRequest) -> ApiError {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let error = match Credentials::parse(header) {
        Credentials::Token { bearer: false, .. } => AuthError::UnknownToken,
        Credentials::Token { bearer: true, .. } => AuthError::InvalidBearer,
        Credentials::Basic { .. } => AuthError::InvalidBasic,
        Credentials::None => AuthError::Required,
    };
    refused(req, Refusal::Authentication(error), false)
}

/// `refusal` as the running release answers it: the rule names the reason, `api::error`
/// words and shapes it as for any call.
fn refused(req: &HttpRequest, refusal: Refusal, sees_details: bool) -> ApiError {
    match req.app_data::<web::Data<AppState>>() {
        Some(state) => ApiError::Refused {
            refusal,
            release: state.release(),
            sees_details,
        },
        None => ApiError::Internal("the state is not registered"),
    }
}

/// A `respond` rule's answer: a JSON string body goes as text, any other value as JSON;
/// the rule's headers come last and win.
fn respond(
    status: u16,
    body: Option<&serde_json::Value>,
    headers: &[(String, String)],
) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    let text = match body {
        None => String::new(),
        Some(serde_json::Value::String(text)) => {
            response.insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"));
            text.clone()
        }
        Some(value) => {
            response.insert_header((CONTENT_TYPE, JSON_UTF8));
            value.to_string()
        }
    };
    for (name, value) in headers {
        // Checked when the rule was taken.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.insert_header((name, value));
        }
    }
    response.body(text)
}

/// An [`Answer`] as a response.
fn send(answer: Answer) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    for (name, value) in answer.headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.insert_header((name, value));
        }
    }
    response.body(answer.body)
}

/// A "response" that is never sent: its body fails at once, before anything was written, and
/// actix closes the connection, so the client sees it closed without a byte. The journal
/// notes [`NO_ANSWER`].
fn no_answer(rule: u64) -> HttpResponse {
    let status = StatusCode::from_u16(NO_ANSWER).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status).body(BoxBody::new(Severed(rule)))
}

/// The body of [`no_answer`].
struct Severed(u64);

impl MessageBody for Severed {
    type Error = std::io::Error;

    fn size(&self) -> BodySize {
        // A stream: the head is only encoded, not written, before the body is asked for.
        BodySize::Stream
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<web::Bytes, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::other(format!(
            "fault rule {} closes the connection without an answer",
            self.0
        )))))
    }
}

// ---- the admin routes -------------------------------------------------------------------

/// Registers `/faults` and `/faults/{id}` in the admin scope (behind its gate).
pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/faults", "GET, POST, PUT, DELETE")
            .route(web::get().to(list_faults))
            .route(web::post().to(add_fault))
            .route(web::put().to(put_faults))
            .route(web::delete().to(clear_faults)),
    )
    .service(
        resource("/faults/{id}", "GET, DELETE")
            .route(web::get().to(get_fault))
            .route(web::delete().to(delete_fault)),
    );
}

fn json(status: StatusCode, value: &serde_json::Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(JSON_UTF8)
        .body(value.to_string())
}

/// The listing: the run-wide latency and every rule, in the order they are tried.
fn listing(faults: &Faults) -> serde_json::Value {
    let latency = match faults.latency() {
        None => serde_json::Value::Null,
        Some(delay) => FaultRule::new(Fault::Latency(delay)).to_map()["ms"].clone(),
    };
    let rules: Vec<serde_json::Value> = faults.list().iter().map(|s| s.to_value()).collect();
    serde_json::json!({ "latency": latency, "faults": rules })
}

fn text(body: &[u8]) -> Result<&str, AdminError> {
    std::str::from_utf8(body).map_err(|_| AdminError::NotText)
}

fn rule_id(req: &HttpRequest) -> Result<u64, AdminError> {
    let id = req.match_info().get("id").unwrap_or("");
    id.parse()
        .map_err(|_| AdminError::NotFound(format!("no fault rule {id}")))
}

/// `GET /__mock/faults`: `{"latency": …, "faults": [rule with id, matched, fired, spent]}`.
async fn list_faults(faults: web::Data<Faults>) -> HttpResponse {
    json(StatusCode::OK, &listing(&faults))
}

/// `POST /__mock/faults`: adds one rule after the others; 201 with it (and its id), or 422
/// naming the place.
async fn add_fault(body: Body, faults: web::Data<Faults>) -> Result<HttpResponse, AdminError> {
    let rule = FaultRule::from_json(text(&body)?)?;
    let id = faults.add(rule)?;
    let status = faults
        .get(id)
        .ok_or_else(|| AdminError::NotFound(format!("no fault rule {id}")))?;
    let mut response = json(StatusCode::CREATED, &status.to_value());
    if let Ok(location) = HeaderValue::from_str(&format!("/__mock/faults/{id}")) {
        response.headers_mut().insert(LOCATION, location);
    }
    Ok(response)
}

/// `PUT /__mock/faults`: replaces every rule with a faults document (`{"faults": […]}`, the
/// `--faults FILE` format); 200 with the listing, or 422 naming the place and nothing changed.
async fn put_faults(body: Body, faults: web::Data<Faults>) -> Result<HttpResponse, AdminError> {
    let rules = FaultRule::document_from_json(text(&body)?)?;
    faults.replace(rules)?;
    Ok(json(StatusCode::OK, &listing(&faults)))
}

/// `DELETE /__mock/faults`: removes every rule (the start-up ones too, until a reset); 204.
async fn clear_faults(faults: web::Data<Faults>) -> HttpResponse {
    faults.clear();
    HttpResponse::NoContent().finish()
}

/// `GET /__mock/faults/{id}`: one rule, or 404.
async fn get_fault(
    req: HttpRequest,
    faults: web::Data<Faults>,
) -> Result<HttpResponse, AdminError> {
    let id = rule_id(&req)?;
    let status = faults
        .get(id)
        .ok_or_else(|| AdminError::NotFound(format!("no fault rule {id}")))?;
    Ok(json(StatusCode::OK, &status.to_value()))
}

/// `DELETE /__mock/faults/{id}`: removes one rule; 204, or 404.
async fn delete_fault(
    req: HttpRequest,
    faults: web::Data<Faults>,
) -> Result<HttpResponse, AdminError> {
    let id = rule_id(&req)?;
    if faults.remove(id) {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(AdminError::NotFound(format!("no fault rule {id}")))
    }
}
