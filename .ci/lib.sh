# Shell helpers for the Makefile and .ci/run. Sourced, not run: `. .ci/lib.sh`.
# Every step is idempotent and installs only what is missing, so a second `make run` starts at once.

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$PROJECT_DIR/.venv"
VAR_DIR="${PORTAL_VAR_DIR:-$PROJECT_DIR/var}"
export DEBIAN_FRONTEND=noninteractive

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# Runs a command as root: directly when we are root, else through password-less sudo.
as_root() {
    if is_root; then "$@"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo -n "$@"
    else fail "'$*' needs root. Run it as root (or with sudo), or install the packages above yourself."
    fi
}

deb_installed() { dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'; }

APT_UPDATED=""
# ensure_debs PACKAGE...: installs the Debian packages that `dpkg -s` says are missing; apt-get update once first.
ensure_debs() {
    local missing=() package
    for package in "$@"; do
        deb_installed "$package" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "Installing Debian packages: ${missing[*]}"
    if [ -z "$APT_UPDATED" ]; then
        as_root apt-get update -q >&2
        APT_UPDATED=1
    fi
    # apt's output goes to stderr: callers may be capturing stdout (e.g. a port number).
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
}

# The Python the project runs on: 3.11 (pyproject.toml: requires-python >=3.11,<3.12).
find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3; do
        [ -n "$candidate" ] && command -v "$candidate" >/dev/null || continue
        if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    fail "Python 3.11 not found. On Debian 12: apt-get install python3 python3-venv (or set PYTHON=/path/to/python3.11)."
}

# ensure_venv LOCKFILE: creates .venv if missing and installs LOCKFILE with hashes, only when it changed
# since the last install (its SHA-256 is kept in a stamp file under .venv).
ensure_venv() {
    local lockfile="$PROJECT_DIR/$1" python stamp wanted
    if [ ! -x "$VENV/bin/python" ]; then
        python="$(find_python)"
        say "Creating .venv with $python"
        if ! "$python" -m venv "$VENV" 2>/dev/null; then
            # Debian's python3 ships venv's pip in a separate package.
            rm -rf "$VENV"
            [ "$python" = /usr/bin/python3 ] || [ "$python" = /usr/bin/python3.11 ] || fail "$python -m venv failed."
            ensure_debs python3-venv
            "$python" -m venv "$VENV"
        fi
    fi
    stamp="$VENV/.installed-$(basename "$lockfile").sha256"
    wanted="$(sha256sum "$lockfile" | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        say "Installing Python packages from $(basename "$lockfile") (hash-checked)"
        "$VENV/bin/python" -m pip install --disable-pip-version-check -q --require-hashes -r "$lockfile"
        echo "$wanted" >"$stamp"
    fi
}

# Compiles the translation catalogues, if there are any yet (a fresh project has none).
compile_messages() {
    local catalogue
    catalogue="$(cd "$PROJECT_DIR" && find . \( -path ./.venv -o -path ./var -o -path ./node_modules -o -path ./.git \) \
        -prune -o -name '*.po' -print -quit)"
    if [ -z "$catalogue" ]; then
        say "No translation catalogues yet: nothing to compile"
        return 0
    fi
    say "Compiling translations"
    (cd "$PROJECT_DIR" && "$VENV/bin/python" manage.py compilemessages -v 0 \
        --ignore .venv --ignore var --ignore node_modules --ignore .git)
}

free_port() {
    local python="$VENV/bin/python"
    "$python" -c '' 2>/dev/null || python="$(find_python)"
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- PostgreSQL --------------------------------------------------------------------------------------------

# The newest installed PostgreSQL's programs (initdb, pg_ctl are not on PATH on Debian).
postgres_bindir() {
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    [ -n "$dir" ] || fail "PostgreSQL is not installed."
    echo "$dir"
}

postgres_sql() {  # postgres_sql PORT SQL: runs SQL as the superuser postgres over the local socket
    (cd / && as_root runuser -u postgres -- psql -p "$1" -X -q -t -A -v ON_ERROR_STOP=1 -d postgres -c "$2")
}

# Creates (or repairs) the role portal/portal with CREATEDB and its database. A password role works both
# under trust and under password (scram/md5) authentication on loopback.
postgres_ensure_role() {
    local port="$1"
    if [ "$(postgres_sql "$port" "SELECT 1 FROM pg_roles WHERE rolname = 'portal'")" = 1 ]; then
        postgres_sql "$port" "ALTER ROLE portal WITH LOGIN CREATEDB PASSWORD 'portal'" >/dev/null
    else
        postgres_sql "$port" "CREATE ROLE portal WITH LOGIN CREATEDB PASSWORD 'portal'" >/dev/null
    fi
    if [ "$(postgres_sql "$port" "SELECT 1 FROM pg_database WHERE datname = 'portal'")" != 1 ]; then
        postgres_sql "$port" "CREATE DATABASE portal OWNER portal" >/dev/null
    fi
}

# As root: the machine's cluster (installed and started if need be). Prints its port.
system_postgres() {
    ensure_debs postgresql
    local version port status
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
    if [ -z "$version" ] || [ ! -d "/etc/postgresql/$version/main" ]; then
        version="$(basename "$(dirname "$(postgres_bindir)")")"
        say "Creating PostgreSQL $version cluster main"
        pg_createcluster "$version" main >&2
    fi
    read -r port status < <(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3, $4}')
    if [ "${status%%,*}" != online ]; then
        say "Starting PostgreSQL $version main on port $port"
        pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2
    fi
    for _ in $(seq 1 60); do
        pg_isready -q -h 127.0.0.1 -p "$port" && break
        sleep 0.5
    done
    pg_isready -q -h 127.0.0.1 -p "$port" || fail "PostgreSQL on port $port does not answer."
    postgres_ensure_role "$port"
    echo "$port"
}

# Not root: a private cluster under var/postgres (initdb refuses to run as root, so this is the other case).
# Started once and reused; prints its port.
private_postgres() {
    local bindir data="$VAR_DIR/postgres/data" socket_dir="$VAR_DIR/postgres" port
    bindir="$(postgres_bindir)"
    mkdir -p "$socket_dir"
    if [ ! -f "$data/PG_VERSION" ]; then
        say "Creating a private PostgreSQL cluster in $data"
        "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    port="$(cat "$socket_dir/port" 2>/dev/null || true)"
    if ! "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        port="$(free_port)"
        echo "$port" >"$socket_dir/port"
        say "Starting the private PostgreSQL on port $port"
        "$bindir/pg_ctl" -D "$data" -l "$socket_dir/server.log" -w -o \
            "-p $port -k $socket_dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
    fi
    local psql=("$bindir/psql" -h "$socket_dir" -p "$port" -U postgres -X -q -t -A -d postgres -c)
    [ "$("${psql[@]}" "SELECT 1 FROM pg_roles WHERE rolname = 'portal'")" = 1 ] ||
        "${psql[@]}" "CREATE ROLE portal WITH LOGIN CREATEDB PASSWORD 'portal'" >/dev/null
    [ "$("${psql[@]}" "SELECT 1 FROM pg_database WHERE datname = 'portal'")" = 1 ] ||
        "${psql[@]}" "CREATE DATABASE portal OWNER portal" >/dev/null
    echo "$port"
}

# Sets DATABASE_URL unless it is set already.
ensure_database_url() {
    [ -n "${DATABASE_URL:-}" ] && return 0
    local port
    if is_root; then
        port="$(system_postgres)"
    else
        command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || ensure_debs postgresql
        port="$(private_postgres)"
    fi
    export DATABASE_URL="postgres://portal:portal@127.0.0.1:$port/portal"
}

# --- Redis ---------------------------------------------------------------------------------------------------

redis_answers() {  # redis_answers URL
    "$VENV/bin/python" - "$1" <<'PY' 2>/dev/null
import sys
import redis
redis.Redis.from_url(sys.argv[1], socket_timeout=2, socket_connect_timeout=2).ping()
PY
}

# Sets CELERY_BROKER_URL (the tests' real worker) unless it is set: Redis on 127.0.0.1:6379 database 15,
# started under var/redis if nothing answers there.
ensure_broker_url() {
    [ -n "${CELERY_BROKER_URL:-}" ] && return 0
    local url="redis://127.0.0.1:6379/15" port
    if ! redis_answers "$url"; then
        command -v redis-server >/dev/null || ensure_debs redis-server
        port=6379
        "$VENV/bin/python" -c 'import socket; socket.create_connection(("127.0.0.1", 6379), 1)' 2>/dev/null &&
            port="$(free_port)"
        mkdir -p "$VAR_DIR/redis"
        say "Starting Redis on 127.0.0.1:$port"
        redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
            --dir "$VAR_DIR/redis" --logfile "$VAR_DIR/redis/redis.log" --pidfile "$VAR_DIR/redis/redis.pid"
        url="redis://127.0.0.1:$port/15"
        for _ in $(seq 1 40); do
            redis_answers "$url" && break
            sleep 0.25
        done
        redis_answers "$url" || fail "Redis on port $port does not answer."
    fi
    export CELERY_BROKER_URL="$url"
}
