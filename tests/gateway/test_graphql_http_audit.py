"""The GraphQL-over-HTTP audit of the spec's own reference package (npm `graphql-http`,
`auditServer`) against `/graphql` of the real hub over HTTP: every MUST, SHOULD and MAY.

node comes from Debian and the package from npm (`npm ci --prefix tests/node`, which
`.ci/run` does); on a developer machine without them the test skips, in CI it fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.support import require

NODE_TOOLS = Path(__file__).resolve().parents[1] / "node"


def test_graphql_http_audit_passes_every_must_should_and_may(live_hub: str) -> None:
    node = shutil.which("node")
    require(node is not None, "node (Debian's nodejs)")
    require(
        (NODE_TOOLS / "node_modules" / "graphql-http").is_dir(),
        "the npm package graphql-http (npm ci --prefix tests/node)",
    )
    assert node is not None
    run = subprocess.run(
        [node, str(NODE_TOOLS / "audit.mjs"), f"{live_hub}/graphql"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    results = json.loads(run.stdout)
    assert len(results) >= 60  # the whole audit ran, MAYs included
    not_ok = [f"{r['status']}: {r['name']}: {r['reason']}" for r in results if r["status"] != "ok"]
    assert not_ok == []
