#!/usr/bin/env python3
"""CI: the README's run command answers as a newcomer would see it (standard library only).

    check_demo.py BASE_URL PID LOG

Waits for BASE_URL/healthz while process PID lives, then asks one GraphQL query and one
citizen page and checks that the ten pilot governments are in both. Exits non-zero, with
the tail of LOG, on anything else.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PILOTS = {
    "santo-domingo-este": "Santo Domingo Este",
    "higuey": "Higüey",
    "santiago": "Santiago de los Caballeros",
    "la-vega": "La Vega",
    "san-francisco-de-macoris": "San Francisco de Macorís",
    "puerto-plata": "Puerto Plata",
    "veron-punta-cana": "Verón-Punta Cana",
    "cabarete": "Cabarete",
    "jarabacoa": "Jarabacoa",
    "manabao": "Manabao",
}
#: A fresh venv installs everything first: minutes on a slow mirror.
STARTUP_SECONDS = 900


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def fail(message: str, log: Path) -> int:
    tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
    print(f"run command: {message}", *tail, sep="\n", file=sys.stderr)
    return 1


def main(base: str, pid: int, log: Path) -> int:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if not alive(pid):
            return fail("the process ended before /healthz answered", log)
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            return fail(f"no answer from /healthz in {STARTUP_SECONDS} s", log)
        time.sleep(1)
    query = json.dumps({"query": "{ municipalities { id name kind } }"}).encode()
    request = urllib.request.Request(  # noqa: S310
        f"{base}/graphql", data=query, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        result = json.loads(answer.read())
    found = {m["id"]: m["name"] for m in (result.get("data") or {}).get("municipalities", [])}
    if result.get("errors") or found != PILOTS:
        return fail(f"GraphQL answered {json.dumps(result, ensure_ascii=False)[:800]}", log)
    with urllib.request.urlopen(f"{base}/", timeout=30) as answer:  # noqa: S310
        page = answer.read().decode("utf-8")
    missing = [name for name in PILOTS.values() if name not in page]
    if missing:
        return fail(f"the citizen page / does not name {missing}", log)
    print(f"run command: /healthz ok, GraphQL and / list the {len(PILOTS)} pilots")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])))
