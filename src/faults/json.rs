//! The JSON form of a fault rule and of a faults document (`{"faults": [rule, …]}`), which
//! the admin API, a `--faults FILE` and [`FaultRule::to_json`] share. Reading checks the whole
//! rule and names the place of the first thing wrong (`faults[2].kind: …`), as the fixture
//! document does; unknown keys are refused, so that a typo is never silently a rule that
//! matches everything.

use serde_json::{Map, Value};

use super::route::ZammadRoute;
use super::rule::{CallerMatch, Delay, Fault, FaultRule, FaultsError, HoldEnd, PathMatch};
use super::MAX_WAIT_MS;

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

/// The keys every rule takes, whatever its kind.
const COMMON_KEYS: [&str; 8] = [
    "kind", "method", "path", "route", "caller", "times", "fraction", "seed",
];

impl Delay {
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
}

impl FaultRule {
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
}
