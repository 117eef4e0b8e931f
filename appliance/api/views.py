"""The HTTP face of the API: decode, authenticate, dispatch, and render every error once."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app, request
from sqlalchemy.orm import Session

from appliance.api import dispatch, protocol
from appliance.api.commands.sessions import login_body
from appliance.api.params import collect_maps
from appliance.api.registry import CommandSpec, lookup
from appliance.db import Database
from appliance.errors import (
    CloudError,
    InternalError,
    MethodNotAllowed,
    ParamError,
    Unauthorized,
)
from appliance.models import User
from appliance.services import bootstrap, events, sessions

log = logging.getLogger("cirrus.api")
bp = Blueprint("api", __name__)

SESSION_COOKIE = "JSESSIONID"
KEY_COOKIE = "sessionkey"


def _db() -> Database:
    db: Database = current_app.extensions["cirrus.db"]
    return db


def _reply(command: str, body: dict[str, Any], fmt: str, status: int = 200) -> Response:
    text, content_type = protocol.render(protocol.envelope(command or "error", body), fmt)
    response = Response(text, status=status, content_type=content_type)
    if status != 200 and "errortext" in body:
        # CloudStack repeats the error text in this header; CloudMonkey prints it.
        description = " ".join(str(body["errortext"]).split())
        response.headers["X-Description"] = description.encode("latin-1", "replace").decode(
            "latin-1")
    return response


@bp.route("/client/api", methods=["GET", "POST"])
def client_api() -> Response:
    original: dict[str, str] = request.values.to_dict()
    params = {key.lower(): value for key, value in original.items()}
    fmt = "json" if params.get("response", "").lower() == "json" else "xml"
    command = params.get("command", "")
    try:
        if not command:
            raise ParamError("Unable to execute API command due to missing parameter command")
        if command.lower() == "login":
            return _login(params, fmt)
        if command.lower() == "logout":
            return _logout(params, fmt)
        user_id, spec, touch_key = _authenticate(command, original, params)
        if spec.post_only and request.method != "POST":
            raise MethodNotAllowed(f"{spec.name} is only accepted with POST")
        body = dispatch.call(_db(), spec, user_id, {**params, **collect_maps(params)})
        if touch_key:
            with _db().session(write=True) as session:
                sessions.touch(session, touch_key)
        return _reply(command, body, fmt)
    except CloudError as error:
        return _reply(command, protocol.error_body(error), fmt, int(error.code))
    except Exception:
        log.exception("internal error in %s", command)
        internal = InternalError(f"Internal error executing command {command}; "
                                 "see the server log")
        return _reply(command, protocol.error_body(internal), fmt, int(internal.code))


def _authenticate(command: str, original: dict[str, str], params: dict[str, str]
                  ) -> tuple[str, CommandSpec, str | None]:
    """Who calls (integration port, signature or session; 401 otherwise) and the command's
    declaration if that caller's role may use it (432 otherwise).

    Returns the user id, the declaration and, for a session whose idle clock is due, the
    session key to touch.
    """
    with _db().session(write=False) as session:
        user, touch_key = _caller(session, original, params)
        return user.id, dispatch.find(command, user), touch_key


def _caller(session: Session, original: dict[str, str], params: dict[str, str]
            ) -> tuple[User, str | None]:
    if current_app.config.get("INTEGRATION"):
        return bootstrap.default_admin(session), None
    if "signature" in params or "apikey" in params:
        api_key, signature = params.get("apikey"), params.get("signature")
        if not api_key or not signature:
            raise Unauthorized("unable to verify user credentials and/or request signature")
        protocol.check_expiry(params)
        user = sessions.user_for_api_key(session, api_key)
        assert user.secret_key is not None
        if not protocol.verify_signature(original, signature, user.secret_key):
            raise Unauthorized("unable to verify user credentials and/or request signature")
        return user, None
    key = params.get("sessionkey") or request.cookies.get(KEY_COOKIE)
    user, due = sessions.resume(session, request.cookies.get(SESSION_COOKIE), key)
    return user, (key if due else None)


def _login(params: dict[str, str], fmt: str) -> Response:
    if request.method != "POST":
        raise MethodNotAllowed("login is only accepted with POST")
    spec = lookup("login")
    assert spec is not None
    args = spec.parse(params)
    db = _db()
    try:
        with db.session(write=True) as session:
            user = sessions.authenticate(session, args.username, args.password,  # type: ignore[attr-defined]
                                         domain_path=args.domain,  # type: ignore[attr-defined]
                                         domain_id=args.domainid)  # type: ignore[attr-defined]
            login = sessions.open_session(session, user)
            body = login_body(user, login, sessions.timeout_seconds(session))
            events.record(session, type="USER.LOGIN", user=user, account=user.account,
                          description=f"user {user.username} has logged in")
            session_id = login.id
    except Unauthorized:
        log.info("failed login for %s", params.get("username"))
        raise
    response = _reply("login", body, fmt)
    response.set_cookie(SESSION_COOKIE, session_id, path="/client", httponly=True,
                        samesite="Lax")
    response.set_cookie(KEY_COOKIE, body["sessionkey"], path="/client", samesite="Lax")
    return response


def _logout(params: dict[str, str], fmt: str) -> Response:
    key = params.get("sessionkey") or request.cookies.get(KEY_COOKIE)
    with _db().session(write=True) as session:
        user = sessions.close(session, key)
        if user is not None:
            events.record(session, type="USER.LOGOUT", user=user, account=user.account,
                          description=f"user {user.username} has logged out")
    response = _reply("logout", {"description": "success"}, fmt)
    response.delete_cookie(SESSION_COOKIE, path="/client")
    response.delete_cookie(KEY_COOKIE, path="/client")
    return response


@bp.route("/health")
def health() -> Response:
    """Liveness probe (and the unsigned baseline of bench/api_overhead.py)."""
    return Response("ok", content_type="text/plain")
