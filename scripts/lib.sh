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
