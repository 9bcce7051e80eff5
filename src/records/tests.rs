//! Records from fixture attributes (password out, key order kept, typed fields), `touch`
//! in place, and logins found case-insensitively.

use super::*;
use serde_json::json;

fn attrs(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

#[test]
fn password_is_taken_out_and_key_order_is_kept() {
    let (record, password) = Record::from_attributes(
        ModelKind::User,
        3,
        attrs(json!({"id": 3, "login": "a", "password": "pw", "zeta": 1, "alpha": 2})),
    )
    .unwrap();
    assert_eq!(password.as_deref(), Some("pw"));
    assert_eq!(record.json(), r#"{"id":3,"login":"a","zeta":1,"alpha":2}"#);
}

#[test]
fn a_wrongly_typed_field_is_named() {
    let err = Record::from_attributes(
        ModelKind::Ticket,
        1,
        attrs(json!({"id": 1, "owner_id": "x"})),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "owner_id: expected an integer or null");
}

#[test]
fn touch_moves_updated_at_in_place() {
    let (record, _) = Record::from_attributes(
        ModelKind::Ticket,
        1,
        attrs(json!({"id": 1, "updated_at": "2021-01-01T00:00:00.000Z", "z": 0})),
    )
    .unwrap();
    let touched = record.touched(Millis::parse("2022-02-02T02:02:02.222Z").unwrap());
    assert_eq!(
        touched.json(),
        r#"{"id":1,"updated_at":"2022-02-02T02:02:02.222Z","z":0}"#
    );
}

#[test]
fn touch_keeps_nested_values_as_they_are_and_appends_a_missing_stamp() {
    let (record, _) = Record::from_attributes(
        ModelKind::Ticket,
        1,
        attrs(json!({"id": 1, "preferences": {"updated_at": "x", "a\"b": [1.5, null]}})),
    )
    .unwrap();
    let touched = record.touched(Millis::parse("2022-02-02T02:02:02.222Z").unwrap());
    assert_eq!(
        touched.json(),
        r#"{"id":1,"preferences":{"updated_at":"x","a\"b":[1.5,null]},"updated_at":"2022-02-02T02:02:02.222Z"}"#
    );
}

#[test]
fn touch_agrees_with_a_full_parse_and_re_encoding() {
    let now = Millis::parse("2022-02-02T02:02:02.222Z").unwrap();
    let full = |json: &str| {
        let mut attrs: Map<String, Value> = serde_json::from_str(json).unwrap();
        attrs.insert("updated_at".into(), Value::String(now.to_string()));
        Value::Object(attrs).to_string()
    };
    let seed: Value = serde_json::from_str(crate::fixtures::DEFAULT_DATA).unwrap();
    let mut cases: Vec<String> = seed["Ticket"]
        .as_object()
        .unwrap()
        .values()
        .chain(seed["User"].as_object().unwrap().values())
        .map(Value::to_string)
        .collect();
    cases.extend(
        [
            r#"{}"#,
            r#"{"updated_at":null}"#,
            r#"{"a":"}\",{","updated_at":"x","b":[{"updated_at":1}]}"#,
            r#"{"n":{"updated_at":"inner"},"m":[1,2,{"x":"]"}]}"#,
            r#"{"k\"updated_at":1,"updated_at":12.5}"#,
        ]
        .map(str::to_owned),
    );
    for json in cases {
        assert_eq!(touch_json(&json, now).unwrap(), full(&json), "for {json}");
    }
    assert_eq!(touch_json("[1]", now), None);
    assert_eq!(touch_json("{\"a\":", now), None);
    assert_eq!(touch_json("{\"updated_at}", now), None);
    assert_eq!(touch_json("{\"updated_at\",\"x\":1}", now), None);
    assert_eq!(touch_json("{\"a\":\"\\}", now), None);
}

#[test]
fn logins_are_found_case_insensitively_by_login_or_email() {
    let store = RecordStore::default();
    let (user, _) = Record::from_attributes(
        ModelKind::User,
        3,
        attrs(json!({"id": 3, "login": "Max", "email": "max@example.com"})),
    )
    .unwrap();
    store.upsert(user);
    assert_eq!(store.user_by_login("MAX").unwrap().id, 3);
    assert_eq!(store.user_by_login("Max@Example.com").unwrap().id, 3);
}
