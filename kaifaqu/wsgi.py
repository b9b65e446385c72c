"""WSGI entry point (served by `kaifaqu serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaifaqu.settings")
application = get_wsgi_application()
