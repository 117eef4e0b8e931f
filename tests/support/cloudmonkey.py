"""CloudMonkey 5.3 -- the legacy `cloudmonkey` CLI from PyPI -- run unchanged against a server.

cloudmonkey 5.3.3.1 (the only 5.3 release on PyPI, an sdist) is Python 2 only: its setup.py
and every module use Python 2 syntax (`print "..."`, `except E, e:`), so no Python 3 can
import it, and we do not patch it. It runs on a CPython 2.7 interpreter of the machine
(`python2.7` on PATH, pyenv's 2.7.x, or CIRRUS_PYTHON2); Debian 12 no longer packages
Python 2, so where none is found the tests that need it skip and say so.

It is installed once, into a virtualenv of its own under the cache directory
(CIRRUS_CLOUDMONKEY_HOME, default `<repo>/.venv-cloudmonkey`): virtualenv 20.21 -- the last
release that creates Python 2.7 environments, seeding pip 20.3.4 from wheels it ships -- is
put into the cache with this interpreter's pip, then makes the 2.7 virtualenv, whose pip
installs cloudmonkey and the last Python 2 releases of its dependencies from PyPI.

Each `CloudMonkey` has a HOME of its own (config, API cache, history and log live in
~/.cloudmonkey) and runs one non-interactive command per process, the way a script would:
`cloudmonkey -d json list accounts`.
"""

from __future__ import annotations

import configparser
import fcntl
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CLOUDMONKEY = "cloudmonkey==5.3.3.1"
VIRTUALENV = "virtualenv==20.21.1"
# The newest releases of cloudmonkey's dependencies (and theirs) that still run on 2.7;
# pip 20.3 would pick the same from Requires-Python, the pins keep the install repeatable.
PY2_CONSTRAINTS = """\
argcomplete==1.12.3
backports.functools-lru-cache==1.6.6
certifi==2021.10.8
chardet==4.0.0
configparser==4.0.2
contextlib2==0.6.0.post1
dicttoxml==1.7.4
idna==2.10
importlib-metadata==2.1.3
pathlib2==2.3.7.post1
prettytable==1.0.1
Pygments==2.5.2
requests==2.27.1
requests-toolbelt==1.0.0
scandir==1.10.0
six==1.17.0
typing==3.10.0.0
urllib3==1.26.20
wcwidth==0.2.13
zipp==1.2.0
"""
# Variables of this (Python 3) process that must not reach a Python 2 one.
_SCRUB = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONSAFEPATH", "VIRTUAL_ENV",
          "PYTHONNOUSERSITE", "PYTHONUSERBASE")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_SYNCED = re.compile(r"(\d+) APIs discovered and cached")
_PROBE = "import sys; sys.exit(0 if sys.version_info[:2] == (2, 7) else 1)"


class CloudMonkeyError(AssertionError):
    """A cloudmonkey command that failed; the message carries its output."""


class CloudMonkeyUnavailable(Exception):
    """cloudmonkey cannot run on this machine (the reason is the message)."""


def cache_dir() -> Path:
    return Path(os.environ.get("CIRRUS_CLOUDMONKEY_HOME") or REPO / ".venv-cloudmonkey")


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PYTHONIOENCODING="utf-8")
    env.update(extra)
    return env


def _is_python27(exe: str) -> bool:
    try:
        return subprocess.run([exe, "-c", _PROBE], capture_output=True, timeout=30,
                              env=_clean_env()).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def find_python2() -> str | None:
    """A working CPython 2.7 interpreter: CIRRUS_PYTHON2, then PATH, then pyenv's."""
    candidates: list[str] = []
    if os.environ.get("CIRRUS_PYTHON2"):
        candidates.append(os.environ["CIRRUS_PYTHON2"])
    for name in ("python2.7", "python2"):
        found = shutil.which(name)
        if found:
            candidates.append(found)
    roots = [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv")]
    for root in filter(None, roots):
        candidates += sorted(glob.glob(os.path.join(root, "versions", "2.7*", "bin",
                                                    "python2.7")), reverse=True)
    candidates += ["/usr/local/bin/python2.7", "/usr/bin/python2.7"]
    # pyenv's shims are on PATH even where the version they name is not selected: probe.
    for exe in dict.fromkeys(candidates):
        if os.path.exists(exe) and _is_python27(exe):
            return exe
    return None


def _run(args: list[str], what: str, env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, env=env or _clean_env(),
                          timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {proc.returncode}): {' '.join(args)}\n"
                           f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def install() -> Path:
    """The `cloudmonkey` executable, installing it into the cache first when needed.

    Raises CloudMonkeyUnavailable when this machine has no Python 2.7 to run it.
    """
    python2 = find_python2()
    if python2 is None:
        raise CloudMonkeyUnavailable(
            "cloudmonkey 5.3 is Python 2 only and no Python 2.7 interpreter was found "
            "(python2.7 on PATH, ~/.pyenv/versions/2.7*, or CIRRUS_PYTHON2); Debian 12 "
            "does not package Python 2")
    root = cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    venv = root / "venv"
    executable = venv / "bin" / "cloudmonkey"
    want = {"python2": os.path.realpath(python2), "cloudmonkey": CLOUDMONKEY,
            "virtualenv": VIRTUALENV, "constraints": PY2_CONSTRAINTS}
    stamp = root / "installed.json"
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time (parallel sessions)
        try:
            if json.loads(stamp.read_text()) == want and executable.exists():
                return executable
        except (OSError, ValueError):
            pass
        stamp.unlink(missing_ok=True)
        for stale in ("virtualenv", "venv"):
            shutil.rmtree(root / stale, ignore_errors=True)
        _run([sys.executable, "-m", "pip", "install", "-q", "--target",
              str(root / "virtualenv"), VIRTUALENV], "installing virtualenv")
        _run([sys.executable, "-m", "virtualenv", "-q", "--no-periodic-update",
              "--app-data", str(root / "app-data"), "-p", python2, str(venv)],
             "creating the Python 2.7 virtualenv",
             env=_clean_env(PYTHONPATH=str(root / "virtualenv")))
        constraints = root / "constraints.txt"
        constraints.write_text(PY2_CONSTRAINTS)
        _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
              "-c", str(constraints), CLOUDMONKEY], f"pip install {CLOUDMONKEY}")
        if not executable.exists():
            raise RuntimeError(f"{CLOUDMONKEY} installed no {executable}")
        stamp.write_text(json.dumps(want, indent=1))
    return executable


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def text(self) -> str:
        """stdout without colours and without the spinner drawn while polling a job."""
        plain = _ANSI.sub("", self.stdout)
        return re.sub(r"[|/\\-]?\r ?", "", plain)

    def json(self) -> Any:
        """The JSON document printed by `-d json` ({} when the API answered nothing)."""
        text = self.text
        match = re.search(r"(?m)^[{\[]", text)
        if match is None:
            if text.strip():
                raise CloudMonkeyError(f"no JSON in the output of {self}")
            return {}
        value, _ = json.JSONDecoder().raw_decode(text, match.start())
        return value

    @property
    def failed(self) -> bool:
        # cloudmonkey exits 1 on an API error; some failures it only prints.
        return (self.returncode != 0 or "Traceback (most recent call last)" in self.stderr
                or any(self.text.startswith(p) for p in
                       ("Missing arguments", "Command parsing error", "Error")))

    def __str__(self) -> str:
        return (f"`cloudmonkey {' '.join(self.args)}` (exit {self.returncode})\n"
                f"--- stdout\n{self.stdout[-4000:]}\n--- stderr\n{self.stderr[-4000:]}")


class CloudMonkey:
    """One CloudMonkey user: a HOME with ~/.cloudmonkey/config for one server profile."""

    profile = "cirrus"

    def __init__(self, executable: Path, endpoint: str, apikey: str, secretkey: str, *,
                 home: str | None = None, timeout: int = 120) -> None:
        self.executable = executable
        self.home = home or tempfile.mkdtemp(prefix="cloudmonkey-home-")
        self.config_dir = os.path.join(self.home, ".cloudmonkey")
        self.config_file = os.path.join(self.config_dir, "config")
        self.cache_file = os.path.join(self.config_dir, "cache")
        self.write_config(endpoint, apikey, secretkey, timeout=timeout)

    def write_config(self, endpoint: str, apikey: str, secretkey: str, *,
                     timeout: int = 120) -> None:
        """The config file cloudmonkey's own `set` writes: [core], [ui] and the profile."""
        os.makedirs(self.config_dir, exist_ok=True)
        config = configparser.RawConfigParser()
        config["core"] = {
            "profile": self.profile, "asyncblock": "true", "paramcompletion": "false",
            "cache_file": self.cache_file,
            "history_file": os.path.join(self.config_dir, "history"),
            "log_file": os.path.join(self.config_dir, "log"),
        }
        config["ui"] = {"color": "false", "prompt": "cloudmonkey>", "display": "json"}
        config[self.profile] = {
            "url": endpoint, "apikey": apikey, "secretkey": secretkey,
            "username": "", "password": "", "domain": "/",
            # `timeout` bounds how long an async command is polled (every 2 s).
            "timeout": str(timeout), "expires": "600", "signatureversion": "3",
            "verifysslcert": "false",
        }
        with open(self.config_file, "w") as handle:
            config.write(handle)

    def config(self) -> configparser.RawConfigParser:
        config = configparser.RawConfigParser()
        config.read(self.config_file)
        return config

    def run(self, *args: str, display: str | None = "json", check: bool = True,
            timeout: float = 300) -> Result:
        """`cloudmonkey [-d DISPLAY] ARGS...` as a separate process, like a shell script."""
        argv = (["-d", display] if display else []) + list(args)
        proc = subprocess.run([str(self.executable), *argv], capture_output=True,
                              env=_clean_env(HOME=self.home, TERM="dumb"), timeout=timeout,
                              stdin=subprocess.DEVNULL)
        result = Result(argv, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                        proc.stderr.decode("utf-8", "replace"))
        if check and result.failed:
            raise CloudMonkeyError(str(result))
        return result

    def set(self, key: str, value: str) -> Result:
        return self.run("set", key, value, display=None)

    def sync(self) -> int:
        """`cloudmonkey sync` (listApis into the API cache); the number of APIs it reported."""
        result = self.run("sync", display=None)
        match = _SYNCED.search(result.text)
        if match is None or not os.path.exists(self.cache_file):
            raise CloudMonkeyError(f"sync did not cache the APIs: {result}")
        return int(match.group(1))

    def cache(self) -> dict[str, Any]:
        """The API cache `sync` wrote: {verb: {subject: api}, 'count', 'asyncapis', ...}."""
        with open(self.cache_file) as handle:
            cache: dict[str, Any] = json.load(handle)
        return cache

    def json(self, *args: str, timeout: float = 300) -> Any:
        return self.run(*args, timeout=timeout).json()
