//! A small link-using function, tested against the mock: the numbers of the tickets linked to
//! a ticket, read from the `assets` of `GET /api/v1/links`.
//!
//! Run it against any Zammad (or the mock): `cargo run --example linked_ticket_numbers --
//! http://127.0.0.1:3000 test@test.de test 147469`. `cargo test` runs its test.

use serde_json::Value;

/// The numbers of the tickets linked to ticket `id`, in the order Zammad lists the links.
fn linked_ticket_numbers(
    base: &str,
    (login, password): (&str, &str),
    id: i64,
) -> Result<Vec<String>, reqwest::Error> {
    let body: Value = reqwest::blocking::Client::new()
        .get(format!("{base}/api/v1/links"))
        .basic_auth(login, Some(password))
        .query(&[
            ("link_object", "Ticket"),
            ("link_object_value", &id.to_string()),
        ])
        .send()?
        .error_for_status()?
        .json()?;
    let tickets = &body["assets"]["Ticket"];
    Ok(body["links"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|link| link["link_object"] == "Ticket")
        .filter_map(|link| {
            let id = link["link_object_value"].as_i64()?.to_string();
            tickets[&id]["number"].as_str().map(str::to_owned)
        })
        .collect())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, login, password, id] = args.as_slice() else {
        eprintln!("usage: linked_ticket_numbers BASE_URL LOGIN PASSWORD TICKET_ID");
        std::process::exit(2);
    };
    let id: i64 = id.parse().expect("a numeric ticket id");
    match linked_ticket_numbers(base, (login, password), id) {
        Ok(numbers) => println!("{}", numbers.join("\n")),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zammad_links_mock::MockServer;

    #[test]
    fn lists_the_numbers_of_the_linked_tickets() {
        // Arrange
        let server = MockServer::start();
        // Act
        let numbers =
            linked_ticket_numbers(&server.uri(), ("test@test.de", "test"), 147469).unwrap();
        // Assert
        assert_eq!(numbers, ["34147470", "34147471"]);
    }

    #[test]
    fn works_unchanged_against_zammad_7_0() {
        // Arrange: the same code against the 7.0 profile and its default data set.
        let server = MockServer::builder()
            .zammad_version(zammad_links_mock::ZammadVersion::V7_0)
            .start();
        // Act
        let numbers =
            linked_ticket_numbers(&server.uri(), ("test@test.de", "test"), 147469).unwrap();
        // Assert
        assert_eq!(numbers, ["34147470", "34147471"]);
    }

    #[test]
    fn a_wrong_password_is_an_error() {
        let server = MockServer::start();
        assert!(linked_ticket_numbers(&server.uri(), ("test@test.de", "nope"), 147469).is_err());
    }
}
