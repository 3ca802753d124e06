"""Load from a second process on loopback: wrk when installed, else bench.loadgen.

Each page gets a fixed time with the same threads and connections, so the figures of one
run compare with each other (and with /healthz, which does no database work).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class LoadResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers and socket errors
    tool: str


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> LoadResult:
    """Reads wrk's --latency report."""
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+(?:us|ms|s|m))\s*$", output,
                                  re.MULTILINE))
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if rate is None or "50" not in percentiles or "99" not in percentiles or total is None:
        raise ValueError(f"unexpected wrk output:\n{output}")
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(value) for value in socket_errors.groups())
    return LoadResult(float(rate.group(1)), _ms(percentiles["50"]), _ms(percentiles["99"]),
                      int(total.group(1)), errors, "wrk")


def drive(url: str, *, cookie: str, seconds: int, threads: int, connections: int) -> LoadResult:
    """Loads `url` for `seconds` and returns what the load generator measured."""
    wrk = shutil.which("wrk")
    if wrk:
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
                   "--timeout", "10s", *(["-H", f"Cookie: {cookie}"] if cookie else []), url]
        done = subprocess.run(command, capture_output=True, text=True, check=True,
                              timeout=seconds + 60)
        return parse_wrk(done.stdout)
    command = [sys.executable, "-m", "bench.loadgen", url, "--seconds", str(seconds),
               "--connections", str(connections), "--cookie", cookie]
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          timeout=seconds + 60)
    return LoadResult(**json.loads(done.stdout), tool="python")
