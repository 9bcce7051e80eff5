"""Drives the PyPI clients zammad-py and zammadoo against a running mock (issue 12).

Usage: python python_clients.py BASE_URL   (BASE_URL like http://127.0.0.1:3000)
Lists, adds and removes links through each client on the default data set; exits non-zero
with a message on the first difference. Run by tests/integration/profiles.rs.
"""

import sys

from zammad_py import ZammadAPI
from zammadoo import Client


def check(what, got, want):
    if got != want:
        sys.exit(f"{what}: got {got!r}, want {want!r}")


def with_zammad_py(base):
    api = ZammadAPI(url=f"{base}/api/v1/", username="test@test.de", password="test")
    listed = api.link.get(147469)
    check("zammad-py list", [l["link_object_value"] for l in listed["links"]], [147470, 147471])
    row = api.link.add(147471, "34147470")
    check("zammad-py add", (row["link_object_source_value"], row["link_object_target_value"]), (147470, 147471))
    check("zammad-py list after add", [l["link_object_value"] for l in api.link.get(147471)["links"]], [147469, 147470])
    # zammad-py sends `link_object_source_number`, which remove does not read: Zammad
    # answers 201 [] and removes nothing (spec §1.7).
    check("zammad-py remove", api.link.remove(147471, "34147470"), [])


def with_zammadoo(base):
    client = Client(f"{base}/api/v1", http_token="zammad-links-mock-token-user-3")
    ticket = client.tickets(147470)
    # Source-side rows first: the link zammad-py added, then link 3 (147469 -> 147470).
    check("zammadoo links", [t.id for t in ticket.links()["normal"]], [147471, 147469])
    ticket.link_with(147469)  # the reverse of link 3: accepted in every version
    check("zammadoo links after add", [t.id for t in ticket.links()["normal"]], [147471, 147469, 147469])
    ticket.unlink_from(147469)  # one remove takes both orientations
    check("zammadoo links after remove", [t.id for t in ticket.links()["normal"]], [147471])


if __name__ == "__main__":
    base = sys.argv[1].rstrip("/")
    with_zammad_py(base)
    with_zammadoo(base)
    print("ok")
