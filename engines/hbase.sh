#!/usr/bin/env bash
# A real HBase on this machine, from Maven Central jars alone:
#
#   engines/hbase.sh start    resolve the jars, start HBase and its gateways,
#                             return once each answers a real Thrift call
#   engines/hbase.sh stop     end every process start began, drop the data
#   engines/hbase.sh status   which processes run; the addresses
#
# One JVM runs the standalone master, region server and ZooKeeper
# (HMaster start, hbase.cluster.distributed=false); five more run gateways:
#
#   HBASE_THRIFT_ADDR                 Thrift1, buffered transport, binary protocol
#   HBASE_THRIFT_FRAMED_COMPACT_ADDR  Thrift1 -hsha -c: framed, compact
#   HBASE_THRIFT2_ADDR                Thrift2, buffered, binary
#   HBASE_THRIFT_HTTP_ADDR            Thrift1 over HTTP (binary protocol)
#   HBASE_THRIFT2_HTTP_ADDR           Thrift2 over HTTP (binary protocol)
#
# Cell visibility is on: the VisibilityController runs on the master and the
# regions (with hbase.security.authorization, without which it enforces
# nothing), and once the gateways answer, our VisibilityLabels program
# (engines/hbase/src/main/java, compiled by mvn) defines the labels of
# $HBASE_VISIBILITY_LABELS (default below) and gives them all to the user the
# Thrift2 gateways act as (hbaseorm-gateway; the Thrift1 gateways act as the
# user running this script, a superuser, who sees every cell). A read
# without authorizations then sees what that user may see (HBase feeds the
# user's own labels); a read with authorizations sees the labels asked for
# that the user holds.
#
# start writes these as KEY=host:port lines to target/engines/hbase.env. All
# listen on 127.0.0.1 on free ports; data lives in a temporary directory; logs
# go to target/engines/logs/. A failed start stops what it began and names the
# cause. Environment: JAVA17_HOME (a JDK 17; default: found under
# /usr/lib/jvm), ENGINES_START_TIMEOUT (s, default 300), ENGINES_MAVEN_OPTS
# (extra mvn arguments, e.g. -Dmaven.repo.local=DIR), HBASE_MASTER_HEAP
# (default 1g), HBASE_GATEWAY_HEAP (default 256m).
set -euo pipefail
engine=hbase
# shellcheck source=engines/launch.sh
. "$(dirname "${BASH_SOURCE[0]}")/launch.sh"

# What bin/hbase adds on JDK 11 and later (without them the region server
# dies on java.nio.Bits.unaligned and friends).
jdk17_flags=(
  -Dorg.apache.hbase.thirdparty.io.netty.tryReflectionSetAccessible=true
  --add-modules jdk.unsupported
  --add-opens java.base/java.io=ALL-UNNAMED
  --add-opens java.base/java.nio=ALL-UNNAMED
  --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED
  --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens java.base/java.util=ALL-UNNAMED
  --add-opens java.base/java.util.concurrent=ALL-UNNAMED
  --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-exports java.base/sun.net.dns=ALL-UNNAMED
  --add-exports java.base/sun.net.util=ALL-UNNAMED
)

# The labels defined at start (HBASE_VISIBILITY_LABELS overrides them): the
# ones the test suites and examples write and read.
default_labels="A B C D secret admin staff public private pii"

# The user the Thrift2 gateways act as (Hadoop's simple authentication takes
# it from HADOOP_USER_NAME): not a superuser, so labels hide cells from it.
gateway_user=hbaseorm-gateway

# compile_labels: compiles engines/hbase/src/main/java (mvn keeps it while
# the sources are unchanged) and prints the class directory.
compile_labels() {
  local log="$log_dir/hbase-labels-maven.log"
  # shellcheck disable=SC2086
  if ! mvn -B -q -f "$engines_dir/hbase/pom.xml" ${ENGINES_MAVEN_OPTS:-} compile >"$log" 2>&1; then
    fail "could not compile engines/hbase/src/main/java (log: $log)" "$log"
  fi
  printf '%s\n' "$state_dir/hbase-build/classes"
}

write_site() {
  local conf="$1" data="$2" zk="$3" master="$4" rs="$5"
  {
    echo '<?xml version="1.0"?>'
    echo '<configuration>'
    prop() { printf '  <property><name>%s</name><value>%s</value></property>\n' "$1" "$2"; }
    prop hbase.cluster.distributed false
    prop hbase.rootdir "file://$data/hbase"
    prop hbase.tmp.dir "$data/tmp"
    prop hbase.wal.dir "file://$data/wal"
    prop hbase.zookeeper.quorum 127.0.0.1
    prop hbase.zookeeper.property.clientPort "$zk"
    prop hbase.zookeeper.property.dataDir "$data/zookeeper"
    prop hbase.master.port "$master"
    prop hbase.regionserver.port "$rs"
    prop hbase.master.ipc.address 127.0.0.1
    prop hbase.regionserver.ipc.address 127.0.0.1
    prop hbase.unsafe.regionserver.hostname localhost
    prop hbase.master.info.port -1
    prop hbase.regionserver.info.port -1
    prop hbase.thrift.info.port -1
    prop hbase.unsafe.stream.capability.enforce false
    prop hbase.regionserver.thrift.ipaddress 127.0.0.1
    # Fewer handler threads than a production server: this is 2 cores.
    prop hbase.regionserver.handler.count 10
    prop hbase.master.handler.count 10
    # Cell visibility labels (see the top of this file).
    prop hbase.security.authorization true
    prop hbase.coprocessor.master.classes org.apache.hadoop.hbase.security.visibility.VisibilityController
    prop hbase.coprocessor.region.classes org.apache.hadoop.hbase.security.visibility.VisibilityController
    echo '</configuration>'
  } >"$conf/hbase-site.xml"
  cat >"$conf/log4j2.properties" <<'LOG'
status = warn
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_OUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{ISO8601} %-5p [%t] %c{2}: %m%n
rootLogger = INFO,console
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = WARN
logger.hadoop.name = org.apache.hadoop.hbase.zookeeper
logger.hadoop.level = WARN
LOG
}

start() {
  if [ -f "$state_dir/$engine.pids" ]; then
    say "already started (run: engines/hbase.sh stop)"
    status_all || true
    exit 1
  fi
  started_at=$SECONDS
  local java cp data conf
  java="$(find_java17)" || fail "no JDK 17 under /usr/lib/jvm (install openjdk-17-jdk-headless or set JAVA17_HOME)"
  cp="$(resolve_classpath hbase)"
  say "class path resolved after $((SECONDS - started_at)) s"
  local labels_classes
  labels_classes="$(compile_labels)"
  data="$(new_datadir)"
  conf="$data/conf"
  mkdir -p "$conf"
  local ports zk master rs t1 t1fc t2 th t2h
  mapfile -t ports < <(free_ports 8)
  zk=${ports[0]} master=${ports[1]} rs=${ports[2]} t1=${ports[3]} t1fc=${ports[4]} t2=${ports[5]} th=${ports[6]}
  t2h=${ports[7]}
  write_site "$conf" "$data" "$zk" "$master" "$rs"
  # The HTTP gateways read their mode from the configuration only (a -D
  # argument does not reach them): they get a conf directory of their own.
  local conf_http="$data/conf-http"
  mkdir -p "$conf_http"
  cp "$conf/log4j2.properties" "$conf_http/"
  sed 's|</configuration>|  <property><name>hbase.regionserver.thrift.http</name><value>true</value></property>\n</configuration>|' \
    "$conf/hbase-site.xml" >"$conf_http/hbase-site.xml"

  local jvm_base=("$java" "${jdk17_flags[@]}" -XX:+UseSerialGC -Djava.io.tmpdir="$data/tmp"
    -Djava.net.preferIPv4Stack=true -Dlog4j2.configurationFile="$conf/log4j2.properties")
  local jvm=("${jvm_base[@]}" -cp "$conf:$cp")
  mkdir -p "$data/tmp"
  : >"$state_dir/$engine.pids"
  spawn master "$log_dir/hbase-master.log" "${jvm[@]}" -Xmx"${HBASE_MASTER_HEAP:-1g}" \
    org.apache.hadoop.hbase.master.HMaster start
  local gw_heap="-Xmx${HBASE_GATEWAY_HEAP:-256m}"
  spawn thrift "$log_dir/hbase-thrift.log" "${jvm[@]}" "$gw_heap" \
    org.apache.hadoop.hbase.thrift.ThriftServer -b 127.0.0.1 -p "$t1" -threadpool start
  spawn thrift-framed-compact "$log_dir/hbase-thrift-framed-compact.log" "${jvm[@]}" "$gw_heap" \
    org.apache.hadoop.hbase.thrift.ThriftServer -b 127.0.0.1 -p "$t1fc" -hsha -c start
  # The Thrift2 gateways act as a user of their own: HBase lets a
  # superuser (the user the master runs as) read every labelled cell,
  # whatever authorizations a read asks for.
  spawn thrift2 "$log_dir/hbase-thrift2.log" env HADOOP_USER_NAME="$gateway_user" "${jvm[@]}" "$gw_heap" \
    org.apache.hadoop.hbase.thrift2.ThriftServer -b 127.0.0.1 -p "$t2" start
  spawn thrift-http "$log_dir/hbase-thrift-http.log" "${jvm_base[@]}" -cp "$conf_http:$cp" "$gw_heap" \
    org.apache.hadoop.hbase.thrift.ThriftServer -b 127.0.0.1 -p "$th" start
  spawn thrift2-http "$log_dir/hbase-thrift2-http.log" env HADOOP_USER_NAME="$gateway_user" \
    "${jvm_base[@]}" -cp "$conf_http:$cp" "$gw_heap" \
    org.apache.hadoop.hbase.thrift2.ThriftServer -b 127.0.0.1 -p "$t2h" start

  local probe="$engines_dir/probe.py"
  local pid_of
  pid_of() { awk -v n="$1" '$2 == n { print $1 }' "$state_dir/$engine.pids"; }
  wait_ready "Thrift1 gateway (buffered/binary, port $t1)" "$(pid_of thrift)" "$log_dir/hbase-thrift.log" \
    python3 "$probe" hbase1 "127.0.0.1:$t1" buffered binary
  wait_ready "Thrift1 gateway (framed/compact, port $t1fc)" "$(pid_of thrift-framed-compact)" \
    "$log_dir/hbase-thrift-framed-compact.log" python3 "$probe" hbase1 "127.0.0.1:$t1fc" framed compact
  wait_ready "Thrift2 gateway (port $t2)" "$(pid_of thrift2)" "$log_dir/hbase-thrift2.log" \
    python3 "$probe" hbase2 "127.0.0.1:$t2"
  wait_ready "Thrift1 HTTP gateway (port $th)" "$(pid_of thrift-http)" "$log_dir/hbase-thrift-http.log" \
    python3 "$probe" hbase1 "127.0.0.1:$th" http binary
  wait_ready "Thrift2 HTTP gateway (port $t2h)" "$(pid_of thrift2-http)" "$log_dir/hbase-thrift2-http.log" \
    python3 "$probe" hbase2 "127.0.0.1:$t2h" http
  alive "$(pid_of master)" || fail "the HBase master exited" "$log_dir/hbase-master.log"

  local labels
  read -r -a labels <<<"${HBASE_VISIBILITY_LABELS:-$default_labels}"
  if ! "${jvm_base[@]}" -Xmx128m -cp "$labels_classes:$conf:$cp" hbaseorm.engines.VisibilityLabels \
    "$gateway_user" "${labels[@]}" >"$log_dir/hbase-labels.log" 2>&1; then
    fail "the visibility labels could not be defined" "$log_dir/hbase-labels.log"
  fi
  say "$(grep -m1 "^labels " "$log_dir/hbase-labels.log") after $((SECONDS - started_at)) s"

  {
    echo "HBASE_THRIFT_ADDR=127.0.0.1:$t1"
    echo "HBASE_THRIFT_FRAMED_COMPACT_ADDR=127.0.0.1:$t1fc"
    echo "HBASE_THRIFT2_ADDR=127.0.0.1:$t2"
    echo "HBASE_THRIFT_HTTP_ADDR=127.0.0.1:$th"
    echo "HBASE_THRIFT2_HTTP_ADDR=127.0.0.1:$t2h"
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
