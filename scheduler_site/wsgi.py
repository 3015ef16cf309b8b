"""The WSGI entry point (gunicorn scheduler_site.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scheduler_site.settings")
application = get_wsgi_application()

# Import the URLconf, and with it every view module, while the worker starts rather than
# in its first request: Django does it lazily, and a fresh worker's first request waited
# about a second on imports (every worker, after every restart). A broken import now
# stops the worker at start-up instead of failing requests.
get_resolver().url_patterns  # noqa: B018 - evaluated for its side effect
