"""The benchmark harness's own logic: reading wrk's report and keying the cached store."""

from __future__ import annotations

from bench.database import fingerprint
from bench.load import parse_wrk

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:40123/orders
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.31ms    3.20ms  61.02ms   88.10%
    Req/Sec   325.11     40.02   410.00     70.00%
  Latency Distribution
     50%   11.80ms
     75%   13.52ms
     90%   15.90ms
     99%    1.02s
  6484 requests in 10.01s, 40.12MB read
  Socket errors: connect 0, read 0, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:    647.75
Transfer/sec:      4.01MB
"""


def test_wrk_report_is_read_with_units_and_errors() -> None:
    result = parse_wrk(WRK_OUTPUT)
    assert result.requests_per_second == 647.75
    assert result.p50_ms == 11.8
    assert result.p99_ms == 1020.0
    assert result.requests == 6484
    assert result.errors == 5


def test_microsecond_latencies_are_converted() -> None:
    output = WRK_OUTPUT.replace("11.80ms", "830.00us").replace("1.02s", "2.50ms")
    result = parse_wrk(output)
    assert abs(result.p50_ms - 0.83) < 1e-9
    assert result.p99_ms == 2.5


def test_the_cache_key_is_stable_for_the_same_code() -> None:
    assert fingerprint() == fingerprint()
    assert len(fingerprint()) == 10
