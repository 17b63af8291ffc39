"""docker/check-pins.sh and docker/apt-sources.sh: the image's pinned
Debian packages, checked against an apt archive (this machine's lists)."""

import os
import shutil
import subprocess

import pytest

from conftest import ROOT

DOCKER = os.path.join(ROOT, "docker")


def pins():
    out = []
    with open(os.path.join(DOCKER, "packages.txt"), encoding="utf-8") as f:
        for line in f:
            if line.startswith(("build ", "run ")):
                out.append(line.split()[1])
    return out


def test_every_package_of_the_dockerfile_is_pinned_in_packages_txt():
    text = open(os.path.join(DOCKER, "Dockerfile"), encoding="utf-8").read()
    assert "packages.txt" in text and "=3." not in text  # no version left in the Dockerfile
    stages = {line.split()[0] for line in open(os.path.join(DOCKER, "packages.txt"))
              if line.startswith(("build ", "run "))}
    assert stages == {"build", "run"}
    for p in pins():
        name, _, version = p.partition("=")
        assert name and version, p
    run = [line.split()[1] for line in open(os.path.join(DOCKER, "packages.txt"))
           if line.startswith("run ")]
    # the runtime stage is lean: no compiler, no headers
    assert not [p for p in run if p.split("=")[0] in ("gcc", "g++", "meson") or "-dev=" in p]


def _apt_has_lists():
    if not shutil.which("apt-cache"):
        return False
    p = subprocess.run(["apt-cache", "madison", "libc6"], capture_output=True, text=True)
    return "Packages" in p.stdout


@pytest.mark.skipif(not _apt_has_lists(), reason="no apt lists on this machine (apt-get update)")
def test_the_pins_resolve_here_and_a_moved_one_is_named(tmp_path):
    p = subprocess.run(["sh", os.path.join(DOCKER, "check-pins.sh"), "--host"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert f"all {len(set(pins()))} pins resolve" in p.stdout
    # a copy with one version the archive does not have
    d = tmp_path / "docker"
    shutil.copytree(DOCKER, d)
    text = (d / "packages.txt").read_text()
    (d / "packages.txt").write_text(text.replace("libturbojpeg0=1:", "libturbojpeg0=0:0.0-", 1))
    p = subprocess.run(["sh", str(d / "check-pins.sh"), "--host"], capture_output=True, text=True)
    assert p.returncode == 1
    assert "libturbojpeg0=0:0.0-" in p.stderr and "no longer resolves" in p.stderr
    assert "1 of" in p.stderr


def test_apt_sources_plain_and_from_a_snapshot():
    script = os.path.join(DOCKER, "apt-sources.sh")
    p = subprocess.run(["sh", script], capture_output=True, text=True)
    assert p.returncode == 0 and "URIs: http://deb.debian.org/debian\n" in p.stdout
    assert "bookworm-security" in p.stdout and "Check-Valid-Until" not in p.stdout
    p = subprocess.run(["sh", script, "20261201T000000Z"], capture_output=True, text=True)
    assert p.returncode == 0
    assert "URIs: http://snapshot.debian.org/archive/debian/20261201T000000Z" in p.stdout
    assert "URIs: http://snapshot.debian.org/archive/debian-security/20261201T000000Z" in p.stdout
    assert p.stdout.count("Check-Valid-Until: no") == 2
    p = subprocess.run(["sh", script, "2026-12-01"], capture_output=True, text=True)
    assert p.returncode == 2 and "SNAPSHOT '2026-12-01'" in p.stderr
