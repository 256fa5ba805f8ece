"""Runs the kael daemon (``kael run``) in the foreground for :meth:`WorkFrame.frame_start`."""

import os
import shlex
import shutil
import signal
import subprocess

from .errors import KaelError


def kael_command():
    """The command that runs the kael CLI: ``KAEL_CLI`` (split like a shell would), else ``kael`` on
    PATH, else the CLI of the repository this package sits in (``node runtime/dist/cli/main.js``).

    :raises KaelError: ``USAGE`` when none is found.
    """
    configured = os.environ.get("KAEL_CLI", "").strip()
    if configured:
        return shlex.split(configured)
    on_path = shutil.which("kael")
    if on_path is not None:
        return [on_path]
    here = os.path.dirname(os.path.abspath(__file__))
    repo_cli = os.path.join(here, "..", "..", "runtime", "dist", "cli", "main.js")
    node = shutil.which("node")
    if node is not None and os.path.isfile(repo_cli):
        return [node, os.path.normpath(repo_cli)]
    raise KaelError(
        "USAGE",
        "cannot find the kael CLI: install it (npm i -g, or npm run build in the repository) or set KAEL_CLI",
    )


def run_frame(args, env):
    """Runs ``kael <args>`` until it exits, passing SIGINT and SIGTERM on; returns its exit code."""
    child = subprocess.Popen(kael_command() + list(args), env=env)
    previous = {}

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, forward)
        except ValueError:  # not the main thread: signals stay with the caller
            pass
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                forward(signal.SIGINT, None)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
