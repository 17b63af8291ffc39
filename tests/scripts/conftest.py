import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
SAMPLE = os.path.join(ROOT, "tests", "data", "sample.json")


def run_report(tmp_path, *files, extra=()):
    """report.py on files into tmp_path/out: (exit code, out folder, the markdown)."""
    from da3bench import report
    out = tmp_path / "out"
    rc = report.main([*map(str, files), "--out", str(out), *extra])
    md = out / "BENCHMARK_RESULTS.md"
    return rc, out, md.read_text() if md.exists() else ""
