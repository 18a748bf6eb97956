#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (and for trying Veille's PostgreSQL backend).
#
#   scripts/postgres.sh start [DIR]   initdb a new cluster in DIR (default: a new temp dir),
#                                     start it on a free 127.0.0.1 port with its unix socket in
#                                     DIR, create the database "veille" and print two lines:
#                                       url=postgresql://veille@127.0.0.1:PORT/veille
#                                       dir=DIR
#   scripts/postgres.sh stop DIR      stop that server and delete DIR.
#
# The cluster trusts local connections (no password): it is for tests only. PostgreSQL
# refuses to run as root, so under root (as in CI) the server runs as the `postgres` system
# user, which then owns DIR. Exit status 3 means no PostgreSQL server binaries were found
# (install Debian's `postgresql`, see scripts/system-packages.sh, or set PG_BINDIR).
set -euo pipefail

die() { echo "postgres.sh: $1" >&2; exit "${2:-1}"; }

find_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then echo "$PG_BINDIR"; return; fi
    local found
    found=$(compgen -G "/usr/lib/postgresql/*/bin/postgres" | sort -V | tail -n 1 || true)
    if [ -n "$found" ]; then dirname "$found"; return; fi
    if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; return; fi
}

# Run a command as the user that owns the cluster.
as_owner() {
    if [ "$(id -u)" -ne 0 ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@"
    else
        su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    local bindir dir port started=""
    bindir=$(find_bindir)
    [ -n "$bindir" ] && [ -x "$bindir/postgres" ] || die "no PostgreSQL server binaries found" 3
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user" 3
    fi
    dir=${1:-$(mktemp -d "${TMPDIR:-/tmp}/veille-pg.XXXXXX")}
    mkdir -p "$dir"
    # Under root the server user must own the cluster and reach it (a mktemp dir is 0700).
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"

    local locale=(--no-locale)
    # A UTF-8 locale makes lower() fold non-ASCII capitals, as DuckDB's lower() does.
    locale -a 2>/dev/null | grep -qix 'c.utf-\?8' && locale=(--locale=C.UTF-8)
    as_owner "$bindir/initdb" -D "$dir/data" -U veille --auth=trust -E UTF8 "${locale[@]}" \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }

    # The port is free when chosen but may be taken before the server binds it: retry.
    for _ in 1 2 3 4 5; do
        port=$(free_port)
        if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
        then
            started=yes
            break
        fi
    done
    [ -n "$started" ] || { tail -n 20 "$dir/postgres.log" >&2; die "the server did not start"; }
    as_owner "$bindir/createdb" -h "$dir" -p "$port" -U veille veille
    echo "url=postgresql://veille@127.0.0.1:$port/veille"
    echo "dir=$dir"
}

stop() {
    local dir=${1:?usage: postgres.sh stop DIR} bindir
    bindir=$(find_bindir)
    if [ -f "$dir/data/postmaster.pid" ] && [ -n "$bindir" ]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    start) shift; start "$@" ;;
    stop) shift; stop "$@" ;;
    *) die "usage: postgres.sh start [DIR] | stop DIR" 2 ;;
esac
