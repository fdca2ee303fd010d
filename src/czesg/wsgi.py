"""WSGI entry point for the production server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "czesg.settings")
application = get_wsgi_application()
