"""WSGI entry point for external servers: `gunicorn appliance.wsgi:app`."""

from appliance.app import create_app

app = create_app()
