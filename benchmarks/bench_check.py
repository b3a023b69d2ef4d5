"""How long one self-check takes on the core, and how much memory a batch of them uses.

Run: .venv/bin/python benchmarks/bench_check.py [ROUNDS]
It answers from the demo zone, so it measures the checker (identity, policy, pyspf over the
resolver seam, DMARC) without network latency. `make bench` records its output in
docs/performance.md.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailcheck.check import Report, run_check  # noqa: E402
from mailcheck.dns import ZoneResolver  # noqa: E402
from mailcheck.policy import Service, service_from_document  # noqa: E402

CASES = [
    ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp"),
    ("iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp"),
    ("iij-taro.iijmio-mail.jp", "iij-taro@e23.jp"),
    ("iiij-taro.iijmio-mail.jp", "example@example.jp"),
    ("iij-taro.iijmio-mail.jp", "someone@example.com"),
]


def demo_service() -> Service:
    data = json.loads((ROOT / "mailcheck/demo/service.json").read_text(encoding="utf-8"))
    return service_from_document(data)


def main(rounds: int) -> None:
    service = demo_service()
    zone = ZoneResolver.from_file(ROOT / "mailcheck/demo/demo.zone")
    for account, mail_from in CASES:  # warm up imports and caches
        assert isinstance(run_check(account, mail_from, service, zone), Report)

    timings = []
    for _ in range(rounds):
        for account, mail_from in CASES:
            start = time.perf_counter()
            run_check(account, mail_from, service, zone)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(f"checks: {len(timings)} (4 addresses each)")
    print(f"median: {statistics.median(timings):.2f} ms")
    print(f"p95:    {timings[int(len(timings) * 0.95)]:.2f} ms")
    print(f"max:    {timings[-1]:.2f} ms")

    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(rounds // 4 or 1):
                for account, mail_from in CASES:
                    run_check(account, mail_from, service, zone)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    done = 8 * (rounds // 4 or 1) * len(CASES)
    rate = done / elapsed
    print(f"8 threads: {done} checks in {elapsed:.2f} s = {rate:.0f} checks/s")
    print(f"errors in threads: {len(errors)}")

    tracemalloc.start()
    for account, mail_from in CASES * 20:
        run_check(account, mail_from, service, zone)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"memory for 100 checks: {current / 1024:.0f} KiB retained, {peak / 1024:.0f} KiB peak")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
