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


def sign_command(key, fn, kwargs, now_ms=None, nonce=None):
    """The ``auth`` field of a command: ``{"ts", "nonce", "sig"}``, an HMAC-SHA256 in hex over
    ``fn``, the time, the nonce and the canonical JSON of ``kwargs``.

    :param now_ms: signing time in milliseconds since the epoch (default: now).
    :param nonce: a value used once (default: 12 random bytes in hex).
    """
    ts = int(time.time() * 1000) if now_ms is None else int(now_ms)
    nonce = os.urandom(12).hex() if nonce is None else nonce
    text = "%s\n%d\n%s\n%s" % (fn, ts, nonce, canonical_json(kwargs))
    sig = hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()
    return {"ts": ts, "nonce": nonce, "sig": sig}


def canonical_json(value):
    """JSON with sorted keys, byte for byte what the TypeScript ``canonicalJson`` gives for the value
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
        keys = sorted((str(k) for k in value), key=lambda k: k.encode("utf-16-be"))
        items = {str(k): v for k, v in value.items()}
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
