"""Scaling of the Celery fleet: an archive of short stories voiced by 1, 2 and 4 worker processes.

    python benchmarks/fleet.py [--stories 40] [--workers 1,2,4]

Needs ``pip install '.[celery]'`` and Debian's ``redis-server``. It starts its own Redis on
loopback, writes ``--stories`` short stories (generated here from templates), and for each worker
count builds them as one edition, with an empty cache, through ``audio-edition build --broker``.
Every worker is one process (``-c 1``), so "workers" counts voices at work. A local build of the
same edition (``--jobs`` = cores) is the baseline. Prints the speed-up and the projection for 16
workers from the measured per-worker rate.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-m", "audio_edition"]

PLACES = ["Valmora", "Kestrel Bay", "Orlen", "Marisca", "Tovik", "Brannock", "Seluna", "Dravet", "Callowen", "Ruska"]
SUBJECTS = [
    ("water board", "approved a plan to replace the oldest pipes under the market district"),
    ("city council", "voted to keep the night buses running through the winter"),
    ("port authority", "opened a second berth for the ferries that serve the islands"),
    ("school district", "hired forty teachers ahead of the new term"),
    ("regional hospital", "finished a wing that doubles the number of maternity beds"),
    ("farmers' union", "agreed on a price for this year's grain with the largest mill"),
    ("transit agency", "started testing a tram line along the river embankment"),
    ("housing office", "released a list of buildings that will be insulated first"),
]
DETAILS = [
    "Officials said the work would begin in the spring and take about two years.",
    "Residents who spoke at the hearing were mostly in favor, though some worried about noise.",
    "The cost will be shared with the national government, which approved its part last month.",
    "A similar project in a neighboring town finished early and under budget.",
    "Critics said the timetable was too optimistic, given the shortage of skilled workers.",
    "The first results will be reported to the council before the end of the year.",
]


def write_archive(folder: Path, count: int) -> list[Path]:
    rng = random.Random(7)
    paths = []
    for i in range(count):
        place = PLACES[i % len(PLACES)]
        who, what = SUBJECTS[(i * 3) % len(SUBJECTS)]
        title = f"{place} {who.title()} Moves Ahead"
        body = [f"The {who} in {place} {what} on {['Monday', 'Tuesday', 'Wednesday', 'Thursday'][i % 4]}."]
        body += rng.sample(DETAILS, 2)
        path = folder / f"story-{i:03d}.txt"
        path.write_text(f"{title}\n\n{body[0]}\n\n{' '.join(body[1:])}\n", encoding="utf-8")
        paths.append(path)
    return paths


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    server = shutil.which("redis-server")
    if server is None:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    return proc, f"redis://127.0.0.1:{port}/0"


def start_workers(n: int, broker: str, queue: str, logs: Path) -> list[subprocess.Popen]:
    procs = []
    for i in range(n):
        log = (logs / f"{queue}-w{i}.log").open("w")
        cmd = [*CLI, "worker", "--broker", broker, "--queue", queue, "-c", "1", "-n", f"w{i}@bench", "-q"]
        procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    time.sleep(1)
    return procs


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        p.wait(timeout=60)


def build(stories: list[Path], out: Path, cache: Path, extra: list[str]) -> tuple[float, dict]:
    cmd = [*CLI, "build", *map(str, stories), "-o", str(out), "--cache-dir", str(cache), "--json"]
    cmd += ["--no-intro", "--no-outro", "--date", "2026-11-28", *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=40)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        stories = write_archive(tmp, args.stories)
        redis, broker = start_redis(tmp)
        try:
            local_s, local = build(stories, tmp / "local.mp3", tmp / "cache-local", [])
            audio_min = local["duration_ms"] / 60000
            rows = []
            for n in counts:
                workers = start_workers(n, broker, f"bench-{n}", tmp)
                try:
                    # Wait until every worker has loaded its voice: a warm-up chunk of its own.
                    build(
                        stories[:1],
                        tmp / f"warm-{n}.mp3",
                        tmp / f"warm-cache-{n}",
                        ["--broker", broker, "--queue", f"bench-{n}"],
                    )
                    seconds, result = build(
                        stories,
                        tmp / f"fleet-{n}.mp3",
                        tmp / f"cache-{n}",
                        ["--broker", broker, "--queue", f"bench-{n}"],
                    )
                finally:
                    stop(workers)
                same = (tmp / f"fleet-{n}.mp3").read_bytes() == (tmp / "local.mp3").read_bytes()
                rows.append((n, seconds, result["chunks"]["synthesized"], same))
        finally:
            redis.terminate()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"archive: {args.stories} stories, {local['chunks']['total']} chunks, {audio_min:.1f} min of audio")
    print(
        f"local build (--jobs {os.cpu_count()})   {local_s:6.1f} s   {audio_min / (local_s / 60):5.1f} min of audio per minute"
    )
    base = rows[0][1]
    for n, seconds, _, same in rows:
        rate = audio_min / (seconds / 60)
        print(
            f"fleet, {n} worker(s)        {seconds:6.1f} s   {rate:5.1f} min of audio per minute   "
            f"speed-up {base / seconds:4.2f}x   byte-identical to local: {same}"
        )
    per_worker = audio_min / (rows[0][1] / 60)
    fleet16 = 16 * per_worker
    print(
        f"projection: 16 workers, one core each: ~{fleet16:.0f} min of audio per minute; "
        f"a 500-hour archive in ~{500 * 60 / fleet16 / 60:.1f} h"
    )


if __name__ == "__main__":
    main()
