#!/usr/bin/env bash
# A real Accumulo Proxy (1.10) on this machine, from Maven Central jars alone:
#
#   engines/accumulo.sh start    resolve the jars, start the proxy, return once
#                                a real login call succeeds
#   engines/accumulo.sh stop     end every process start began, drop the data
#   engines/accumulo.sh status   which processes run; the address
#
# The proxy (org.apache.accumulo.proxy.Proxy, framed transport, compact
# protocol) is served by a MiniAccumuloCluster (useMiniAccumulo=true, user
# root, password "secret"), which starts ZooKeeper, a master and tablet
# servers as child JVMs. Those are started with CMS collector flags that
# Java 17 no longer knows; JAVA_TOOL_OPTIONS=-XX:+IgnoreUnrecognizedVMOptions,
# inherited by every child, lets them start anyway.
# ACCUMULO_INSTANCE=mock uses Apache's in-memory mock instance instead
# (user root, empty password).
#
# start writes ACCUMULO_PROXY_ADDR, ACCUMULO_PROXY_USER and
# ACCUMULO_PROXY_PASSWORD to target/engines/accumulo.env. Loopback only, a
# free port, data in a temporary directory, logs in target/engines/logs/.
# Environment: JAVA17_HOME, ENGINES_START_TIMEOUT, ENGINES_MAVEN_OPTS (as for
# hbase.sh), ACCUMULO_PROXY_HEAP (default 512m).
set -euo pipefail
engine=accumulo
# shellcheck source=engines/launch.sh
. "$(dirname "${BASH_SOURCE[0]}")/launch.sh"

start() {
  if [ -f "$state_dir/$engine.pids" ]; then
    say "already started (run: engines/accumulo.sh stop)"
    status_all || true
    exit 1
  fi
  started_at=$SECONDS
  local java cp data port mode="${ACCUMULO_INSTANCE:-mini}" password
  java="$(find_java17)" || fail "no JDK 17 under /usr/lib/jvm (install openjdk-17-jdk-headless or set JAVA17_HOME)"
  cp="$(resolve_classpath accumulo)"
  say "class path resolved after $((SECONDS - started_at)) s"
  data="$(new_datadir)"
  port="$(free_ports 1)"
  {
    echo "port=$port"
    echo "thriftServerHostname=127.0.0.1"
    echo "protocolFactory=org.apache.thrift.protocol.TCompactProtocol\$Factory"
    echo "tokenClass=org.apache.accumulo.core.client.security.tokens.PasswordToken"
    case "$mode" in
      mini) echo "useMiniAccumulo=true" ;;
      mock) echo "useMockInstance=true" ;;
      *) fail "ACCUMULO_INSTANCE must be mini or mock, not '$mode'" ;;
    esac
  } >"$data/proxy.properties"
  case "$mode" in
    mini) password=secret ;;
    mock) password= ;;
  esac
  # The servers log through log4j 1; the children inherit this file through
  # JAVA_TOOL_OPTIONS along with the flag.
  cat >"$data/log4j.properties" <<'LOG'
log4j.rootLogger=INFO, console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.Target=System.err
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %-5p [%t] %c{2}: %m%n
log4j.logger.org.apache.zookeeper=WARN
LOG
  : >"$state_dir/$engine.pids"
  local log="$log_dir/accumulo-proxy.log"
  # The mini cluster makes its directory with Files.createTempDirectory:
  # java.io.tmpdir puts it inside our data directory.
  spawn proxy "$log" env JAVA_TOOL_OPTIONS="-XX:+IgnoreUnrecognizedVMOptions -Dzookeeper.sasl.client=false -Dzookeeper.4lw.commands.whitelist=ruok -Dzookeeper.admin.enableServer=false -Dlog4j.configuration=file:$data/log4j.properties" \
    "$java" -Xmx"${ACCUMULO_PROXY_HEAP:-512m}" -XX:+UseSerialGC -Djava.io.tmpdir="$data" \
    -Djava.net.preferIPv4Stack=true -cp "$cp" \
    org.apache.accumulo.proxy.Proxy -p "$data/proxy.properties"
  local pid
  pid="$(awk '$2 == "proxy" { print $1 }' "$state_dir/$engine.pids")"
  wait_ready "Accumulo proxy ($mode instance, port $port)" "$pid" "$log" \
    python3 "$engines_dir/probe.py" accumulo "127.0.0.1:$port" root "$password"
  {
    echo "ACCUMULO_PROXY_ADDR=127.0.0.1:$port"
    echo "ACCUMULO_PROXY_USER=root"
    echo "ACCUMULO_PROXY_PASSWORD=$password"
  } >"$state_dir/$engine.env.tmp"
  mv "$state_dir/$engine.env.tmp" "$state_dir/$engine.env"
  say "ready after $((SECONDS - started_at)) s; addresses in ${state_dir#"$repo_root"/}/$engine.env"
  cat "$state_dir/$engine.env"
}

case "${1:-}" in
  start) start ;;
  stop) stop_all ;;
  status) status_all ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
