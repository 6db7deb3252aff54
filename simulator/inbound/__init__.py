"""The hub's OICP server side: what CPOs and EMPs send to the mock Hubject (docs/hub.md).

- ``tls_front`` / ``tls_transport``: a TLS front (pyOpenSSL) that accepts any client
  certificate at the TLS layer and lets the HTTP layer decide, as Hubject's NGINX does;
- ``gate``: NGINX's 400 pages for a missing or untrusted certificate, and the 017 check;
- ``emp_facing`` / ``remote``: remote start/stop and reservations from EMPs, checked and
  forwarded to CPOs through the hub's one sender;
- ``cpo_facing`` with ``authorize``, ``evse_push``, ``charging``, ``pull_auth``: what CPOs send;
- ``timeline``: one timeline per SessionID across both directions (its value types live in
  ``simulator.session_model``, below storage);
- ``service`` (``Inbound``), ``server`` (``InboundServer``), ``admin`` (admin API routes).

"""
