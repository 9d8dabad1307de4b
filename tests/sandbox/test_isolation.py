"""The isolating backends against hostile code: the same suite for Docker and bubblewrap.

Each test runs a submission that attacks the sandbox, expects the right verdict,
and then checks that the host and the backend are unharmed.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

import pytest

from sandbox.docker_backend import container_owner
from sandbox.jobs import SandboxFault, TestCase, Verdict
from tests.sandbox.conftest import actual_of, assert_still_works, containers_owned_by, host_processes, run

pytestmark = pytest.mark.django_db

SECRETS = ("test-only-secret-key-not-for-production", "postgres://", "redis://", "OPENAI", "SECRET_KEY", "DATABASE_URL")


def test_it_accepts_correct_code_and_grades_per_test(backend):
    tests = (
        TestCase(id="t1", name="small", visible=True, args=[2, 3], expected=5),
        TestCase(id="t2", name="hidden", args=[10**12, 1], expected=10**12 + 1, weight=3),
    )
    result = run(backend, "def add(a, b):\n    return a + b\n", tests=tests, entrypoint="add")
    assert result.verdict is Verdict.ACCEPTED and result.score == 100.0
    assert result.backend == backend.name
    assert all(t.cpu_seconds is not None and t.max_rss_kb for t in result.tests)


def test_numpy_is_there_for_ml_tasks(backend):
    result = run(backend, "import numpy as np\ndef probe():\n    return 'never' if np.arange(3).sum() == 3 else 'no'\n")
    assert result.verdict is Verdict.ACCEPTED


def test_an_infinite_loop_runs_out_of_time(backend):
    assert run(backend, "def probe():\n    while True:\n        pass\n").verdict is Verdict.TIME_LIMIT_EXCEEDED
    assert_still_works(backend)


def test_sleeping_forever_runs_out_of_wall_time(backend):
    result = run(backend, "import time\ndef probe():\n    time.sleep(10**6)\n")
    assert result.verdict is Verdict.TIME_LIMIT_EXCEEDED
    assert "wall-clock limit" in result.tests[0].message


def test_a_memory_bomb_is_killed_for_memory(backend):
    result = run(backend, "def probe():\n    blocks = []\n    while True:\n        blocks.append(bytearray(50 * 1024 * 1024))\n")
    assert result.verdict is Verdict.MEMORY_LIMIT_EXCEEDED
    assert_still_works(backend)


def test_a_fork_bomb_is_contained(backend):
    source = "import os\ndef probe():\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n"
    result = run(backend, source)
    assert result.verdict in (Verdict.RUNTIME_ERROR, Verdict.TIME_LIMIT_EXCEEDED)
    assert_still_works(backend)


def test_a_gigabyte_of_output_is_capped(backend):
    result = run(
        backend, "import sys\ndef probe():\n    chunk = 'x' * 2**20\n    for _ in range(1024):\n        sys.stdout.write(chunk)\n"
    )
    assert result.verdict is Verdict.OUTPUT_LIMIT_EXCEEDED
    assert len(result.tests[0].stdout) < 10_000
    assert_still_works(backend)


def test_deep_recursion_is_a_runtime_error(backend):
    result = run(backend, "def probe(n=0):\n    return probe(n + 1)\n")
    assert result.verdict is Verdict.RUNTIME_ERROR
    assert "RecursionError" in result.tests[0].message


def test_the_root_filesystem_is_read_only(backend):
    source = (
        "def probe():\n"
        "    done = []\n"
        "    for path in ('/etc/evil', '/usr/lib/evil', '/opt/mockloop/harness.py', '/evil'):\n"
        "        try:\n"
        "            open(path, 'w').write('x')\n"
        "            done.append(path)\n"
        "        except OSError:\n"
        "            pass\n"
        "    return done\n"
    )
    result = run(backend, source)
    assert actual_of(result) == "[]"


def test_filling_the_disk_hits_the_work_dir_cap(backend):
    source = "def probe():\n    with open('/work/fill', 'wb') as f:\n        while True:\n            f.write(b'x' * 2**20)\n"
    result = run(backend, source)
    assert result.verdict in (Verdict.RUNTIME_ERROR, Verdict.OUTPUT_LIMIT_EXCEEDED)
    assert_still_works(backend)


def test_no_secret_is_visible(backend, settings):
    os.environ.setdefault("OPENAI_API_KEY", "sk-test-not-a-real-key")
    source = (
        "import os, glob\n"
        "def probe():\n"
        "    seen = dict(os.environ)\n"
        "    for path in glob.glob('/proc/*/environ'):\n"
        "        try:\n"
        "            seen[path] = open(path, 'rb').read().decode('latin-1')\n"
        "        except OSError:\n"
        "            pass\n"
        "    for path in ('/work/main/config/settings.py', '/root/.bash_history', '/proc/1/root/etc/hostname'):\n"
        "        try:\n"
        "            seen[path] = open(path).read()\n"
        "        except OSError:\n"
        "            pass\n"
        "    return repr(seen)\n"
    )
    result = run(backend, source)
    seen = actual_of(result)
    assert "PATH" in seen  # it did report its environment
    for secret in (*SECRETS, settings.SECRET_KEY, os.environ["OPENAI_API_KEY"]):
        assert secret not in seen
    assert "/work/main/config/settings.py" not in seen


def test_no_network_at_all(backend):
    source = (
        "import socket\n"
        "def probe():\n"
        "    outcomes = []\n"
        "    for port in (6379, 5432):\n"
        "        try:\n"
        "            socket.create_connection(('127.0.0.1', port), timeout=2).close()\n"
        "            outcomes.append('connected')\n"
        "        except OSError as exc:\n"
        "            outcomes.append(type(exc).__name__)\n"
        "    try:\n"
        "        socket.getaddrinfo('pypi.org', 443)\n"
        "        outcomes.append('resolved')\n"
        "    except OSError as exc:\n"
        "        outcomes.append(type(exc).__name__)\n"
        "    interfaces = [name for _, name in socket.if_nameindex()]\n"
        "    return [outcomes, interfaces]\n"
    )
    actual = actual_of(run(backend, source))
    assert "connected" not in actual and "resolved" not in actual
    assert "['lo']" in actual.replace(" ", "")  # as Python writes it


def test_a_background_process_does_not_outlive_the_run(backend):
    marker = f"mockloop-orphan-{uuid.uuid4().hex[:8]}"
    source = (
        "import subprocess, time\n"
        "def probe():\n"
        f"    subprocess.Popen(['python3', '-c', 'import time; time.sleep(1000)', '{marker}'], start_new_session=True)\n"
        "    time.sleep(0.5)\n"
        "    return 'never'\n"
    )
    seen = []
    watcher = threading.Thread(target=lambda: seen.extend(_first_sighting(marker)))
    watcher.start()
    result = run(backend, source)
    watcher.join()
    assert result.verdict is Verdict.ACCEPTED
    assert seen, "the background process never started: this test would prove nothing"
    assert host_processes(marker) == []


def _first_sighting(marker: str, seconds: float = 10) -> list[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = host_processes(marker)
        if found:
            return found
        time.sleep(0.05)
    return []


def test_a_segfault_is_a_runtime_error_with_its_signal(backend):
    result = run(backend, "import ctypes\ndef probe():\n    ctypes.string_at(0)\n")
    assert result.verdict is Verdict.RUNTIME_ERROR
    assert "SIGSEGV" in result.tests[0].message


def test_files_left_in_tmp_are_gone_for_the_next_submission(backend):
    marker = uuid.uuid4().hex
    leave = f"def probe():\n    for d in ('/tmp', '/dev/shm', '/work'):\n        open(d + '/{marker}', 'w').write('x')\n    return 'never'\n"
    assert run(backend, leave).verdict is Verdict.ACCEPTED
    look = f"import os\ndef probe():\n    return [d for d in ('/tmp', '/dev/shm', '/work') if os.path.exists(d + '/{marker}')]\n"
    assert actual_of(run(backend, look)) == "[]"


def test_a_planted_symlink_does_not_change_what_the_harness_reads(backend):
    tests = (
        TestCase(id="t1", name="plant", visible=True, args=[], expected="x"),
        TestCase(id="t2", name="after", visible=True, args=[], expected="x"),
    )
    source = (
        "import os\n"
        "def probe():\n"
        "    for i in range(4):\n"
        "        for stream in ('stdout', 'stderr', 'stdin'):\n"
        "            try:\n"
        "                os.symlink('/etc/passwd', f'/work/.{stream}-{i}')\n"
        "            except OSError:\n"
        "                pass\n"
        "    print(open('/etc/passwd').read()[:0], end='')\n"
        "    return 'x'\n"
    )
    result = run(backend, source, tests=tests)
    assert result.verdict is Verdict.ACCEPTED
    assert all("root:" not in t.stdout + t.stderr for t in result.tests)


def test_expected_outputs_never_reach_the_sandbox(backend):
    hidden = TestCase(id="t1", name="hidden", args=[], expected="the-hidden-answer-42")
    source = (
        "import gc, glob\n"
        "def probe():\n"
        "    needle = ''.join(reversed('24-rewsna-neddih-eht'))  # not a constant of this code\n"
        "    text = repr(gc.get_objects())\n"
        "    for path in glob.glob('/proc/*/cmdline') + glob.glob('/proc/*/environ') + glob.glob('/work/*') + glob.glob('/work/.*'):\n"
        "        try:\n"
        "            text += open(path, 'rb').read().decode('latin-1')\n"
        "        except OSError:\n"
        "            pass\n"
        "    return needle if needle in text else 'not found'\n"
    )
    assert run(backend, source, tests=(hidden,)).verdict is Verdict.WRONG_ANSWER


def test_nothing_is_left_behind(backend):
    """No container (Docker) and no cgroup (bubblewrap) outlives its submission."""

    def leftovers() -> set[str]:
        if backend.name == "docker":
            # This process's containers only: the engine may be running other processes' sandboxes.
            return containers_owned_by(container_owner())
        parent = Path("/sys/fs/cgroup/memory/mockloop-sandbox")
        return {p.name for p in parent.iterdir() if p.is_dir()} if parent.is_dir() else set()

    before = leftovers()
    for _ in range(3):
        run(backend, "def probe():\n    return 'never'\n")
    time.sleep(2)  # Docker removes used containers off the request's path
    after = leftovers()
    # At most the warm containers the Docker backend keeps ready.
    assert len(after - before) <= (backend.warm if backend.name == "docker" else 0)


def test_the_outer_watchdog_stops_a_sandbox_that_overstays(backend, monkeypatch):
    """Should the harness ever fail to stop in time, the backend kills the sandbox."""
    monkeypatch.setattr(backend, "watchdog_seconds", lambda job: 1.5)
    started = time.monotonic()
    result = run(backend, "import time\ndef probe():\n    time.sleep(30)\n", cpu=5)
    assert result.verdict is Verdict.TIME_LIMIT_EXCEEDED
    assert time.monotonic() - started < 8
    assert_still_works(backend)


def test_closing_the_docker_backend_stops_its_warming_and_leaves_no_container():
    """close() waits for the background refill a run started, instead of racing it."""
    from config.sandbox_backend import SandboxUnavailable, sandbox_backend
    from sandbox.docker_backend import DockerBackend

    try:
        shared = sandbox_backend("docker")
    except SandboxUnavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"docker sandbox not available here: {exc}")
    owner = f"{container_owner()}:close-{uuid.uuid4().hex[:6]}"
    backend = DockerBackend(shared.image, client=shared.client, warm=2, owner=owner)

    assert run(backend, "def probe():\n    return 'never'\n").verdict is Verdict.ACCEPTED
    backend.close()  # the refill of two warm containers is under way in the background
    left = containers_owned_by(owner)
    time.sleep(2)  # anything still starting would show up now
    assert left == set() and containers_owned_by(owner) == set()
    with pytest.raises(SandboxFault):
        run(backend, "def probe():\n    return 'never'\n")
