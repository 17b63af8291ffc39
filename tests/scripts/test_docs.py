"""The README and docs/: short, free of dated results, and every link in
them leads somewhere (issue 23). Dated figures live in reports/reference/."""
import glob
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = ["README.md"] + sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))
LINKED = DOCS + ["reports/README.md", "reports/reference/README.md"]


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def prose(text):
    """The text outside code blocks and code spans."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def anchors(text):
    """GitHub's anchors of a page's headings."""
    out, seen = set(), {}
    for m in re.finditer(r"^#{1,6}\s+(.*)$", re.sub(r"```.*?```", "", text, flags=re.S), re.M):
        h = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", m.group(1).strip()).lower()
        a = "".join(c for c in h if c.isalnum() or c in " -_").replace(" ", "-")
        out.add(a if a not in seen else f"{a}-{seen[a]}")
        seen[a] = seen.get(a, 0) + 1
    return out


def test_readme_is_short_and_keeps_the_two_commands():
    text = read("README.md")
    assert len(text.splitlines()) < 250
    # .ci/run calls the test command through scripts/setup.sh
    assert "scripts/setup.sh run" in text and "scripts/setup.sh test" in text
    for rel in DOCS[1:]:
        assert f"({rel})" in text, f"README links {rel}"


def test_no_dates_or_commits_outside_reports_reference():
    date = re.compile(r"\b20\d\d-\d\d-\d\d\b")
    commit = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b")
    for rel in DOCS:
        # file names of the dated reference runs may carry their date
        text = re.sub(r"reports/reference/[\w.-]+", "", prose(read(rel)))
        assert not date.search(text), f"{rel}: {date.search(text).group(0)}"
        assert not commit.search(text), f"{rel}: {commit.search(text).group(0)}"
        assert "this machine" not in text.lower(), f"{rel}: 'this machine'"


def test_every_relative_link_resolves():
    bad = []
    for rel in LINKED:
        for m in re.finditer(r"!?\[[^\]]*\]\(([^)\s]+)\)", prose(read(rel))):
            url = m.group(1)
            if re.match(r"[a-z]+:", url):
                continue
            path, _, frag = url.partition("#")
            target = os.path.normpath(os.path.join(ROOT, os.path.dirname(rel), path)) if path \
                else os.path.join(ROOT, rel)
            if not target.startswith(ROOT + os.sep):
                continue  # the specification beside the repository (../shared)
            if not os.path.exists(target):
                bad.append(f"{rel}: {url} (no such file)")
            elif frag and frag not in anchors(open(target, encoding="utf-8").read()):
                bad.append(f"{rel}: {url} (no such heading)")
    assert not bad, "\n".join(bad)
