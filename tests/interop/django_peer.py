"""The real Django, driven by tests/interop/django.rs.

Reads one JSON request per line on stdin, answers one JSON line each. Every request carries
the time to pretend it is ("now", unix seconds) and the secrets to use. Errors are reported
by the name of Django's exception class, so the Rust side can compare verdicts.
"""

import json
import sys
from unittest import mock

try:
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="unused-placeholder",
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        INSTALLED_APPS=["django.contrib.sessions"],
    )
    django.setup()
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.core import signing
    from django.http import HttpRequest, HttpResponse
    from django.test.utils import override_settings
except ImportError as e:  # reported, so the test can say what to install
    print(json.dumps({"missing": f"{e}; pip install -r tests/interop/requirements.txt"}), flush=True)
    sys.exit(0)


def handle(req):
    op = req["op"]
    secrets = dict(
        SECRET_KEY=req.get("secret", "unused"),
        SECRET_KEY_FALLBACKS=req.get("fallbacks", []),
    )
    if "session_age" in req:
        secrets["SESSION_COOKIE_AGE"] = req["session_age"]
    with override_settings(**secrets), mock.patch("time.time", return_value=req["now"]):
        if op == "dumps":
            signer = signing.TimestampSigner(
                key=req["secret"], salt=req["salt"], algorithm=req.get("algorithm")
            )
            return {"value": signer.sign_object(req["obj"], compress=req.get("compress", False))}
        if op == "loads":
            return {
                "obj": signing.loads(
                    req["value"],
                    key=req["secret"],
                    fallback_keys=req.get("fallbacks", []),
                    salt=req["salt"],
                    max_age=req.get("max_age"),
                )
            }
        if op == "set_signed_cookie":
            response = HttpResponse()
            response.set_signed_cookie(req["name"], req["value"], salt=req.get("salt", ""))
            return {"value": response.cookies[req["name"]].value}
        if op == "legacy_signed_cookie":
            # What Django before the v2 cookie salt wrote: get_cookie_signer(salt=name + salt)
            signer = signing.get_cookie_signer(salt=req["name"] + req.get("salt", ""))
            return {"value": signer.sign(req["value"])}
        if op == "get_signed_cookie":
            request = HttpRequest()
            request.COOKIES[req["name"]] = req["value"]
            return {
                "value": request.get_signed_cookie(
                    req["name"], salt=req.get("salt", ""), max_age=req.get("max_age")
                )
            }
        if op == "session_save":
            store = SessionStore()
            store.update(req["data"])
            store.save()
            return {"value": store.session_key}
        if op == "session_load":
            store = SessionStore(session_key=req["value"])
            # load() answers {} (a fresh session) for anything bad, as Django does.
            return {"data": dict(store.load())}
        raise ValueError(f"unknown op {op}")


print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    try:
        answer = handle(request)
    except Exception as e:  # the verdict, by Django's exception class
        answer = {"error": type(e).__name__}
    print(json.dumps(answer), flush=True)
