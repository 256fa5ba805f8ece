"""kael's Python service worker: serves the published functions of one Python service package.

A kael service worker (Node) starts one of these per Python package and forwards every call to it.
Only the Python standard library is used (3.9+).

Usage: kael_worker.py <package dir> <published names, a JSON list> [max threads] [service_base_name]

Channel: lines of UTF-8 JSON on two inherited descriptors, so that whatever user code prints to
stdout or stderr never mixes with the protocol:

  fd 3, frame -> worker:  [7, "add", [1, 2], {}]<TAB>{"service": "calculate__add", ...}
    (id, function, positional and keyword arguments; after a tab, when present, the call's context
    as a JSON object: service, frame, caller, deadline, trace_id. The function reads it with
    kael_worker.call_context(); it is decoded only then, most calls never ask. JSON text never
    holds a raw tab, so the tab cannot occur inside either part.)
  fd 4, worker -> frame:  first one load report, then one reply per call, in completion order:
    {"type": "ready", "python": "3.11.2", "executable": "/usr/bin/python3", "functions": {"add": "sync"},
     "names": {"add": {"kind": "function"}, "Thing": {"kind": "value", "notFunction": "is a class, not a function"}}}
    {"type": "error", "error": {"kind": "syntax", "name": "SyntaxError", "message": "...", "file": "...", "line": 3, "column": 9}}
    {"id": 7, "ok": true, "value": 3}
    {"id": 7, "ok": false, "error": {"code": "REMOTE_ERROR", "name": "ZeroDivisionError", "message": "..."}}

The load report only says what the package has: `names` holds each published name the module has
(absent: it has none), and the frame decides with the same check as `kael validate` and the editor
(runtime/src/packages/export-check.ts), so the words here must match kael_outline.py's reading. An
import that fails is `error.kind` "syntax" (SyntaxError), "import" (ImportError, its message in the
relative form the source uses) or "other" (any other exception while importing).

Bytes travel as {"__kael_bytes__": "<base64>"} in both directions. The worker exits when fd 3 reaches
end of file (the frame is done with it or gone); SIGINT and SIGTERM are ignored because the frame
drains calls before it closes the channel.
"""

import asyncio
import base64
import contextvars
import importlib.util
import inspect
import json
import keyword
import os
import signal
import sys
import threading
import time
import traceback

MIN_PYTHON = (3, 9)
_CALL = contextvars.ContextVar("kael_call", default=None)


class CallContext(object):
    """The call a service function is serving (see call_context()).

    service: the microservice served (<service_base_name>__<function>); frame: the serving frame's
    id; caller: the microservice that made the call, or None for a plain client; deadline: epoch
    seconds (float) after which the caller no longer waits, or None; trace_id: the W3C trace id
    (32 hex digits), the caller's or one made for this call when first read.

    Made from the context's JSON text as it came, decoded when first read: most calls never ask.
    The server makes one per call with only `_raw` set (the other slots stay empty until read).
    """

    __slots__ = ("_raw", "_ctx", "_trace_id")

    def __init__(self, raw):
        self._raw = raw

    def _read(self):
        ctx = getattr(self, "_ctx", None)
        if ctx is None:
            try:
                ctx = _decode(self._raw.decode("utf-8"))
            except ValueError:  # UnicodeDecodeError is a ValueError
                ctx = None
            self._ctx = ctx = ctx if isinstance(ctx, dict) else {}
        return ctx

    @property
    def service(self):
        return self._read().get("service")

    @property
    def frame(self):
        return self._read().get("frame")

    @property
    def caller(self):
        return self._read().get("caller")

    @property
    def deadline(self):
        deadline = self._read().get("deadline")
        return deadline / 1000.0 if isinstance(deadline, (int, float)) else None

    @property
    def trace_id(self):
        trace_id = getattr(self, "_trace_id", None)
        if trace_id is None:
            self._trace_id = trace_id = self._read().get("trace_id") or os.urandom(16).hex()
        return trace_id


def call_context():
    """The context of the call the current code serves (a CallContext), or None outside a call.

    Works in plain and async service functions and in the threads kael runs them on, without the
    function taking an extra argument.
    """
    return _CALL.get()

BYTES_TAG = "__kael_bytes__"
BYTES_TAG_RAW = b'"' + BYTES_TAG.encode() + b'"'


def _encode_default(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {BYTES_TAG: base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)


def _log_error(message):
    """One log line on stderr, a JSON object when the frame runs with --log-format json (KAEL_LOG_FORMAT)."""
    if os.environ.get("KAEL_LOG_FORMAT") == "json":
        line = json.dumps({
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z",
            "level": "error",
            "scope": "python-worker",
            "pid": os.getpid(),
            "msg": message,
        })
    else:
        line = "kael_worker: " + message
    sys.stderr.write(line + "\n")


def _reply_ok(call_id, value):
    """The reply line of a call that returned `value`, as bytes; scalars without the generic encoder."""
    kind = value.__class__
    if kind is int:
        return b'{"id":%d,"ok":true,"value":%d}\n' % (call_id, value)
    if kind is str:
        return b'{"id":%d,"ok":true,"value":%s}\n' % (call_id, _encode_str(value).encode("ascii"))
    if value is None:
        return b'{"id":%d,"ok":true,"value":null}\n' % call_id
    if kind is bool:
        return b'{"id":%d,"ok":true,"value":%s}\n' % (call_id, b"true" if value else b"false")
    return b'{"id":%d,"ok":true,"value":%s}\n' % (call_id, _encode(value).encode("ascii"))


def _decode_hook(obj):
    if len(obj) == 1 and BYTES_TAG in obj:
        return base64.b64decode(obj[BYTES_TAG])
    return obj


_encode = json.JSONEncoder(separators=(",", ":"), allow_nan=False, default=_encode_default).encode
_encode_str = json.encoder.encode_basestring_ascii
_decode = json.JSONDecoder().decode
# The decoders' scanners read one JSON value from a position: called directly, they skip the
# generic decode()'s two Python frames and two regular-expression matches per call.
_scan = json.JSONDecoder().scan_once
_scan_with_bytes = json.JSONDecoder(object_hook=_decode_hook).scan_once


class Channel:
    """Reads requests from one descriptor and writes replies to another, one line each."""

    def __init__(self, read_fd, write_fd):
        self.reader = os.fdopen(read_fd, "rb", buffering=1 << 16)
        self.write_fd = write_fd
        self.write_lock = threading.Lock()

    def send(self, text):
        self.send_line((text + "\n").encode("utf-8"))

    def send_line(self, data):
        """Writes one encoded line (ending in a newline) in one system call when the pipe has room."""
        with self.write_lock:
            written = os.write(self.write_fd, data)
            if written < len(data):
                data = memoryview(data)[written:]
                while data:
                    data = data[os.write(self.write_fd, data):]


class _Seat:
    """One thread of the server: its event is set when the thread is made the reader; `call` is the
    number of the call it runs (0 between calls)."""

    __slots__ = ("promoted", "call")

    def __init__(self):
        self.promoted = threading.Event()
        self.call = 0


# Results of these types are never awaitable: the common case skips inspect.isawaitable().
_PLAIN_RESULTS = frozenset((int, float, str, bool, type(None), list, dict, tuple, bytes))
_new_context = object.__new__


class Server:
    """Runs calls on the thread that reads them, so a fast function costs no hand-off between threads.
    A watcher looks every HANDOFF_S: a call it finds running on the reader at two looks in a row
    makes another thread the reader (a parked one, or a new one up to max_threads), so a slow or
    blocking function never holds up the next call for more than twice HANDOFF_S. The watcher polls
    only while calls come in, and sleeps when the worker is idle. Coroutines run on one asyncio loop
    thread.

    The work per call is kept small (a cold cache makes every step cost several times its warm
    cost): no lock on the way but the reply's write, no clock read (the reader numbers its call on
    its seat and the watcher compares numbers; each assignment is atomic under the GIL), the reply of
    a plain value formatted and written in place. The lock guards the hand-off, so the watcher never
    makes two readers of one call.
    """

    HANDOFF_S = 0.002
    IDLE_S = 0.1

    def __init__(self, channel, functions, service_prefix, max_threads, debug):
        self.channel = channel
        self.functions = functions
        self.prefix = service_prefix
        self.max_threads = max_threads
        self.debug = debug
        limit = os.environ.get("KAEL_MAX_REPLY_BYTES")
        self.max_reply_bytes = int(limit) if limit and limit.isdigit() else None
        # Longest reply line (with its newline) written without a closer look.
        self.quick_reply_bytes = 1 << 16 if self.max_reply_bytes is None else min(1 << 16, self.max_reply_bytes + 1)
        self.loop = None
        self.lock = threading.Lock()
        self.reader = None  # the seat that reads the channel now
        self.calls = 0
        self.parked = []
        self.threads = 1
        self.watcher_asleep = False
        self.wake_watcher = threading.Event()

    def serve(self):
        """Serves on the calling thread until the channel closes."""
        seat = _Seat()
        self.reader = seat
        threading.Thread(target=self.watch, name="kael-watch", daemon=True).start()
        self.lead(seat)
        self.follow(seat)

    def lead(self, seat):
        """Reads and runs calls until another seat was made the reader."""
        readline = self.channel.reader.readline
        handle = self.handle
        while True:
            line = readline()
            if not line:
                # The frame closed the channel: it drained its calls, or it is gone.
                os._exit(0)
            self.calls = seat.call = self.calls + 1
            if self.watcher_asleep:
                # After counting the call: the watcher looks at the count after saying it sleeps.
                self.watcher_asleep = False
                self.wake_watcher.set()
            handle(line)
            seat.call = 0
            if self.reader is not seat:
                return

    def follow(self, seat):
        """Parks until made the reader again, forever."""
        while True:
            with self.lock:
                self.parked.append(seat)
            seat.promoted.wait()
            seat.promoted.clear()
            self.lead(seat)

    def watch(self):
        seen, last_calls, quiet = 0, -1, 0
        idle_looks = int(self.IDLE_S / self.HANDOFF_S)
        while True:
            time.sleep(self.HANDOFF_S)
            reader = self.reader
            call = reader.call
            if call != 0 and call == seen:
                with self.lock:
                    # The same call still runs on the reader: another thread reads from now on.
                    if self.reader is reader and reader.call == call:
                        self.hand_off()
            seen = call
            calls = self.calls
            if call != 0 or calls != last_calls:
                last_calls, quiet = calls, 0
            elif quiet < idle_looks:
                quiet += 1
            else:
                self.wake_watcher.clear()
                self.watcher_asleep = True
                # Said before looking: a call counted after this look sees the flag and wakes us.
                if self.calls == last_calls:
                    self.wake_watcher.wait()
                self.watcher_asleep = False
                quiet = 0

    def hand_off(self):
        """Makes a parked or a new thread the reader (called with the lock held)."""
        if self.parked:
            seat = self.parked.pop()
            self.reader = seat
            seat.promoted.set()
        elif self.threads < self.max_threads:
            self.threads += 1
            seat = _Seat()
            self.reader = seat
            threading.Thread(target=self.lead_then_follow, args=(seat,), name="kael-call", daemon=True).start()

    def lead_then_follow(self, seat):
        self.lead(seat)
        self.follow(seat)

    def service(self, name):
        return self.prefix + str(name)

    def handle(self, line):
        head, _, ctx = line.partition(b"\t")
        try:
            text = head.decode("utf-8")
            request, end = (_scan_with_bytes if BYTES_TAG_RAW in head else _scan)(text, 0)
            if end != len(text) and not text[end:].isspace():
                raise ValueError("extra data after the request")
            call_id, name, args, kwargs = request
            fn = self.functions.get(name)
        except StopIteration:  # what the scanner raises when no JSON value starts the text
            _log_error("dropped a malformed request: %r" % line[:80])
            return
        except (ValueError, TypeError) as e:  # UnicodeDecodeError is a ValueError
            _log_error("dropped a malformed request: %s" % e)
            return
        if call_id.__class__ is not int:
            _log_error("dropped a request with id %r" % (call_id,))
            return
        if fn is None:
            self.fail(call_id, "SERVICE_NOT_FOUND", "KaelError", "%s is not published by this package" % self.service(name))
            return
        if ctx:
            call = _new_context(CallContext)
            call._raw = ctx
        else:
            call = None
        token = _CALL.set(call)
        try:
            result = fn(*args, **kwargs)
            kind = result.__class__
            if kind is int:
                data = b'{"id":%d,"ok":true,"value":%d}\n' % (call_id, result)
            elif kind is str:
                data = b'{"id":%d,"ok":true,"value":%s}\n' % (call_id, _encode_str(result).encode("ascii"))
            elif kind not in _PLAIN_RESULTS and inspect.isawaitable(result):
                self.await_result(call_id, name, result, call)
                return
            else:
                data = None
        except BaseException as e:  # noqa: B902 - user code may raise SystemExit; it must not stop the worker
            self.raised(call_id, e)
            return
        finally:
            _CALL.reset(token)
        if data is not None and len(data) <= self.quick_reply_bytes:
            self.channel.send_line(data)
        else:
            self.reply(call_id, name, result)

    def reply(self, call_id, name, value):
        try:
            line = _reply_ok(call_id, value)
        except (TypeError, ValueError, RecursionError) as e:
            self.fail(
                call_id,
                "ENCODE_ERROR",
                "KaelError",
                "%s returned a value that cannot be encoded: %s" % (self.service(name), e),
            )
            return
        size = len(line) - 1
        if self.max_reply_bytes is not None and size > self.max_reply_bytes:
            # Checked again on the encoded reply by the frame; refused here so a huge value does not
            # cross the pipe for nothing.
            self.fail(
                call_id,
                "REPLY_TOO_LARGE",
                "KaelError",
                "%s returned %d bytes, over this frame's limit of %d bytes" % (self.service(name), size, self.max_reply_bytes),
            )
            return
        self.channel.send_line(line)

    def raised(self, call_id, error):
        # The traceback always goes to the frame, which logs it with the call's correlation id and
        # passes it to the caller only when it runs with --debug-errors.
        try:
            stack = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        except Exception:  # noqa: B902 - a broken __str__ must not cost the reply
            stack = None
        try:
            message = str(error)
        except Exception:  # noqa: B902 - same
            message = "<exception of type %s whose str() failed>" % type(error).__name__
        self.fail(call_id, "REMOTE_ERROR", type(error).__name__, message, stack)

    def fail(self, call_id, code, name, message, stack=None):
        error = {"code": code, "name": name, "message": message}
        if stack is not None:
            error["stack"] = stack
        self.channel.send(_encode({"id": call_id, "ok": False, "error": error}))

    def await_result(self, call_id, name, awaitable, call):
        async def run():
            # The coroutine runs as a task on the event loop's thread, in the task's own context:
            # the call's context is set there.
            _CALL.set(call)
            return await awaitable

        future = asyncio.run_coroutine_threadsafe(run(), self.event_loop())

        def done(f):
            error = f.exception()
            if error is None:
                self.reply(call_id, name, f.result())
            else:
                self.raised(call_id, error)

        future.add_done_callback(done)

    def event_loop(self):
        with self.lock:
            if self.loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="kael-asyncio", daemon=True).start()
                self.loop = loop
            return self.loop


def package_name(directory):
    """The module name the package is imported under: its folder's name, unless that is no identifier
    or already means another module (stdlib or installed), which the package must not shadow."""
    parent, base = os.path.split(os.path.abspath(directory))
    if base.isidentifier() and not keyword.iskeyword(base) and not _module_exists(base, parent):
        return base
    return "kael_package_" + "".join(c if c.isalnum() else "_" for c in base)


def import_package(directory, name):
    """Imports the folder as package `name`: relative imports work, its folder is the working directory."""
    directory = os.path.abspath(directory)
    os.chdir(directory)
    # Like running a script in the folder (seed-era `import helper`), and like a package on the path
    # (`import calculate_service.helper`); the worker's own folder is not importable.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [directory, os.path.dirname(directory)] + [
        p for p in sys.path if os.path.abspath(p or ".") != here
    ]
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(directory, "__init__.py"), submodule_search_locations=[directory]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _module_exists(name, parent):
    """True when `name` already means another module (stdlib or installed): the package must not shadow it."""
    if name in sys.modules or name in getattr(sys, "stdlib_module_names", ()):
        return True
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    origin = spec.origin if spec is not None else None
    return spec is not None and not (origin or "").startswith(parent + os.sep)


def load_error(error, directory, name):
    """The import failure as data: its kind, the message and the innermost line of the package's own code."""
    if isinstance(error, SyntaxError):
        out = {"kind": "syntax", "name": type(error).__name__, "message": error.msg}
        if error.filename:
            out["file"] = os.path.abspath(error.filename)
        out["line"] = error.lineno or 1
        out["column"] = error.offset or 1
        return out
    if isinstance(error, ImportError):
        out = {"kind": "import", "name": type(error).__name__, "message": import_message(error, name)}
    else:
        out = {"kind": "other", "name": type(error).__name__, "message": str(error)}
    prefix = os.path.abspath(directory) + os.sep
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if os.path.abspath(frame.filename).startswith(prefix):
            out["file"] = os.path.abspath(frame.filename)
            out["line"] = frame.lineno
            break
    return out


def import_message(error, name):
    """An import failure in the words kael_outline.py's reading uses: the package's own module name
    (which may be kael_package_...) becomes the relative form the source wrote (`.helper`, `.`)."""
    message = str(error)
    missing = getattr(error, "name", None) or ""
    if isinstance(error, ModuleNotFoundError) and missing.startswith(name + "."):
        message = "No module named '.%s'" % missing[len(name) + 1 :]
    elif missing == name and message.startswith("cannot import name '"):
        message = "cannot import name '%s' from '.'" % message.split("'")[1]
    return "%s: %s" % (type(error).__name__, message)


NOT_FUNCTION_CLASS = "is a class, not a function"
NOT_FUNCTION_GENERATOR = "is a generator function, which cannot be published (return a list instead)"


def published_names(module, publish):
    """What the module has for each published name (as the frame's export check reads it), and the
    publishable callables with their calling kind."""
    names, functions, kinds = {}, {}, {}
    for name in publish:
        if not hasattr(module, name):
            continue
        fn = getattr(module, name)
        if inspect.isclass(fn):
            names[name] = {"kind": "value", "notFunction": NOT_FUNCTION_CLASS}
        elif inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn):
            names[name] = {"kind": "value", "notFunction": NOT_FUNCTION_GENERATOR}
        elif not callable(fn):
            names[name] = {"kind": "value"}
        else:
            names[name] = {"kind": "function"}
            functions[name] = fn
            kinds[name] = "async" if inspect.iscoroutinefunction(fn) else "sync"
    return names, functions, kinds


def main(argv):
    # Keep the protocol descriptors out of processes that user code starts (os.system and the like).
    read_fd, write_fd = os.dup(3), os.dup(4)
    os.close(3)
    os.close(4)
    channel = Channel(read_fd, write_fd)
    if sys.version_info < MIN_PYTHON:
        channel.send(_encode({"type": "error", "error": {"kind": "other", "name": "RuntimeError", "message": "kael needs Python %d.%d or newer, this is %s" % (MIN_PYTHON + (sys.version.split()[0],))}}))
        return 1
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    _die_with_parent()
    try:
        sys.stdout.reconfigure(line_buffering=True)
    except AttributeError:
        pass
    directory, publish = argv[1], json.loads(argv[2])
    max_threads = int(argv[3]) if len(argv) > 3 else 64
    service_prefix = argv[4] + "__" if len(argv) > 4 else ""
    name = package_name(directory)
    try:
        module = import_package(directory, name)
    except BaseException as e:  # noqa: B902 - a SystemExit at import time is a load failure too
        channel.send(_encode({"type": "error", "error": load_error(e, directory, name)}))
        return 1
    names, functions, kinds = published_names(module, publish)
    channel.send(
        _encode(
            {
                "type": "ready",
                "python": sys.version.split()[0],
                "executable": sys.executable,
                "functions": kinds,
                "names": names,
            }
        )
    )
    Server(channel, functions, service_prefix, max(1, max_threads), os.environ.get("KAEL_DEBUG") is not None).serve()
    return 0


def _die_with_parent():
    """On Linux, ask the kernel to kill this process when its parent (the Node worker) dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


if __name__ == "__main__":
    # Service code reads its call's context with `import kael_worker; kael_worker.call_context()`:
    # that import must find this running module (with its context variable), not a second copy.
    sys.modules["kael_worker"] = sys.modules[__name__]
    sys.exit(main(sys.argv))
