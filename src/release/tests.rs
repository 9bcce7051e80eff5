//! The release numbers each line answers for (spec §10.6), and what every room's walk may
//! pull in.

use super::*;

/// `--zammad-version` → (line, what `GET /api/v1/version` reports), every row of §10.6.
#[test]
fn every_release_of_the_table_answers_as_its_line_and_reports_its_number() {
    for (given, line, reported) in [
        ("5.0", "5.0", "5.0.3"),
        ("5.0.0", "5.0", "5.0.0"),
        ("5.0.4", "5.0", "5.0.4"),
        ("6.5", "6.5", "6.5.0"),
        ("6.5.0", "6.5", "6.5.0"),
        ("6.5.4", "6.5", "6.5.4"),
        ("7.0", "7.0", "7.0.1"),
        ("7.0.0", "7.0", "7.0.0"),
        ("7.0.2", "7.0", "7.0.2"),
        ("7.1", "7.0", "7.1.0"),
        ("7.1.3", "7.0", "7.1.3"),
        ("7.2", "7.2", "7.2.0"),
        ("7.2.0", "7.2", "7.2.0"),
        ("7.2.1", "7.3", "7.2.1"),
        ("7.2.2", "7.3", "7.2.2"),
        ("7.3", "7.3", "7.3.0"),
        ("7.3.0", "7.3", "7.3.0"),
        ("7.3.5", "7.3", "7.3.5"),
    ] {
        let version = ZammadVersion::parse(given).unwrap_or_else(|e| panic!("{given}: {e}"));
        assert_eq!(
            (version.line_name(), version.version().as_str()),
            (line, reported),
            "{given}"
        );
    }
}

#[test]
fn anything_else_is_refused_naming_the_accepted_values_and_the_lines() {
    for given in [
        "4.2",
        "5.2",
        "6.4",
        "6.0",
        "7.4",
        "8.0",
        "latest",
        "7",
        "",
        "7.",
        "7.2.",
        "7.2.x",
        "7.2.1.1",
        "+7.2",
        "07.2.-1",
        "5.0.99999999",
    ] {
        let refused = ZammadVersion::parse(given).unwrap_err().to_string();
        for name in ["5.0", "6.5", "7.0", "7.1", "7.2", "7.3", "patch level"] {
            assert!(refused.contains(name), "{given}: {refused}");
        }
        assert!(!refused.contains('\n'), "one line: {refused}");
    }
    assert_eq!(
        ZammadVersion::parse("7.4").unwrap_err().to_string(),
        "unknown Zammad version \"7.4\": the mock answers as 5.0, 6.5, 7.0, 7.1, 7.2, 7.3 \
         (each also with a patch level, such as 7.2.2), in the behaviour lines 5.0 (5.0.x), \
         6.5 (6.5.x), 7.0 (7.0.x, 7.1.x), 7.2 (7.2.0), 7.3 (7.2.1+, 7.3.x)"
    );
}

#[test]
fn reported_versions_map_to_their_line_with_their_number() {
    let reported = |text| ZammadVersion::from_reported(text).map(|v| (v.line_name(), v.version()));
    assert_eq!(
        reported("5.0.3-1638353520.3ea4fd45.focal"),
        Some(("5.0", "5.0.3".into()))
    );
    assert_eq!(
        reported("7.1.3.e991211853.saas"),
        Some(("7.0", "7.1.3".into()))
    );
    assert_eq!(reported("7.2.1"), Some(("7.3", "7.2.1".into())));
    assert_eq!(reported("7.2.x"), Some(("7.2", "7.2.0".into())));
    assert_eq!(reported("6.2.0-1702303938.81e0c1fd.jammy"), None);
    assert_eq!(reported("garbage"), None);
}

#[test]
fn every_line_has_a_default_release_that_parses_back_to_it() {
    for version in ZammadVersion::all() {
        assert_eq!(
            ZammadVersion::parse(version.line_name()).map(|v| v.line_name()),
            Ok(version.line_name())
        );
        assert_eq!(ZammadVersion::parse(&version.version()), Ok(version));
    }
}

#[test]
fn every_walk_pulls_in_only_the_kinds_may_pull_in_names() {
    // Kept closures rely on it: a record of any other kind is never inside a closure.
    let everything = serde_json::json!({
        "id": 7, "name": "x", "created_by_id": 1, "updated_by_id": 2, "owner_id": 3,
        "customer_id": 4, "group_id": 5, "organization_id": 6, "role_ids": [8],
        "group_ids": {"9": ["full"]}, "organization_ids": [10], "member_ids": [11],
        "permission_ids": [12]
    });
    for version in ZammadVersion::all() {
        for kind in ModelKind::ALL {
            let serde_json::Value::Object(attrs) = everything.clone() else {
                unreachable!()
            };
            let (record, _) = Record::from_attributes(kind, 7, attrs).unwrap();
            let mut out = Vec::new();
            version.walk().of(&record, &mut out);
            for (pulled, _) in out {
                // An article pulls in its ticket; articles are never kept roots.
                if kind == ModelKind::TicketArticle && pulled == ModelKind::Ticket {
                    continue;
                }
                assert!(
                    Walk::may_pull_in(pulled),
                    "{version:?}: {kind:?} pulls in {pulled:?}"
                );
            }
        }
    }
}
