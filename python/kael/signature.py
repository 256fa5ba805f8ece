"""Signatures of changing management commands (runtime/src/security/command-signature.ts).

Frames with an admin key refuse changing commands that are unsigned, wrongly signed, older than
60 s or replayed. :func:`sign_command` is the one place the signed fields are chosen; a test
compares its output with the TypeScript ``signCommand`` for the same input.
"""

import hashlib
import hmac
import json
import math
import os
import time
from decimal import Decimal

#: Commands that change code or state: signed when the client has an admin key.
CHANGING_COMMANDS = frozenset(
    ["_install_pkg", "_update_pkg", "_rollback_pkg", "_restart_service", "_restart_crontab", "_export_pkg"]
)


#: Version of the signed text's layout.
SIGNATURE_VERSION = 1


def key_id(key):
    """Which key signed: the first 8 hex characters of sha256(key)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def sign_command(key, namespace, fn, kwargs, id=None, not_id=None, now_ms=None, nonce=None):
    """The ``auth`` field of a command (runtime/PROTOCOL.md, "Signing"): ``{"v", "kid", "ts",
    "nonce", "sig"}``, an HMAC-SHA256 in hex over the canonical JSON of the namespace, the command,
    its arguments, its targets (``id``, ``not_id``), the time, the nonce and the key id.

    :param now_ms: signing time in milliseconds since the epoch (default: now).
    :param nonce: a value used once (default: 16 random bytes in hex).
    """
    ts = int(time.time() * 1000) if now_ms is None else int(now_ms)
    nonce = os.urandom(16).hex() if nonce is None else nonce
    kid = key_id(key)
    text = canonical_json(
        {
            "v": SIGNATURE_VERSION,
            "ns": namespace,
            "fn": fn,
            "kwargs": kwargs,
            "id": id,
            "notId": sorted(not_id or [], key=lambda k: k.encode("utf-16-be")),
            "ts": ts,
            "nonce": nonce,
            "kid": kid,
        }
    )
    sig = hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()
    return {"v": SIGNATURE_VERSION, "kid": kid, "ts": ts, "nonce": nonce, "sig": sig}


def canonical_json(value):
    """JSON with sorted keys and without null members, byte for byte what the TypeScript ``canonicalJson`` gives for the value
    the frame decodes from this client's JSON: numbers written as JavaScript writes them, keys sorted
    by UTF-16 code units as JavaScript sorts them."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return js_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, dict):
        # Members whose value is null are left out: an absent argument and a nil one sign alike.
        items = {str(k): v for k, v in value.items() if v is not None}
        keys = sorted(items, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical_json(items[k]) for k in keys) + "}"
    raise TypeError("cannot sign a value of type %s" % type(value).__name__)


def js_number(x):
    """A float as JavaScript's ``String(x)`` writes it (``1.0`` -> ``1``, ``1e21`` -> ``1e+21``)."""
    if math.isnan(x) or math.isinf(x):
        return "null"
    if x == 0:
        return "0"
    sign, digits, exp = Decimal(repr(x)).normalize().as_tuple()
    s = "".join(map(str, digits))
    k = len(s)
    n = exp + k  # the decimal point sits after n digits
    out = "-" if sign else ""
    if k <= n <= 21:
        out += s + "0" * (n - k)
    elif 0 < n <= 21:
        out += s[:n] + "." + s[n:]
    elif -6 < n <= 0:
        out += "0." + "0" * (-n) + s
    else:
        e = n - 1
        out += s[0] + ("." + s[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return out
