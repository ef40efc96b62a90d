"""The WSGI entry point: gunicorn and `flask --app wsgi` both load `app` from here."""

from loyalty_sync.app import create_app

app = create_app()
