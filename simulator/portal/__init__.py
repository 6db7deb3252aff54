"""The HBS portal: the Administration pages of Hubject's portal, served by the mock hub.

Per operator: Service Type Settings (with the revision before the edit, the history and
"Test this configuration"), Certificate Management, and the exchange log (Process Monitor).
Server-rendered with Jinja2, a small CSS file and a few lines of JavaScript; no CDN.
Mount it with :func:`add_portal`.
"""

from simulator.portal.csrf import CSRF_COOKIE
from simulator.portal.render import CSRF_FIELD
from simulator.portal.routes import add_portal
from simulator.portal.urls import PREFIX

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "PREFIX", "add_portal"]
