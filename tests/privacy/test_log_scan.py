"""The demo people's personal values never reach a log: every record of the test run and
every hub's log file (see `tests.privacy.logscan`). `tests/conftest.py` runs the scan
after every other test (marker `log_scan`)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pytest

from tests.privacy.logscan import PersonalDataLogScan
from tests.privacy.personal_values import JUAN, MARIA


def test_the_scan_would_see_a_leak() -> None:
    """A scanner of its own, on a logger that does not reach the run's scan."""
    with tempfile.TemporaryDirectory() as elsewhere:
        scan = PersonalDataLogScan(Path(elsewhere))
        logger = logging.getLogger("tests.privacy.leak")
        logger.propagate = False
        logger.addHandler(scan)
        try:
            logger.warning("profile saved: %s", {"cedula": "00112345673"})
            try:
                raise ValueError(f"bad phone {JUAN.phone}")
            except ValueError:
                logger.exception("update failed")
            logger.info("nothing personal here: %s", "santo-domingo-este")
        finally:
            logger.removeHandler(scan)
        (Path(elsewhere) / "hub-1.log").write_text(
            f"INFO request for {MARIA.name.upper()}\nINFO ok\n", encoding="utf-8"
        )
        assert scan.records == 3
        assert [hit.rpartition(": ")[2] for hit in scan.hits] == ["maria's cedula", "juan's phone"]
        assert scan.file_hits() == ["hub-1.log:1: maria's name"]


@pytest.mark.log_scan
def test_no_personal_data_in_the_logs_of_the_whole_run(
    personal_data_log_scan: PersonalDataLogScan,
) -> None:
    scan = personal_data_log_scan
    assert scan.records > 0, "the log capture is not installed (tests/conftest.py)"
    assert scan.hits == []
    assert scan.file_hits() == []
