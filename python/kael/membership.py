"""The live frames of a namespace, kept from their announcements (runtime/src/membership)."""

import time


class Membership:
    """Frames announce themselves at start, on change, every heartbeat, and say goodbye on stop; a
    frame silent for three of its heartbeats is gone."""

    def __init__(self, on_down=None):
        self._members = {}
        self._on_down = on_down
        #: True once the client asked every frame to answer at once (a ``_ping``).
        self.primed = False

    def reset(self):
        """Forgets everything (after a reconnect the view is rebuilt)."""
        self._members.clear()
        self.primed = False

    def accept(self, announcement):
        """Takes one announcement ``{type: hello|goodbye, frame, seq}``."""
        frame = announcement.get("frame")
        if not isinstance(frame, dict) or not isinstance(frame.get("id"), str):
            return
        known = self._members.get(frame["id"])
        if announcement.get("type") == "goodbye":
            if known is not None:
                self._remove(frame["id"])
            return
        seq = announcement.get("seq", -1)
        seq = seq if isinstance(seq, int) else -1
        if known is not None and 0 <= seq < known[1]:
            return
        self._members[frame["id"]] = (frame, max(seq, known[1] if known else -1), time.monotonic())

    def learn(self, frame):
        """Takes a snapshot learned from a ``_ping`` reply."""
        self.accept({"type": "hello", "frame": frame, "seq": -1})

    def sweep(self):
        now = time.monotonic()
        for frame_id, (frame, _seq, seen) in list(self._members.items()):
            if now - seen > 3 * frame.get("heartbeatMs", 2000) / 1000.0:
                self._remove(frame_id)

    def frames(self):
        """The live frames' snapshots, by id."""
        self.sweep()
        return [self._members[k][0] for k in sorted(self._members)]

    def _remove(self, frame_id):
        frame = self._members.pop(frame_id)[0]
        if self._on_down is not None:
            self._on_down(frame)
