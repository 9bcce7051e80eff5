"""Drives the PyPI client zammad-py against a mock with a fault rule set (issue 24).

Usage: python python_faults.py BASE_URL LOGIN PASSWORD WANT
  WANT is "masked" (the caller lacks `admin`: Zammad's "Error ID ...") or the raw message an
  admin sees. The mock must answer the links list with its masked 500 (an `internal_error`
  rule). Exits non-zero with a message when the client sees anything else. Run by
  tests/integration/faults.rs.
"""

import json
import re
import sys

import requests
from zammad_py import ZammadAPI


def main(base, login, password, want):
    api = ZammadAPI(url=f"{base}/api/v1/", username=login, password=password)
    try:
        answer = api.link.get(147469)
    except requests.HTTPError as error:
        # zammad-py raises an HTTPError of the body's text, chained to the one from
        # `raise_for_status`, which has the response.
        cause = error.__context__ if error.response is None else error
        status = cause.response.status_code
        body = json.loads(str(error)) if error.response is None else error.response.json()
    else:
        # zammad-py hands some error bodies back instead of raising: take what it gave.
        sys.exit(f"zammad-py returned {answer!r} instead of raising for the 500")
    if status != 500:
        sys.exit(f"status {status}, want 500")
    if want == "masked":
        if set(body) != {"error"} or not re.fullmatch(
            r"Error ID [A-Za-z0-9_-]{8}: Please contact your administrator\.", body["error"]
        ):
            sys.exit(f"body {body!r} is not Zammad's masked 500")
    elif body != {"error": want}:
        sys.exit(f"body {body!r}, want {{'error': {want!r}}}")
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), *sys.argv[2:5])
