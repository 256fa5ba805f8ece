"""kael's exceptions: one root class with a stable ``code`` (the same codes as the TypeScript runtime).

Callers branch on ``code``, never on the message text::

    try:
        client.calculate__add(1, 2)
    except KaelError as e:
        if e.code == 'RPC_TIMEOUT':
            retry()
"""

#: Codes a far side may report that keep their own code on this side; any other remote code
#: becomes ``REMOTE_ERROR`` (the remote code stays in ``RemoteError.remote``).
REMOTE_CODES = frozenset(
    [
        "INVALID_ARGS",
        "ENCODE_ERROR",
        "DECODE_ERROR",
        "COMMAND_UNKNOWN",
        "UNAUTHORIZED",
        "WORKER_CRASHED",
        "REQUEST_TOO_LARGE",
        "REPLY_TOO_LARGE",
    ]
)


class KaelError(Exception):
    """Root of kael's exceptions.

    :ivar code: stable machine-readable code (``RPC_TIMEOUT``, ``SERVICE_NOT_FOUND``, ...).
    :ivar details: extra machine-readable facts (a dict).
    """

    def __init__(self, code, message, details=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}

    def __str__(self):
        return "[%s] %s" % (self.code, self.message)


class RemoteError(KaelError):
    """A call or command failed on the far side.

    :ivar remote: the error as the far side reported it: ``code``, ``name`` (for a Python or
        JavaScript exception, its type name), ``message``, and ``stack`` when the frame sends one.
    """

    def __init__(self, remote):
        name = str(remote.get("name", "Error"))
        message = str(remote.get("message", ""))
        code = str(remote.get("code", "REMOTE_ERROR"))
        text = message if name in ("KaelError", "ConfigError") else "%s: %s" % (name, message)
        super().__init__(code if code in REMOTE_CODES else "REMOTE_ERROR", text, remote.get("details"))
        self.remote = remote

    @property
    def remote_name(self):
        """The type name of the remote exception (``ZeroDivisionError``, ``TypeError``...)."""
        return self.remote.get("name")
