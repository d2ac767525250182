#!/usr/bin/env python3
"""Load test of the web service: N concurrent uploads on loopback.

Starts ``dossier-check serve`` on a free port (or uses ``--url``), sends
``--requests`` uploads of ``--file`` with ``--concurrency`` at once, samples
``/healthz`` during the load, and prints latency percentiles and errors.
Not a timed test: figures depend on the machine.

    .venv/bin/python scripts/load_test.py                      # 50 at once, LibreOffice layout
    .venv/bin/python scripts/load_test.py --soffice none       # page counts without LibreOffice
    .venv/bin/python scripts/load_test.py --url http://127.0.0.1:8000 --json
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILE = ROOT / "samples" / "ntc" / "conforme" / "ntc-veille.docx"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workers: int, soffice: str | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "dossier_check.cli", "serve", "--port", str(port), "--no-access-log"]
    if workers:
        cmd += ["--workers", str(workers)]
    if soffice:
        cmd += ["--soffice", soffice]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            r = httpx.get(url + "/healthz", timeout=1)
            if r.status_code == 200 and r.json().get("ready", True):  # workers have loaded the model
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("server exited: " + proc.stderr.read().decode(errors="replace")[-2000:])
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


async def run(url: str, data: bytes, name: str, n: int, concurrency: int, title: str, session: str | None):
    sem = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    verdicts: dict[str, int] = {}
    health: list[float] = []
    done = asyncio.Event()
    limits = httpx.Limits(max_connections=concurrency + 2, max_keepalive_connections=concurrency + 2)
    async with httpx.AsyncClient(timeout=httpx.Timeout(900.0), limits=limits) as client:
        async def one(i: int):
            async with sem:
                form = {"title": title}
                if session:
                    form["session"] = session
                t0 = time.perf_counter()
                try:
                    r = await client.post(url + "/api/v1/check", data=form, files=[("files", (name, data))])
                    dt = time.perf_counter() - t0
                    if r.status_code == 200 and r.json().get("schema") == "dossier-check/report/v1":
                        latencies.append(dt)
                        v = "conforme" if r.json()["compliant"] else "non conforme"
                        verdicts[v] = verdicts.get(v, 0) + 1
                    else:
                        errors[f"HTTP {r.status_code}"] = errors.get(f"HTTP {r.status_code}", 0) + 1
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1

        async def probe():
            async with httpx.AsyncClient(timeout=30) as c:
                while not done.is_set():
                    t0 = time.perf_counter()
                    try:
                        await c.get(url + "/healthz")
                        health.append(time.perf_counter() - t0)
                    except httpx.HTTPError:
                        errors["healthz"] = errors.get("healthz", 0) + 1
                    await asyncio.sleep(0.25)

        prober = asyncio.create_task(probe())
        t0 = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(n)))
        wall = time.perf_counter() - t0
        done.set()
        await prober
    return latencies, errors, verdicts, health, wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="use a running service instead of starting one")
    ap.add_argument("--file", type=Path, default=DEFAULT_FILE)
    ap.add_argument("--requests", "-n", type=int, default=50)
    ap.add_argument("--concurrency", "-c", type=int, default=50)
    ap.add_argument("--workers", type=int, default=0, help="check workers of the started service (0 = CPUs)")
    ap.add_argument("--soffice", help="passed to serve (« none »: no LibreOffice)")
    ap.add_argument("--title", default="ntc")
    ap.add_argument("--session", default="titre")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()

    data = args.file.read_bytes()
    proc = None
    url = args.url
    if not url:
        proc, url = start_server(args.workers, args.soffice)
    try:
        info = httpx.get(url + "/healthz", timeout=10).json()
        lat, errors, verdicts, health, wall = asyncio.run(
            run(url, data, args.file.name, args.requests, args.concurrency, args.title, args.session))
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    figures = {
        "requests": args.requests, "concurrency": args.concurrency, "workers": info.get("workers"),
        "file": args.file.name, "file_bytes": len(data), "soffice": args.soffice or "auto",
        "ok": len(lat), "errors": errors, "verdicts": verdicts, "wall_seconds": round(wall, 2),
        "throughput_per_s": round(len(lat) / wall, 3) if wall else None,
        "latency_s": {f"p{p}": round(percentile(lat, p), 2) for p in (50, 90, 95, 99)} |
                     {"min": round(min(lat), 2) if lat else None, "max": round(max(lat), 2) if lat else None,
                      "mean": round(statistics.fmean(lat), 2) if lat else None},
        "healthz_during_load_s": {"samples": len(health), "p50": round(percentile(health, 50), 4),
                                  "p99": round(percentile(health, 99), 4),
                                  "max": round(max(health), 4) if health else None},
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
    else:
        l, h = figures["latency_s"], figures["healthz_during_load_s"]
        print(f"{figures['ok']}/{args.requests} réussies, erreurs : {errors or 'aucune'} — "
              f"{args.concurrency} envois simultanés de {args.file.name} ({len(data) // 1024} Ko), "
              f"{figures['workers']} processus de vérification, {os.cpu_count()} CPU")
        print(f"latence (s) : p50 {l['p50']}  p90 {l['p90']}  p95 {l['p95']}  p99 {l['p99']}  max {l['max']}  "
              f"— durée totale {figures['wall_seconds']} s, {figures['throughput_per_s']} vérifications/s")
        print(f"/healthz pendant la charge (s) : p50 {h['p50']}  p99 {h['p99']}  max {h['max']} "
              f"({h['samples']} mesures)")
    return 0 if not errors and len(lat) == args.requests else 1


if __name__ == "__main__":
    sys.exit(main())
