"""A small closed-loop load generator for machines without wrk: `python -m bench.loadgen URL`.

Keeps N keep-alive connections busy for a fixed time from its own process and prints
requests/second and latency percentiles as JSON. Python's own overhead caps what it can
measure, so wrk figures are preferred when wrk is installed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
import urllib.parse


def _worker(url: str, cookie: str, until: float, latencies: list[float], errors: list[int]) -> None:
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Cookie": cookie} if cookie else {}
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status >= 400:
                errors.append(response.status)
        except (OSError, http.client.HTTPException):
            errors.append(0)
            connection.close()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            continue
        latencies.append((time.perf_counter() - started) * 1000)
    connection.close()


def run(url: str, *, seconds: float, connections: int, cookie: str) -> dict[str, float | int]:
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    until = started + seconds
    threads = [threading.Thread(target=_worker, args=(url, cookie, until, latencies, errors))
               for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [0.0]

    def percentile(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    return {"requests_per_second": len(latencies) / elapsed, "p50_ms": percentile(0.5),
            "p99_ms": percentile(0.99), "requests": len(latencies), "errors": len(errors)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--cookie", default="")
    options = parser.parse_args()
    print(json.dumps(run(options.url, seconds=options.seconds, connections=options.connections,
                         cookie=options.cookie)))


if __name__ == "__main__":
    main()
