"""The sandbox backend this host runs, built from settings (sandbox/ knows no Django).

Used by the grading workers (candidates' code) and by bank imports (authors' solutions)."""

from __future__ import annotations

import functools
import logging
import shutil

from django.conf import settings

from sandbox.backends import Backend, SubprocessBackend
from sandbox.images import image_tag, rootfs_path, rootfs_ready
from sandbox.jobs import SandboxFault

log = logging.getLogger(__name__)


class SandboxUnavailable(SandboxFault):
    """No sandbox can run code right now: the engine is down or nothing is installed."""


def _docker_backend() -> Backend:
    import docker
    import docker.errors
    import requests.exceptions

    from sandbox.docker_backend import DockerBackend
    from sandbox.images import image_exists

    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise SandboxUnavailable(f"the Docker engine does not answer ({exc.__class__.__name__})") from exc
    tag = image_tag()
    if not image_exists(client, tag):
        raise SandboxUnavailable(f"the sandbox image {tag} is not built: run `python manage.py build_sandbox_image`")
    return DockerBackend(
        tag, client=client, cpus=settings.SANDBOX_CPUS, pids_limit=settings.SANDBOX_PIDS_LIMIT, tmpfs_mb=settings.SANDBOX_TMPFS_MB
    )


def _bubblewrap_backend() -> Backend:
    from sandbox.bwrap_backend import BubblewrapBackend

    if shutil.which("bwrap") is None:
        raise SandboxUnavailable("bubblewrap is not installed")
    cache = settings.SANDBOX_CACHE_DIR
    return BubblewrapBackend(
        rootfs=rootfs_path(cache) if rootfs_ready(cache) else None,
        cpus=settings.SANDBOX_CPUS,
        pids_limit=settings.SANDBOX_PIDS_LIMIT,
        tmpfs_mb=settings.SANDBOX_TMPFS_MB,
        host_uid=settings.SANDBOX_HOST_UID,
    )


@functools.cache
def _cached(name: str) -> Backend:
    return {"docker": _docker_backend, "bubblewrap": _bubblewrap_backend}[name]()


def sandbox_backend(name: str | None = None) -> Backend:
    """The isolating backend for untrusted code; raises SandboxUnavailable if none works.

    Backends are kept per process (a Docker backend keeps a warm container).
    """
    name = name or settings.SANDBOX_BACKEND
    if name not in ("auto", "docker", "bubblewrap"):
        raise SandboxUnavailable(f"SANDBOX_BACKEND must be auto, docker or bubblewrap, not {name!r}")
    if name != "auto":
        return _cached(name)
    try:
        return _cached("docker")
    except SandboxUnavailable as docker_problem:
        try:
            return _cached("bubblewrap")
        except SandboxUnavailable:
            raise docker_problem from None


def sandbox_reset() -> None:
    """Forgets the cached backends (after the engine restarted, or in tests)."""
    _cached.cache_clear()


def bank_backend(*, trusted: bool) -> Backend:
    """The backend that runs a bank's own solutions on import.

    The public bank is ours: when no sandbox is installed (a laptop running `make up`
    without Docker), its solutions may run in a plain subprocess. An organization's
    questions are not ours, so they always go through the sandbox.
    """
    try:
        return sandbox_backend()
    except SandboxUnavailable:
        if not trusted:
            raise
        log.warning("no sandbox available: running the public bank's solutions in a plain subprocess")
        return SubprocessBackend()
