#!/usr/bin/env bash
# Runs the Maven wrapper with a JDK >= 22 (found as ./tunctl finds one). Arguments go to Maven;
# with none it builds everything without tests: ./build.sh == ./mvnw -q -DskipTests install
set -euo pipefail
cd "$(dirname "$0")"
source scripts/find-jdk.sh
tunctl_find_jdk
export JAVA_HOME=$TUNCTL_JAVA_HOME
# Maven's own Guice/Guava use sun.misc.Unsafe; JDK 24+ warns about it on every build unless allowed
if (( $(tunctl_java_major "$JAVA_HOME/bin/java") >= 24 )); then
  export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow ${MAVEN_OPTS:-}"
fi
[[ $# -eq 0 ]] && set -- -q -DskipTests install
./mvnw "$@"

# plain jars and the AOT cache ./tunctl starts from (the cli module's build makes them too; this catches a build that
# skipped cli)
scripts/unsign-jars.sh
scripts/aot-cache.sh
