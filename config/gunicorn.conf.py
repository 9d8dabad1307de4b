"""gunicorn's settings for every deployment (scripts/up, the Docker image, the load benchmark).

Threaded workers: the interview page long-polls a submission (`?wait=`) for up to 20 s
while the sandbox queue drains. With sync workers each poll holds a whole process, and
saves queue behind it (bench/bench_load.py measured save p95 near 10 s at 50 candidates);
a poll waiting on the database now holds one thread.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count(), 8)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = 60
# Idle keep-alive connections wait in the worker's poller, not in a thread. Longer than
# the idle timeout of the client or balancer in front (60 s on most), so the server never
# closes a connection at the moment a client reuses it (a reset the client sees as an error).
keepalive = 75
graceful_timeout = 30
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
