"""`make up` is safe by default: DEBUG off, a secret key kept in var/, static files served
by WhiteNoise, branded error pages (JSON under /api/), and bound to 127.0.0.1.

The environment is the one scripts/up builds (``up_environment`` in scripts/lib.sh), read
back from bash; the server is gunicorn started in it, as scripts/up starts it, on a
temporary var/ directory (SQLite, static files, key) and a free port.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from config import urls as config_urls

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PASSWORD = "correct-horse-battery-9"
# What scripts/test sets for the suite, and a shell running `make up` would not have.
_RUNNER_ONLY = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "HOST",
    "PORT",
    "SITE_URL",
    "STATIC_ROOT",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "LOG_FORMAT",
    "GUNICORN_BIND",
    "MOCKLOOP_VAR_DIR",
    "PROMETHEUS_MULTIPROC_DIR",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)
# Pieces of Django's technical pages (404 lists the URL patterns, 500 shows the traceback).
_TECHNICAL = ("Traceback", "URLconf", "urlpatterns", "api/auth/token/", "DEBUG = True", "Django tried these URL patterns")


def up_environment(var_dir: Path, **env: str) -> dict[str, str]:
    """The environment scripts/up starts web, worker and beat in, plus URL."""
    base = {k: v for k, v in os.environ.items() if k not in _RUNNER_ONLY and not k.startswith("PYTEST")}
    base.update(MOCKLOOP_VAR_DIR=str(var_dir), **env)
    result = subprocess.run(
        ["bash", "-c", "source scripts/lib.sh && up_environment && export URL && env -0"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        check=True,
        timeout=60,
    )
    pairs = (item.split("=", 1) for item in result.stdout.decode().split("\0") if "=" in item)
    return dict(pairs)


def django_settings(env: dict[str, str], *names: str) -> dict[str, object]:
    """These settings as Django loads them in ``env`` (a process of its own)."""
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- DEBUG, the secret key, the bind address ------------------------------------------


def test_make_up_runs_with_debug_off(tmp_path):
    env = up_environment(tmp_path)
    assert env["DEBUG"] == "false"
    loaded = django_settings(env, "DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")
    # Plain HTTP on this machine: no redirect to HTTPS, cookies a browser sends back over HTTP.
    assert loaded == {"DEBUG": False, "SECURE_SSL_REDIRECT": False, "SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False}


def test_debug_is_an_explicit_opt_in(tmp_path):
    env = up_environment(tmp_path, DEBUG="true")
    assert django_settings(env, "DEBUG") == {"DEBUG": True}


def test_the_secret_key_is_made_once_and_kept(tmp_path):
    first = up_environment(tmp_path)
    key_file = tmp_path / "secret_key"
    key = key_file.read_text().strip()
    assert len(key) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert first["SECRET_KEY"] == key
    assert django_settings(first, "SECRET_KEY") == {"SECRET_KEY": key}

    # The next `make up` uses the same key: sessions and signed links survive restarts.
    assert up_environment(tmp_path)["SECRET_KEY"] == key
    # Another checkout (another var/) gets a key of its own.
    other = tmp_path / "other"
    other.mkdir()
    assert up_environment(other)["SECRET_KEY"] not in (key, "")


def test_a_secret_key_in_the_environment_wins_and_none_is_written(tmp_path):
    env = up_environment(tmp_path, SECRET_KEY="from-the-operator-" + "x" * 40)
    assert env["SECRET_KEY"] == "from-the-operator-" + "x" * 40
    assert not (tmp_path / "secret_key").exists()


def test_the_kept_key_is_never_committed():
    for generated in ("var/secret_key", "var/static/js/editor.bundle.js"):
        assert subprocess.run(["git", "check-ignore", "-q", generated], cwd=ROOT).returncode == 0, generated


def test_production_still_refuses_to_start_without_a_secret_key(tmp_path):
    # Only `make up` reads var/secret_key: settings never fall back to it.
    (tmp_path / "secret_key").write_text("a-key-left-by-make-up-" + "y" * 40)
    env = {k: v for k, v in os.environ.items() if k not in _RUNNER_ONLY}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "MOCKLOOP_VAR_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_binds_127_0_0_1_unless_host_says_otherwise(tmp_path):
    env = up_environment(tmp_path, PORT="8123")
    assert env["GUNICORN_BIND"] == "127.0.0.1:8123"
    assert env["URL"] == "http://127.0.0.1:8123/"
    assert env["SITE_URL"] == "http://127.0.0.1:8123"
    assert {"127.0.0.1", "localhost"} <= set(env["ALLOWED_HOSTS"].split(","))

    everywhere = up_environment(tmp_path, HOST="0.0.0.0", PORT="8123")  # noqa: S104
    assert everywhere["GUNICORN_BIND"] == "0.0.0.0:8123"
    # Reached from other machines by this one's name: those Host headers are allowed.
    assert socket.gethostname() in everywhere["ALLOWED_HOSTS"].split(",")
    assert everywhere["URL"] == "http://127.0.0.1:8123/"


# --- the server `make up` starts ------------------------------------------------------


@dataclass
class Served:
    url: str
    port: int
    session_id: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_SETUP = f"""
from pathlib import Path
from accounts.models import Role, User
from interview import services
from interview.models import InterviewTemplate, TemplateSection
from questions.models import Question
from questions.services import bank_import

bank_import(root=Path("tests/data/bank/ml_fundamentals"))
template = InterviewTemplate.objects.create(slug="mini", title="Mini", total_minutes=30)
section = TemplateSection.objects.create(template=template, position=1, title="Choice")
section.questions.add(Question.objects.get(slug="pick-metric"))
alice = User.objects.create_user("alice@example.test", {PASSWORD!r}, name="Alice", role=Role.CANDIDATE)
print(services.practice_start(candidate=alice, template=template).id)
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    port = _free_port()
    env = up_environment(var_dir, PORT=str(port))
    env.update(WEB_CONCURRENCY="1", GUNICORN_THREADS="4")

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--no-input", "-v0")
    # As scripts/up does, with the vendors' directories left out: compressing their 40 MB
    # takes a minute on two cores, and the pages under test load only our own files.
    manage("collectstatic", "--no-input", "-v0", "-i", "admin", "-i", "rest_framework", "-i", "drf_spectacular_sidecar")
    session_id = int(manage("shell", "-c", _SETUP).strip().splitlines()[-1])

    log = (var_dir / "web.log").open("w")
    web = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "config.wsgi", "--config", "config/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # The first answer waits for the worker to boot (seconds, on a busy machine).
        for _ in range(150):
            try:
                with urllib.request.urlopen(env["URL"] + "login/", timeout=60):  # noqa: S310
                    break
            except OSError:
                assert web.poll() is None, (var_dir / "web.log").read_text()
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer:\n" + (var_dir / "web.log").read_text())
        yield Served(url=env["URL"], port=port, session_id=session_id)
    finally:
        web.terminate()
        try:
            web.wait(timeout=30)
        except subprocess.TimeoutExpired:
            web.kill()
            web.wait()
        log.close()


def _fetch(opener: urllib.request.OpenerDirector, url: str, data: dict[str, str] | None = None):
    """(status, headers, body) of a request, errors included."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(url, data=body, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _browser() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def test_it_listens_on_127_0_0_1_only(served):
    # /proc/net/tcp lists listening sockets (state 0A) as hex address:port.
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port = local.rsplit(":", 1)
            if state == "0A" and int(port, 16) == served.port:
                listening.add(address)
    assert listening == {"0100007F"}  # 127.0.0.1, little-endian


def test_the_candidate_page_loads_its_scripts_and_styles(served):
    browser = _browser()
    status, headers, page = _fetch(browser, served.url + "login/")
    assert status == 200
    # Served over plain HTTP, the cookies must not be Secure, or the browser never sends them back.
    cookies = headers.get_all("Set-Cookie")
    assert cookies and not [cookie for cookie in cookies if "secure" in cookie.lower()]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    status, _, _ = _fetch(
        browser,
        served.url + "login/",
        {"username": "alice@example.test", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert status == 200

    status, _, page = _fetch(browser, f"{served.url}sessions/{served.session_id}/")
    assert status == 200
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.decode())
    names = {re.sub(r"\.[0-9a-f]{12}\.", ".", asset.removeprefix("/static/")): asset for asset in assets}
    assert {"js/editor.bundle.js", "js/session.js", "css/app.css"} <= names.keys()
    for name, asset in names.items():
        # The production storage: names carry a hash of the content, cached for good.
        assert asset != f"/static/{name}"
        status, headers, body = _fetch(_browser(), served.url.rstrip("/") + asset)
        assert status == 200, asset
        kind = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}[Path(name).suffix]
        assert headers["Content-Type"].startswith(kind), (asset, headers["Content-Type"])
        assert "immutable" in headers["Cache-Control"]
        if name.endswith(".js"):
            assert body == (ROOT / "static" / name).read_bytes()


def test_an_unknown_page_gets_the_branded_404(served):
    status, headers, body = _fetch(_browser(), served.url + "no-such-page/")
    page = body.decode()
    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    assert "Page not found" in page and 'class="brand"' in page
    assert not [piece for piece in _TECHNICAL if piece in page]


def test_an_unknown_api_path_gets_a_json_404(served):
    status, headers, body = _fetch(_browser(), served.url + "api/no-such-endpoint/")
    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"error": {"code": "not_found", "message": "There is no such API endpoint or object."}}


# --- 403 and 500, from views made to fail (this module is their URLconf) ---------------

SECRET_DETAIL = "connection to 10.0.0.5 refused, password=hunter2"


def _fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET_DETAIL)


def _forbid(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(SECRET_DETAIL)


class _FailingApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request: Request) -> HttpResponse:
        raise RuntimeError(SECRET_DETAIL)


urlpatterns = [
    path("fail/", _fail),
    path("forbidden/", _forbid),
    path("api/fail/", _FailingApi.as_view()),
    path("api/forbidden/", _forbid),
    *config_urls.urlpatterns,
]
handler403 = config_urls.handler403
handler404 = config_urls.handler404
handler500 = config_urls.handler500


@pytest.fixture
def visitor(settings):
    """A client that gets the error answers, as a browser would, rather than the exception."""
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.urls(__name__)
def test_a_failure_gets_the_branded_500_without_the_database(visitor):
    # No database access is allowed in this test, and the session cookie would make any
    # context processor load the session: the page must come from the template alone.
    visitor.cookies["sessionid"] = "x" * 32
    response = visitor.get("/fail/", HTTP_X_REQUEST_ID="req-1234abcd")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page and 'class="brand"' in page
    assert "req-1234abcd" in page  # what the user quotes to find the log lines
    assert SECRET_DETAIL not in page and "RuntimeError" not in page
    assert not [piece for piece in _TECHNICAL if piece in page]


@pytest.mark.urls(__name__)
def test_an_api_failure_gets_a_json_500(visitor):
    response = visitor.get("/api/fail/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"code": "server_error", "message": "Something went wrong on our side. Try again later."}}


@pytest.mark.urls(__name__)
def test_a_refusal_gets_the_branded_403(visitor):
    response = visitor.get("/forbidden/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Not allowed" in page and 'class="brand"' in page
    assert SECRET_DETAIL not in page


@pytest.mark.urls(__name__)
def test_an_api_refusal_gets_a_json_403(visitor):
    response = visitor.get("/api/forbidden/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "permission_denied"
    assert SECRET_DETAIL not in response.content.decode()


def test_a_request_for_another_host_gets_a_json_400_under_the_api(visitor):
    # A Host header ALLOWED_HOSTS does not list (DisallowedHost) is answered before any view.
    response = visitor.get("/api/me/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "bad_request", "message": "The request could not be understood."}}
    page = visitor.get("/login/", HTTP_HOST="attacker.example").content.decode()
    assert "attacker.example" not in page and not [piece for piece in _TECHNICAL if piece in page]


def test_a_csrf_failure_gets_the_branded_page(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/signup/", {"email": "x@example.test"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "This form has expired" in body and "CSRF verification failed" not in body
