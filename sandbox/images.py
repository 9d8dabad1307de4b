"""The sandbox image: Debian 12's Python 3 and NumPy plus the harness.

Its tag carries a hash of everything that goes into it, so an image is built once
and reused until the Dockerfile, the offline build script or the harness change.
Two ways to build the same contents:

- ``registry``: ``docker build`` from ``images/python/Dockerfile`` (needs a registry
  for the ``debian:bookworm-slim`` base);
- ``offline``: ``images/python/build-rootfs.sh`` makes a root filesystem with
  debootstrap from the host's Debian mirror, and ``docker import`` turns it into an
  image. The bubblewrap backend uses that root filesystem directly.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from sandbox.backends import HARNESS_PATH

log = logging.getLogger(__name__)

SANDBOX_DIR = Path(__file__).resolve().parent
IMAGE_DIR = SANDBOX_DIR / "images" / "python"
IMAGE_REPOSITORY = "mockloop-sandbox-python"
HARNESS_IN_IMAGE = "/opt/mockloop/harness.py"
SANDBOX_USER = "65534:65534"
_INPUTS = (IMAGE_DIR / "Dockerfile", IMAGE_DIR / "build-rootfs.sh", HARNESS_PATH)


class ImageBuildError(RuntimeError):
    pass


def inputs_hash() -> str:
    digest = hashlib.sha256()
    for path in _INPUTS:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def image_tag() -> str:
    return f"{IMAGE_REPOSITORY}:{inputs_hash()}"


def rootfs_path(cache_dir: Path) -> Path:
    """Where the offline build keeps its root filesystem (used by bubblewrap too).

    Keyed by the build script alone: the harness is added when the image is made
    (and bound in by bubblewrap), so changing it never re-runs debootstrap.
    """
    script = (IMAGE_DIR / "build-rootfs.sh").read_bytes()
    return cache_dir / f"rootfs-{hashlib.sha256(script).hexdigest()[:16]}"


def rootfs_ready(cache_dir: Path) -> bool:
    return (rootfs_path(cache_dir) / ".mockloop-complete").is_file()


def rootfs_build(cache_dir: Path) -> Path:
    """Builds the root filesystem with debootstrap (a few minutes), unless it exists.

    One build at a time per cache directory (a file lock): two processes starting at once
    (test runs, workers) would otherwise debootstrap into the same partial directory."""
    target = rootfs_path(cache_dir)
    if rootfs_ready(cache_dir):
        return target
    if shutil.which("debootstrap") is None:
        raise ImageBuildError("debootstrap is not installed (apt-get install debootstrap)")
    cache_dir.mkdir(parents=True, exist_ok=True)
    with open(cache_dir / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if rootfs_ready(cache_dir):
            return target  # built by whoever held the lock before us
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        log.info("building the sandbox root filesystem in %s", partial)
        result = subprocess.run(
            ["sh", str(IMAGE_DIR / "build-rootfs.sh"), str(partial)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise ImageBuildError(f"build-rootfs.sh failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        (partial / ".mockloop-complete").write_text("built by sandbox/images/python/build-rootfs.sh\n")
        partial.rename(target)
        for old in cache_dir.glob("rootfs-*"):
            if old != target and not old.name.endswith(".partial"):
                shutil.rmtree(old, ignore_errors=True)
    return target


def _tar_file(root: Path, path: Path) -> Path:
    with tarfile.open(path, mode="w") as tar:
        for child in sorted(root.iterdir()):
            if child.name in ("proc", "sys", "dev"):
                info = tarfile.TarInfo(child.name)
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
                continue
            if child.name != ".mockloop-complete":
                tar.add(
                    child, arcname=child.name, filter=lambda info: None if info.name == HARNESS_IN_IMAGE.lstrip("/") else info
                )
        info = tar.gettarinfo(str(HARNESS_PATH), arcname=HARNESS_IN_IMAGE.lstrip("/"))
        info.uid = info.gid = 0
        info.mode = 0o644
        with HARNESS_PATH.open("rb") as harness:
            tar.addfile(info, harness)
    return path


def image_exists(client: Any, tag: str | None = None) -> bool:
    import docker.errors

    try:
        client.images.get(tag or image_tag())
    except docker.errors.ImageNotFound:
        return False
    return True


def image_build(client: Any, *, cache_dir: Path, method: str = "auto") -> str:
    """Makes sure the current image exists in the engine; returns its tag."""
    tag = image_tag()
    if image_exists(client, tag):
        return tag
    if method == "auto":
        method = "offline" if shutil.which("debootstrap") else "registry"
    if method == "registry":
        log.info("building %s from the Dockerfile", tag)
        client.images.build(path=str(SANDBOX_DIR), dockerfile="images/python/Dockerfile", tag=tag, rm=True)
    elif method == "offline":
        root = rootfs_build(cache_dir)
        log.info("importing %s from %s", tag, root)
        repository, _, version = tag.partition(":")
        archive = _tar_file(root, cache_dir / f"{root.name}.tar")
        try:
            response = client.api.import_image_from_file(
                str(archive),
                repository=repository,
                tag=version,
                changes=[
                    f"USER {SANDBOX_USER}",
                    "WORKDIR /work",
                    f'CMD ["python3", "-I", "{HARNESS_IN_IMAGE}"]',
                    "ENV LANG=C.UTF-8",
                ],
            )
        finally:
            archive.unlink(missing_ok=True)
        if "error" in str(response).lower() and not image_exists(client, tag):
            raise ImageBuildError(f"docker import failed: {response}")
    else:
        raise ImageBuildError(f"unknown build method {method!r}; use auto, offline or registry")
    client.images.get(tag).tag(IMAGE_REPOSITORY, "latest")
    return tag
