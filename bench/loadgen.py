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


def _worker(url: str, requests: list[tuple[str, str]], until: float, latencies: list[float],
            errors: list[int], first: int = 0) -> None:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    turn = first
    while time.perf_counter() < until:
        path, cookie = requests[turn % len(requests)]
        turn += 1
        headers = {"Cookie": cookie} if cookie else {}
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


def run(url: str, *, seconds: float, connections: int,
        requests: list[tuple[str, str]]) -> dict[str, float | int]:
    """`requests` are (path, cookie) pairs each connection cycles through."""
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    until = started + seconds
    threads = [threading.Thread(target=_worker,
                                args=(url, requests, until, latencies, errors, 7919 * index))
               for index in range(connections)]
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
    parser.add_argument("--requests", help="a JSON file of [path, cookie] pairs to cycle through")
    options = parser.parse_args()
    if options.requests:
        with open(options.requests) as listing:
            requests = [(path, cookie) for path, cookie in json.load(listing)]
        base = options.url
    else:
        parts = urllib.parse.urlsplit(options.url)
        requests = [(parts.path + (f"?{parts.query}" if parts.query else ""), options.cookie)]
        base = f"{parts.scheme}://{parts.netloc}"
    print(json.dumps(run(base, seconds=options.seconds, connections=options.connections,
                         requests=requests)))


if __name__ == "__main__":
    main()
