"""`cirrus demo` and `cirrus apply`: apply a spec through the API, printing each step.

`demo` runs `cirrus serve` as a child process (its own session, so only this process
decides when it stops), waits for /health, applies the spec as the admin with the admin's
API keys over HTTP, prints the summary and how to log in, and serves until SIGINT or
SIGTERM, then stops the child by its pid.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from types import FrameType
from typing import Any

from appliance.client import Client
from appliance.demo import spec as specs
from appliance.demo.apply import Applier, ApplyError, Report

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_SPEC = os.path.join("specs", "simulator.yaml")


def resolve_spec(path: str) -> str:
    """`path` as given, or relative to the repository when it is not there (the default)."""
    if os.path.exists(path) or os.path.isabs(path):
        return path
    candidate = os.path.join(REPO_ROOT, path)
    return candidate if os.path.exists(candidate) else path


def base_url(endpoint: str) -> str:
    """http://HOST:PORT of an API endpoint URL (what ${CIRRUS_URL} expands to)."""
    suffix = "/client/api"
    endpoint = endpoint.rstrip("/")
    return endpoint[: -len(suffix)] if endpoint.endswith(suffix) else endpoint


def apply_spec(client: Client, spec: specs.Spec, *, template_timeout: float,
               out: Any = None) -> Report:
    """Apply a loaded spec, one line of output per object (ApplyError)."""
    stream = out or sys.stdout

    def say(line: str) -> None:
        print(f"  {line}", file=stream, flush=True)

    print(f"Applying {spec.source} to {client.endpoint}", file=stream, flush=True)
    report = Applier(client, log=say, template_timeout=template_timeout).apply(spec)
    print(f"Applied {spec.source}: {report.summary()}", file=stream, flush=True)
    return report


# --- cirrus apply ------------------------------------------------------------------------

def apply_command(args: Any) -> int:
    missing = [flag for flag, value in (("--endpoint", args.endpoint),
                                        ("--api-key", args.api_key),
                                        ("--secret-key", args.secret_key)) if not value]
    if missing:
        print(f"cirrus apply: missing {', '.join(missing)} (or CLOUDSTACK_ENDPOINT, "
              "CLOUDSTACK_KEY, CLOUDSTACK_SECRET)", file=sys.stderr)
        return 2
    client = Client(args.endpoint, args.api_key, args.secret_key,
                    job_timeout=args.timeout)
    variables = specs.default_variables(CIRRUS_URL=base_url(args.endpoint))
    for item in args.set or []:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"cirrus apply: --set wants NAME=VALUE, got {item!r}", file=sys.stderr)
            return 2
        variables[name] = value
    try:
        spec = specs.load(resolve_spec(args.spec), variables)
    except specs.SpecError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        report = apply_spec(client, spec, template_timeout=args.timeout)
    except ApplyError as error:
        print(f"cirrus apply failed: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"counts": report.counts(), "ids": report.ids()}))
    return 0


# --- cirrus demo -------------------------------------------------------------------------

class _Stop(Exception):
    """SIGINT or SIGTERM arrived."""


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def demo_command(args: Any, info: dict[str, str], home: str) -> int:
    """Serve, apply the spec as the admin, print how to log in, serve until stopped."""
    info = _keep_password(info, os.path.join(home, "admin-credentials.json"))
    host, port = _split_bind(args.bind)
    local = f"http://{'127.0.0.1' if host in ('', '0.0.0.0', '::') else host}:{port}"
    try:  # a broken spec stops the demo before anything starts
        spec = specs.load(resolve_spec(args.spec),
                          specs.default_variables(CIRRUS_URL=local, CIRRUS_HOME=home))
    except specs.SpecError as error:
        print(error, file=sys.stderr)
        return 2
    command = [sys.executable, "-m", "appliance.cli", "serve", "--bind", args.bind,
               "--job-workers", str(args.job_workers)]
    if args.database_url:
        command += ["--database-url", args.database_url]
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    server = subprocess.Popen(command, start_new_session=True)
    try:
        _wait_healthy(server, local, timeout=60)
        client = Client(f"{local}/client/api", info["apikey"], info["secretkey"],
                        job_timeout=args.timeout)
        try:
            report = apply_spec(client, spec, template_timeout=args.timeout)
        except ApplyError as error:
            print(f"cirrus demo: the datacenter could not be built: {error}", file=sys.stderr)
            return 1
        _print_login(info, host, port, home, report)
        while server.poll() is None:
            time.sleep(1)
        print(f"cirrus demo: the server exited with status {server.returncode}",
              file=sys.stderr)
        return 1
    except _Stop as stop:
        print(f"cirrus demo: {stop}, stopping the server (pid {server.pid})", file=sys.stderr)
        return 0
    except RuntimeError as error:
        print(f"cirrus demo: {error}", file=sys.stderr)
        return 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        _stop(server)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _split_bind(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    return host.strip("[]"), int(port)


def _wait_healthy(server: subprocess.Popen[bytes], base: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"`cirrus serve` exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"`cirrus serve` did not answer {base}/health within {timeout:.0f} s")


def _keep_password(info: dict[str, str], path: str) -> dict[str, str]:
    """`cirrus init` shows the admin password only when it creates the admin: keep the
    first one in `path` (0600) so later runs can still show it."""
    info = dict(info)
    if "password" not in info and os.path.exists(path):
        try:
            with open(path) as handle:
                kept = json.load(handle).get("password")
        except (OSError, ValueError):
            kept = None
        if kept:
            info["password"] = kept
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(info, handle, indent=2)
    info["credentials_file"] = path
    return info


def _public_address() -> str:
    """This machine's address on its default route (no packet is sent), or loopback."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            return str(probe.getsockname()[0])
    except OSError:
        return "127.0.0.1"


def _print_login(info: dict[str, str], host: str, port: int, home: str,
                 report: Report) -> None:
    shown = _public_address() if host in ("", "0.0.0.0", "::") else host
    zones = [o.name for o in report.outcomes if o.kind == "zone"]
    password = info.get("password", "(unknown: `cirrus init --admin-password PW` sets one)")
    lines = [
        "",
        f"Cirrus is serving the demo datacenter: zones {', '.join(zones)}.",
        f"  API endpoint  http://{shown}:{port}/client/api   (health: /health)",
        "  user          admin   (domain /)",
        f"  password      {password}",
        f"  API key       {info['apikey']}",
        f"  secret key    {info['secretkey']}",
        f"  (also in {info['credentials_file']}, mode 0600; home {home})",
        "Ctrl-C stops it.",
    ]
    print("\n".join(lines), flush=True)
