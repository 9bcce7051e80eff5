//! One fault rule — which calls it matches, what it does to them, how often — as Rust types,
//! with the checks the types cannot make ([`FaultRule::validate`]). Its JSON form, which the
//! admin API and a `--faults FILE` read, is `json`'s.

use std::str::FromStr;

use actix_web::http::header::{HeaderName, HeaderValue};
use serde_json::Value;

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
    pub(super) fn at(path: impl Into<String>, reason: impl Into<String>) -> Self {
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

    /// Why this delay is not usable, if it is not.
    pub(super) fn check(self) -> Result<(), String> {
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
    pub(super) fn name(self) -> &'static str {
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

    pub(super) fn text(&self) -> String {
        match self {
            PathMatch::Exact(exact) => exact.clone(),
            PathMatch::Prefix(prefix) => format!("{prefix}*"),
        }
    }

    pub(super) fn parse(text: &str) -> Self {
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
