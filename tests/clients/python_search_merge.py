"""Drives zammad-py and zammadoo (PyPI) through what an integration does around a merge
(issue 23): find a ticket by its number with the client's search call, link it by the
number it found, merge two tickets, and list the links afterwards, against a running mock
on the default data set.

Usage: python python_search_merge.py BASE_URL LINE   (BASE_URL like http://127.0.0.1:3000,
LINE the behaviour line the mock answers as: 5.0, 6.5, 7.0, 7.2 or 7.3)
Exits non-zero with a message on the first difference. Run by tests/integration/ticket_calls.
"""

import sys

from zammad_py import ZammadAPI
from zammadoo import Client


def check(what, got, want):
    if got != want:
        sys.exit(f"{what}: got {got!r}, want {want!r}")


def linked(api, ticket_id):
    return sorted((l["link_type"], l["link_object_value"]) for l in api.link.get(ticket_id)["links"])


def with_zammad_py(base):
    api = ZammadAPI(url=f"{base}/api/v1/", username="test@test.de", password="test")
    article = {"subject": "duplicate", "body": "reported twice", "type": "note"}
    first = api.ticket.create({"title": "printer on fire", "group": "Users", "customer_id": 3, "article": article})
    second = api.ticket.create({"title": "printer on fire again", "group": "Users", "customer_id": 3, "article": article})
    # The integration holds a number only: its search call finds the id (expand=true, every line
    # answers an array of tickets).
    found = list(api.ticket.search(second["number"]))
    check("zammad-py search by number", [t["id"] for t in found], [second["id"]])
    check("zammad-py search result's number", found[0]["number"], second["number"])
    # Seed ticket 147469 (number 34147469) becomes the found ticket's parent.
    api.link.add(found[0]["id"], "34147469", "parent")
    check("zammad-py links before the merge", linked(api, second["id"]), [("parent", 147469)])
    merged = api.ticket.merge(second["id"], first["number"])
    check("zammad-py merge result", merged["result"], "success")
    check("zammad-py merged ticket's state", merged["source_ticket"]["state_id"], 5)
    # The merged ticket's link moved to the target; the target is the merged ticket's parent.
    check("zammad-py target's links", linked(api, first["id"]), [("child", second["id"]), ("parent", 147469)])
    check("zammad-py merged ticket's links", linked(api, second["id"]), [("parent", first["id"])])
    check("zammad-py the seed's links", linked(api, 147469), [("child", first["id"]), ("normal", 147470), ("normal", 147471)])
    return first, second


def with_zammadoo(base, line, target):
    client = Client(f"{base}/api/v1", http_token="zammad-links-mock-token-user-3")
    # zammadoo asks for plain records; 5.0 answers those as {tickets, tickets_count, assets}
    # (spec §7.2), which zammadoo cannot read, so on 5.0 it asks for expand=true, as a user of
    # zammadoo against 5.0 must.
    extra = {"expand": "true"} if line == "5.0" else {}
    found = [t.id for t in client.tickets.search("34147470", **extra)]
    check("zammadoo search by number", found, [147470])
    ticket = client.tickets(147470)
    merged = ticket.merge_into(target["id"])
    check("zammadoo merge target", merged.id, target["id"])
    check("zammadoo merged ticket's links", [t.id for t in client.tickets(147470).links()["parent"]], [target["id"]])


if __name__ == "__main__":
    base = sys.argv[1].rstrip("/")
    line = sys.argv[2]
    target, _ = with_zammad_py(base)
    with_zammadoo(base, line, target)
    print("ok")
