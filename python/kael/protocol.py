"""Names and encodings of kael's wire protocol (runtime/PROTOCOL.md), in one place."""

import base64
import json

#: RabbitMQ's pseudo-queue for direct reply-to.
DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"
#: This client speaks JSON; frames answer JSON requests in JSON.
JSON_TYPE = "application/json"
MSGPACK_TYPE = "application/msgpack"


def call_exchange(namespace):
    """Where service calls are published by a broker user that may not write to the default exchange:
    a direct exchange (routing key = the service queue)."""
    return "kael.%s.call" % namespace


#: The default exchange: it reaches every queue under its own name, service queues included.
DEFAULT_EXCHANGE = ""
#: A routing key no queue can have (the broker keeps ``amq.`` queue names to itself): the target of
#: the empty message that asks whether this broker user may write to the default exchange.
PROBE_ROUTING_KEY = "amq.kael.probe"


def service_queue(namespace, service):
    """Queue of one published function."""
    return "kael.%s.svc.%s" % (namespace, service)


def command_exchange(namespace):
    """Fanout exchange of management commands."""
    return "kael.%s.cmd" % namespace


def command_direct_exchange(namespace):
    """Direct exchange of commands to one frame (routing key = the frame id)."""
    return "kael.%s.cmd.direct" % namespace


def membership_exchange(namespace):
    """Fanout exchange of frame announcements."""
    return "kael.%s.members" % namespace


#: The largest per-message TTL RabbitMQ accepts as ``expiration`` (2^32 - 1 ms); a larger, negative
#: or non-numeric one makes the broker close the channel, so timeouts are checked before publishing.
MAX_EXPIRATION_MS = 4294967295
#: The default largest request body in bytes (the frames' default limit too: 16 MiB).
DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024


def expiration(timeout, what):
    """The ``expiration`` property (milliseconds) of a request waiting ``timeout`` seconds.

    :raises KaelError: ``OPTION_INVALID`` unless the timeout is a number in 0.001 s ... 2^32 - 1 ms.
    """
    from .errors import KaelError

    ms = None
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout == timeout:
        if timeout > 0 and timeout != float("inf"):
            ms = max(1, int(round(timeout * 1000)))
    if ms is None or ms > MAX_EXPIRATION_MS:
        raise KaelError(
            "OPTION_INVALID",
            "%s: timeout must be a number of seconds from 0.001 to %s (got %r)" % (what, MAX_EXPIRATION_MS / 1000, timeout),
            {"option": "timeout", "value": repr(timeout), "max_ms": MAX_EXPIRATION_MS},
        )
    return str(ms)


def check_size(body, max_bytes, what):
    """Checks an encoded request against the caller's limit.

    :raises KaelError: ``REQUEST_TOO_LARGE`` when ``body`` is longer than ``max_bytes``.
    """
    from .errors import KaelError

    if len(body) > max_bytes:
        raise KaelError(
            "REQUEST_TOO_LARGE",
            "%s: the request is %d bytes, over the limit of %d bytes (max_request_bytes)" % (what, len(body), max_bytes),
            {"bytes": len(body), "limit": max_bytes},
        )


#: Declared options of the command and membership exchanges (must match the frames' exactly).
FANOUT_OPTIONS = {"exchange_type": "fanout", "durable": False, "auto_delete": False}
#: Declared options of the call exchange and the direct command exchange.
DIRECT_OPTIONS = {"exchange_type": "direct", "durable": False, "auto_delete": False}


#: JSON has no bytes: binary values travel as ``{"__kael_bytes__": "<base64>"}`` in JSON bodies
#: (runtime/PROTOCOL.md, "Type mapping").
BYTES_TAG = "__kael_bytes__"


def _encode_bytes(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {BYTES_TAG: base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def _decode_bytes(obj):
    if len(obj) == 1 and isinstance(obj.get(BYTES_TAG), str):
        return base64.b64decode(obj[BYTES_TAG])
    return obj


def _loads(body):
    text = body.decode("utf-8") if isinstance(body, (bytes, bytearray, memoryview)) else body
    return json.loads(text, object_hook=_decode_bytes) if BYTES_TAG in text else json.loads(text)


def encode(value, what):
    """JSON bytes of a request body (``bytes`` as the tagged base64 map).

    :raises KaelError: ``ENCODE_ERROR`` naming ``what`` when the value cannot be sent as JSON.
    """
    from .errors import KaelError

    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False, default=_encode_bytes).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise KaelError("ENCODE_ERROR", "%s: the arguments cannot be encoded as JSON: %s" % (what, e)) from e


def decode(body, content_type):
    """Decodes a reply or announcement body (JSON or msgpack).

    :raises ValueError: the body is not valid in its encoding.
    """
    if content_type == JSON_TYPE:
        return _loads(body)
    from ._msgpack import unpackb

    try:
        return unpackb(body)
    except ValueError:
        if content_type == MSGPACK_TYPE:
            raise
        return _loads(body)
