"""Requests in flight: one service call, one fan-out command, and deploy planning
(runtime/src/client/command-responses.ts and deploy-plan.ts)."""

from .connection import Request
from .errors import KaelError
from .versions import highest_version, same_version


class CallRequest(Request):
    """One service call: done at its reply."""

    def __init__(self, label):
        super().__init__(label)
        self.envelope = None

    def on_reply(self, envelope, app_id):
        self.envelope = envelope
        self.done = True


class PingRequest(Request):
    """``_ping`` to every frame: each reply is a frame snapshot. Never done; the client stops it."""

    def __init__(self, learn):
        super().__init__("_ping")
        self._learn = learn

    def on_reply(self, envelope, app_id):
        if envelope.get("ok") and isinstance(envelope.get("value"), dict):
            self._learn(envelope["value"])


class PendingCommand(Request):
    """The replies of one command: done as soon as every targeted frame answered or went away."""

    def __init__(self, fn, targets, target_id=None):
        super().__init__(fn)
        self.fn = fn
        self.targets = set(targets)
        self.target_id = target_id
        self.replies = {}

    def on_reply(self, envelope, app_id):
        if app_id is None:
            return
        self.replies[app_id] = envelope
        self.targets.add(app_id)
        self._check()

    def on_return(self, routing_key):
        if self.target_id is not None:
            self.write_off(self.target_id, "FRAME_NOT_FOUND", "no frame has id %s" % self.target_id)
        self.done = True

    def on_lost(self, error):
        for t in self.targets:
            self.write_off(t, error.code, error.message)
        self.done = True

    def write_off(self, frame_id, code, message):
        """Marks a targeted frame that will not answer (it left, or does not exist)."""
        if frame_id in self.targets and frame_id not in self.replies:
            self.replies[frame_id] = {"ok": False, "error": {"code": code, "name": "KaelError", "message": message}}
        self._check()

    def result(self, timeout):
        """Every target's answer; silent frames get ``COMMAND_TIMEOUT``."""
        out = dict(self.replies)
        for t in self.targets:
            if t not in out:
                out[t] = {
                    "ok": False,
                    "error": {
                        "code": "COMMAND_TIMEOUT",
                        "name": "KaelError",
                        "message": "frame %s did not answer %s within %s s" % (t, self.fn, timeout),
                    },
                }
        return out

    def _check(self):
        if all(t in self.replies for t in self.targets):
            self.done = True


def version_on(frame, kind, name):
    """The version of package ``name`` of ``kind`` a frame holds, if any."""
    for p in frame.get("packages", []):
        if p.get("kind") == kind and p.get("name") == name:
            return p.get("version")
    return None


def select_frames(frames, id=None, not_id=None):
    """Frames matching ``id`` / ``not_id`` (a list, or a comma-separated string)."""
    excluded = set(not_id.split(",") if isinstance(not_id, str) else (not_id or ()))
    return [f for f in frames if (id is None or f["id"] == id) and f["id"] not in excluded]


def plan_deploy(frames, op, kind, name, version=None, id=None, not_id=None):
    """The version to install or update to, the frame holding it, and the frames that change.

    :raises KaelError: ``VERSION_NOT_FOUND`` when no live frame holds the package or that version;
        ``FRAME_NOT_FOUND`` for an unknown ``id``.
    """
    holders = [f for f in frames if version_on(f, kind, name) is not None]
    if not holders:
        raise KaelError("VERSION_NOT_FOUND", 'no live frame holds %s package "%s"' % (kind, name))
    wanted = str(version) if version is not None else highest_version(version_on(f, kind, name) for f in holders)
    source = next((f for f in holders if wanted is not None and same_version(version_on(f, kind, name), wanted)), None)
    if source is None:
        known = ", ".join(sorted({str(version_on(f, kind, name)) for f in holders}))
        raise KaelError(
            "VERSION_NOT_FOUND",
            'no live frame holds %s package "%s" version %s (live versions: %s)' % (kind, name, version, known),
        )
    if id is not None and not any(f["id"] == id for f in frames):
        raise KaelError("FRAME_NOT_FOUND", "no live frame has id %s" % id)
    selected = select_frames(frames, id, not_id)
    if id is None:
        selected = [f for f in selected if (version_on(f, kind, name) is not None) == (op == "update")]
    return wanted, source, selected
