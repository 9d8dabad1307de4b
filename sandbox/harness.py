"""The in-sandbox test harness.

This file is copied into the sandbox and run as ``python3 -I -S harness.py`` with
the job as JSON on standard input. It uses the standard library only (the sandbox
image has Python and NumPy, nothing of ours), and it never runs candidate code in
its own process: every test runs in a forked child with its own limits, so one
test's crash, hang or memory bomb cannot take the others down.

What crosses back to the host is one JSON document on the harness's own stdout,
which the candidate's children cannot write to (their fds 1 and 2 point at capped
files). The host still validates and size-caps it, and compares values against the
expected ones itself: expected outputs of I/O cases never enter the sandbox.
"""

from __future__ import annotations

import collections
import json
import math
import os
import resource
import select
import signal
import sys
import tempfile
import time
import traceback
import types
import typing

HARNESS_VERSION = 1
SOLUTION_FILENAME = "solution.py"
CHECKS_FILENAME = "checks.py"
GENERATORS_FILENAME = "generators.py"
MAX_JOB_BYTES = 64 * 1024 * 1024
MAX_VALUE_BYTES = 4 * 1024 * 1024
MESSAGE_CHARS = 2000
# The result channel sits on a fd the candidate's code has no reason to touch (below the sandbox's nofile limit).
RESULT_FD = 99


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


def _make_non_dumpable() -> None:
    # With PR_SET_DUMPABLE=0 a process of the same uid can neither ptrace us nor read
    # /proc/<pid>/mem, so a candidate's child cannot reach into the harness.
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
    except Exception:  # noqa: BLE001, S110 - best effort; the sandbox is the real boundary
        pass


def to_jsonable(value: object, depth: int = 0) -> object:
    """Turns a candidate's return value into JSON data, or a repr marker if it cannot."""
    if depth > 100:
        return {"__repr__": "<nested too deeply>"}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return {"__float__": repr(value)}
        return value
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and type(value).__module__.startswith("numpy"):
        return to_jsonable(tolist(), depth + 1)
    if isinstance(value, (list, tuple)):
        return [to_jsonable(item, depth + 1) for item in value]
    if isinstance(value, (set, frozenset)):
        items = [to_jsonable(item, depth + 1) for item in value]
        try:
            return sorted(items)  # type: ignore[type-var]
        except TypeError:
            return items
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: to_jsonable(item, depth + 1) for key, item in value.items()}
    if isinstance(value, dict):
        return {str(key): to_jsonable(item, depth + 1) for key, item in value.items()}
    return {"__repr__": repr(value)[:MESSAGE_CHARS]}


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


def _raised_in_candidate_code(exc: BaseException) -> bool:
    last = None
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        last = frame.f_code.co_filename
    return last == SOLUTION_FILENAME


def _write_result(payload: dict) -> None:
    data = json.dumps(payload).encode()
    if len(data) > MAX_VALUE_BYTES:
        data = json.dumps({"status": "value_too_large", "bytes": len(data)}).encode()
    view = memoryview(data)
    while view:
        written = os.write(RESULT_FD, view)
        view = view[written:]


def _run_child(
    job: dict, test: dict, code: types.CodeType, checks: types.CodeType | None, args: object, streams: tuple[int, int, int]
) -> None:
    """Runs one test in the forked child. Never returns."""
    try:
        os.setpgid(0, 0)
        limits = job["limits"]
        workdir = job["workdir"]
        os.dup2(streams[0], 0)
        os.dup2(streams[1], 1)
        os.dup2(streams[2], 2)
        os.closerange(3, RESULT_FD)
        os.closerange(RESULT_FD + 1, 65536)
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
        sys.setrecursionlimit(limits.get("recursion_limit", 100_000))
        # Everything else the harness knew (other tests, the job) is dropped before
        # candidate code runs.
        job.clear()
        os.chdir(workdir)
    except BaseException as exc:  # noqa: BLE001
        _write_result({"status": "harness_error", "message": repr(exc)[:MESSAGE_CHARS]})
        os._exit(0)

    mode = test["mode"]
    try:
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
                os._exit(0)
        value: object = None
        if mode == "function":
            function = getattr(module, test["entrypoint"], None)
            if not callable(function):
                _write_result(
                    {
                        "status": "exception",
                        "type": "NameError",
                        "message": f"the solution does not define a function named {test['entrypoint']!r}",
                        "line": None,
                        "traceback": "",
                    }
                )
                os._exit(0)
            call_args: dict = args if isinstance(args, dict) else {"args": args, "kwargs": {}}
            value = function(*call_args.get("args", []), **call_args.get("kwargs", {}))
        elif mode == "check":
            checks_module = types.ModuleType("checks")
            checks_module.__file__ = CHECKS_FILENAME
            assert checks is not None
            exec(checks, checks_module.__dict__)
            check = getattr(checks_module, test["check"])
            target = getattr(module, test["entrypoint"], None) if test.get("entrypoint") else module
            if target is None:
                raise NameError(f"the solution does not define a function named {test['entrypoint']!r}")
            check(target)
        sys.stdout.flush()
        _write_result({"status": "ok", "value": to_jsonable(value) if mode == "function" else None})
    except MemoryError:
        _write_result({"status": "memory"})
    except AssertionError as exc:
        if mode == "check" and not _raised_in_candidate_code(exc):
            _write_result({"status": "assertion", "message": str(exc)[:MESSAGE_CHARS]})
        else:
            _write_result(_exception_payload(exc))
    except OSError as exc:
        if exc.errno == 27:  # EFBIG: the output cap (RLIMIT_FSIZE) was hit
            _write_result({"status": "output_limit"})
        else:
            _write_result(_exception_payload(exc))
    except BaseException as exc:  # noqa: BLE001 - any failure of candidate code is a result
        if mode == "check" and not _raised_in_candidate_code(exc):
            _write_result({"status": "assertion", "message": f"{type(exc).__name__}: {exc}"[:MESSAGE_CHARS]})
        else:
            _write_result(_exception_payload(exc))
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        pass
    os._exit(0)


def _exception_payload(exc: BaseException) -> dict:
    return {
        "status": "exception",
        "type": type(exc).__name__,
        "message": str(exc)[:MESSAGE_CHARS],
        "line": _candidate_line(exc.__traceback__),
        "traceback": _candidate_traceback(exc),
    }


def _read_capped(fd: int, cap: int) -> tuple[str, bool]:
    try:
        data = os.pread(fd, cap + 1, 0)
    except OSError:
        return "", False
    return data[:cap].decode("utf-8", "replace"), len(data) > cap


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_everything_else() -> None:
    # kill(-1) signals every process we may signal except ourselves and init. Only
    # ever in a sandbox with its own pid namespace: on a host it would be a disaster.
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    while True:
        try:
            waited, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if waited == 0:
            return


def run_test(job: dict, test: dict, code: types.CodeType, checks: types.CodeType | None, generators: dict) -> dict:
    if "generate" in test:
        generated = generators[test["generate"]]()
        if job["mode"] == "function" and not isinstance(generated, dict):
            generated = {"args": list(generated), "kwargs": {}}
        args: object = generated
    elif "args" in test or "kwargs" in test:
        args = {"args": test.get("args", []), "kwargs": test.get("kwargs", {})}
    else:
        args = None

    # The test's stdin, stdout and stderr are files without a name: nothing the code
    # does in the work directory (a planted symlink, say) can change what is read back.
    stdin = tempfile.TemporaryFile(dir=job["workdir"])
    stdin_text = test.get("stdin", args if isinstance(args, str) else None)
    if stdin_text is not None:
        stdin.write(stdin_text.encode())
        stdin.seek(0)
    stdout = tempfile.TemporaryFile(dir=job["workdir"])
    stderr = tempfile.TemporaryFile(dir=job["workdir"])
    try:
        return _run_forked(job, test, code, checks, args, (stdin, stdout, stderr))
    finally:
        for stream in (stdin, stdout, stderr):
            stream.close()


def _run_forked(job: dict, test: dict, code: types.CodeType, checks: types.CodeType | None, args: object, streams: tuple) -> dict:
    stdin, stdout, stderr = streams
    limits = job["limits"]
    child_test = {"mode": "check" if "check" in test else job["mode"], "entrypoint": job.get("entrypoint")}
    child_test.update({k: test[k] for k in ("stdin", "check") if k in test})
    oom_before = _oom_kill_count()
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    started = _now()
    try:
        pid = os.fork()
    except OSError as exc:
        os.close(read_fd)
        os.close(write_fd)
        return {"id": test["id"], "status": "fork_failed", "message": str(exc)}
    if pid == 0:
        os.close(read_fd)
        os.dup2(write_fd, RESULT_FD)
        os.close(write_fd)
        _run_child(job, child_test, code, checks, args, (stdin.fileno(), stdout.fileno(), stderr.fileno()))
    os.close(write_fd)

    wall_deadline = started + limits["wall_seconds"]
    chunks: list[bytes] = []
    size = 0
    eof = False
    timed_out = False
    status = 0
    usage = None
    pause = 0.0005
    while True:
        remaining = wall_deadline - _now()
        if remaining <= 0:
            timed_out = True
            _kill_group(pid)
            _, status, usage = os.wait4(pid, 0)
            break
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
        waited, wait_status, wait_usage = os.wait4(pid, os.WNOHANG)
        if waited:
            status, usage = wait_status, wait_usage
            # Drain what the child wrote just before it exited.
            while True:
                ready, _, _ = select.select([read_fd], [], [], 0)
                chunk = os.read(read_fd, 65536) if ready else b""
                if not chunk:
                    break
                if size <= MAX_VALUE_BYTES:
                    chunks.append(chunk)
                    size += len(chunk)
            break
    wall = _now() - started
    os.close(read_fd)
    # Whatever the test left running goes with it: its process group here, and in an
    # isolated sandbox (own pid namespace, own uid) every process but this one.
    _kill_group(pid)
    if job.get("isolated"):
        _kill_everything_else()

    result: dict = {
        "id": test["id"],
        "wall_seconds": round(wall, 4),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 4) if usage else None,
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
    try:
        payload = json.loads(b"".join(chunks))
        if not isinstance(payload, dict) or not isinstance(payload.get("status"), str):
            raise ValueError("not a result object")
    except ValueError:
        # The child exited without a result: os._exit, a closed channel, or garbage written to it.
        code_ = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
        result.update({"status": "exit" if code_ else "bad_channel", "code": code_})
        return result
    payload.pop("id", None)
    result.update(payload)
    return result


def _read_job(stream: typing.BinaryIO) -> bytes:
    """The job is framed as its length in bytes on one line, then the JSON itself,
    so the harness never depends on the other end closing its stdin."""
    header = stream.readline(32)
    size = int(header)
    if not 0 < size <= MAX_JOB_BYTES:
        raise ValueError(f"job size {size} out of range")
    data = stream.read(size)
    if len(data) != size:
        raise ValueError("the job was cut short")
    return data


def main() -> int:
    real_stdout = os.dup(1)
    # Nothing but the final result may reach the harness's stdout.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    _make_non_dumpable()
    # A warm sandbox starts before its job exists: import what jobs usually need now.
    for module_name in sys.argv[1:]:
        try:
            __import__(module_name)
        except ImportError:
            pass
    job = json.loads(_read_job(sys.stdin.buffer))
    job.setdefault("workdir", os.getcwd())
    report: dict = {"harness_version": HARNESS_VERSION, "compile_error": None, "tests": []}

    for module_name in job.get("preload", []):
        try:
            __import__(module_name)
        except ImportError:
            pass
    try:
        SOURCE_LINES[:] = job["source"].splitlines()
        code = compile(job["source"], SOLUTION_FILENAME, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        report["compile_error"] = {
            "type": type(exc).__name__,
            "message": getattr(exc, "msg", str(exc)),
            "line": getattr(exc, "lineno", None),
            "offset": getattr(exc, "offset", None),
            "text": (getattr(exc, "text", None) or "")[:500],
        }
        code = None
    checks = compile(job["checks"], CHECKS_FILENAME, "exec") if job.get("checks") else None
    generators: dict = {}
    if job.get("generators"):
        exec(compile(job["generators"], GENERATORS_FILENAME, "exec"), generators)

    if code is not None:
        deadline = _now() + job["limits"].get("total_wall_seconds", 60)
        for test in job["tests"]:
            if _now() >= deadline:
                report["tests"].append({"id": test["id"], "status": "not_run"})
                continue
            report["tests"].append(run_test(job, test, code, checks, generators))

    data = json.dumps(report).encode()
    view = memoryview(data)
    while view:
        view = view[os.write(real_stdout, view) :]
    return 0


if __name__ == "__main__":
    sys.exit(main())
