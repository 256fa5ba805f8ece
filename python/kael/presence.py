"""Fast SERVICE_NOT_FOUND: whether a service queue has a consumer, from the broker's own count.

A service queue outlives its last frame for 30 minutes (``x-expires``), so a request published to it
would wait out its whole timeout. The client asks the broker for the queue's consumer count (a
passive declare, on a channel of its own) before publishing, unless an answer younger than
:data:`FRESH_S` said it has consumers, and again while a call waits. Two answers of "no consumer" at
least :data:`GONE_AFTER_S` apart make the call fail with ``SERVICE_NOT_FOUND`` (runtime/PROTOCOL.md).
"""

import time

from .errors import KaelError

#: A positive answer younger than this lets calls publish without asking again.
FRESH_S = 1.0
#: How long a queue must show no consumer before calls to it fail.
GONE_AFTER_S = 0.03
#: While a call waits, how often its queue is asked again.
RECHECK_S = 0.1


class ServicePresence:
    """Remembers the last consumer count of each service queue the client called."""

    def __init__(self):
        self._seen = {}

    def before_publish(self, conn, queue, label):
        """Returns when the call may be published.

        :raises KaelError: ``SERVICE_NOT_FOUND`` when the queue has no consumer (nothing is published).
        """
        seen = self._seen.get(queue)
        if seen is not None and seen[0] > 0 and time.monotonic() - seen[1] < FRESH_S:
            return
        first = self._ask(conn, queue)
        if first is None or first[0] > 0:
            return
        time.sleep(GONE_AFTER_S)
        second = self._ask(conn, queue)
        if second is not None and second[0] == 0:
            raise not_found(label, queue, "no-consumer")

    def while_waiting(self, conn, queue, request, sent_at, state):
        """Called while a call waits: fails it when its queue lost its last consumer since ``sent_at``
        and holds a ready message (the request: a frame draining on SIGTERM still holds the call it
        finishes, unacknowledged, and answers it)."""
        now = time.monotonic()
        if request.done or now - sent_at < GONE_AFTER_S or now - state.get("asked", 0) < RECHECK_S:
            return
        state["asked"] = now
        counts = self._ask(conn, queue)
        if counts is not None and counts[0] == 0:
            zero_since = state.setdefault("zero_since", now)
            if now - zero_since >= GONE_AFTER_S and counts[1] > 0:
                request.on_lost(not_found(request.label, queue, "consumers-gone"))
        else:
            state.pop("zero_since", None)

    def _ask(self, conn, queue):
        counts = conn.queue_counts(queue)
        if counts is not None:
            self._seen[queue] = (counts[0], time.monotonic())
        return counts


def not_found(label, queue, reason):
    """The error of a call to a queue without consumer."""
    if reason == "no-consumer":
        text = "%s: no live frame serves it (its queue %s has no consumer)" % (label, queue)
    else:
        text = "%s: no live frame serves it any more (its queue %s lost its last consumer while the call waited)" % (
            label,
            queue,
        )
    return KaelError("SERVICE_NOT_FOUND", text, {"reason": reason, "queue": queue})
