"""``WORK_FRAME``: the seed's client of a kael namespace, and ``frame_start()`` to run a frame.

Example::

    from kael import WORK_FRAME
    client = WORK_FRAME(name='test', auri='amqp://guest:guest@127.0.0.1:5672')
    client.calculate__add(1, 2)                                    # 3
    r = client.command('_get_pkg_version', pkg_type='service')     # a command id
    client.get_response(r, timeout=5)                              # {frame_id: {'ok': True, 'value': ...}}

Times are in seconds, as in the seed. A client is safe to share between threads (its calls take
turns on one connection).
"""

import os
import re
import threading
import time

from . import protocol
from .commands import CallRequest, PendingCommand, PingRequest, plan_deploy, select_frames, version_on
from .connection import Connection
from .errors import KaelError, RemoteError
from .membership import Membership
from .presence import ServicePresence
from .signature import CHANGING_COMMANDS, sign_command
from .versions import highest_version, same_version

DEFAULT_AURI = "amqp://guest:guest@127.0.0.1:5672"
KINDS = ("service", "crontab")


class WorkFrame:
    """A client of a namespace (the seed's ``WORK_FRAME``); with ``service_group_conf`` it can also run
    a frame there with :meth:`frame_start`.

    :param name: the namespace. Default: ``KAEL_NAME``, else frame.yaml's ``service_group``.
    :param auri: the RabbitMQ URL. Default: ``KAEL_AURI``, else ``amqp://guest:guest@127.0.0.1:5672``.
    :param service_group_conf: path of frame.yaml (only :meth:`frame_start` and the default name use it).
    :param admin_key: signs changing commands. Default: ``KAEL_ADMIN_KEY``.
    :param timeout: default seconds a service call waits for its answer (30); 0.001 s to 2^32 - 1 ms
        (the broker's expiration range), else ``OPTION_INVALID``.
    :param max_request_bytes: largest encoded request body; a larger call raises
        ``REQUEST_TOO_LARGE`` before anything is published (16 MiB, the frames' default limit).
    :raises KaelError: ``OPTION_INVALID`` for a timeout or size limit out of range.
    """

    def __init__(
        self,
        name=None,
        auri=None,
        service_group_conf=None,
        admin_key=None,
        timeout=30.0,
        max_request_bytes=protocol.DEFAULT_MAX_REQUEST_BYTES,
    ):
        protocol.expiration(timeout, "timeout")
        if isinstance(max_request_bytes, bool) or not isinstance(max_request_bytes, int) or max_request_bytes <= 0:
            raise KaelError(
                "OPTION_INVALID",
                "max_request_bytes must be a positive whole number of bytes (got %r)" % (max_request_bytes,),
                {"option": "max_request_bytes", "value": repr(max_request_bytes)},
            )
        self.max_request_bytes = max_request_bytes
        self.service_group_conf = service_group_conf
        self.auri = auri or os.environ.get("KAEL_AURI") or DEFAULT_AURI
        self.admin_key = admin_key or os.environ.get("KAEL_ADMIN_KEY") or None
        self.timeout = timeout
        self._explicit_name = name or os.environ.get("KAEL_NAME") or None
        self._lock = threading.RLock()
        self._connection = None
        self._membership = Membership(on_down=self._frame_down)
        self._presence = ServicePresence()
        self._commands = {}

    @property
    def name(self):
        """The namespace: the explicit one, else frame.yaml's ``service_group``."""
        if self._explicit_name is None and self.service_group_conf is not None:
            self._explicit_name = _service_group(self.service_group_conf)
        return self._explicit_name

    # -- service calls -------------------------------------------------------------------------

    def __getattr__(self, attr):
        # `client.calculate__add(1, 2)`: any name with a double underscore inside is a service.
        if "__" in attr.strip("_") and not attr.startswith("_"):
            def service(*args, **kwargs):
                return self.call(attr, args, kwargs)

            service.__name__ = attr
            return service
        raise AttributeError(attr)

    def call(self, service, args=(), kwargs=None, timeout=None):
        """Calls microservice ``service`` (``<service_base_name>__<function>``) and returns its result.

        :param kwargs: keyword arguments of the function.
        :param timeout: seconds to wait (default: the client's ``timeout``).
        :raises KaelError: ``SERVICE_NOT_FOUND`` (at once), ``RPC_TIMEOUT``, ``ENCODE_ERROR``,
            ``REQUEST_TOO_LARGE`` and ``OPTION_INVALID`` (before publishing), ``BROKER_UNAVAILABLE``
            (no connection), ``CONNECTION_LOST`` (lost while waiting); :class:`RemoteError`
            ``REMOTE_ERROR`` (the function raised: its type name is ``remote_name``), ``INVALID_ARGS``,
            ``WORKER_CRASHED``, ``REPLY_TOO_LARGE``...
        """
        timeout = self.timeout if timeout is None else timeout
        protocol.expiration(timeout, service)
        body = protocol.encode([list(args), kwargs or {}], service)
        protocol.check_size(body, self.max_request_bytes, service)
        request = CallRequest(service)
        queue = protocol.service_queue(self.name, service)
        with self._lock:
            conn = self._conn()
            self._presence.before_publish(conn, queue, service)
            cid = conn.request(conn.call_exchange, queue, body, request, timeout)
            sent_at = time.monotonic()
            state = {}
            try:
                conn.wait(
                    lambda: request.done,
                    timeout,
                    tick=lambda: self._presence.while_waiting(conn, queue, request, sent_at, state),
                    every=0.05,
                )
            finally:
                conn.forget(cid)
        if request.error is not None:
            raise request.error
        if request.envelope is None:
            raise KaelError("RPC_TIMEOUT", "%s: no reply within %s s" % (service, timeout))
        if not request.envelope.get("ok"):
            raise RemoteError(request.envelope.get("error") or {})
        return request.envelope.get("value")

    # -- commands ------------------------------------------------------------------------------

    def command(self, function, id=None, not_id=None, **kwargs):
        """Sends management command ``function`` to every frame, to frame ``id`` only, or to all but
        ``not_id`` (a list of frame ids); returns the command id for :meth:`get_response`.
        Changing commands are signed when the client has an admin key."""
        with self._lock:
            frames = self.servers()
            targets = {f["id"] for f in select_frames(frames, id, not_id)}
            if id is not None:
                targets.add(id)
            message = {"fn": function, "kwargs": kwargs}
            if id is not None:
                message["id"] = id
            excluded = [f["id"] for f in frames if f["id"] not in targets]
            if excluded:
                message["notId"] = excluded
            if self.admin_key is not None and function in CHANGING_COMMANDS:
                message["auth"] = sign_command(self.admin_key, self.name, function, kwargs, id, excluded)
            body = protocol.encode(message, function)
            pending = PendingCommand(function, targets, id)
            if id is not None:
                exchange, key = protocol.command_direct_exchange(self.name), id
            else:
                exchange, key = protocol.command_exchange(self.name), ""
            cid = self._conn().request(exchange, key, body, pending, 600, mandatory=id is not None)
            self._commands[cid] = pending
            return cid

    def get_response(self, r, timeout=5):
        """Every targeted frame's answer to command ``r`` (``{frame_id: {'ok': True, 'value': ...}}`` or
        ``{'ok': False, 'error': {...}}``), as soon as all answered, else after ``timeout`` seconds with
        the silent frames marked ``COMMAND_TIMEOUT``.

        :raises KaelError: ``USAGE`` for an unknown command id.
        """
        with self._lock:
            pending = self._commands.pop(r, None)
            if pending is None:
                raise KaelError("USAGE", "unknown command id %s (already collected?)" % r)
            conn = self._conn()
            try:
                conn.wait(lambda: pending.done, timeout, tick=self._membership.sweep)
            finally:
                conn.forget(r)
            return pending.result(timeout)

    def command_all(self, function, timeout=5, id=None, not_id=None, **kwargs):
        """:meth:`command`, then :meth:`get_response`."""
        return self.get_response(self.command(function, id=id, not_id=not_id, **kwargs), timeout=timeout)

    def servers(self):
        """The live frames' snapshots. The first call asks every frame to answer at once (~0.3 s)."""
        with self._lock:
            conn = self._conn()
            if not self._membership.primed:
                ping = PingRequest(self._membership.learn)
                body = protocol.encode({"fn": "_ping", "kwargs": {}}, "_ping")
                cid = conn.request(protocol.command_exchange(self.name), "", body, ping, 5, mandatory=False)
                try:
                    conn.wait(lambda: False, 0.3)
                finally:
                    conn.forget(cid)
                self._membership.primed = True
            else:
                conn.poll()
            return self._membership.frames()

    def get_last_version(self, service=None, pkg_type="service"):
        """The highest live version of package ``service`` (a str, None when no frame has it), or of
        every package of ``pkg_type`` (a dict name -> version). Packages that failed to load do not count."""
        by_name = {}
        for f in self.servers():
            for p in f.get("packages", []):
                if p.get("kind") == pkg_type and p.get("version") is not None and p.get("error") is None:
                    by_name.setdefault(p["name"], []).append(p["version"])
        if service is not None:
            return highest_version(by_name.get(service, []))
        return {n: highest_version(v) for n, v in by_name.items()}

    def package_status(self, pkg_type="service", pkg=None):
        """Which frame holds which version of each package of a kind (or of package ``pkg``)."""
        out = []
        for f in self.servers():
            for p in f.get("packages", []):
                if p.get("kind") == pkg_type and (pkg is None or p.get("name") == pkg):
                    row = {"frame": f["id"], "host": f.get("host"), "name": p["name"], "version": p.get("version"), "path": p.get("dir")}
                    if p.get("error") is not None:
                        row["error"] = p["error"].get("message")
                    out.append(row)
        return out

    def get_all_crontab_status(self, crontab=None, timeout=5):
        """Every frame's crontab status with run history: ``{frame_id: [status, ...]}``."""
        kwargs = {} if crontab is None else {"crontab": crontab}
        response = self.command_all("_get_crontab_status", timeout=timeout, **kwargs)
        return {fid: r["value"] for fid, r in response.items() if r.get("ok")}

    # -- install, update, rollback, restart ----------------------------------------------------

    def update(self, pkg_type, pkg_name, version=None, id=None, not_id=None, timeout=120):
        """Moves the frames holding ``pkg_name`` (or frame ``id``) to ``version`` (default: the highest
        live one) and restarts that kind there; returns each frame's ``{ok, from, to, package?, error?}``
        (``package``: the package's ``state``, version and reason after the restart).

        :raises KaelError: ``PACKAGE_NOT_FOUND`` when no selected frame holds it; ``VERSION_NOT_FOUND``.
        """
        return self._deploy("update", pkg_type, pkg_name, None, version, id, not_id, timeout)

    def install(self, pkg_type, pkg_name, install_path, version=None, id=None, not_id=None, timeout=120):
        """Installs ``pkg_name`` at ``install_path`` (relative to each frame's frame.yaml folder) on the
        selected frames lacking it, and adds it to their frame.yaml.

        :raises KaelError: ``PACKAGE_EXISTS`` when every selected frame has it; ``VERSION_NOT_FOUND``.
        """
        return self._deploy("install", pkg_type, pkg_name, install_path, version, id, not_id, timeout)

    def rollback(self, pkg_type, pkg_name, id=None, not_id=None, timeout=120):
        """Restores the previous version of ``pkg_name`` on the frames holding it.

        :raises KaelError: ``PACKAGE_NOT_FOUND`` when no selected frame holds it.
        """
        _check_kind(pkg_type)
        selected = [
            f for f in select_frames(self.servers(), id, not_id) if id is not None or version_on(f, pkg_type, pkg_name) is not None
        ]
        if not selected:
            raise KaelError("PACKAGE_NOT_FOUND", 'no selected frame has %s package "%s"' % (pkg_type, pkg_name))
        response = self._send_to("_rollback_pkg", {"pkg": pkg_name, "pkg_type": pkg_type}, selected, timeout)
        return _change_results(response, selected, pkg_type, pkg_name)

    def restart(self, pkg_type, id=None, not_id=None, timeout=120):
        """Restarts the packages of a kind (fresh code from disk) on every frame, frame ``id``, or all but ``not_id``."""
        _check_kind(pkg_type)
        return self.command_all("_restart_%s" % pkg_type, timeout=timeout, id=id, not_id=not_id)

    def update_service(self, pkg_name, version=None, id=None, not_id=None, timeout=120):
        """The seed's ``update_service``: :meth:`update` of a service package."""
        return self.update("service", pkg_name, version, id, not_id, timeout)

    def update_crontab(self, pkg_name, version=None, id=None, not_id=None, timeout=120):
        """The seed's ``update_crontab``: :meth:`update` of a crontab package."""
        return self.update("crontab", pkg_name, version, id, not_id, timeout)

    def install_service(self, pkg_name, install_path, version=None, id=None, not_id=None, timeout=120):
        """The seed's ``install_service``: :meth:`install` of a service package."""
        return self.install("service", pkg_name, install_path, version, id, not_id, timeout)

    def install_crontab(self, pkg_name, install_path, version=None, id=None, not_id=None, timeout=120):
        """The seed's ``install_crontab``: :meth:`install` of a crontab package."""
        return self.install("crontab", pkg_name, install_path, version, id, not_id, timeout)

    def rollback_service(self, pkg_name, id=None, not_id=None, timeout=120):
        return self.rollback("service", pkg_name, id, not_id, timeout)

    def rollback_crontab(self, pkg_name, id=None, not_id=None, timeout=120):
        return self.rollback("crontab", pkg_name, id, not_id, timeout)

    # -- running a frame -----------------------------------------------------------------------

    def frame_start(self, processes=None, extra_args=()):
        """Runs a frame on ``service_group_conf`` in the foreground (the ``kael run`` daemon) until it
        stops; SIGINT and SIGTERM are passed on to it. Returns its exit code.

        :raises KaelError: ``USAGE`` without ``service_group_conf``, or when the kael CLI is not found
            (set ``KAEL_CLI``).
        """
        from .daemon import run_frame

        if self.service_group_conf is None:
            raise KaelError("USAGE", "frame_start needs service_group_conf (the frame.yaml to run)")
        args = ["run", os.path.abspath(self.service_group_conf), "--auri", self.auri]
        if self._explicit_name is not None:
            args += ["--name", self._explicit_name]
        if processes is not None:
            args += ["--processes", str(processes)]
        env = dict(os.environ)
        if self.admin_key is not None:
            env["KAEL_ADMIN_KEY"] = self.admin_key
        return run_frame(args + list(extra_args), env)

    # -- lifecycle -----------------------------------------------------------------------------

    def close(self):
        """Closes the connection (a later call opens a new one)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            self._membership.reset()
            self._commands.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- internals -----------------------------------------------------------------------------

    def _conn(self):
        if self.name is None:
            raise KaelError("USAGE", "a client needs a namespace: pass name (or service_group_conf), or set KAEL_NAME")
        if self._connection is None:
            self._connection = Connection(self.auri, self.name, self._membership.accept, self._membership.reset)
        self._connection.ensure()
        return self._connection

    def _frame_down(self, frame):
        for pending in self._commands.values():
            pending.write_off(frame["id"], "FRAME_NOT_FOUND", "frame %s left the namespace" % frame["id"])

    def _deploy(self, op, kind, name, install_path, version, id, not_id, timeout):
        _check_kind(kind)
        wanted, source, targets = plan_deploy(self.servers(), op, kind, name, version, id, not_id)
        if not targets:
            if op == "install":
                raise KaelError("PACKAGE_EXISTS", 'every selected frame already has %s package "%s"; use update' % (kind, name))
            raise KaelError("PACKAGE_NOT_FOUND", 'no selected frame has %s package "%s"; use install' % (kind, name))
        kwargs = {
            "pkg": name,
            "pkg_type": kind,
            "version": wanted,
            "source": source["id"],
            "sha256": self._archive_digest(source["id"], kind, name, wanted, timeout),
        }
        if install_path is not None:
            kwargs["install_path"] = install_path
        response = self._send_to("_%s_pkg" % op, kwargs, targets, timeout)
        return _change_results(response, targets, kind, name)

    def _archive_digest(self, source, kind, name, version, timeout):
        """The sha256 of the archive frame ``source`` would export, asked before signing so the
        signature names the exact bytes every target must receive (runtime/PROTOCOL.md, "Signing")."""
        response = self.command_all(
            "_export_pkg", timeout=timeout, id=source, pkg=name, pkg_type=kind, digest_only=True
        )
        reply = response.get(source) or {"ok": False, "error": {"code": "COMMAND_TIMEOUT", "message": "no answer"}}
        if not reply.get("ok"):
            error = reply.get("error") or {}
            code = error.get("code") if error.get("code") in ("UNAUTHORIZED", "VERSION_NOT_FOUND", "PACKAGE_NOT_FOUND") else "COMMAND_FAILED"
            raise KaelError(
                code,
                'cannot learn the archive digest of %s package "%s" from frame %s: %s'
                % (kind, name, source, error.get("message", "")),
            )
        value = reply.get("value") or {}
        if not same_version(str(value.get("version")), version):
            raise KaelError("VERSION_NOT_FOUND", "frame %s now holds %s %s, not %s" % (source, name, value.get("version"), version))
        if not isinstance(value.get("sha256"), str):
            raise KaelError("COMMAND_FAILED", "frame %s answered the digest query without a sha256" % source)
        return value["sha256"]

    def _send_to(self, function, kwargs, frames, timeout):
        ids = [f["id"] for f in frames]
        if len(ids) == 1:
            return self.command_all(function, timeout=timeout, id=ids[0], **kwargs)
        others = [f["id"] for f in self.servers() if f["id"] not in ids]
        return self.command_all(function, timeout=timeout, not_id=others, **kwargs)


#: The seed's name.
WORK_FRAME = WorkFrame


def _check_kind(kind):
    if kind not in KINDS:
        raise KaelError("USAGE", 'pkg_type must be "service" or "crontab", got %r' % (kind,))


def _change_results(response, targets, kind, name):
    out = {}
    for fid, r in response.items():
        if r.get("ok"):
            out[fid] = r.get("value")
        else:
            before = next((version_on(f, kind, name) for f in targets if f["id"] == fid), None)
            error = r.get("error") or {}
            out[fid] = {"ok": False, "from": before, "to": None, "error": {"code": error.get("code"), "message": error.get("message")}}
    return out


def _service_group(conf):
    """frame.yaml's ``service_group`` (a plain top-level scalar), without a YAML library."""
    try:
        with open(conf, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"""^service_group:\s*['"]?([^'"#\s]+)""", line)
                if m:
                    return m.group(1)
    except OSError as e:
        raise KaelError("CONFIG_INVALID", "cannot read %s: %s" % (conf, e)) from e
    return None
