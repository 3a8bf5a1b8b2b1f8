"""Every log record of a test run, and the hubs' log files, scanned for the demo people's
personal values (`tests.privacy.personal_values`).

`capture_logs(basetemp)` puts a handler on the root logger for the whole run: records
of INFO and above from every library (and DEBUG from the hub's own `planasmun` loggers)
are formatted with their tracebacks and scanned as they are emitted, in every thread
(the uvicorn servers and the demo provider of in-process hubs included). The hubs that
tests start as subprocesses (`tests.support.running_hub`) write their logs to files under
the run's temporary directory; `file_hits()` scans every `*.log` there. A test that runs
after all the others (`tests/privacy/test_log_scan.py`) fails on any hit.

DEBUG from other libraries is left out on purpose: aiosqlite, for one, logs every
statement's parameters at DEBUG, which is why the hub never runs them at DEBUG.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from tests.privacy.personal_values import personal_values_in


class PersonalDataLogScan(logging.Handler):
    """A handler that keeps no record, only where personal data was seen."""

    def __init__(self, basetemp: Path) -> None:
        super().__init__(level=logging.DEBUG)
        self.basetemp = basetemp
        self.records = 0
        self.hits: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a record whose arguments do not fit its message
            text = f"{record.name} {record.msg!r} {record.args!r}"
        self.records += 1
        found = personal_values_in(text)
        if found:
            self.hits.append(
                f"{record.name} {record.levelname} at {record.pathname}:{record.lineno}: "
                f"{', '.join(sorted(found))}"
            )

    def log_files(self) -> list[Path]:
        return sorted(self.basetemp.rglob("*.log"))

    def file_hits(self) -> list[str]:
        found = []
        for path in self.log_files():
            for number, line in enumerate(
                path.read_text(encoding="utf-8", errors="replace").splitlines(), 1
            ):
                hits = personal_values_in(line)
                if hits:
                    found.append(f"{path.name}:{number}: {', '.join(sorted(hits))}")
        return found


@contextlib.contextmanager
def capture_logs(basetemp: Path) -> Iterator[PersonalDataLogScan]:
    scan = PersonalDataLogScan(basetemp)
    root = logging.getLogger()
    hub = logging.getLogger("planasmun")
    levels = root.level, hub.level
    root.addHandler(scan)
    root.setLevel(min(root.level or logging.WARNING, logging.INFO))
    hub.setLevel(logging.DEBUG)
    try:
        yield scan
    finally:
        root.removeHandler(scan)
        root.setLevel(levels[0])
        hub.setLevel(levels[1])
