"""pr_comment.py against a stand-in for GitHub's REST API on 127.0.0.1:
one comment posted, then the same one edited, never a second."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from da3bench import pr_comment


class FakeGitHub(BaseHTTPRequestHandler):
    comments = []  # [{"id", "body"}]
    seen = []

    def log_message(self, *args):
        pass

    def reply(self, code, doc):
        data = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def do_GET(self):
        self.seen.append(("GET", self.path, self.headers["Authorization"]))
        if self.path.startswith("/repos/o/r/issues/9/comments"):  # a web page, not the API
            data = b"<html><body>Sign in</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif self.path.startswith("/repos/o/r/issues/10/comments"):
            self.reply(200, {"message": "not a list"})
        elif self.path.startswith("/repos/o/r/issues/7/comments"):
            page = int(self.path.split("page=")[-1])
            self.reply(200, self.comments[(page - 1) * 100: page * 100])
        else:
            self.reply(404, {})

    def do_POST(self):
        self.seen.append(("POST", self.path, None))
        if self.path == "/repos/o/r/issues/7/comments":
            c = {"id": 1000 + len(self.comments), "body": self.body()["body"]}
            self.comments.append(c)
            self.reply(201, c)
        else:
            self.reply(403, {})

    def do_PATCH(self):
        self.seen.append(("PATCH", self.path, None))
        cid = int(self.path.rsplit("/", 1)[1])
        for c in self.comments:
            if c["id"] == cid:
                c["body"] = self.body()["body"]
                return self.reply(200, c)
        self.reply(404, {})


@pytest.fixture
def api():
    FakeGitHub.comments = [{"id": i, "body": f"someone else {i}"} for i in range(150)]
    FakeGitHub.seen = []
    srv = HTTPServer(("127.0.0.1", 0), FakeGitHub)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_posts_once_then_updates_in_place(api, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_TOKEN", "t0k")
    table = tmp_path / "gate.md"
    table.write_text("| benchmark | verdict |\n|---|---|\n| `a` | unchanged |\n")
    args = [str(table), "--repo", "o/r", "--pr", "7", "--api", api, "--run-url", "http://run/1"]
    assert pr_comment.main(args) == 0
    ours = [c for c in FakeGitHub.comments if pr_comment.MARKER in c["body"]]
    assert len(ours) == 1 and "`a` | unchanged" in ours[0]["body"]
    assert "http://run/1" in ours[0]["body"]
    assert ("GET", "/repos/o/r/issues/7/comments?per_page=100&page=2", "Bearer t0k") in \
        FakeGitHub.seen  # the second page was read before posting
    table.write_text("| benchmark | verdict |\n|---|---|\n| `a` | **regression** |\n")
    assert pr_comment.main(args) == 0
    ours = [c for c in FakeGitHub.comments if pr_comment.MARKER in c["body"]]
    assert len(ours) == 1 and "**regression**" in ours[0]["body"]
    assert "updated comment" in capsys.readouterr().out


def test_errors_are_one_line_and_exit_2(api, tmp_path, monkeypatch, capsys):
    table = tmp_path / "gate.md"
    table.write_text("x")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert pr_comment.main([str(table), "--repo", "o/r", "--pr", "7", "--api", api]) == 2
    assert "GITHUB_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    assert pr_comment.main([str(table), "--repo", "o/r", "--pr", "8", "--api", api]) == 2
    err = capsys.readouterr().err.strip()
    assert "HTTP 404" in err and len(err.splitlines()) == 1
    assert pr_comment.main([str(tmp_path / "none.md"), "--repo", "o/r", "--pr", "7",
                            "--api", api]) == 2
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    assert pr_comment.main([str(table), "--repo", "o/r", "--api", api]) == 0


@pytest.mark.parametrize("pr, said", [("9", "the reply is not JSON"),
                                      ("10", "expected a list of comments")])
def test_a_reply_that_is_not_the_api_is_one_line(api, tmp_path, monkeypatch, capsys, pr, said):
    monkeypatch.setenv("GITHUB_TOKEN", "t")
    table = tmp_path / "gate.md"
    table.write_text("x")
    assert pr_comment.main([str(table), "--repo", "o/r", "--pr", pr, "--api", api]) == 2
    err = capsys.readouterr().err.strip()
    assert said in err and len(err.splitlines()) == 1 and "Traceback" not in err
