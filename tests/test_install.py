"""The install a user does, not the one `make` does: build the sdist and the wheel, install the wheel into
a fresh virtual environment with that environment's own pip (no upgrade, no lock file), and use it.

This is what caught `lxml.html.clean` missing after a plain `pip install`: jusText asks for lxml's
`html_clean` extra, which lxml 6 no longer provides, so only a direct dependency brings it in. The lock
file test keeps `constraints.txt` (what `make` installs) in step with `pyproject.toml` (what users get).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import httpx
import jsonschema
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import EXAMPLES, ROOT, SEED

PACKAGE = ROOT / "src" / "newsledger"
LOCK = ROOT / "constraints.txt"


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _locked() -> dict[str, list[tuple[str, str]]]:
    """name -> [(version, environment marker)] from the lock (a universal lock may pin one name twice,
    once per Python range)."""
    pins: dict[str, list[tuple[str, str]]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)\s*(?:;\s*(.*))?$", line)
        if m:
            pins.setdefault(canonicalize_name(m.group(1)), []).append((m.group(2), m.group(3) or ""))
    return pins


def test_lock_pins_every_declared_dependency_within_its_range():
    project = _pyproject()["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += extra
    pins = _locked()
    problems = []
    for text in declared:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name}: declared in pyproject.toml, not pinned in constraints.txt")
            continue
        problems += [f"{req.name}=={version} in constraints.txt is outside {req.specifier}"
                     for version, _marker in pins[name]
                     if not req.specifier.contains(version, prereleases=True)]
    assert not problems, "run `make lock`:\n" + "\n".join(problems)


def _package_files() -> set[str]:
    """Every file of the package as the repo holds it (tracked by git when this is a checkout)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "src/newsledger"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode()
        names = [n for n in out.split("\0") if n]
    except (OSError, subprocess.CalledProcessError):
        names = []
    if not names:
        names = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts]
    return {n.removeprefix("src/") for n in names if (ROOT / n).is_file()}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist, and the wheel built *from that sdist* (python -m build): a file missing from either
    shows up in the wheel."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, f"python -m build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
    return {"wheel": wheels[0], "sdist": sdists[0]}


@pytest.mark.slow
def test_wheel_holds_every_file_of_the_package(dist: dict[str, Path]):
    """Lexicons, SQL, templates, static files, schema and any model file: whatever the repo's package
    holds, the wheel holds (a new kind of data file not matched by package-data would be missed)."""
    with zipfile.ZipFile(dist["wheel"]) as zf:
        shipped = set(zf.namelist())
    missing = sorted(_package_files() - shipped)
    assert not missing, f"not in {dist['wheel'].name}: {missing}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_a_user_pip_install_of_the_wheel_works(dist: dict[str, Path], tmp_path: Path):
    venv = tmp_path / "venv"
    # the base interpreter's venv module and its bundled pip, never upgraded: what a user starts with
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], check=True,
                   timeout=300)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"

    def run(*args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(list(args), cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        if check:
            assert proc.returncode == 0, f"{' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-3000:]}"
        return proc

    run(str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(dist["wheel"]), timeout=1500)
    nl = str(venv / "bin" / "newsledger")

    where = run(str(venv / "bin" / "python"), "-c", "import newsledger; print(newsledger.__file__)").stdout
    assert Path(where.strip()).is_relative_to(venv), f"imported from {where!r}, not the fresh environment"

    assert run(nl, "--version").stdout.split() == ["newsledger", _pyproject()["project"]["version"]]

    schema = json.loads(run(nl, "schema").stdout)
    record = json.loads(run(nl, "analyze", str(SEED)).stdout)
    jsonschema.validate(record, schema)
    assert record["quotes"] and record["entities"], "the seed gave no quotes or entities"
    assert record["text"] == SEED.read_text(encoding="utf-8")

    db = tmp_path / "ledger.db"
    run(nl, "ingest", str(EXAMPLES), "--db", str(db), "--quiet")
    stats = json.loads(run(nl, "stats", "--db", str(db), "--json").stdout)
    documents = [p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".html")]
    assert stats["articles"] == len(documents) and stats["failures"] == 0, stats
    assert stats["quotes"] > 0 and stats["events"] > 0, stats

    port = _free_port()
    server = subprocess.Popen([nl, "serve", "--db", str(db), "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline, answer = time.monotonic() + 120, None
        while answer is None and time.monotonic() < deadline and server.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/stats", timeout=5)
            except httpx.TransportError:
                time.sleep(0.3)
        assert answer is not None, f"serve never answered:\n{server.stderr.read() if server.stderr else ''}"
        assert answer.status_code == 200 and answer.json()["articles"] == len(documents), answer.text
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)  # templates and static files load
        assert page.status_code == 200 and "newsledger" in page.text.lower()
    finally:
        server.terminate()
        server.wait(timeout=30)
