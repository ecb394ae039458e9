#!/usr/bin/env bash
# Runs the Maven wrapper with a JDK >= 22 (found as ./tunctl finds one). Arguments go to Maven;
# with none it builds everything without tests: ./build.sh == ./mvnw -q -DskipTests install
set -euo pipefail
cd "$(dirname "$0")"
source scripts/find-jdk.sh
tunctl_find_jdk
export JAVA_HOME=$TUNCTL_JAVA_HOME
[[ $# -eq 0 ]] && set -- -q -DskipTests install
exec ./mvnw "$@"
