#!/usr/bin/env python3
"""Post the gate's verdict on the pull request, or update the one posted before.

usage: pr_comment.py TABLE.md [--repo OWNER/NAME] [--pr N] [--run-url URL]
                     [--api URL] [--marker TEXT]

One comment per pull request, found again by a hidden marker line and
edited in place on every push (as github-action-benchmark and Bencher do),
so the thread does not fill up with tables. The body: the verdict table
(scripts/gate.py's --summary file) and a link to the run. Reads the token
from GITHUB_TOKEN, and by default the repository, the pull request number
and the run from the Actions environment (GITHUB_REPOSITORY,
GITHUB_EVENT_PATH, GITHUB_SERVER_URL, GITHUB_RUN_ID, GITHUB_API_URL).
Standard library only. Exit 0 posted or updated, 2 bad input or an API
error (one line naming the request and its status).
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.request

MARKER = "<!-- da3bench-gate -->"


def request(api, token, method, path, body=None):
    req = urllib.request.Request(
        api.rstrip("/") + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
                 "X-GitHub-Api-Version": "2022-11-28", "Content-Type": "application/json",
                 "User-Agent": "da3bench-gate"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"null")
    except ValueError:  # an HTML page: --api is not the API's root
        raise RuntimeError(f"{method} {path}: the reply is not JSON (is --api the API's "
                           "root, e.g. https://HOST/api/v3?)") from None
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{method} {path}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        raise RuntimeError(f"{method} {path}: {getattr(e, 'reason', e)}") from None


def find(api, token, repo, pr, marker):
    """The id of our earlier comment, or None (every page of comments)."""
    page = 1
    while True:
        got = request(api, token, "GET",
                      f"/repos/{repo}/issues/{pr}/comments?per_page=100&page={page}")
        if got is not None and not isinstance(got, list):
            raise RuntimeError(f"GET /repos/{repo}/issues/{pr}/comments: expected a list of "
                               "comments, got " + type(got).__name__)
        for c in got or []:
            if marker in (c.get("body") or ""):
                return c["id"]
        if not got or len(got) < 100:
            return None
        page += 1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("table")
    ap.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY"))
    ap.add_argument("--pr", type=int)
    ap.add_argument("--run-url")
    ap.add_argument("--api", default=os.environ.get("GITHUB_API_URL", "https://api.github.com"))
    ap.add_argument("--marker", default=MARKER)
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    token = os.environ.get("GITHUB_TOKEN")
    if a.pr is None and os.environ.get("GITHUB_EVENT_PATH"):
        try:
            with open(os.environ["GITHUB_EVENT_PATH"], encoding="utf-8") as f:
                a.pr = (json.load(f).get("pull_request") or {}).get("number")
        except (OSError, ValueError) as e:
            print(f"pr_comment.py: GITHUB_EVENT_PATH: {e}", file=sys.stderr)
            return 2
    if a.run_url is None and os.environ.get("GITHUB_RUN_ID"):
        a.run_url = (f"{os.environ.get('GITHUB_SERVER_URL', 'https://github.com')}/{a.repo}"
                     f"/actions/runs/{os.environ['GITHUB_RUN_ID']}")
    for what, v in (("GITHUB_TOKEN", token), ("--repo", a.repo), ("--pr", a.pr)):
        if not v:
            print(f"pr_comment.py: {what} is not set (not a pull request run?)", file=sys.stderr)
            return 2
    try:
        with open(a.table, encoding="utf-8") as f:
            table = f.read().strip()
    except OSError as e:
        print(f"pr_comment.py: {a.table}: {e.strerror}", file=sys.stderr)
        return 2
    if not table:
        table = "The gate wrote no verdict table: see the run's log."
    body = "\n".join([a.marker, "## da3bench performance gate", "", table, ""] +
                     ([f"[The run, its log and the rounds' JSON]({a.run_url})"] if a.run_url
                      else []))
    try:
        cid = find(a.api, token, a.repo, a.pr, a.marker)
        if cid is None:
            request(a.api, token, "POST", f"/repos/{a.repo}/issues/{a.pr}/comments",
                    {"body": body})
            print(f"pr_comment.py: posted the verdict on {a.repo}#{a.pr}")
        else:
            request(a.api, token, "PATCH", f"/repos/{a.repo}/issues/comments/{cid}",
                    {"body": body})
            print(f"pr_comment.py: updated comment {cid} on {a.repo}#{a.pr}")
    except RuntimeError as e:
        print(f"pr_comment.py: {e}", file=sys.stderr)
        return 2
    return 0
