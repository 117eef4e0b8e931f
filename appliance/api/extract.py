"""GET /client/extract/<token>: the file behind an extractTemplate/extractIso/extractVolume
link.

The token is random and expires (EXTRACT_LIFETIME); whoever holds the link may download,
as with CloudStack's secondary-storage download URLs.
"""

from __future__ import annotations

import os

from flask import Blueprint, Response, abort, current_app, request, send_file

from appliance.db import Database
from appliance.services.storage import volume_transfers
from appliance.services.templates import registry

bp = Blueprint("extract", __name__)


def public_base_url() -> str:
    """The scheme://host[:port] the current API request came to ('' outside a request)."""
    from flask import has_request_context

    if not has_request_context():
        return ""
    return request.host_url.rstrip("/")


@bp.route("/client/extract/<token>", methods=["GET", "HEAD"])
def extracted(token: str) -> Response:
    db: Database = current_app.extensions["cirrus.db"]
    with db.session(write=False) as session:
        found = registry.extracted_file(session, token) or \
            volume_transfers.extracted_file(session, token)
    if found is None or not os.path.isfile(found[0]):
        abort(404)
    path, name = found
    return send_file(path, as_attachment=True, download_name=name,
                     mimetype="application/octet-stream", conditional=True)
