"""docker-compose.yml declares the whole stack and is valid."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed (.ci/run installs it)")
def test_docker_compose_config_is_valid():
    result = subprocess.run(["docker-compose", "config", "-q"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_it_declares_the_full_stack_and_workers_scale():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {"postgres", "redis", "web", "worker", "beat", "sandbox-image"} <= set(services)
    worker = services["worker"]
    assert "/var/run/docker.sock:/var/run/docker.sock" in worker["volumes"]
    # `--scale worker=N` needs workers without fixed names or published ports.
    assert "container_name" not in worker and "ports" not in worker
    assert worker["depends_on"]["sandbox-image"] == {"condition": "service_completed_successfully"}
    # The image is built through the engine with the hash tag the workers look for.
    assert services["sandbox-image"]["command"][-3:] == ["build_sandbox_image", "--method", "registry"]
    assert (ROOT / "sandbox/images/python/Dockerfile").is_file()
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
