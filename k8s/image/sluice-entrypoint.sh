#!/bin/sh
# The image's entry point: `sluice router | executor | scaler | topics apply`.
# Runs the role with the container JVM flags and, when the image holds one, the role's AppCDS
# archive (made at build time by StartupTiming's training run, with the same flags and classpath;
# a mismatch only turns sharing off, it never stops the process). SLUICE_JAVA_OPTS adds flags.
#   G1 with a 20 ms pause goal: the JVM would pick SerialGC in a container under 2 CPUs or
#   1792 MiB, whose full pauses grow with the heap; JDK 17's ZGC is not generational and wants
#   heap headroom and spare cores that 1-2 core pods do not have.
#   MaxRAMPercentage=75: the heap follows the memory limit, leaving a quarter for metaspace,
#   thread stacks, Netty's direct buffers and the code cache.
set -eu
cds=""
if [ -n "${1:-}" ] && [ -f "/app/cds/$1.jsa" ]; then
  cds="-XX:SharedArchiveFile=/app/cds/$1.jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
fi
# shellcheck disable=SC2086
exec java -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError \
  -Djava.io.tmpdir=/tmp -Dvertx.cacheDirBase=/tmp/vertx-cache \
  $cds ${SLUICE_JAVA_OPTS:-} -cp "$(cat /app/classpath)" dev.sluice.cli.Main "$@"
