#!/usr/bin/env bash
# tests/pg/pg_cluster.sh — a throwaway PostgreSQL cluster for the test suites.
#
#   pg_cluster.sh start DIR PORT   create a fresh cluster, print its URL
#   pg_cluster.sh stop  DIR PORT   stop it and remove its files
#
# The cluster listens on 127.0.0.1:PORT only (trust auth, fsync off: the data
# is disposable) and has a role `vipcare` owning a database `vipcare_test`.
# Run as root, the server runs as the `postgres` user, which refuses to run as
# root; if that user cannot reach DIR, the cluster lives in /tmp/vipcare-pg-PORT
# and DIR/location records where.
set -euo pipefail

readonly kMarker=".vipcare-pg-cluster"
# A Unix socket path must fit in sockaddr_un (108 bytes with the NUL).
readonly kMaxSocketDirLength=90

die() {
  echo "pg_cluster.sh: $*" >&2
  exit 1
}

usage() {
  echo "usage: pg_cluster.sh start|stop DIR PORT" >&2
  exit 2
}

[[ $# -eq 3 ]] || usage
readonly command="$1"
[[ -n "$2" ]] || usage
dir="$(realpath -m -- "$2")"
readonly dir
readonly port="$3"
if ! [[ "$port" =~ ^[1-9][0-9]*$ ]] || ((port > 65535)); then
  die "bad port '$port'"
fi
[[ "$dir" != "/" ]] || die "refusing to use / as the cluster folder"

run_as_root=false
[[ "$(id -u)" -eq 0 ]] && run_as_root=true
readonly run_as_root

# Runs a PostgreSQL binary as the user that owns the cluster.
as_pg() {
  if $run_as_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The bin folder of the newest installed PostgreSQL.
find_bindir() {
  local candidate best=""
  while IFS= read -r candidate; do
    [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]] && best="$candidate"
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
  if [[ -z "$best" ]] && command -v pg_config >/dev/null; then
    candidate="$(pg_config --bindir 2>/dev/null || true)"
    [[ -x "$candidate/initdb" ]] && best="$candidate"
  fi
  if [[ -z "$best" ]] && command -v initdb >/dev/null; then
    best="$(dirname "$(command -v initdb)")"
  fi
  [[ -n "$best" ]] || die "no PostgreSQL server binaries found (install the postgresql package)"
  echo "$best"
}

# Where the cluster of DIR lives: DIR itself or the folder DIR/location names.
cluster_root() {
  if [[ -f "$dir/location" ]]; then
    cat "$dir/location"
  else
    echo "$dir"
  fi
}

# Removes a folder this script created (it holds the marker) or an empty one;
# anything else is left alone so a wrong DIR argument cannot wipe real data.
remove_cluster_folder() {
  local folder="$1"
  [[ -e "$folder" ]] || return 0
  if [[ -f "$folder/$kMarker" ]] || [[ -z "$(ls -A "$folder")" ]]; then
    rm -rf -- "$folder"
  else
    die "$folder exists and is not a vipcare test cluster; remove it by hand"
  fi
}

# Stops the server of the cluster at `root` if one is running there.
stop_server() {
  local root="$1" bindir="$2"
  [[ -f "$root/data/postmaster.pid" ]] || return 0
  if ! as_pg "$bindir/pg_ctl" -D "$root/data" -m fast -w -t 60 stop >/dev/null 2>&1; then
    # pg_ctl status exits 3 when no server runs (a stale pid file).
    local status=0
    as_pg "$bindir/pg_ctl" -D "$root/data" status >/dev/null 2>&1 || status=$?
    [[ $status -eq 3 ]] || die "could not stop the server in $root/data"
  fi
}

port_in_use() {
  local bindir="$1" status=0
  "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -t 2 || status=$?
  # 0: accepting, 1: rejecting (starting up or shutting down) — both mean a
  # server holds the port.
  [[ $status -eq 0 || $status -eq 1 ]]
}

start() {
  local bindir root
  bindir="$(find_bindir)"
  if $run_as_root; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user"
  fi
  # The postgres user may not be able to read the caller's working folder.
  cd /

  # Leftovers of an earlier, aborted run in the same DIR.
  if [[ -e "$dir" ]]; then
    root="$(cluster_root)"
    stop_server "$root" "$bindir"
    [[ "$root" != "$dir" ]] && remove_cluster_folder "$root"
    remove_cluster_folder "$dir"
  fi
  port_in_use "$bindir" && die "port $port is already used by another server"

  mkdir -p -- "$dir"
  touch "$dir/$kMarker"
  root="$dir"
  if $run_as_root; then
    chown postgres:postgres "$dir" "$dir/$kMarker"
    runuser -u postgres -- test -w "$dir" -a -x "$dir" || root=""
  fi
  if [[ -z "$root" || $((${#dir} + 20)) -gt $kMaxSocketDirLength ]]; then
    root="/tmp/vipcare-pg-$port"
    if [[ -e "$root" ]]; then
      stop_server "$root" "$bindir"
      remove_cluster_folder "$root"
    fi
    mkdir -p -- "$root"
    touch "$root/$kMarker"
    $run_as_root && chown postgres:postgres "$root" "$root/$kMarker"
    echo "$root" >"$dir/location"
  fi

  local locale="C"
  if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
    locale="C.UTF-8"
  fi
  local log="$root/server.log"
  if ! as_pg "$bindir/initdb" -D "$root/data" --auth=trust --username=postgres \
      --encoding=UTF8 --locale="$locale" --no-sync >"$root/initdb.log" 2>&1; then
    cat "$root/initdb.log" >&2
    die "initdb failed in $root/data"
  fi
  # Appended settings win over the defaults above them.
  cat >>"$root/data/postgresql.conf" <<EOF

# vipcare test cluster
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$root'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
  if ! as_pg "$bindir/pg_ctl" -D "$root/data" -l "$log" -w -t 60 start >/dev/null; then
    tail -n 30 "$log" >&2 || true
    die "the server did not start (log: $log)"
  fi
  if ! "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres \
      -d postgres -c "CREATE ROLE vipcare LOGIN SUPERUSER" \
      -c "CREATE DATABASE vipcare_test OWNER vipcare" >/dev/null; then
    die "could not create the vipcare role and database"
  fi
  echo "postgresql://vipcare@127.0.0.1:$port/vipcare_test"
}

stop() {
  local bindir root
  bindir="$(find_bindir)"
  cd /
  if [[ ! -e "$dir" ]]; then
    echo "pg_cluster.sh: no cluster in $dir"
    return 0
  fi
  root="$(cluster_root)"
  stop_server "$root" "$bindir"
  [[ "$root" != "$dir" ]] && remove_cluster_folder "$root"
  remove_cluster_folder "$dir"
  echo "pg_cluster.sh: stopped and removed the cluster in $root"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
