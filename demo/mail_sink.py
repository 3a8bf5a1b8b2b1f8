"""A local mail server for the demo and the tests: a real SMTP server (aiosmtpd) on
127.0.0.1 that delivers nowhere and keeps every message it receives.

In the demo (`planasmun serve`), the hub sends citizens' e-mails here and each one is
written as a `.eml` file (open it with any mail program or a text editor) into the demo's
data directory, `var/demo/mail/` by default. Tests read the messages from `messages()`, and
`pause()`/`resume()` it to simulate a mail server that is down.

Run it alone with ``python -m demo.mail_sink --port 8725 --directory var/demo/mail``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email
import email.policy
import itertools
import logging
import signal
import socket
import threading
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from demo.stoppable import Stoppable

__all__ = ["MailSink", "start_mail_sink"]

HOST = "127.0.0.1"

# aiosmtpd logs every envelope at INFO, addresses included: citizens' addresses must never
# reach a log, so only its warnings and errors show.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class _Keeper:
    """aiosmtpd handler: accepts every message and keeps it."""

    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        self.sink._keep(raw, list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class MailSink(Stoppable):
    """A running local SMTP server. `messages()` holds what it received, oldest first."""

    def __init__(self, port: int = 0, directory: Path | None = None) -> None:
        self.port = port or _free_port()
        self.directory = directory
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._received: list[tuple[bytes, list[str]]] = []
        self._numbers = itertools.count(1)
        self._controller: Controller | None = None
        self.resume()

    @property
    def running(self) -> bool:
        return self._controller is not None

    def resume(self) -> None:
        """Listen (again) on the same port."""
        if self._controller is not None:
            return
        controller = Controller(_Keeper(self), hostname=HOST, port=self.port, ready_timeout=10)
        controller.start()
        self._controller = controller

    def pause(self) -> None:
        """Simulate a mail server that is down: stop listening (connections are refused)."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def stop(self) -> None:
        self.pause()

    def _keep(self, raw: bytes, recipients: list[str]) -> None:
        with self._lock:
            self._received.append((raw, recipients))
            number = next(self._numbers)
        if self.directory is not None:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
            (self.directory / f"{stamp}-{number:05d}.eml").write_bytes(raw)

    def messages(self) -> list[EmailMessage]:
        """Every message received so far, parsed."""
        with self._lock:
            received = list(self._received)
        parsed = []
        for raw, _ in received:
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            parsed.append(message)
        return parsed

    def recipients(self) -> list[list[str]]:
        """The envelope recipients of each message, in the order received."""
        with self._lock:
            return [list(recipients) for _, recipients in self._received]

    def __repr__(self) -> str:
        return f"<MailSink {HOST}:{self.port} {'running' if self.running else 'paused'}>"


def start_mail_sink(port: int = 0, directory: Path | None = None) -> MailSink:
    return MailSink(port, directory)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A local SMTP server that keeps mail.")
    parser.add_argument("--port", type=int, default=8725)
    parser.add_argument("--directory", type=Path, default=Path("var/demo/mail"))
    args = parser.parse_args(argv)
    stopped = threading.Event()

    def stop(*_: Any) -> None:
        stopped.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    with MailSink(args.port, args.directory) as sink:
        print(f"Mail sink on {HOST}:{sink.port}, keeping messages in {args.directory}/")
        stopped.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
