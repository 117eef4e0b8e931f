"""The `cirrus` command: init, migrate, serve, worker, demo, apply."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from appliance.app import cirrus_home, create_app
from appliance.db import Database


def _database(args: argparse.Namespace) -> Database:
    app = create_app(_overrides(args))
    db: Database = app.extensions["cirrus.db"]
    return db


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {"DATABASE_URL": args.database_url} if getattr(args, "database_url", None) else {}


def _schema_ready(db: Database) -> bool:
    """Say why the database cannot be served yet, if it cannot."""
    from sqlalchemy.exc import OperationalError

    from appliance import schema

    try:
        if not schema.pending(db):
            return True
        problem = "is not initialized or not up to date"
    except OperationalError as exc:
        problem = f"cannot be opened ({exc.orig})"
    print(f"The database at {db.safe_url} {problem}: run `cirrus init` first.", file=sys.stderr)
    return False


def _initialize(args: argparse.Namespace) -> tuple[dict[str, str], bool, str]:
    """Create or upgrade the schema, then ensure ROOT and the admin account exist.

    Returns the admin's credentials (the password only when it was set now), whether the
    admin was created, and the database URL with its password masked.
    """
    if args.database_url is None and "CIRRUS_DATABASE_URL" not in os.environ:
        os.makedirs(cirrus_home(), exist_ok=True)
    db = _database(args)
    info, created = initialize(db, admin_password=args.admin_password)
    db.dispose()
    return info, created, db.safe_url


def initialize(db: Database, *, admin_password: str | None = None
               ) -> tuple[dict[str, str], bool]:
    """Bring the schema to head and ensure ROOT and the admin exist: the admin's
    credentials (the password only when it was set now) and whether it was created."""
    from appliance import schema
    from appliance.services import bootstrap

    schema.upgrade(db)
    with db.session(write=True) as session:
        creds = bootstrap.ensure_root(session, admin_password=admin_password)
    info = {"username": creds.username, "domain": "/", "apikey": creds.api_key,
            "secretkey": creds.secret_key}
    if creds.password:
        info["password"] = creds.password
    return info, creds.created


def cmd_init(args: argparse.Namespace) -> int:
    """Create or upgrade the schema, then ensure ROOT and the admin account exist."""
    info, created, safe_url = _initialize(args)
    if args.credentials_file:
        os.makedirs(os.path.dirname(os.path.abspath(args.credentials_file)), exist_ok=True)
        fd = os.open(args.credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(info, handle, indent=2)
    if args.json:
        print(json.dumps(info))
    else:
        state = "created" if created else "already present"
        print(f"Cirrus database ready at {safe_url} (admin {state}).")
        print("Log in with:")
        for key, value in info.items():
            print(f"  {key:10} {value}")
        if "password" not in info:
            print("  (password unchanged; `cirrus init --admin-password ...` resets it)")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from appliance import schema

    db = _database(args)
    schema.upgrade(db, args.revision)
    print(f"schema at {args.revision} on {db.safe_url}")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run job workers in this process until SIGTERM or SIGINT."""
    from appliance.jobs.worker import JobWorker

    db = _database(args)
    if not _schema_ready(db):
        return 2
    worker = JobWorker(db, threads=args.threads, poll_interval=args.poll_interval)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    worker.start()
    stop.wait()
    worker.stop()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Gunicorn API workers plus job worker processes (and the integration port if set)."""
    from gunicorn.app.base import BaseApplication

    from appliance.services import configuration

    db = _database(args)
    if not _schema_ready(db):
        return 2
    with db.session(write=False) as session:
        integration_port = int(configuration.get(session, "integration.api.port"))
    db.dispose()
    children: list[subprocess.Popen[bytes] | int] = []
    # Job workers are forked from this process, which has loaded every command already:
    # a fresh interpreter would import and declare them all again (seconds per start).
    worker_args = argparse.Namespace(database_url=args.database_url, threads=args.job_threads,
                                     poll_interval=args.poll_interval)
    for _ in range(args.job_workers):
        children.append(_fork(cmd_worker, worker_args))
    binds = [args.bind]
    overrides = _overrides(args)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", binds)
            self.cfg.set("workers", args.workers)
            self.cfg.set("threads", args.threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-" if args.access_log else None)
            self.cfg.set("proc_name", "cirrus-api")
            # Gunicorn closes idle keep-alive connections after 2 s by default: a client
            # polling a job every 2 s on one connection (ngine_io.cloudstack does) then
            # races the close and gets "Remote end closed connection without response".
            self.cfg.set("keepalive", 75)
            # Gunicorn's control socket sits at one fixed path per user: several servers
            # on one host would fight over it, and Cirrus does not use it.
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            return create_app(overrides)

    if integration_port:
        # Unauthenticated: only ever on loopback, in its own process so a Host header
        # can never turn a public request into an integration one.
        env = dict(os.environ, CIRRUS_INTEGRATION="true")
        if args.database_url:
            env["CIRRUS_DATABASE_URL"] = args.database_url
        children.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4",
             *(["--no-control-socket"] if _gunicorn_has_control_socket() else []),
             "-k", "gthread", "--bind", f"127.0.0.1:{integration_port}",
             "appliance.wsgi:app"], env=env))
    master = os.getpid()
    try:
        Server().run()
    finally:
        # Gunicorn's API workers are forked from here too and leave through this block:
        # only the process that started the children stops them.
        if os.getpid() == master:
            _stop(children)
    return 0


def _fork(target: Any, *args: Any) -> int:
    """Run `target(*args)` in a forked child; its return value is the child's exit code."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        code = target(*args)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _stop(children: list[subprocess.Popen[bytes] | int], grace: float = 15) -> None:
    """Terminate the children, give them `grace` seconds together, then kill the rest.
    Gunicorn's arbiter reaps every child that exits (os.waitpid(-1)), so a forked job
    worker may be gone already: its pid is then left alone (it may be another's now)."""
    forked: list[int] = []
    for child in children:
        if isinstance(child, subprocess.Popen):
            child.terminate()
            continue
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(child, os.WNOHANG) == (0, 0):  # still running, still ours
                os.kill(child, signal.SIGTERM)
                forked.append(child)
    deadline = time.monotonic() + grace
    for child in children:
        if isinstance(child, subprocess.Popen):
            try:
                child.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    for pid in forked:
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(pid, os.WNOHANG) == (0, 0):
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.1)


def cmd_apidocs(args: argparse.Namespace) -> int:
    """Write the API reference generated from the command declarations."""
    from appliance.api import docs, registry

    registry.load_commands()
    text = docs.markdown()
    if args.output:
        with open(args.output, "w") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Init if needed, serve, build the demo datacenter through the API, keep serving."""
    from appliance.demo import run

    info, _, safe_url = _initialize(args)
    print(f"Cirrus database ready at {safe_url}.", flush=True)
    return run.demo_command(args, info, cirrus_home())


def cmd_apply(args: argparse.Namespace) -> int:
    """Apply a datacenter spec to a running Cirrus through its API."""
    from appliance.demo import run

    return run.apply_command(args)


def _gunicorn_has_control_socket() -> bool:
    from gunicorn.config import Config

    return "control_socket_disable" in Config().settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cirrus", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func: Any, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.add_argument("--database-url", help="SQLAlchemy URL (default: CIRRUS_DATABASE_URL "
                       "or the SQLite file under CIRRUS_HOME)")
        p.set_defaults(func=func)
        return p

    p = add("init", cmd_init, "create/upgrade the database and bootstrap ROOT and admin")
    p.add_argument("--admin-password", help="set the admin password (default: generated)")
    p.add_argument("--credentials-file", help="also write the admin credentials here (0600)")
    p.add_argument("--json", action="store_true", help="print the credentials as JSON")
    p = add("migrate", cmd_migrate, "upgrade the database schema")
    p.add_argument("revision", nargs="?", default="head")
    p = add("worker", cmd_worker, "run async job workers")
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--poll-interval", type=float, default=0.5)
    p = add("serve", cmd_serve, "serve the API (gunicorn) with job worker processes")
    p.add_argument("--bind", default="0.0.0.0:8080")
    p.add_argument("--workers", type=int, default=2, help="API worker processes")
    p.add_argument("--threads", type=int, default=8, help="threads per API worker")
    p.add_argument("--job-workers", type=int, default=1, help="job worker processes")
    p.add_argument("--job-threads", type=int, default=4, help="threads per job worker")
    p.add_argument("--poll-interval", type=float, default=0.5)
    p.add_argument("--access-log", action="store_true")
    p = sub.add_parser("apidocs", help="print the API reference (Markdown) from the declarations")
    p.add_argument("--output", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_apidocs)
    p = add("demo", cmd_demo, "init, serve, build the simulator demo datacenter, keep serving")
    p.add_argument("--spec", default="specs/simulator.yaml", help="the datacenter spec")
    p.add_argument("--bind", default="127.0.0.1:8080")
    p.add_argument("--job-workers", type=int, default=1, help="job worker processes")
    p.add_argument("--timeout", type=float, default=300,
                   help="seconds to wait for each async job and for templates to be Ready")
    p.set_defaults(admin_password=None)
    p = sub.add_parser("apply", help="apply a datacenter spec to a running Cirrus")
    p.add_argument("--spec", required=True, help="the datacenter spec (YAML)")
    p.add_argument("--endpoint", default=os.environ.get("CLOUDSTACK_ENDPOINT"),
                   help="API URL, http://HOST:PORT/client/api (or CLOUDSTACK_ENDPOINT)")
    p.add_argument("--api-key", default=os.environ.get("CLOUDSTACK_KEY"),
                   help="an admin's API key (or CLOUDSTACK_KEY)")
    p.add_argument("--secret-key", default=os.environ.get("CLOUDSTACK_SECRET"),
                   help="its secret key (or CLOUDSTACK_SECRET)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="define ${NAME} for the spec (repeatable)")
    p.add_argument("--timeout", type=float, default=300,
                   help="seconds to wait for each async job and for templates to be Ready")
    p.add_argument("--json", action="store_true", help="also print the counts and ids as JSON")
    p.set_defaults(func=cmd_apply)
    from lab import cli as lab_cli  # `cirrus lab up|down|status` (the one-box lab)

    lab_cli.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
