"""A small closed-loop HTTP load client: N concurrent clients for T seconds against 127.0.0.1.

Each client sends a request, waits for the whole answer, and sends the next (no think time),
cycling through its list of paths. The clients are spread over two processes of threads so
that the client's own Python does not become the bottleneck of the fastest (hello) runs.
Only 127.0.0.1 is ever contacted.
"""

import http.client
import multiprocessing
import threading
import time

HOST = "127.0.0.1"


def _worker(port, paths, offset, deadline, out):
    done = errors = 0
    latencies = []
    i = offset
    while time.monotonic() < deadline:
        path = paths[i % len(paths)]
        i += 1
        started = time.monotonic()
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            conn.request("GET", path, headers={"Host": "127.0.0.1", "Connection": "close"})
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                errors += 1
                continue
        except OSError:
            errors += 1
            continue
        done += 1
        latencies.append(time.monotonic() - started)
    out.append((done, errors, latencies))


def _process(port, paths, threads, first_offset, duration, queue):
    deadline = time.monotonic() + duration
    out = []
    workers = [
        threading.Thread(target=_worker, args=(port, paths, first_offset + k * 7919, deadline, out))
        for k in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put(out)


def run(port, paths, concurrency=8, duration=10.0, processes=2):
    """Return {"rps", "requests", "errors", "p50_ms", "p95_ms"} for `paths` under load."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    per = [concurrency // processes + (1 if k < concurrency % processes else 0) for k in range(processes)]
    started = time.monotonic()
    procs = [
        ctx.Process(target=_process, args=(port, paths, n, k * 104729, duration, queue))
        for k, n in enumerate(per) if n
    ]
    for p in procs:
        p.start()
    results = [item for _ in procs for item in queue.get()]
    for p in procs:
        p.join()
    elapsed = max(time.monotonic() - started, duration)
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    latencies = sorted(x for r in results for x in r[2])

    def pct(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 1) if latencies else None

    return {"rps": round(done / elapsed, 1), "requests": done, "errors": errors, "p50_ms": pct(0.5), "p95_ms": pct(0.95)}
