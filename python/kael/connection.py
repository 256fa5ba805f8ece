"""The client's one RabbitMQ connection (pika's BlockingConnection) and what it consumes: replies by
direct reply-to, returned (unroutable) requests, and the namespace's frame announcements."""

import itertools
import os
import time

from . import protocol
from .errors import KaelError

#: Announcements kept for the client between two of its calls (the newest win; older ones are dropped).
MEMBERSHIP_BACKLOG = 1000


class Request:
    """A request in flight: gets its replies (and a return) while the connection processes events."""

    def __init__(self, label):
        self.label = label
        self.done = False
        self.error = None

    def on_reply(self, envelope, app_id):
        """Takes one reply; sets ``done`` when no more replies are wanted."""
        raise NotImplementedError

    def on_return(self, routing_key):
        self.error = KaelError(
            "SERVICE_NOT_FOUND", "%s: no frame serves it (nothing is bound to %s)" % (self.label, routing_key)
        )
        self.done = True

    def on_lost(self, error):
        self.error = error
        self.done = True


class Connection:
    """One connection and channel, opened on first use and again after it was lost.

    Not thread-safe by itself: the client serialises its use with a lock. pika only reads from the
    socket inside :meth:`wait`, so announcements and heartbeats are handled while the client waits.
    """

    def __init__(self, auri, namespace, on_announcement, on_connect):
        self.auri = auri
        self.namespace = namespace
        self._on_announcement = on_announcement
        self._on_connect = on_connect
        self._conn = None
        self._channel = None
        #: Where calls are published (see :meth:`_call_target`), chosen at every connection.
        self.call_exchange = protocol.call_exchange(namespace)
        self._probe = None
        self._pending = {}
        self._prefix = os.urandom(6).hex()
        self._ids = itertools.count()

    @property
    def is_open(self):
        return self._conn is not None and self._conn.is_open and self._channel is not None and self._channel.is_open

    def ensure(self):
        """Opens the connection if it is not open.

        :raises KaelError: ``BROKER_UNAVAILABLE`` when RabbitMQ cannot be reached.
        """
        if self.is_open:
            return
        self.close()
        try:
            import pika
        except ImportError as e:
            raise KaelError(
                "USAGE", "the kael client needs pika (apt-get install python3-pika, or pip install pika)"
            ) from e
        params = pika.URLParameters(self.auri)
        params.client_properties = {"connection_name": "kael-python-client:%s" % self.namespace}
        try:
            self._conn = pika.BlockingConnection(params)
            ch = self._conn.channel()
            ch.add_on_return_callback(self._returned)
            ch.basic_consume(protocol.DIRECT_REPLY_TO, self._replied, auto_ack=True)
            # Commands go to the command exchange: declare it, publishing to a missing one closes the channel.
            ch.exchange_declare(protocol.command_exchange(self.namespace), **protocol.FANOUT_OPTIONS)
            ch.exchange_declare(protocol.command_direct_exchange(self.namespace), **protocol.DIRECT_OPTIONS)
            ch.exchange_declare(protocol.call_exchange(self.namespace), **protocol.DIRECT_OPTIONS)
            ch.exchange_declare(protocol.membership_exchange(self.namespace), **protocol.FANOUT_OPTIONS)
            queue = ch.queue_declare(
                "", exclusive=True, auto_delete=True, arguments={"x-max-length": MEMBERSHIP_BACKLOG}
            ).method.queue
            ch.queue_bind(queue, protocol.membership_exchange(self.namespace))
            ch.basic_consume(queue, self._announced, auto_ack=True)
            self.call_exchange = self._call_target(pika)
            self._channel = ch
        except pika.exceptions.AMQPError as e:
            self.close()
            raise KaelError(
                "BROKER_UNAVAILABLE", "cannot connect to RabbitMQ at %s: %r" % (_redact(self.auri), e)
            ) from e
        self._on_connect()

    def _call_target(self, pika):
        """The default exchange when this broker user may write to it (the same queues, routed sooner
        by the broker), else the namespace's call exchange. Asked on a channel of its own, as
        runtime/PROTOCOL.md describes: an empty message to a queue name that cannot exist, then a
        ``basic.qos`` that a refusal (403) fails; the refusal closes only that channel."""
        probe = self._conn.channel()
        try:
            probe.basic_publish(protocol.DEFAULT_EXCHANGE, protocol.PROBE_ROUTING_KEY, b"")
            probe.basic_qos(prefetch_count=0)
        except pika.exceptions.ChannelClosedByBroker as e:
            if e.reply_code == 403:
                return protocol.call_exchange(self.namespace)
            raise
        probe.close()
        return protocol.DEFAULT_EXCHANGE

    def request(self, exchange, routing_key, body, request, timeout, mandatory=True):
        """Publishes a JSON request whose replies go to ``request``; returns its correlation id.

        :raises KaelError: ``OPTION_INVALID`` (a timeout the broker would refuse: nothing is
            published), ``BROKER_UNAVAILABLE``.
        """
        import pika

        correlation_id = "%s.%x" % (self._prefix, next(self._ids))
        props = pika.BasicProperties(
            correlation_id=correlation_id,
            reply_to=protocol.DIRECT_REPLY_TO,
            content_type=protocol.JSON_TYPE,
            expiration=protocol.expiration(timeout, request.label),
        )
        # A connection the broker dropped while the client was idle fails at the first publish:
        # the message was not sent, so one retry on a fresh connection is safe.
        for attempt in (1, 2):
            self.ensure()
            try:
                self._channel.basic_publish(exchange, routing_key, body, properties=props, mandatory=mandatory)
                break
            except pika.exceptions.AMQPError as e:
                self._lost(e)
                if attempt == 2:
                    raise KaelError("BROKER_UNAVAILABLE", "cannot publish %s: %r" % (request.label, e)) from e
        self._pending[correlation_id] = request
        return correlation_id

    def queue_counts(self, queue):
        """``(consumers, ready messages)`` of ``queue`` (``(0, 0)`` when it does not exist), or None
        when the broker cannot say.

        Asked with a passive declare on a channel of its own: a missing queue closes that channel (404),
        never the one replies arrive on.
        """
        import pika

        try:
            self.ensure()
            if self._probe is None or not self._probe.is_open:
                self._probe = self._conn.channel()
            method = self._probe.queue_declare(queue, passive=True).method
            return method.consumer_count, method.message_count
        except pika.exceptions.ChannelClosedByBroker as e:
            self._probe = None
            return (0, 0) if e.reply_code == 404 else None
        except pika.exceptions.AMQPConnectionError as e:
            self._lost(e)
            return None
        except (pika.exceptions.AMQPError, KaelError):
            self._probe = None
            return None

    def forget(self, correlation_id):
        """Stops listening for replies of a request."""
        self._pending.pop(correlation_id, None)

    def wait(self, until, timeout, tick=None, every=0.25):
        """Processes broker events until ``until()`` is true or ``timeout`` seconds passed.

        :param tick: called at least every ``every`` seconds (membership sweeps, queue checks).
        :raises KaelError: ``CONNECTION_LOST`` when the connection is lost.
        """
        import pika

        deadline = time.monotonic() + timeout
        while not until():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                self.ensure()
                self._conn.process_data_events(time_limit=min(left, every))
            except pika.exceptions.AMQPError as e:
                self._lost(e)
                raise KaelError("CONNECTION_LOST", "lost the connection to RabbitMQ: %r" % (e,)) from e
            if tick is not None:
                tick()

    def poll(self):
        """Handles what already arrived (announcements) without waiting."""
        import pika

        if not self.is_open:
            return
        try:
            self._conn.process_data_events(time_limit=0)
        except pika.exceptions.AMQPError as e:
            self._lost(e)

    def close(self):
        conn, self._conn, self._channel, self._probe = self._conn, None, None, None
        if conn is not None and conn.is_open:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail in many ways; it is gone either way
                pass

    def _lost(self, error):
        self.close()
        pending, self._pending = self._pending, {}
        for request in pending.values():
            request.on_lost(KaelError("CONNECTION_LOST", "the connection was lost with the request in flight: %r" % (error,)))

    def _replied(self, _channel, _method, props, body):
        request = self._pending.get(props.correlation_id)
        if request is None:
            return
        try:
            envelope = protocol.decode(body, props.content_type)
            if not isinstance(envelope, dict) or "ok" not in envelope:
                raise ValueError("not a kael envelope")
        except ValueError as e:
            envelope = {"ok": False, "error": {"code": "DECODE_ERROR", "name": "KaelError", "message": str(e)}}
        request.on_reply(envelope, props.app_id)
        if request.done:
            self._pending.pop(props.correlation_id, None)

    def _returned(self, _channel, method, props, _body):
        request = self._pending.pop(props.correlation_id, None)
        if request is not None:
            request.on_return(method.routing_key)

    def _announced(self, _channel, _method, props, body):
        try:
            announcement = protocol.decode(body, props.content_type)
        except ValueError:
            return
        if isinstance(announcement, dict):
            self._on_announcement(announcement)


def _redact(auri):
    """The URL without its password."""
    head, sep, tail = auri.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return auri
    scheme, _, userinfo = head.partition("//")
    return "%s//%s:****@%s" % (scheme, userinfo.split(":", 1)[0], tail)
