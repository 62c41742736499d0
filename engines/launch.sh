# Sourced by hbase.sh and accumulo.sh: what both need to start JVM servers
# from Maven Central jars, wait for them and stop them again.
#
# State lives under target/engines/ of the repository:
#   NAME.env        the addresses, KEY=host:port lines (written last, on success)
#   NAME.pids       one process id a line (each the leader of its own group)
#   NAME.datadir    the temporary data directory
#   NAME.classpath  the resolved class path (kept while the pom is unchanged)
#   logs/NAME-*.log every process's output

engines_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$engines_dir/.." && pwd)"
state_dir="$repo_root/target/engines"
log_dir="$state_dir/logs"
mkdir -p "$log_dir"

# How long a start may take before it is declared failed (seconds).
start_timeout="${ENGINES_START_TIMEOUT:-300}"

say() { printf '[%s] %s\n' "$engine" "$*" >&2; }

# fail MESSAGE [LOG...]: print MESSAGE and the last lines of each LOG, stop
# whatever this start began, exit 1.
fail() {
  local message="$1"
  shift
  say "FAILED: $message"
  local log
  for log in "$@"; do
    if [ -s "$log" ]; then
      printf -- '--- last lines of %s\n' "$log" >&2
      tail -n 40 "$log" >&2
    fi
  done
  stop_all >&2 || true
  exit 1
}

# The java binary of a JDK 17: $JAVA17_HOME if set, else the first JDK 17
# under /usr/lib/jvm. Newer JDKs are refused on purpose: Hadoop's
# Subject.getSubject throws on 24+, and the servers are tested on 17.
find_java17() {
  local candidate
  for candidate in ${JAVA17_HOME:+"$JAVA17_HOME"} /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/*17*; do
    [ -x "$candidate/bin/java" ] || continue
    if "$candidate/bin/java" -version 2>&1 | head -n 1 | grep -q '"17[."]'; then
      printf '%s\n' "$candidate/bin/java"
      return 0
    fi
  done
  return 1
}

# resolve_classpath MODULE: the class path of engines/MODULE/pom.xml, from
# the Maven cache (~/.m2, or -Dmaven.repo.local in $ENGINES_MAVEN_OPTS).
resolve_classpath() {
  local module="$1" out="$state_dir/$1.classpath" pom="$engines_dir/$1/pom.xml"
  if [ -s "$out" ] && [ "$out" -nt "$pom" ] && [ "$out" -nt "$engines_dir/pom.xml" ] \
    && classpath_present "$out"; then
    cat "$out"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || fail "mvn not found on PATH (install Maven 3)"
  local log="$log_dir/$module-maven.log"
  # shellcheck disable=SC2086
  if ! mvn -B -f "$pom" ${ENGINES_MAVEN_OPTS:-} dependency:build-classpath \
    -Dmdep.outputFile="$out.tmp" >"$log" 2>&1; then
    local missing
    missing="$(grep -oE '(Could not (find|resolve|transfer) artifact|Failure to find) [^ ]+' "$log" | head -n 3 | tr '\n' ' ')"
    fail "Maven could not resolve the $module artifacts${missing:+: $missing}(log: $log)" "$log"
  fi
  mv "$out.tmp" "$out"
  cat "$out"
}

classpath_present() {
  local jar
  for jar in $(tr ':' ' ' <"$1"); do
    [ -e "$jar" ] || return 1
  done
}

# free_ports N: N distinct free TCP ports on 127.0.0.1, one a line.
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
    s.close()
PY
}

# spawn NAME LOG COMMAND...: starts COMMAND in its own process group (so that
# stop also ends any child it starts), records its pid.
spawn() {
  local name="$1" log="$2"
  shift 2
  setsid "$@" >"$log" 2>&1 </dev/null &
  local pid=$!
  printf '%s %s\n' "$pid" "$name" >>"$state_dir/$engine.pids"
  say "started $name (pid $pid, log ${log#"$repo_root"/})"
}

# alive PID: whether the process still runs.
alive() { kill -0 "$1" 2>/dev/null; }

# wait_ready WHAT PID LOG PROBE...: runs PROBE until it succeeds; fails on
# the process's death, a bind error, a JVM that refuses a flag, a bad reply
# or the start timeout.
wait_ready() {
  local what="$1" pid="$2" log="$3"
  shift 3
  local deadline=$((SECONDS + start_timeout)) out rc
  while :; do
    if ! alive "$pid"; then
      diagnose_log "$what" "$log"
      fail "$what exited during start-up" "$log"
    fi
    if grep -qE 'BindException|Address already in use' "$log" 2>/dev/null; then
      fail "$what: port taken ($(grep -m1 -oE '[^ ]*(BindException|Address already in use)[^\n]*' "$log" | head -c 200))" "$log"
    fi
    rc=0
    out="$("$@" 2>&1)" || rc=$?
    if [ "$rc" = 0 ]; then
      say "$what ready after $((SECONDS - started_at)) s"
      return 0
    fi
    if [ "$rc" = 2 ]; then
      fail "$what answered the ready check wrongly: $out" "$log"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail "$what not ready after ${start_timeout} s (last check: $out)" "$log"
    fi
    sleep 2
  done
}

# diagnose_log WHAT LOG: names the usual causes of a JVM that died at once.
diagnose_log() {
  local what="$1" log="$2" flag
  flag="$(grep -m1 -oE "Unrecognized VM option '[^']+'|Unrecognized option: [^ ]+" "$log" 2>/dev/null || true)"
  if [ -n "$flag" ]; then
    fail "$what: the JVM rejected a flag: $flag" "$log"
  fi
  if grep -qE 'BindException|Address already in use' "$log" 2>/dev/null; then
    fail "$what: port taken" "$log"
  fi
  if grep -qE 'ClassNotFoundException|NoClassDefFoundError' "$log" 2>/dev/null; then
    fail "$what: a class is missing from the resolved class path ($(grep -m1 -oE '(ClassNotFoundException|NoClassDefFoundError)[^ ]* *[^ ]+' "$log"))" "$log"
  fi
}

# stop_all: ends every process group this engine started (TERM, then KILL
# after 30 s), removes the data directory and the env file.
stop_all() {
  local pids="$state_dir/$engine.pids" pid name stopped=0
  if [ -f "$pids" ]; then
    while read -r pid name; do
      [ -n "$pid" ] || continue
      if alive "$pid" || kill -0 -- "-$pid" 2>/dev/null; then
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
        stopped=$((stopped + 1))
      fi
    done <"$pids"
    local deadline=$((SECONDS + 30))
    while read -r pid name; do
      [ -n "$pid" ] || continue
      while kill -0 -- "-$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
      if kill -0 -- "-$pid" 2>/dev/null; then
        say "$name (pid $pid) ignored TERM: killing it"
        kill -KILL -- "-$pid" 2>/dev/null || true
      fi
    done <"$pids"
    rm -f "$pids"
  fi
  if [ -f "$state_dir/$engine.datadir" ]; then
    local data
    data="$(cat "$state_dir/$engine.datadir")"
    # Logs that servers wrote inside the data directory (the mini cluster's
    # child processes) are kept beside the others.
    if [ -d "$data" ]; then
      local kept="$log_dir/$engine-data"
      rm -rf "$kept"
      find "$data" -path '*/logs/*' -type f -size -20M 2>/dev/null | while read -r f; do
        mkdir -p "$kept"
        cp "$f" "$kept/" 2>/dev/null || true
      done
    fi
    case "$data" in
      /tmp/*|"${TMPDIR:-/tmp}"/*) rm -rf -- "$data" ;;
    esac
    rm -f "$state_dir/$engine.datadir"
  fi
  rm -f "$state_dir/$engine.env"
  say "stopped ($stopped process groups)"
}

# status_all: prints the env file and each process's state; exit 0 when
# every recorded process runs.
status_all() {
  local pids="$state_dir/$engine.pids" pid name rc=0
  if [ ! -f "$pids" ]; then
    say "not running"
    return 3
  fi
  while read -r pid name; do
    if alive "$pid"; then echo "$name: running (pid $pid)"; else echo "$name: DEAD (pid $pid)"; rc=1; fi
  done <"$pids"
  if [ -f "$state_dir/$engine.env" ]; then cat "$state_dir/$engine.env"; else echo "(no env file: not ready)"; rc=1; fi
  return "$rc"
}

# new_datadir: a fresh temporary directory for this engine's data.
new_datadir() {
  local data
  data="$(mktemp -d "${TMPDIR:-/tmp}/hbase-orm-$engine.XXXXXX")"
  printf '%s\n' "$data" >"$state_dir/$engine.datadir"
  printf '%s\n' "$data"
}
