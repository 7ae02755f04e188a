"""The real Flask and itsdangerous, driven by tests/interop/flask.rs.

Reads one JSON request per line on stdin, answers one JSON line each. Every request carries
the time to pretend it is ("now", unix seconds). Python values JSON lacks are described as
{"tuple": [...]}, {"bytes": "<hex>"}, {"uuid": "<str>"}, {"datetime": "<iso>"},
{"markup": "<str>"}; errors by the name of the exception class. "session_load" also says
whether Flask loaded nothing but JSON's own types ("plain") and, with "resave", the cookie
Flask writes back for the session it loaded ("value"); "session_json" shows the JSON inside a
session cookie. "session_save" adds to "data" the Python values of "python", an expression the
test wrote (with datetime, uuid and Markup in scope), for values JSON cannot describe.
"""

import datetime
import hashlib
import json
import sys
import uuid
import zlib
from unittest import mock

try:
    import itsdangerous
    from flask import Flask, session
    from markupsafe import Markup
except ImportError as e:
    print(json.dumps({"missing": f"{e}; pip install -r tests/interop/requirements.txt"}), flush=True)
    sys.exit(0)

DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}

# The Python values a Flask app typically keeps in its session, one of each tag.
RICH = {
    "pair": (1, "a"),
    "blob": b"\x00\xffPNG",
    "uid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "when": datetime.datetime(2015, 10, 21, 7, 28, tzinfo=datetime.timezone.utc),
    "html": Markup("<b>hi</b>"),
    "escaped": {" t": "not a tuple"},
    "escaped_markup": {" m": Markup("<i>x</i>")},
    "_flashes": [("message", "Saved")],
}


def describe(value):
    if isinstance(value, tuple):
        return {"tuple": [describe(v) for v in value]}
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    if isinstance(value, uuid.UUID):
        return {"uuid": str(value)}
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, Markup):
        return {"markup": str(value)}
    if isinstance(value, dict):
        return {k: describe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [describe(v) for v in value]
    return value


def is_plain(value):
    """Only dict, list, str, int, float, bool and None (exactly: Markup is a str subclass)."""
    if type(value) is dict:
        return all(type(k) is str and is_plain(v) for k, v in value.items())
    if type(value) is list:
        return all(is_plain(v) for v in value)
    return type(value) in (str, int, float, bool, type(None))


def app_for(req):
    app = Flask("peer")
    app.secret_key = req["secret"]
    app.config["SECRET_KEY_FALLBACKS"] = req.get("fallbacks", [])
    app.config["PERMANENT_SESSION_LIFETIME"] = req.get("lifetime", 31 * 24 * 3600)
    app.logger.disabled = bool(req.get("quiet"))  # a 500 the test expects: no traceback

    @app.post("/save")
    def save():
        data = dict(req["data"])
        if req.get("rich"):
            data.update(RICH)
        if req.get("python"):
            scope = {"datetime": datetime, "uuid": uuid, "Markup": Markup}
            data.update(eval(req["python"], scope))
        session.update(data)
        return "ok"

    @app.get("/load")
    def load():
        if req.get("resave"):
            session.modified = True
        data = dict(session)
        return json.dumps({"data": describe(data), "plain": is_plain(data)})

    return app


def serializer(req):
    cls = (
        itsdangerous.URLSafeTimedSerializer
        if req.get("timed", True)
        else itsdangerous.URLSafeSerializer
    )
    keys = [*req.get("fallbacks", []), req["secret"]]  # itsdangerous: newest last
    return cls(
        keys,
        salt=req.get("salt", "itsdangerous"),
        signer_kwargs={
            "key_derivation": req.get("key_derivation", "django-concat"),
            "digest_method": DIGESTS[req.get("digest", "sha1")],
        },
    )


def handle(req):
    op = req["op"]
    if op == "session_save":
        client = app_for(req).test_client()
        response = client.post("/save")
        cookie = response.headers["Set-Cookie"]
        return {"value": cookie.split(";", 1)[0].split("=", 1)[1]}
    if op == "session_load":
        app = app_for(req)
        # What open_session decides, with its verdict (it answers an empty session for a bad one).
        verdict = None
        try:
            s = app.session_interface.get_signing_serializer(app)
            s.loads(req["value"], max_age=int(app.permanent_session_lifetime.total_seconds()))
        except Exception as e:
            verdict = type(e).__name__
        client = app.test_client()
        client.set_cookie("session", req["value"])
        response = client.get("/load")
        if response.status_code != 200:
            # Flask could not load the session (a tag whose content it cannot convert).
            return {"error": f"Flask answered {response.status}", "verdict": verdict}
        answer = json.loads(response.get_data(as_text=True))
        answer["error"] = verdict
        if req.get("resave"):
            cookie = response.headers["Set-Cookie"]
            answer["value"] = cookie.split(";", 1)[0].split("=", 1)[1]
        return answer
    if op == "session_json":
        # The JSON text inside a session cookie (signature checked, inflated if compressed).
        app = app_for(req)
        s = app.session_interface.get_signing_serializer(app)
        raw = s.make_signer(s.salt).unsign(req["value"])
        compressed = raw.startswith(b".")
        data = itsdangerous.encoding.base64_decode(raw[1:] if compressed else raw)
        return {"json": (zlib.decompress(data) if compressed else data).decode()}
    if op == "tags":
        # Every tag Flask's session serializer knows.
        return {"tags": sorted(Flask("peer").session_interface.serializer.tags)}
    if op == "dumps":
        return {"value": serializer(req).dumps(req["obj"])}
    if op == "loads":
        s = serializer(req)
        if req.get("timed", True):
            return {"obj": s.loads(req["value"], max_age=req.get("max_age"))}
        return {"obj": s.loads(req["value"])}
    raise ValueError(f"unknown op {op}")


print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    try:
        with mock.patch("time.time", return_value=request["now"]):
            answer = handle(request)
    except Exception as e:
        answer = {"error": type(e).__name__}
    print(json.dumps(answer), flush=True)
