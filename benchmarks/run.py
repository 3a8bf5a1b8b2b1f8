"""PLANASMUN load benchmark: prints throughput, latency, RSS and upstream calls per query.

    python -m benchmarks.run                 # every scenario, 2 ms upstream latency
    python -m benchmarks.run --duration 5 --only soap-one,cached

Everything runs on 127.0.0.1: the simulated municipal systems in one process
(`benchmarks.upstreams`), the hub under uvicorn in another, and wrk as the load
generator (Debian package `wrk`). Upstream calls are read from the hub's `/metrics`.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import yaml

from benchmarks.profiling import recording

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "config" / "municipalities"


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    query: str
    cache: bool = False  # binding caches and the response cache on


#: Every service of every government: a page of 50 covers each demo catalogue (8–12
#: services) and keeps the query under the hub's cost limit (an unpaged list is costed as
#: 200 items: 8,031 > 5,000; with 50: 2,031).
ALL_TEN = "{ municipalities { id name services(first: 50) { id name fee { amount } } } }"

SCENARIOS = [
    Scenario(
        "soap-one",
        "one record from a SOAP source (binding cache off)",
        '{ service(id: "santo-domingo-este:licencia-construccion") { id name fee { amount } } }',
    ),
    Scenario(
        "soap-five-related",
        "5 records, each with a related record, from a SOAP source (cache off)",
        '{ municipality(id: "santo-domingo-este") { services(first: 5) '
        "{ id name department { name phone } } } }",
    ),
    Scenario(
        "page",
        "(a) one municipality page: services + sources (cache off)",
        '{ municipality(id: "santo-domingo-este") { name kind province contact { phone } '
        "services { id name category fee { amount currency } durationDays } "
        "sources { name connector status } } }",
    ),
    Scenario("all-ten", "(b) all 10 municipalities with their services (cache off)", ALL_TEN),
    Scenario(
        "cached", "(c) the same public query repeated (response cache on)", ALL_TEN, cache=True
    ),
]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def upstreams(latency_ms: float, work: Path) -> Iterator[dict[str, str]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.upstreams",
            "--latency-ms",
            str(latency_ms),
            "--data-dir",
            str(work / f"systems-{latency_ms}"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        yield json.loads(line)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)


def _config_dir(work: Path, cache: bool) -> Path:
    """The demo files, with every binding's cache off unless the scenario wants it."""
    directory = work / ("config-cache" if cache else "config-nocache")
    if directory.exists():
        return directory
    shutil.copytree(DEMO_DIR, directory)
    if not cache:
        for path in directory.glob("*.yaml"):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            for binding in data.get("bindings", {}).values():
                binding["cache_ttl_seconds"] = 0
            path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return directory


@contextlib.contextmanager
def hub(env: dict[str, str], work: Path, workers: int, cache: bool) -> Iterator[tuple[str, int]]:
    port = _free_port()
    metrics_dir = Path(tempfile.mkdtemp(dir=work, prefix="metrics-"))
    full_env = {
        **os.environ,
        **env,
        "PLANASMUN_DEMO_SYSTEMS": "external",
        "PLANASMUN_MUNICIPALITIES_DIR": str(_config_dir(work, cache)),
        "PLANASMUN_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'hub.db'}",
        "PLANASMUN_RESPONSE_CACHE_SECONDS": "60" if cache else "0",
        # wrk sends everything from one address: measure the limiter's cost, not its 429s.
        "PLANASMUN_RATE_LIMIT_PER_MINUTE_IP": "100000000",
        "PLANASMUN_RATE_LIMIT_BURST_IP": "100000000",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{base}/readyz", timeout=5).status_code in (200, 503):
                    break
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(20)


def _rss_mib(pid: int) -> float:
    """Resident memory of the hub and its worker processes."""
    pids = {pid}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) in pids or int(fields[1]) == pid:
                pids.add(int(stat.parent.name))
    total = 0
    for each in pids:
        with contextlib.suppress(OSError):
            match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{each}/status").read_text())
            total += int(match.group(1)) if match else 0
    return total / 1024


def _upstream_calls(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("planasmun_upstream_calls_total{")
    )


def run_wrk(
    base: str, scenario: Scenario, work: Path, seconds: int, threads: int, connections: int
) -> dict[str, Any]:
    body = work / f"{scenario.name}.json"
    body.write_text(json.dumps({"query": scenario.query}), encoding="utf-8")
    check = httpx.post(
        f"{base}/graphql",
        content=body.read_bytes(),
        headers={"content-type": "application/json"},
        timeout=30,
    ).json()
    if check.get("errors"):
        raise SystemExit(f"{scenario.name}: the query fails: {check['errors']}")
    env = {**os.environ, "BODY_FILE": str(body)}
    script = str(ROOT / "benchmarks" / "post.lua")
    # Warm-up: connection pools, caches, the WSDL.
    subprocess.run(
        ["wrk", "-t1", "-c4", "-d2s", "-s", script, f"{base}/graphql"],
        env=env,
        capture_output=True,
        check=True,
    )
    before = _upstream_calls(base)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            script,
            f"{base}/graphql",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = _upstream_calls(base)
    figures: dict[str, Any] = json.loads(out.split("JSON ", 1)[1].splitlines()[0])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["upstream_per_query"] = (after - before) / max(1, figures["requests"])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=2.0)
    parser.add_argument(
        "--slow-latency-ms",
        type=float,
        default=20.0,
        help="latency for the concurrency check of scenario (b)",
    )
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="DIR",
        help="write a py-spy flame graph of one worker per scenario into DIR "
        "(py-spy is installed from benchmarks/profiling.txt when missing)",
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only.split(",")]
    work = Path(tempfile.mkdtemp(prefix="planasmun-bench-"))
    rows = []
    failures: list[str] = []
    header = (
        f"{'scenario':<20} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'RSS MiB':>8} {'calls/q':>8} {'errors':>7} {'gql err':>7}"
    )

    def report(name: str, latency: float, figures: dict[str, Any], rss: float) -> None:
        row = (
            f"{name:<20} {figures['rps']:>8.0f} {figures['p50_us'] / 1000:>8.1f} "
            f"{figures['p95_us'] / 1000:>8.1f} {figures['p99_us'] / 1000:>8.1f} "
            f"{rss:>8.0f} {figures['upstream_per_query']:>8.2f} {figures['errors']:>7} "
            f"{figures['graphql_errors']:>7}"
        )
        rows.append((name, latency, figures, rss))
        print(f"{row}   [upstream latency {latency:g} ms]", flush=True)
        wrong = [
            f"{figures[key]} {what}"
            for key, what in (("graphql_errors", "with GraphQL errors"), ("non2xx", "non-2xx"))
            if figures[key]
        ]
        if wrong:
            failures.append(f"{name}: {', '.join(wrong)} of {figures['requests']} answers")

    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
        f"{args.workers} uvicorn worker(s), {os.cpu_count()} CPU(s)"
    )
    print(header)
    with upstreams(args.latency_ms, work) as env:
        for cache in (False, True):
            group = [s for s in chosen if s.cache is cache]
            if not group:
                continue
            with hub(env, work, args.workers, cache) as (base, pid):
                for scenario in group:
                    with recording(args.profile, scenario.name, pid, args.duration):
                        figures = run_wrk(
                            base, scenario, work, args.duration, args.threads, args.connections
                        )
                    report(scenario.name, args.latency_ms, figures, _rss_mib(pid))
    if not args.only or "all-ten" in args.only.split(","):
        all_ten = next(s for s in SCENARIOS if s.name == "all-ten")
        with (
            upstreams(args.slow_latency_ms, work) as env,
            hub(env, work, args.workers, False) as (base, pid),
        ):
            with recording(args.profile, "all-ten", pid, args.duration):
                figures = run_wrk(
                    base, all_ten, work, args.duration, args.threads, args.connections
                )
            report("all-ten", args.slow_latency_ms, figures, _rss_mib(pid))
            # One client at a time: the latency of one answer, without queueing. Ten
            # municipalities fetched one after another would take ten times the latency.
            figures = run_wrk(base, all_ten, work, args.duration, 1, 1)
            report("all-ten, 1 client", args.slow_latency_ms, figures, _rss_mib(pid))
    shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("\nFAILED: these figures are not valid:", *failures, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
