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
import tempfile
from dataclasses import dataclass
from pathlib import Path

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


def _lua_string(text: str) -> str:
    return "[==[" + text.replace("]==]", "") + "]==]"


def _wrk_script(requests: list[tuple[str, str]]) -> str:
    """A wrk script that cycles through (path, cookie) pairs, each thread from its own
    starting point, so many signed-in shoppers are served at once."""
    items = ",\n".join(f"  {{{_lua_string(path)}, {_lua_string(cookie)}}}"
                       for path, cookie in requests)
    return f"""local requests = {{
{items}
}}
local started = 0
function setup(thread)
  thread:set("first", started * 7919)
  started = started + 1
end
function init(args)
  counter = first or 0
end
function request()
  counter = counter + 1
  local item = requests[(counter % #requests) + 1]
  return wrk.format("GET", item[1], {{["Cookie"] = item[2]}})
end
"""


def drive_many(base_url: str, requests: list[tuple[str, str]], *, seconds: int, threads: int,
               connections: int) -> LoadResult:
    """Loads the (path, cookie) pairs in turn for `seconds`; wrk when installed."""
    wrk = shutil.which("wrk")
    with tempfile.TemporaryDirectory(prefix="portal-load-") as folder:
        if wrk:
            script = Path(folder) / "requests.lua"
            script.write_text(_wrk_script(requests))
            command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
                       "--timeout", "10s", "-s", str(script), base_url]
            done = subprocess.run(command, capture_output=True, text=True, check=True,
                                  timeout=seconds + 60)
            return parse_wrk(done.stdout)
        listing = Path(folder) / "requests.json"
        listing.write_text(json.dumps(requests))
        command = [sys.executable, "-m", "bench.loadgen", base_url, "--seconds", str(seconds),
                   "--connections", str(connections), "--requests", str(listing)]
        done = subprocess.run(command, capture_output=True, text=True, check=True,
                              timeout=seconds + 60)
        return LoadResult(**json.loads(done.stdout), tool="python")
