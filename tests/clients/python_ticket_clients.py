"""Drives zammad-py and zammadoo (PyPI) through an integration's whole round (issue 22):
create two tickets, link them, list, unlink, create one more as a child (`links` on create,
as a ticket split does) and delete the tickets again, against a running mock.

Usage: python python_ticket_clients.py BASE_URL [LINE]   (BASE_URL like http://127.0.0.1:3000; the
behaviour line, given by the test to every script, changes nothing here)
Exits non-zero with a message on the first difference. Run by tests/integration/ticket_calls.
"""

import sys

from zammad_py import ZammadAPI
from zammadoo import Client


def check(what, got, want):
    if got != want:
        sys.exit(f"{what}: got {got!r}, want {want!r}")


def linked(api, ticket_id):
    return [(l["link_type"], l["link_object_value"]) for l in api.link.get(ticket_id)["links"]]


def with_zammad_py(base):
    api = ZammadAPI(url=f"{base}/api/v1/", username="test@test.de", password="test")
    article = {"subject": "first", "body": "created by zammad-py", "type": "note"}
    first = api.ticket.create({"title": "zammad-py one", "group": "Users", "customer_id": 3, "article": article})
    second = api.ticket.create({"title": "zammad-py two", "group": "Users", "customer_id": 3, "article": article})
    check("zammad-py numbers", (first["number"], second["number"]), ("34147472", "34147473"))
    api.link.add(second["id"], first["number"], "parent")
    check("zammad-py list", linked(api, first["id"]), [("child", second["id"])])
    check("zammad-py list from the target", linked(api, second["id"]), [("parent", first["id"])])
    # zammad-py's remove names the source by number, which remove does not read (spec §1.7):
    # the row goes with Zammad's own parameters.
    api.link._connection.session.delete(
        f"{base}/api/v1/links/remove",
        json={"link_type": "parent", "link_object_source": "Ticket",
              "link_object_source_value": first["id"], "link_object_target": "Ticket",
              "link_object_target_value": second["id"]},
    ).raise_for_status()
    check("zammad-py list after unlink", linked(api, first["id"]), [])
    child = api.ticket.create({"title": "zammad-py split", "group": "Users", "customer_id": 3,
                               "article": article, "links": {"Ticket": {"child": [first["id"]]}}})
    check("zammad-py split links", linked(api, child["id"]), [("parent", first["id"])])
    check("zammad-py articles", [a["body"] for a in api.ticket.articles(child["id"])], ["created by zammad-py"])
    for ticket in (first, second):
        api.ticket.destroy(ticket["id"])
    check("zammad-py after delete", linked(api, child["id"]), [])
    api.ticket.destroy(child["id"])
    try:
        api.ticket.find(child["id"])
    except Exception:
        pass
    else:
        sys.exit("zammad-py: a deleted ticket is still found")


def with_zammadoo(base):
    client = Client(f"{base}/api/v1", http_token="zammad-links-mock-token-user-3")
    one = client.tickets.create("zammadoo one", "Users", "nicole.braun@zammad.org", "created by zammadoo")
    two = client.tickets.create("zammadoo two", 1, "guess:new.customer@example.com", {"body": "b"})
    check("zammadoo guessed customer", two["customer_id"], 4)
    one.link_with(two)
    check("zammadoo links", [t.id for t in one.links()["normal"]], [two.id])
    one.unlink_from(two)
    check("zammadoo links after unlink", [t.id for t in one.links()["normal"]], [])
    renamed = one.update(title="zammadoo one, renamed")
    check("zammadoo update", renamed["title"], "zammadoo one, renamed")
    one.delete()
    two.delete()


if __name__ == "__main__":
    base = sys.argv[1].rstrip("/")
    with_zammad_py(base)
    with_zammadoo(base)
    print("ok")
