#!/usr/bin/env bash
# A PostgreSQL server of its own in one folder, from Debian's binaries (package postgresql),
# listening only on 127.0.0.1: for the store's tests, CI and replicas sharing one store.
#
#   scripts/postgres.sh start DIR   initialise DIR on first use, start the server, print its URL
#   scripts/postgres.sh url DIR     print the SQLAlchemy URL (FOOTPRINT_DATABASE_URL)
#   scripts/postgres.sh stop DIR    stop the server (the data stays in DIR)
#
# PORT picks the port on first start (default: a free one; later starts reuse it).
# SERVER_OPTIONS adds server settings (tests: "-c fsync=off"). PG_BIN overrides the binaries.
# Database and user are "footprint"; the password is random, in DIR/password. As root, the
# server runs as the user postgres (it refuses to run as root) and owns DIR.
set -euo pipefail
umask 077

command=${1:-}
dir=${2:-}
if [[ -z $command || -z $dir ]]; then
    sed -n '5,7p' "$0" >&2
    exit 2
fi
bin=${PG_BIN:-$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null \
    | sort -V | tail -n 1)}
if [[ ! -x $bin/pg_ctl || ! -x $bin/initdb ]]; then
    echo "PostgreSQL server binaries not found under /usr/lib/postgresql/<version>/bin:" \
        "run 'apt-get install -y postgresql' (Debian/Ubuntu)" >&2
    exit 3
fi

as_server() {
    if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

url() {
    echo "postgresql+psycopg://footprint:$(cat "$dir/password")@127.0.0.1:$(cat "$dir/port")/footprint"
}

start() {
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    local fresh=""
    if [[ ! -f $dir/data/PG_VERSION ]]; then
        fresh=1
        head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$dir/password"
        echo "${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}" >"$dir/port"
        mkdir -p "$dir/socket"
        if [[ $(id -u) == 0 ]]; then chown -R postgres: "$dir"; fi
        as_server "$bin/initdb" --pgdata="$dir/data" --username=footprint \
            --pwfile="$dir/password" --auth-local=trust --auth-host=scram-sha-256 \
            --encoding=UTF8 --no-locale >"$dir/initdb.log"
    fi
    local port
    port=$(cat "$dir/port")
    as_server "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/socket ${SERVER_OPTIONS:-}" \
        start >/dev/null
    if [[ -n $fresh ]]; then
        as_server "$bin/createdb" --host="$dir/socket" --port="$port" --username=footprint \
            footprint
    fi
    url
}

stop() {
    if as_server "$bin/pg_ctl" --pgdata="$dir/data" status >/dev/null 2>&1; then
        as_server "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop >/dev/null
    fi
}

case $command in
    start) start ;;
    stop) stop ;;
    url) url ;;
    *) sed -n '5,7p' "$0" >&2; exit 2 ;;
esac
