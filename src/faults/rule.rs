//! One fault rule — which calls it matches, what it does to them, how often — and its JSON
//! form, which the admin API, a `--faults FILE` and the Rust builder share. Parsing checks
//! the whole rule and names the place of the first thing wrong (`faults[2].kind: …`), as the
//! fixture document does; unknown keys are refused, so that a typo is never silently a rule
//! that matches everything.

use std::str::FromStr;

use actix_web::http::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value};

use super::route::ZammadRoute;
use super::MAX_WAIT_MS;

/// What is wrong with a rule or a faults document, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct FaultsError {
    /// The place: `faults[2].kind`, `rule.ms`, `(document)`.
    pub path: String,
    /// What is wrong there.
    pub reason: String,
}

impl FaultsError {
    fn at(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// A wait in milliseconds: always the same, or drawn from a range (both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delay {
    /// Exactly this many milliseconds.
    Fixed(u64),
    /// Between `min` and `max` milliseconds; each call draws its own from the rule's seed.
    Range {
        /// The shortest.
        min: u64,
        /// The longest.
        max: u64,
    },
}

impl Delay {
    /// The longest this delay can be.
    pub fn max_ms(self) -> u64 {
        match self {
            Delay::Fixed(ms) => ms,
            Delay::Range { max, .. } => max,
        }
    }

    fn to_value(self) -> Value {
        match self {
            Delay::Fixed(ms) => Value::from(ms),
            Delay::Range { min, max } => Value::from(vec![min, max]),
        }
    }

    fn from_value(value: &Value, path: &str) -> Result<Self, FaultsError> {
        let millis = |v: &Value, path: &str| {
            v.as_u64().ok_or_else(|| {
                FaultsError::at(path, "expected milliseconds (a whole number, 0 or more)")
            })
        };
        let delay = match value {
            Value::Array(ends) if ends.len() == 2 => Delay::Range {
                min: millis(&ends[0], &format!("{path}[0]"))?,
                max: millis(&ends[1], &format!("{path}[1]"))?,
            },
            Value::Array(_) => {
                return Err(FaultsError::at(path, "expected [min, max] in milliseconds"))
            }
            other => Delay::Fixed(millis(other, path)?),
        };
        delay
            .check()
            .map_err(|reason| FaultsError::at(path, reason))?;
        Ok(delay)
    }

    /// Why this delay is not usable, if it is not.
    fn check(self) -> Result<(), String> {
        if let Delay::Range { min, max } = self {
            if min > max {
                return Err(format!("the range starts after it ends ({min} > {max})"));
            }
        }
        if self.max_ms() > MAX_WAIT_MS {
            return Err(format!(
                "at most {MAX_WAIT_MS} ms (the proxy in front of Zammad gives up then)"
            ));
        }
        Ok(())
    }
}

/// Why a `--latency` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DelayParseError(String);

impl FromStr for Delay {
    type Err = DelayParseError;

    /// `250`, `250ms`, `2s`, `1.5s`, or a range `100ms..300ms` (`--latency`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        fn millis(part: &str) -> Option<u64> {
            let part = part.trim();
            if let Some(ms) = part.strip_suffix("ms") {
                return ms.trim().parse().ok();
            }
            if let Some(s) = part.strip_suffix('s') {
                let seconds: f64 = s.trim().parse().ok()?;
                return (seconds.is_finite() && seconds >= 0.0)
                    .then(|| (seconds * 1000.0).round() as u64);
            }
            part.parse().ok()
        }
        let wrong = || {
            DelayParseError(format!(
                "{text:?} is not a delay: expected milliseconds or seconds (250, 250ms, 2s) \
                 or a range (100ms..300ms)"
            ))
        };
        let delay = match text.split_once("..") {
            Some((min, max)) => Delay::Range {
                min: millis(min).ok_or_else(wrong)?,
                max: millis(max).ok_or_else(wrong)?,
            },
            None => Delay::Fixed(millis(text).ok_or_else(wrong)?),
        };
        delay
            .check()
            .map_err(|reason| DelayParseError(format!("{text:?}: {reason}")))?;
        Ok(delay)
    }
}

/// What a [`Fault::Hold`] does when its time is up and the client is still waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldEnd {
    /// Answer the 504 that Zammad's nginx sends when the Rails server has not answered within
    /// its `proxy_read_timeout` (what a hung Zammad in the official images does).
    GatewayTimeout,
    /// Close the connection without an answer (a server that died mid-call).
    Drop,
}

impl HoldEnd {
    fn name(self) -> &'static str {
        match self {
            HoldEnd::GatewayTimeout => "gateway_timeout",
            HoldEnd::Drop => "drop",
        }
    }
}

/// What a rule does to a call it fires on: add latency and run the call, or answer instead.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Wait, then run the call as usual (`latency`).
    Latency(Delay),
    /// Answer `status` with `body` instead of running the call (`respond`). A JSON string body
    /// is sent as text; any other JSON value as JSON.
    Respond {
        /// 200–599.
        status: u16,
        /// The body; none for an empty one.
        body: Option<Value>,
        /// Headers to send, in order; they override the content type the body implies.
        headers: Vec<(String, String)>,
    },
    /// Close the connection without an answer (`drop`).
    Drop,
    /// Answer nothing for `ms` (at most [`MAX_WAIT_MS`]), so that the client gives up first;
    /// then end as `then` says (`hold`).
    Hold {
        /// How long to hold.
        ms: u64,
        /// What happens to a client still waiting.
        then: HoldEnd,
    },
    /// Zammad's masked 500 (`internal_error`): `Error ID …: Please contact your
    /// administrator.`, or the raw `message` for a caller with `admin`.
    InternalError {
        /// The exception's message an admin sees; `None` names the rule.
        message: Option<String>,
    },
    /// The 502 of Zammad's nginx when the Rails server is down (`bad_gateway`).
    BadGateway,
    /// The 504 of Zammad's nginx when the Rails server did not answer in time
    /// (`gateway_timeout`).
    GatewayTimeout,
    /// Zammad's maintenance mode as a logged-in API user without `admin.maintenance` meets it
    /// (`maintenance`); admins pass, as in Zammad.
    Maintenance,
    /// A 429 of the throttle in front of Zammad's controllers (`too_many_requests`).
    TooManyRequests {
        /// Seconds for `Retry-After`; `None` sends no such header (Zammad's own setting).
        retry_after: Option<u64>,
    },
    /// The 401 of a token (or password) that was just revoked (`token_revoked`).
    TokenRevoked,
}

/// The kinds by name, before their parameters are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Latency,
    Respond,
    Drop,
    Hold,
    InternalError,
    BadGateway,
    GatewayTimeout,
    Maintenance,
    TooManyRequests,
    TokenRevoked,
}

impl Kind {
    const ALL: [Kind; 10] = [
        Kind::Latency,
        Kind::Respond,
        Kind::Drop,
        Kind::Hold,
        Kind::InternalError,
        Kind::BadGateway,
        Kind::GatewayTimeout,
        Kind::Maintenance,
        Kind::TooManyRequests,
        Kind::TokenRevoked,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Latency => "latency",
            Kind::Respond => "respond",
            Kind::Drop => "drop",
            Kind::Hold => "hold",
            Kind::InternalError => "internal_error",
            Kind::BadGateway => "bad_gateway",
            Kind::GatewayTimeout => "gateway_timeout",
            Kind::Maintenance => "maintenance",
            Kind::TooManyRequests => "too_many_requests",
            Kind::TokenRevoked => "token_revoked",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The keys this kind takes besides the common ones.
    fn parameters(self) -> &'static [&'static str] {
        match self {
            Kind::Latency => &["ms"],
            Kind::Respond => &["status", "body", "headers"],
            Kind::Hold => &["ms", "then"],
            Kind::InternalError => &["message"],
            Kind::TooManyRequests => &["retry_after"],
            Kind::Drop
            | Kind::BadGateway
            | Kind::GatewayTimeout
            | Kind::Maintenance
            | Kind::TokenRevoked => &[],
        }
    }

    /// Every kind's name, for messages.
    fn names() -> String {
        Self::ALL.map(Kind::name).join(", ")
    }
}

impl Fault {
    /// The name of this kind in a rule's JSON and in the journal.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Latency(_) => "latency",
            Fault::Respond { .. } => "respond",
            Fault::Drop => "drop",
            Fault::Hold { .. } => "hold",
            Fault::InternalError { .. } => "internal_error",
            Fault::BadGateway => "bad_gateway",
            Fault::GatewayTimeout => "gateway_timeout",
            Fault::Maintenance => "maintenance",
            Fault::TooManyRequests { .. } => "too_many_requests",
            Fault::TokenRevoked => "token_revoked",
        }
    }

    /// Whether the rule decides only once the caller is known. Both failures happen inside
    /// Zammad, after `authentication_check`: a request whose credentials fail gets its usual
    /// 401/403 and the rule does not fire. The masked 500 also needs to know whether the
    /// caller may see details; maintenance lets admins through.
    pub(crate) fn needs_caller(&self) -> bool {
        match self {
            Fault::InternalError { .. } | Fault::Maintenance => true,
            Fault::Latency(_)
            | Fault::Respond { .. }
            | Fault::Drop
            | Fault::Hold { .. }
            | Fault::BadGateway
            | Fault::GatewayTimeout
            | Fault::TooManyRequests { .. }
            | Fault::TokenRevoked => false,
        }
    }

    fn check(&self, path: &str) -> Result<(), FaultsError> {
        match self {
            Fault::Latency(delay) => delay
                .check()
                .map_err(|reason| FaultsError::at(format!("{path}.ms"), reason)),
            Fault::Respond {
                status, headers, ..
            } => {
                if !(200..=599).contains(status) {
                    return Err(FaultsError::at(
                        format!("{path}.status"),
                        format!("{status} is not a status from 200 to 599"),
                    ));
                }
                for (name, value) in headers {
                    let at = format!("{path}.headers.{name}");
                    HeaderName::from_bytes(name.as_bytes())
                        .map_err(|_| FaultsError::at(&at, "not a header name"))?;
                    HeaderValue::from_str(value)
                        .map_err(|_| FaultsError::at(&at, "not a header value"))?;
                }
                Ok(())
            }
            Fault::Hold { ms, .. } if *ms > MAX_WAIT_MS => Err(FaultsError::at(
                format!("{path}.ms"),
                format!("at most {MAX_WAIT_MS} ms (the proxy in front of Zammad gives up then)"),
            )),
            Fault::InternalError {
                message: Some(message),
            } if message.trim().is_empty() => Err(FaultsError::at(
                format!("{path}.message"),
                "must not be blank",
            )),
            Fault::TooManyRequests {
                retry_after: Some(seconds),
            } if *seconds > 86_400 => Err(FaultsError::at(
                format!("{path}.retry_after"),
                "at most 86400 seconds",
            )),
            Fault::Hold { .. }
            | Fault::InternalError { .. }
            | Fault::TooManyRequests { .. }
            | Fault::Drop
            | Fault::BadGateway
            | Fault::GatewayTimeout
            | Fault::Maintenance
            | Fault::TokenRevoked => Ok(()),
        }
    }
}

/// Which paths a rule matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathMatch {
    /// Exactly this path (no query string).
    Exact(String),
    /// Every path that starts with this (written with a trailing `*`).
    Prefix(String),
}

impl PathMatch {
    fn matches(&self, path: &str) -> bool {
        match self {
            PathMatch::Exact(exact) => path == exact,
            PathMatch::Prefix(prefix) => path.starts_with(prefix.as_str()),
        }
    }

    fn text(&self) -> String {
        match self {
            PathMatch::Exact(exact) => exact.clone(),
            PathMatch::Prefix(prefix) => format!("{prefix}*"),
        }
    }

    fn parse(text: &str) -> Self {
        match text.strip_suffix('*') {
            Some(prefix) => PathMatch::Prefix(prefix.to_owned()),
            None => PathMatch::Exact(text.to_owned()),
        }
    }
}

/// Which caller a rule matches: the user the request acts as once authenticated (after
/// `From` / `X-On-Behalf-Of`, the user the journal shows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallerMatch {
    /// The user with this id.
    Id(i64),
    /// The user with this login or email, compared case-insensitively as Zammad does.
    Login(String),
}

/// One rule: a [`Fault`], the calls it matches (every key left out matches every call), and
/// how often it fires.
///
/// ```
/// use zammad_links_mock::{Fault, FaultRule, ZammadRoute};
///
/// // The next link add fails with Zammad's masked 500, then adds work again.
/// let rule = FaultRule::new(Fault::InternalError { message: None })
///     .route(ZammadRoute::LinksAdd)
///     .times(1);
/// assert_eq!(
///     rule.to_json(),
///     r#"{"kind":"internal_error","route":"links#add","times":1}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// What happens.
    pub fault: Fault,
    /// Only calls with this method (upper case).
    pub method: Option<String>,
    /// Only calls to these paths.
    pub path: Option<PathMatch>,
    /// Only calls of this route of Zammad's.
    pub route: Option<ZammadRoute>,
    /// Only calls of this caller (decided after authentication).
    pub caller: Option<CallerMatch>,
    /// Fire on the next this many matching calls, then never again; `None`: every one.
    pub times: Option<u64>,
    /// Fire on this share (0 to 1) of the matching calls, chosen by `seed`: the same seed
    /// chooses the same calls of a run every time.
    pub fraction: Option<f64>,
    /// The seed of the fraction and of a latency range (default 0).
    pub seed: u64,
}

/// The keys every rule takes, whatever its kind.
const COMMON_KEYS: [&str; 8] = [
    "kind", "method", "path", "route", "caller", "times", "fraction", "seed",
];

impl FaultRule {
    /// A rule that does `fault` to every call, every time, until narrowed.
    pub fn new(fault: Fault) -> Self {
        Self {
            fault,
            method: None,
            path: None,
            route: None,
            caller: None,
            times: None,
            fraction: None,
            seed: 0,
        }
    }

    /// Only calls with `method` (`GET`, `POST`, …).
    pub fn method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Only calls to `path`; a trailing `*` matches every path that starts with the rest.
    pub fn path(mut self, path: &str) -> Self {
        self.path = Some(PathMatch::parse(path));
        self
    }

    /// Only calls of Zammad's `route`.
    pub fn route(mut self, route: ZammadRoute) -> Self {
        self.route = Some(route);
        self
    }

    /// Only calls acting as the user with `id`.
    pub fn caller_id(mut self, id: i64) -> Self {
        self.caller = Some(CallerMatch::Id(id));
        self
    }

    /// Only calls acting as the user with this login or email.
    pub fn caller_login(mut self, login: &str) -> Self {
        self.caller = Some(CallerMatch::Login(login.to_owned()));
        self
    }

    /// Fire on the next `n` matching calls only.
    pub fn times(mut self, n: u64) -> Self {
        self.times = Some(n);
        self
    }

    /// Fire on the share `p` (0 to 1) of matching calls, chosen by `seed`.
    pub fn fraction(mut self, p: f64, seed: u64) -> Self {
        self.fraction = Some(p);
        self.seed = seed;
        self
    }

    /// Whether the rule decides only once the caller is known (see [`Fault`]'s kinds).
    pub(crate) fn needs_caller(&self) -> bool {
        self.caller.is_some() || self.fault.needs_caller()
    }

    /// Whether the method, path and route say this rule is about the call.
    pub(crate) fn matches_call(
        &self,
        method: &str,
        path: &str,
        route: Option<ZammadRoute>,
    ) -> bool {
        self.method.as_deref().is_none_or(|m| m == method)
            && self.path.as_ref().is_none_or(|p| p.matches(path))
            && self.route.is_none_or(|r| Some(r) == route)
    }

    /// Whether the caller named (if any) is this one.
    pub(crate) fn matches_caller(&self, user_id: i64, names: [Option<&str>; 2]) -> bool {
        match &self.caller {
            None => true,
            Some(CallerMatch::Id(id)) => *id == user_id,
            Some(CallerMatch::Login(login)) => names
                .iter()
                .flatten()
                .any(|name| name.eq_ignore_ascii_case(login)),
        }
    }

    /// Checks everything the types do not: ranges, header syntax, paths. `path` names the rule
    /// in the error (`faults[2]`, `rule`).
    ///
    /// # Errors
    /// The first thing wrong, with its place.
    pub fn validate(&self, path: &str) -> Result<(), FaultsError> {
        if let Some(method) = &self.method {
            if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(FaultsError::at(
                    format!("{path}.method"),
                    format!("{method:?} is not an HTTP method"),
                ));
            }
        }
        if let Some(matcher) = &self.path {
            let text = matcher.text();
            if !text.starts_with('/') {
                return Err(FaultsError::at(format!("{path}.path"), "must start with /"));
            }
            let prefix = match matcher {
                PathMatch::Exact(p) | PathMatch::Prefix(p) => p.as_str(),
            };
            if prefix.starts_with("/__mock") {
                return Err(FaultsError::at(
                    format!("{path}.path"),
                    "the mock's own routes under /__mock/ never take faults",
                ));
            }
        }
        if let Some(CallerMatch::Login(login)) = &self.caller {
            if login.trim().is_empty() {
                return Err(FaultsError::at(
                    format!("{path}.caller"),
                    "must not be blank",
                ));
            }
        }
        if self.times == Some(0) {
            return Err(FaultsError::at(format!("{path}.times"), "at least 1"));
        }
        if let Some(p) = self.fraction {
            if !(0.0..=1.0).contains(&p) {
                return Err(FaultsError::at(
                    format!("{path}.fraction"),
                    "a share from 0 to 1",
                ));
            }
        }
        self.fault.check(path)
    }

    /// The rule as JSON, in the form [`FaultRule::from_json`] reads.
    pub fn to_json(&self) -> String {
        Value::Object(self.to_map()).to_string()
    }

    /// The rule's keys, in a fixed order: kind and its parameters, what it matches, how often.
    pub(crate) fn to_map(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("kind".into(), self.fault.kind().into());
        match &self.fault {
            Fault::Latency(delay) => {
                map.insert("ms".into(), delay.to_value());
            }
            Fault::Respond {
                status,
                body,
                headers,
            } => {
                map.insert("status".into(), (*status).into());
                if let Some(body) = body {
                    map.insert("body".into(), body.clone());
                }
                if !headers.is_empty() {
                    let headers: Map<String, Value> = headers
                        .iter()
                        .map(|(name, value)| (name.clone(), Value::from(value.as_str())))
                        .collect();
                    map.insert("headers".into(), headers.into());
                }
            }
            Fault::Hold { ms, then } => {
                map.insert("ms".into(), (*ms).into());
                map.insert("then".into(), then.name().into());
            }
            Fault::InternalError { message } => {
                if let Some(message) = message {
                    map.insert("message".into(), message.as_str().into());
                }
            }
            Fault::TooManyRequests { retry_after } => {
                map.insert("retry_after".into(), (*retry_after).into());
            }
            Fault::Drop
            | Fault::BadGateway
            | Fault::GatewayTimeout
            | Fault::Maintenance
            | Fault::TokenRevoked => {}
        }
        if let Some(method) = &self.method {
            map.insert("method".into(), method.as_str().into());
        }
        if let Some(path) = &self.path {
            map.insert("path".into(), path.text().into());
        }
        if let Some(route) = self.route {
            map.insert("route".into(), route.name().into());
        }
        match &self.caller {
            Some(CallerMatch::Id(id)) => {
                map.insert("caller".into(), (*id).into());
            }
            Some(CallerMatch::Login(login)) => {
                map.insert("caller".into(), login.as_str().into());
            }
            None => {}
        }
        if let Some(times) = self.times {
            map.insert("times".into(), times.into());
        }
        if let Some(fraction) = self.fraction {
            map.insert("fraction".into(), fraction.into());
        }
        if self.seed != 0 || self.fraction.is_some() {
            map.insert("seed".into(), self.seed.into());
        }
        map
    }

    /// One rule from its JSON text, as `POST /__mock/faults` takes it; errors name the place
    /// from `rule` (`rule.kind: …`).
    ///
    /// # Errors
    /// When the text is not JSON or not a valid rule.
    pub fn from_json(text: &str) -> Result<Self, FaultsError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| FaultsError::at("(document)", format!("not JSON: {e}")))?;
        Self::from_value(&value, "rule")
    }

    /// A faults document, `{"faults": [rule, …]}` (a `--faults FILE`, `PUT /__mock/faults`);
    /// errors name the place from `faults` (`faults[2].kind: …`).
    ///
    /// # Errors
    /// When the text is not JSON or not a valid document; nothing of it is taken then.
    pub fn document_from_json(text: &str) -> Result<Vec<Self>, FaultsError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| FaultsError::at("(document)", format!("not JSON: {e}")))?;
        let Value::Object(document) = &value else {
            return Err(FaultsError::at(
                "(document)",
                "expected an object {\"faults\": [rule, …]}",
            ));
        };
        if let Some(key) = document.keys().find(|key| *key != "faults") {
            return Err(FaultsError::at(
                key.as_str(),
                "unknown key (a faults document has only \"faults\")",
            ));
        }
        let Some(rules) = document.get("faults") else {
            return Err(FaultsError::at("faults", "missing"));
        };
        let Value::Array(rules) = rules else {
            return Err(FaultsError::at("faults", "expected a list of rules"));
        };
        rules
            .iter()
            .enumerate()
            .map(|(i, rule)| Self::from_value(rule, &format!("faults[{i}]")))
            .collect()
    }

    /// One rule from JSON; `path` names it in errors.
    pub(crate) fn from_value(value: &Value, path: &str) -> Result<Self, FaultsError> {
        let Value::Object(map) = value else {
            return Err(FaultsError::at(path, "expected a rule object"));
        };
        let at = |key: &str| format!("{path}.{key}");
        let name = match map.get("kind") {
            None => {
                return Err(FaultsError::at(
                    at("kind"),
                    format!("missing (one of {})", Kind::names()),
                ))
            }
            Some(Value::String(name)) => name.as_str(),
            Some(_) => return Err(FaultsError::at(at("kind"), "expected a name")),
        };
        let Some(kind) = Kind::from_name(name) else {
            return Err(FaultsError::at(
                at("kind"),
                format!("unknown kind {name:?} (one of {})", Kind::names()),
            ));
        };
        let parameters = kind.parameters();
        if let Some(key) = map
            .keys()
            .find(|key| !COMMON_KEYS.contains(&key.as_str()) && !parameters.contains(&key.as_str()))
        {
            let takes = if parameters.is_empty() {
                "no parameters".to_owned()
            } else {
                parameters.join(", ")
            };
            return Err(FaultsError::at(
                at(key),
                format!("unknown key (a {name} rule takes {takes} besides the common keys)"),
            ));
        }
        let text = |key: &str| -> Result<Option<&str>, FaultsError> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.as_str())),
                Some(_) => Err(FaultsError::at(at(key), "expected a string")),
            }
        };
        let whole = |key: &str| -> Result<Option<u64>, FaultsError> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_u64()
                    .map(Some)
                    .ok_or_else(|| FaultsError::at(at(key), "expected a whole number, 0 or more")),
            }
        };
        let fault = match kind {
            Kind::Latency => {
                let ms = map
                    .get("ms")
                    .ok_or_else(|| FaultsError::at(at("ms"), "missing"))?;
                Fault::Latency(Delay::from_value(ms, &at("ms"))?)
            }
            Kind::Respond => {
                let status =
                    whole("status")?.ok_or_else(|| FaultsError::at(at("status"), "missing"))?;
                let status = u16::try_from(status).unwrap_or(u16::MAX);
                let headers = match map.get("headers") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Object(headers)) => headers
                        .iter()
                        .map(|(name, value)| match value {
                            Value::String(value) => Ok((name.clone(), value.clone())),
                            _ => Err(FaultsError::at(
                                format!("{path}.headers.{name}"),
                                "expected a string",
                            )),
                        })
                        .collect::<Result<_, _>>()?,
                    Some(_) => {
                        return Err(FaultsError::at(
                            at("headers"),
                            "expected an object of header names and values",
                        ))
                    }
                };
                Fault::Respond {
                    status,
                    body: map.get("body").cloned(),
                    headers,
                }
            }
            Kind::Drop => Fault::Drop,
            Kind::Hold => Fault::Hold {
                ms: whole("ms")?.unwrap_or(MAX_WAIT_MS),
                then: match text("then")? {
                    None | Some("gateway_timeout") => HoldEnd::GatewayTimeout,
                    Some("drop") => HoldEnd::Drop,
                    Some(other) => {
                        return Err(FaultsError::at(
                            at("then"),
                            format!("{other:?} is neither gateway_timeout nor drop"),
                        ))
                    }
                },
            },
            Kind::InternalError => Fault::InternalError {
                message: text("message")?.map(str::to_owned),
            },
            Kind::BadGateway => Fault::BadGateway,
            Kind::GatewayTimeout => Fault::GatewayTimeout,
            Kind::Maintenance => Fault::Maintenance,
            Kind::TooManyRequests => Fault::TooManyRequests {
                // Left out: one second; `null`: no header, as Zammad's own throttle sends.
                retry_after: match map.get("retry_after") {
                    None => Some(1),
                    Some(_) => whole("retry_after")?,
                },
            },
            Kind::TokenRevoked => Fault::TokenRevoked,
        };
        let caller = match map.get("caller") {
            None | Some(Value::Null) => None,
            Some(Value::String(login)) => Some(CallerMatch::Login(login.clone())),
            Some(v) => Some(CallerMatch::Id(v.as_i64().ok_or_else(|| {
                FaultsError::at(at("caller"), "expected a login, an email or a user id")
            })?)),
        };
        let route = match text("route")? {
            None => None,
            Some(name) => Some(ZammadRoute::from_name(name).ok_or_else(|| {
                FaultsError::at(
                    at("route"),
                    format!("unknown route {name:?} (one of {})", ZammadRoute::names()),
                )
            })?),
        };
        let fraction = match map.get("fraction") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_f64()
                    .ok_or_else(|| FaultsError::at(at("fraction"), "a share from 0 to 1"))?,
            ),
        };
        let rule = FaultRule {
            fault,
            method: text("method")?.map(str::to_ascii_uppercase),
            path: text("path")?.map(PathMatch::parse),
            route,
            caller,
            times: whole("times")?,
            fraction,
            seed: whole("seed")?.unwrap_or(0),
        };
        rule.validate(path)?;
        Ok(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_reads_back_what_it_writes() {
        let rules = [
            FaultRule::new(Fault::Latency(Delay::Range { min: 10, max: 20 }))
                .method("get")
                .path("/api/v1/tickets/*")
                .fraction(0.5, 7),
            FaultRule::new(Fault::Respond {
                status: 503,
                body: Some(serde_json::json!({"error": "later"})),
                headers: vec![("Retry-After".into(), "3".into())],
            })
            .caller_login("test@test.de")
            .times(2),
            FaultRule::new(Fault::Hold {
                ms: 50,
                then: HoldEnd::Drop,
            })
            .caller_id(3),
            FaultRule::new(Fault::TooManyRequests { retry_after: None }),
            FaultRule::new(Fault::InternalError {
                message: Some("boom".into()),
            })
            .route(ZammadRoute::LinksAdd),
        ];
        for rule in rules {
            assert_eq!(FaultRule::from_json(&rule.to_json()), Ok(rule.clone()));
        }
    }

    #[test]
    fn refusals_name_the_place() {
        let cases = [
            (
                r#"{"faults": [{"kind": "drop"}, {"kind": "nap"}]}"#,
                "faults[1].kind",
            ),
            (r#"{"faults": [{"ms": 3}]}"#, "faults[0].kind"),
            (r#"{"faults": [{"kind": "drop", "ms": 3}]}"#, "faults[0].ms"),
            (
                r#"{"faults": [{"kind": "latency", "ms": [5, 1]}]}"#,
                "faults[0].ms",
            ),
            (
                r#"{"faults": [{"kind": "latency", "ms": 300001}]}"#,
                "faults[0].ms",
            ),
            (
                r#"{"faults": [{"kind": "hold", "then": "sleep"}]}"#,
                "faults[0].then",
            ),
            (
                r#"{"faults": [{"kind": "respond", "status": 99}]}"#,
                "faults[0].status",
            ),
            (
                r#"{"faults": [{"kind": "respond", "status": 500, "headers": {"a b": "x"}}]}"#,
                "faults[0].headers.a b",
            ),
            (
                r#"{"faults": [{"kind": "drop", "route": "links#list"}]}"#,
                "faults[0].route",
            ),
            (
                r#"{"faults": [{"kind": "drop", "path": "/__mock/health"}]}"#,
                "faults[0].path",
            ),
            (
                r#"{"faults": [{"kind": "drop", "times": 0}]}"#,
                "faults[0].times",
            ),
            (
                r#"{"faults": [{"kind": "drop", "fraction": 1.5}]}"#,
                "faults[0].fraction",
            ),
            (
                r#"{"faults": [{"kind": "drop", "caller": true}]}"#,
                "faults[0].caller",
            ),
            (r#"{"rules": []}"#, "rules"),
            (r#"[]"#, "(document)"),
            (r#"{"faults": [1]}"#, "faults[0]"),
        ];
        for (text, place) in cases {
            let error = FaultRule::document_from_json(text).unwrap_err();
            assert_eq!(error.path, place, "{text}: {error}");
        }
    }

    #[test]
    fn too_many_requests_says_retry_after_one_second_unless_told() {
        let rule = FaultRule::from_json(r#"{"kind": "too_many_requests"}"#).unwrap();
        assert_eq!(
            rule.fault,
            Fault::TooManyRequests {
                retry_after: Some(1)
            }
        );
        let rule =
            FaultRule::from_json(r#"{"kind": "too_many_requests", "retry_after": null}"#).unwrap();
        assert_eq!(rule.fault, Fault::TooManyRequests { retry_after: None });
    }

    #[test]
    fn delays_parse_as_the_command_line_writes_them() {
        assert_eq!("250".parse(), Ok(Delay::Fixed(250)));
        assert_eq!("250ms".parse(), Ok(Delay::Fixed(250)));
        assert_eq!("1.5s".parse(), Ok(Delay::Fixed(1500)));
        assert_eq!(
            "100ms..2s".parse(),
            Ok(Delay::Range {
                min: 100,
                max: 2000
            })
        );
        assert!("soon".parse::<Delay>().is_err());
        assert!("3..1".parse::<Delay>().is_err());
        assert!("301s".parse::<Delay>().is_err());
    }
}
