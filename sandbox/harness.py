"""The in-sandbox test harness.

This file is copied into the sandbox and run as ``python3 -I harness.py``. It uses
the standard library only (the sandbox image has Python and NumPy, nothing of
ours), and it never runs candidate code in its own process: every test runs in a
forked child with its own limits, so one test's crash, hang or memory bomb cannot
take the others down.

It has two roles, named by the job:

- ``solution``: run the candidate's code on each test's input and report what it
  did (the value returned, what it printed, how long it took). Nothing here decides
  a verdict: expected values never enter this sandbox, and the host compares.
- ``checker``: run a question's property checks (``checks.py``, testlib's
  "checker") on results a solution run reported, as plain JSON data. This runs in
  a sandbox of its own that never holds candidate code.

**The channel.** The job arrives on stdin as length-framed JSON frames, read
unbuffered and only when needed: the job first, then one frame per batch of tests.
The host sends the visible tests before the hidden ones, so while a visible test
runs (and its output is shown to the candidate), no hidden input is in this
process's memory. The report goes out as JSON lines on a descriptor that children
never inherit. In an isolated sandbox the harness is pid 1 and non-dumpable:
candidate code cannot ptrace it, open its ``/proc`` entries (``fd``, ``mem``,
``environ``) or kill or stop it (the kernel drops those signals to a namespace's
init when they come from inside). What a child sends back on its per-test pipe is
candidate-controlled data: the harness keeps only known fields of known types, and
its own measurements (time, memory, signals, output) always win.
"""

from __future__ import annotations

import collections
import json
import math
import os
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
import types
import typing

HARNESS_VERSION = 2
SOLUTION_FILENAME = "solution.py"
CHECKS_FILENAME = "checks.py"
GENERATORS_FILENAME = "generators.py"
MAX_FRAME_BYTES = 64 * 1024 * 1024
MAX_VALUE_BYTES = 4 * 1024 * 1024
# All the harness may write as its report; the host refuses more.
MAX_REPORT_BYTES = 24 * 1024 * 1024
MESSAGE_CHARS = 2000
# A child's result channel sits on a fd its code has no reason to touch (below the sandbox's nofile limit).
RESULT_FD = 99
# What a child may say about its own test; anything else it sends is ignored.
CHILD_STATUSES = frozenset({"ok", "exception", "assertion", "memory", "output_limit", "exit", "value_too_large"})
# Places a test may leave files in; emptied between tests in an isolated sandbox.
SCRATCH_DIRS = ("/tmp", "/dev/shm", "/dev/mqueue")


def _now() -> float:
    return time.monotonic()


def _oom_kill_count() -> int | None:
    """The memory cgroup's OOM-kill counter: the kernel's own word that it killed for memory.

    cgroup v2 keeps it in memory.events, v1 in memory.oom_control; both say ``oom_kill N``.
    """
    for path in ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"):
        try:
            with open(path) as events:
                for line in events:
                    name, _, value = line.partition(" ")
                    if name == "oom_kill":
                        return int(value)
        except (OSError, ValueError):
            continue
    return None


_LIBC: list[typing.Any] = []


def _libc() -> typing.Any:
    """The C library, loaded once (prctl, and SysV IPC removal between tests)."""
    if not _LIBC:
        import ctypes

        _LIBC.append(ctypes.CDLL(None, use_errno=True))
    return _LIBC[0]


def _prctl(option: int, value: int) -> bool:
    try:
        return _libc().prctl(option, value, 0, 0, 0) == 0
    except Exception:  # noqa: BLE001 - reported by the caller
        return False


PR_SET_DUMPABLE = 4


# -- values ---------------------------------------------------------------------


def to_jsonable(value: object, depth: int = 0) -> object:
    """Turns a candidate's return value into JSON data, or a repr marker if it cannot.

    Only exact built-in types pass as themselves: a subclass of ``int``, ``str`` or
    ``list`` could carry its own ``__eq__``, and what leaves this process is data.
    """
    if depth > 100:
        return {"__repr__": "<nested too deeply>"}
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        return value
    if kind is float:
        number = typing.cast(float, value)
        if math.isnan(number) or math.isinf(number):
            return {"__float__": repr(number)}
        return number
    if kind.__module__ == "numpy":
        tolist = getattr(value, "tolist", None)
        if callable(tolist):
            return to_jsonable(tolist(), depth + 1)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return to_jsonable(float(value), depth)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item, depth + 1) for item in list(value)]
    if isinstance(value, (set, frozenset)):
        items = [to_jsonable(item, depth + 1) for item in value]
        try:
            return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
        except (TypeError, ValueError):
            return items
    if isinstance(value, dict):
        return {str(key): to_jsonable(item, depth + 1) for key, item in dict.items(value)}
    try:
        text = repr(value)[:MESSAGE_CHARS]
    except Exception:  # noqa: BLE001 - a hostile __repr__
        text = f"<{kind.__name__} object>"
    return {"__repr__": text}


def from_jsonable(value: object) -> object:
    """The inverse of ``to_jsonable`` for what a checker reads: NaN and infinities come back as floats."""
    if isinstance(value, list):
        return [from_jsonable(item) for item in value]
    if isinstance(value, dict):
        if set(value) == {"__float__"} and value["__float__"] in ("nan", "inf", "-inf"):
            return float(value["__float__"])
        return {key: from_jsonable(item) for key, item in value.items()}
    return value


def _calls_of(generated: object, mode: str) -> list[dict[str, typing.Any]]:
    """A generator's output as a list of calls: one call, or ``{"calls": [...]}`` for several."""
    if isinstance(generated, dict) and "calls" in generated:
        calls = list(generated["calls"])
    else:
        calls = [generated]
    normalized: list[dict[str, typing.Any]] = []
    for call in calls:
        if mode == "stdio":
            normalized.append({"stdin": call if isinstance(call, str) else str(call)})
        elif isinstance(call, dict) and set(call) <= {"args", "kwargs"}:
            normalized.append({"args": list(call.get("args", [])), "kwargs": dict(call.get("kwargs", {}))})
        else:
            normalized.append({"args": list(typing.cast(typing.Iterable, call)), "kwargs": {}})
    return normalized


# -- tracebacks -------------------------------------------------------------------

# The candidate's source lines, for tracebacks that quote their own code.
SOURCE_LINES: list[str] = []


def _candidate_frames(tb: types.TracebackType | None, keep: int = 10) -> list[tuple[int, str]]:
    # Walk without touching linecache: a 100,000-frame recursion must not cost
    # 100,000 file look-ups.
    frames: collections.deque[tuple[int, str]] = collections.deque(maxlen=keep)
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == SOLUTION_FILENAME:
            frames.append((lineno, frame.f_code.co_name))
    return list(frames)


def _candidate_line(tb: types.TracebackType | None) -> int | None:
    frames = _candidate_frames(tb, keep=1)
    return frames[-1][0] if frames else None


def _candidate_traceback(exc: BaseException) -> str:
    lines = []
    for lineno, name in _candidate_frames(exc.__traceback__):
        code_line = SOURCE_LINES[lineno - 1].strip() if 0 < lineno <= len(SOURCE_LINES) else ""
        lines.append(f'  File "{SOLUTION_FILENAME}", line {lineno}, in {name}\n    {code_line}\n')
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-MESSAGE_CHARS:]


def _exception_payload(exc: BaseException) -> dict:
    try:
        message = str(exc)[:MESSAGE_CHARS]
    except Exception:  # noqa: BLE001 - a hostile __str__
        message = ""
    try:
        trace = _candidate_traceback(exc)
    except Exception:  # noqa: BLE001
        trace = ""
    return {
        "status": "exception",
        "type": type(exc).__name__[:100],
        "message": message,
        "line": _candidate_line(exc.__traceback__),
        "traceback": trace,
    }


# -- the child ----------------------------------------------------------------------


def _write_result(payload: dict) -> None:
    data = json.dumps(payload).encode()
    if len(data) > MAX_VALUE_BYTES:
        data = json.dumps({"status": "value_too_large", "bytes": len(data)}).encode()
    view = memoryview(data)
    while view:
        written = os.write(RESULT_FD, view)
        view = view[written:]


def _child_setup(limits: dict, workdir: str, streams: tuple[int, int, int]) -> None:
    os.setpgid(0, 0)
    os.dup2(streams[0], 0)
    os.dup2(streams[1], 1)
    os.dup2(streams[2], 2)
    os.closerange(3, RESULT_FD)
    os.closerange(RESULT_FD + 1, 65536)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # The child's own streams, for its lifetime.
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False)
    cpu = max(1, math.ceil(limits["cpu_seconds"]))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["output_bytes"], limits["output_bytes"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.get("address_space_mb"):
        size = limits["address_space_mb"] * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    # Should memory run out, the kernel kills this test rather than the harness. A
    # child may raise its own score, never lower it again. Its /proc files belong to it
    # only once it is dumpable again (it inherited the harness's flag); the child is the
    # candidate's process anyway, and the harness stays non-dumpable.
    _prctl(PR_SET_DUMPABLE, 1)
    try:
        with open("/proc/self/oom_score_adj", "w") as adjust:
            adjust.write("1000")
    except OSError:
        pass
    sys.setrecursionlimit(limits.get("recursion_limit", 100_000))
    os.chdir(workdir)


def _solution_child(job: dict, test: dict, code: types.CodeType, calls: list[dict]) -> None:
    """Runs the candidate's code on one test's calls; reports what it returned."""
    mode = job["mode"]
    module = types.ModuleType("solution")
    module.__file__ = SOLUTION_FILENAME
    if mode == "stdio":
        module.__dict__["__name__"] = "__main__"
    sys.modules["solution"] = module
    try:
        exec(code, module.__dict__)
    except SystemExit as stop:
        if mode != "stdio":
            raise
        if stop.code not in (None, 0):
            _write_result({"status": "exit", "code": stop.code if isinstance(stop.code, int) else 1})
            return
    if mode == "stdio":
        sys.stdout.flush()
        _write_result({"status": "ok"})
        return
    function = getattr(module, job["entrypoint"], None)
    if not callable(function):
        _write_result(
            {
                "status": "exception",
                "type": "NameError",
                "message": f"the solution does not define a function named {job['entrypoint']!r}",
                "line": None,
                "traceback": "",
            }
        )
        return
    values = []
    arguments = []
    for call in calls:
        values.append(to_jsonable(function(*call["args"], **call["kwargs"])))
        if test.get("report_arguments"):
            arguments.append({"args": to_jsonable(call["args"]), "kwargs": to_jsonable(call["kwargs"])})
    sys.stdout.flush()
    if test.get("check"):
        payload: dict = {"status": "ok", "values": values}
        if test.get("report_arguments"):
            payload["arguments"] = arguments
    else:
        payload = {"status": "ok", "value": values[0]}
    _write_result(payload)


def _checker_child(job: dict, test: dict, checks: types.CodeType, calls: list[dict]) -> None:
    """Judges one check test's reported results with the question's checker: no candidate code here."""
    module = types.ModuleType("checks")
    module.__file__ = CHECKS_FILENAME
    exec(checks, module.__dict__)
    judge = getattr(module, test["check"])
    outputs = test.get("outputs") or []
    if job["mode"] == "stdio":
        judged = [
            {"stdin": call["stdin"], "stdout": output.get("stdout", "")} for call, output in zip(calls, outputs, strict=False)
        ]
    else:
        judged = []
        for call, output in zip(calls, outputs, strict=False):
            entry = {"args": call["args"], "kwargs": call["kwargs"], "result": from_jsonable(output.get("result"))}
            if "arguments" in output:
                after = output["arguments"] or {}
                entry["args_after"] = from_jsonable(after.get("args"))
                entry["kwargs_after"] = from_jsonable(after.get("kwargs"))
            judged.append(entry)
    if len(judged) != len(calls):
        _write_result({"status": "assertion", "message": f"expected {len(calls)} results, got {len(outputs)}"})
        return
    verdict = judge(judged)
    if isinstance(verdict, str) and verdict:
        # A checker may also return its complaint instead of raising it.
        _write_result({"status": "assertion", "message": verdict[:MESSAGE_CHARS]})
        return
    _write_result({"status": "ok"})


def _run_child(job: dict, test: dict, body: typing.Callable[[], None], streams: tuple[int, int, int]) -> typing.NoReturn:
    """The forked child: set up, run ``body``, report. Never returns, whatever the code
    did to its descriptors or to the modules the harness uses."""
    try:
        _child_body(job, body, streams)
    except BaseException:  # noqa: BLE001, S110 - nothing more can be reported: the harness sees a bad channel
        pass
    finally:
        os._exit(0)


def _child_body(job: dict, body: typing.Callable[[], None], streams: tuple[int, int, int]) -> None:
    try:
        _child_setup(job["limits"], job["workdir"], streams)
    except BaseException as exc:  # noqa: BLE001
        _write_result({"status": "harness_error", "message": repr(exc)[:MESSAGE_CHARS]})
        return
    _run_body(job, body)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001, S110 - its output is read back from the files either way
        pass


def _run_body(job: dict, body: typing.Callable[[], None]) -> None:
    checker = job["role"] == "checker"
    try:
        body()
    except MemoryError:
        _write_result({"status": "memory"})
    except AssertionError as exc:
        if checker:
            _write_result({"status": "assertion", "message": str(exc)[:MESSAGE_CHARS] or "an assertion failed"})
        else:
            _write_result(_exception_payload(exc))
    except OSError as exc:
        if exc.errno == 27:  # EFBIG: the output cap (RLIMIT_FSIZE) was hit
            _write_result({"status": "output_limit"})
        else:
            _write_result(_exception_payload(exc))
    except BaseException as exc:  # noqa: BLE001 - any failure of candidate code is a result
        _write_result(_exception_payload(exc))


# -- the harness ----------------------------------------------------------------------


def _read_capped(fd: int, cap: int) -> tuple[str, bool]:
    try:
        data = os.pread(fd, cap + 1, 0)
    except OSError:
        return "", False
    return data[:cap].decode("utf-8", "replace"), len(data) > cap


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_everything_else() -> None:
    # kill(-1) signals every process we may signal except ourselves (and init, which
    # in an isolated sandbox is us). Only ever in a sandbox with its own pid
    # namespace: on a host it would be a disaster. Repeat until nothing is left, so a
    # process forking as fast as it can is gone too.
    for _ in range(100):
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        alive = False
        while True:
            try:
                waited, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if waited == 0:
                alive = True
                break
        if not alive and not _other_processes():
            return
        time.sleep(0.001)


def _other_processes() -> bool:
    mine = {str(os.getpid()), "1"}
    try:
        return any(name.isdigit() and name not in mine for name in os.listdir("/proc"))
    except OSError:
        return False


def _empty_directory(path: str, keep: typing.Collection[str] = ()) -> None:
    try:
        names = os.listdir(path)
    except OSError:
        return
    for name in names:
        if name in keep:
            continue
        full = os.path.join(path, name)
        try:
            if os.path.isdir(full) and not os.path.islink(full):
                # A directory the test made unwritable is emptied all the same.
                shutil.rmtree(full, onerror=_writable_and_retry)
            else:
                os.unlink(full)
        except OSError:
            pass


def _writable_and_retry(function: typing.Callable, path: str, _: object) -> None:
    try:
        os.chmod(os.path.dirname(path), 0o700)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, 0o700)
        function(path)
    except OSError:
        pass


def _remove_ipc_objects() -> None:
    """SysV shared memory, queues and semaphores a test left: the sandbox's IPC namespace is its own."""
    try:
        libc = _libc()
    except Exception:  # noqa: BLE001
        return
    ipc_rmid = 0
    for kind, remove in (
        ("shm", lambda ident: libc.shmctl(ident, ipc_rmid, None)),
        ("msg", lambda ident: libc.msgctl(ident, ipc_rmid, None)),
        ("sem", lambda ident: libc.semctl(ident, 0, ipc_rmid)),
    ):
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                rows = table.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 1 and fields[1].isdigit():
                remove(int(fields[1]))


MAX_PAYLOAD_DEPTH = 200
# Values and arrays in one test's result, and in a whole report: a few bytes of JSON
# ("[],") are tens of bytes of Python objects in the harness, on the host and in the checker.
MAX_PAYLOAD_NODES = 300_000
MAX_REPORT_NODES = 1_000_000


def _size(value: object, limit: int = MAX_PAYLOAD_DEPTH) -> int | None:
    """How many values JSON data holds, or None if it nests deeper than ``limit`` (no recursion)."""
    stack = [(value, 0)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if depth > limit:
            return None
        if isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
    return nodes


def _parse_payload(data: bytes) -> dict:
    """A child's result, parsed and checked; anything unreadable is a bad channel."""
    try:
        payload = json.loads(data)
    except (ValueError, RecursionError):
        return {"status": "bad_channel"}
    nodes = _size(payload)
    if nodes is None:
        return {"status": "bad_channel"}
    if nodes > MAX_PAYLOAD_NODES or nodes > REPORT_NODES_LEFT[0]:
        return {"status": "value_too_large"}
    REPORT_NODES_LEFT[0] -= nodes
    return _safe_payload(payload)


# What is left of MAX_REPORT_NODES for this job (the harness runs one job).
REPORT_NODES_LEFT = [MAX_REPORT_NODES]


def _safe_payload(payload: object) -> dict:
    """Keeps only what a child may say, in the types it may say it."""
    if not isinstance(payload, dict) or payload.get("status") not in CHILD_STATUSES | {"harness_error"}:
        return {"status": "bad_channel"}
    status = payload["status"]
    safe: dict = {"status": status}
    if status == "ok":
        for key in ("value", "values", "arguments"):
            if key in payload:
                safe[key] = payload[key]
        if "values" in safe and not isinstance(safe["values"], list):
            return {"status": "bad_channel"}
        if "arguments" in safe and not isinstance(safe["arguments"], list):
            return {"status": "bad_channel"}
    elif status == "exception":
        for key in ("type", "message", "traceback"):
            value = payload.get(key)
            safe[key] = value[:MESSAGE_CHARS] if isinstance(value, str) else ""
        line = payload.get("line")
        safe["line"] = line if type(line) is int and 0 < line < 10**7 else None
    elif status == "assertion":
        message = payload.get("message")
        safe["message"] = message[:MESSAGE_CHARS] if isinstance(message, str) else ""
    elif status == "exit":
        code = payload.get("code")
        safe["code"] = code if type(code) is int and -(2**31) <= code < 2**31 else 1
    return safe


def _run_forked(job: dict, test: dict, body: typing.Callable[[], None], stdin_text: str | None) -> dict:
    limits = job["limits"]
    workdir = job["workdir"]
    # The test's stdin, stdout and stderr are files without a name: nothing the code
    # does in the work directory (a planted symlink, say) can change what is read back.
    with (
        tempfile.TemporaryFile(dir=workdir) as stdin,
        tempfile.TemporaryFile(dir=workdir) as stdout,
        tempfile.TemporaryFile(dir=workdir) as stderr,
    ):
        if stdin_text is not None:
            stdin.write(stdin_text.encode("utf-8", "surrogatepass"))
            stdin.seek(0)
        oom_before = _oom_kill_count()
        # CPU time of everything the test starts: processes it orphans are reparented to
        # the harness (pid 1) and reaped here, so the children's total counts them too.
        cpu_before = _children_cpu()
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        started = _now()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_fd)
            os.close(write_fd)
            return {"id": test["id"], "status": "fork_failed"}
        if pid == 0:
            os.close(read_fd)
            os.dup2(write_fd, RESULT_FD)
            os.close(write_fd)
            _run_child(job, test, body, (stdin.fileno(), stdout.fileno(), stderr.fileno()))  # never returns
        os.close(write_fd)
        chunks, size, timed_out, status, usage = _collect(pid, read_fd, started + limits["wall_seconds"])
        wall = _now() - started
        os.close(read_fd)
        # Whatever the test left running goes with it: its process group here, and in an
        # isolated sandbox (own pid namespace, own uid) every process but this one.
        _kill_group(pid)
        if job.get("isolated"):
            _kill_everything_else()
        cpu = max(_children_cpu() - cpu_before, usage.ru_utime + usage.ru_stime if usage else 0.0)

        result: dict = {
            "id": test["id"],
            "wall_seconds": round(wall, 4),
            "cpu_seconds": round(cpu, 4),
            "max_rss_kb": usage.ru_maxrss if usage else None,
        }
        cap = limits["output_bytes"]
        result["stdout"], result["stdout_truncated"] = _read_capped(stdout.fileno(), cap)
        result["stderr"], result["stderr_truncated"] = _read_capped(stderr.fileno(), cap)
    oom_after = _oom_kill_count()
    oom_killed = oom_before is not None and oom_after is not None and oom_after > oom_before

    if timed_out:
        result["status"] = "timeout"
        return result
    if os.WIFSIGNALED(status):
        result["status"] = "memory" if oom_killed else "signal"
        result["signal"] = os.WTERMSIG(status)
        return result
    if size > MAX_VALUE_BYTES:
        result["status"] = "value_too_large"
        return result
    payload = _parse_payload(b"".join(chunks))
    if payload["status"] == "bad_channel":
        # The child exited without a readable result: os._exit, a closed or
        # duplicated channel, or garbage written to it.
        code_ = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        if code_:
            payload = {"status": "exit", "code": code_}
    # The harness's own measurements are set above and are never overwritten.
    for key, value in payload.items():
        result.setdefault(key, value)
    result["status"] = payload["status"]
    return result


def _collect(pid: int, read_fd: int, wall_deadline: float) -> tuple[list[bytes], int, bool, int, typing.Any]:
    """Reads a child's result pipe until it exits or its wall-clock time is up."""
    chunks: list[bytes] = []
    size = 0
    eof = False
    pause = 0.0005
    while True:
        remaining = wall_deadline - _now()
        if remaining <= 0:
            _kill_group(pid)
            _, status, usage = os.wait4(pid, 0)
            return chunks, size, True, status, usage
        if not eof:
            ready, _, _ = select.select([read_fd], [], [], min(remaining, 0.05))
            if ready:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    eof = True
                elif size <= MAX_VALUE_BYTES:
                    chunks.append(chunk)
                    size += len(chunk)
        else:
            time.sleep(min(remaining, pause))
            pause = min(pause * 2, 0.02)
        waited, status, usage = os.wait4(pid, os.WNOHANG)
        if waited:
            # Drain what the child wrote just before it exited.
            while True:
                ready, _, _ = select.select([read_fd], [], [], 0)
                chunk = os.read(read_fd, 65536) if ready else b""
                if not chunk:
                    break
                if size <= MAX_VALUE_BYTES:
                    chunks.append(chunk)
                    size += len(chunk)
            return chunks, size, False, status, usage


def run_test(job: dict, test: dict, code: types.CodeType | None, checks: types.CodeType | None, generators: dict) -> dict:
    """Runs one test (solution role) or judges one (checker role) in a forked child."""
    mode = job["mode"]
    try:
        if "generate" in test:
            calls = _calls_of(generators[test["generate"]](), mode)
        elif mode == "stdio":
            calls = [{"stdin": test.get("stdin", "")}]
        else:
            calls = [{"args": test.get("args", []), "kwargs": test.get("kwargs", {})}]
    except Exception as exc:  # noqa: BLE001 - the question's generator failed: not the candidate's doing
        return {"id": test["id"], "status": "generator_error", "message": f"{type(exc).__name__}: {exc}"[:MESSAGE_CHARS]}
    if job["role"] == "checker":
        assert checks is not None
        return _run_forked(job, test, lambda: _checker_child(job, test, checks, calls), None)
    assert code is not None
    stdin_text = calls[0]["stdin"] if mode == "stdio" else None
    return _run_forked(job, test, lambda: _solution_child(job, test, code, calls), stdin_text)


# -- the channel ------------------------------------------------------------------------


def _read_exactly(fd: int, size: int) -> bytes:
    # Unbuffered on purpose: a buffered reader would read ahead into the next
    # frame (the hidden tests) while a visible test's child is forked.
    parts = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise ValueError("the job was cut short")
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def read_frame(fd: int) -> object:
    """One frame: its length in bytes on one line, then that much JSON."""
    header = b""
    while not header.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte or len(header) > 32:
            raise ValueError("no frame header")
        header += byte
    size = int(header)
    if not 0 < size <= MAX_FRAME_BYTES:
        raise ValueError(f"frame size {size} out of range")
    return json.loads(_read_exactly(fd, size))


class Report:
    """The report: JSON lines on the harness's own descriptor, within a byte budget."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.left = MAX_REPORT_BYTES

    def emit(self, event: dict) -> None:
        data = json.dumps(event).encode() + b"\n"
        if len(data) > self.left and event.get("event") == "test":
            slim = {k: event[k] for k in ("event", "id", "wall_seconds", "cpu_seconds", "max_rss_kb") if k in event}
            data = json.dumps({**slim, "status": "report_full"}).encode() + b"\n"
        self.left -= len(data)
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]


def _compile_solution(source: str) -> tuple[types.CodeType | None, dict | None]:
    SOURCE_LINES[:] = source.splitlines()
    try:
        return compile(source, SOLUTION_FILENAME, "exec", dont_inherit=True), None
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
        return None, {
            "type": type(exc).__name__,
            "message": str(getattr(exc, "msg", None) or exc)[:MESSAGE_CHARS],
            "line": getattr(exc, "lineno", None),
            "offset": getattr(exc, "offset", None),
            "text": (getattr(exc, "text", None) or "")[:500],
        }


def main() -> int:
    report = Report(os.dup(1))
    # Nothing but the report may reach the harness's stdout.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    # As a namespace's init, the harness gets only the signals it handles; Python
    # handles SIGINT, so it is ignored here (a child restores it).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    dumpable_off = _prctl(PR_SET_DUMPABLE, 0)
    # A warm sandbox starts before its job exists: import what jobs usually need now.
    for module_name in sys.argv[1:]:
        try:
            __import__(module_name)
        except ImportError:
            pass
    job = typing.cast(dict, read_frame(0))
    job.setdefault("workdir", os.getcwd())
    job.setdefault("role", "solution")
    isolated = bool(job.get("isolated"))
    report.emit(
        {"event": "started", "harness": HARNESS_VERSION, "role": job["role"], "pid": os.getpid(), "protected": dumpable_off}
    )
    for module_name in job.get("preload", []):
        try:
            __import__(module_name)
        except ImportError:
            pass

    code = checks = None
    if job["role"] == "checker":
        checks = compile(job["checks"], CHECKS_FILENAME, "exec")
    else:
        code, compile_error = _compile_solution(job.get("source", ""))
        if compile_error is not None:
            report.emit({"event": "compile_error", **compile_error})
            report.emit({"event": "done"})
            return 0

    deadline = _now() + job["limits"].get("total_wall_seconds", 60)
    for _ in range(int(job.get("batches", 0))):
        batch = typing.cast(dict, read_frame(0))
        generators: dict = {}
        if batch.get("generators"):
            exec(compile(batch["generators"], GENERATORS_FILENAME, "exec"), generators)
        for test in batch["tests"]:
            if _now() >= deadline:
                report.emit({"event": "test", "id": test["id"], "status": "not_run"})
                continue
            result = run_test(job, test, code, checks, generators)
            report.emit({"event": "test", **result})
            if isolated:
                # Each test starts from empty scratch space: nothing one test writes
                # is there for the next to read.
                _empty_directory(job["workdir"])
                for directory in SCRATCH_DIRS:
                    _empty_directory(directory)
                _remove_ipc_objects()
        del batch, generators
    report.emit({"event": "done"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
