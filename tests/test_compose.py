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


def test_it_declares_the_full_stack():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {"postgres", "redis", "web", "worker", "beat", "sandbox-image"} <= set(services)
    assert "/var/run/docker.sock:/var/run/docker.sock" in services["worker"]["volumes"]
    assert services["sandbox-image"]["build"] == {"context": "sandbox", "dockerfile": "images/python/Dockerfile"}
    assert (ROOT / "sandbox/images/python/Dockerfile").is_file()
