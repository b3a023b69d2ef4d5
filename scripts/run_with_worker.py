"""Run the web server with the task worker beside it; stop the worker when the server stops.

    .venv/bin/python scripts/run_with_worker.py [--no-reload] -- SERVER COMMAND...

`make run` and `make serve` use it. The worker is the one TASKS_BACKEND needs (the database
backend's `manage.py db_worker`, RQ's `manage.py rqworker`; none for "immediate"), or none when
TASKS_WORKER is false (workers run elsewhere). The server stays this process's child in the same
process group, so Ctrl+C in a terminal reaches it as before; every signal a process manager sends
here (TERM, INT, QUIT, HUP, USR1, USR2, TTIN, TTOU, WINCH) is passed on to the server, and HUP,
which makes gunicorn reload, restarts the worker too. The worker runs in a session of its own:
when the server exits, for whatever reason, the worker's whole process group gets SIGTERM (it
finishes its current task, or after WORKER_STOP_SECONDS is told again, and an interrupted batch
is queued again to carry on at the next start), and on Linux the worker is also told to stop if
this process is killed outright. A worker that exits on its own is started again, waiting a
little longer each time. The exit status is the server's.

With a worker, the housekeeping runs periodically too: a minute after the start and then every
HOUSEKEEPING_MINUTES (default 60; 0 turns it off, for machines where cron does it), the saved
results' purge is handed to the worker (`manage.py purgeresults --enqueue`) and expired batch
checks are deleted (`manage.py prunebatches`), and so are expired test mail addresses
(`manage.py purgetestmails`). All are safe to run on several machines at once.

When TEST_MAIL_BIND is not empty (default 127.0.0.1:2525), the SMTP receiver for test mails
(`manage.py receivemail --bind TEST_MAIL_BIND`) runs beside the server too, in a session of its
own, and is stopped with it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
FORWARDED = (
    signal.SIGTERM,
    signal.SIGINT,
    signal.SIGQUIT,
    signal.SIGHUP,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGTTIN,
    signal.SIGTTOU,
    signal.SIGWINCH,
)
STOPPING = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)
PR_SET_PDEATHSIG = 1


def say(message: str) -> None:
    print(f"run_with_worker: {message}", file=sys.stderr, flush=True)


def worker_command(env: dict[str, str], *, reload: bool) -> list[str] | None:
    """The worker for TASKS_BACKEND, or None when none should run here."""
    if env.get("TASKS_WORKER", "true").strip().lower() in {"0", "false", "no", "off"}:
        return None
    backend = env.get("TASKS_BACKEND", "database") or "database"
    manage = [sys.executable, str(ROOT / "manage.py")]
    if backend == "database":
        return [
            *manage,
            "db_worker",
            "--queue-name",
            "default",
            "--reload" if reload else "--no-reload",
        ]
    if backend == "rq":
        return [*manage, "rqworker", "default", "--job-class", "django_tasks_rq.Job"]
    return None


def receiver_command(env: dict[str, str]) -> list[str] | None:
    """The test mail receiver on TEST_MAIL_BIND, or None when it is set empty."""
    bind = env.get("TEST_MAIL_BIND", "127.0.0.1:2525").strip()
    if not bind:
        return None
    return [sys.executable, str(ROOT / "manage.py"), "receivemail", "--bind", bind]


def _die_with_parent() -> None:
    """In the worker, before exec: SIGTERM when this supervisor dies, even by SIGKILL (Linux)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


class _Restart:
    """Starts a helper process again after it exits on its own, waiting a little longer each
    time (1 s, doubling, at most a minute)."""

    def __init__(self) -> None:
        self.backoff = 1.0
        self.due = 0.0

    def watch(
        self, name: str, process: subprocess.Popen[bytes] | None, start: Callable[[], None]
    ) -> None:
        if process is None or process.poll() is None:
            return
        now = time.monotonic()
        if self.due == 0.0:
            say(f"{name} exited ({process.returncode}); starting it again in {self.backoff:.0f} s")
            self.due = now + self.backoff
            self.backoff = min(self.backoff * 2, 60.0)
        elif now >= self.due:
            self.due = 0.0
            start()


class Supervisor:
    def __init__(
        self,
        server_cmd: Sequence[str],
        worker_cmd: Sequence[str] | None,
        receiver_cmd: Sequence[str] | None = None,
    ) -> None:
        self.server_cmd = list(server_cmd)
        self.receiver_cmd = list(receiver_cmd) if receiver_cmd else None
        self.receiver: subprocess.Popen[bytes] | None = None
        self.worker_cmd = list(worker_cmd) if worker_cmd else None
        self.server: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.stopping = False
        self.restart_worker = False
        self.stop_seconds = float(os.environ.get("WORKER_STOP_SECONDS", "10"))
        minutes = float(os.environ.get("HOUSEKEEPING_MINUTES", "60") or "0")
        self.housekeeping_every = minutes * 60 if self.worker_cmd else 0.0
        self.housekeeping_first = float(os.environ.get("HOUSEKEEPING_FIRST_SECONDS", "60"))
        self.housekeepers: list[subprocess.Popen[bytes]] = []

    def housekeeping(self) -> None:
        """Start the periodic housekeeping commands (without waiting for them)."""
        self.housekeepers = [p for p in self.housekeepers if p.poll() is None]
        if self.housekeepers:
            return  # the last round is still running
        manage = [sys.executable, str(ROOT / "manage.py")]
        for command in (["purgeresults", "--enqueue"], ["prunebatches"], ["purgetestmails"]):
            self.housekeepers.append(
                subprocess.Popen([*manage, *command], cwd=ROOT, stdout=subprocess.DEVNULL)  # noqa: S603
            )
        say("housekeeping: expired saved results, batch checks and test mail addresses")

    def start_worker(self) -> None:
        if self.worker_cmd is None:
            return
        # The commands are this script's own and the operator's (the Makefile's).
        self.worker = subprocess.Popen(  # noqa: S603
            self.worker_cmd,
            cwd=ROOT,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # this process starts no threads
        )
        say(f"task worker started (pid {self.worker.pid}): {' '.join(self.worker_cmd[2:4])}")

    def start_receiver(self) -> None:
        if self.receiver_cmd is None:
            return
        self.receiver = subprocess.Popen(  # noqa: S603
            self.receiver_cmd, cwd=ROOT, start_new_session=True, preexec_fn=_die_with_parent
        )
        say(f"test mail receiver started (pid {self.receiver.pid}): {self.receiver_cmd[-1]}")

    def stop_receiver(self) -> None:
        receiver = self.receiver
        if receiver is None or receiver.poll() is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(receiver.pid, sig)
                receiver.wait(timeout=5.0)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue

    def stop_worker(self) -> int | None:
        worker = self.worker
        if worker is None or worker.poll() is not None:
            return None if worker is None else worker.returncode
        # First TERM: finish the current task; second: stop it (it is queued again); then KILL.
        for sig, wait in (
            (signal.SIGTERM, self.stop_seconds),
            (signal.SIGTERM, 5.0),
            (signal.SIGKILL, 5.0),
        ):
            try:
                os.killpg(worker.pid, sig)
            except ProcessLookupError:
                break
            try:
                worker.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        say(f"task worker stopped ({worker.returncode})")
        return worker.returncode

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if signum in STOPPING:
            self.stopping = True
        if signum == signal.SIGHUP:
            self.restart_worker = True
        if self.server is not None and self.server.poll() is None:
            self.server.send_signal(signum)

    def run(self) -> int:
        for sig in FORWARDED:
            signal.signal(sig, self.on_signal)
        self.start_worker()
        self.start_receiver()
        self.server = subprocess.Popen(self.server_cmd, cwd=ROOT)  # noqa: S603
        restarts = {"task worker": _Restart(), "test mail receiver": _Restart()}
        next_housekeeping = time.monotonic() + self.housekeeping_first
        try:
            while self.server.poll() is None:
                if self.housekeeping_every and time.monotonic() >= next_housekeeping:
                    next_housekeeping = time.monotonic() + self.housekeeping_every
                    self.housekeeping()
                if self.restart_worker:
                    self.restart_worker = False
                    self.stop_worker()
                    self.start_worker()
                if not self.stopping:
                    restarts["task worker"].watch("task worker", self.worker, self.start_worker)
                    restarts["test mail receiver"].watch(
                        "test mail receiver", self.receiver, self.start_receiver
                    )
                time.sleep(0.2)
        finally:
            self.stop_receiver()
            self.stop_worker()
        return (
            self.server.returncode if self.server.returncode >= 0 else 128 - self.server.returncode
        )


def main(argv: Sequence[str]) -> int:
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    split = list(argv).index("--")
    options, server_cmd = list(argv[:split]), list(argv[split + 1 :])
    if not server_cmd or any(o not in {"--no-reload"} for o in options):
        print(__doc__, file=sys.stderr)
        return 2
    debug = os.environ.get("DEBUG", "true").strip().lower() in {"1", "true", "yes", "on"}
    reload = debug and "--no-reload" not in options
    env = dict(os.environ)
    return Supervisor(server_cmd, worker_command(env, reload=reload), receiver_command(env)).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
