#!/usr/bin/env bash
# unsign-jars.sh: makes the signed jars of cli/target/lib (BouncyCastle's bcprov) plain jars (scripts/UnsignJars.java
# says why: a signed jar on the module path costs every tunctl start a signature check, ~170 classes and the parsed
# 0.8 MB manifest). Run by the cli module's package phase, before scripts/aot-cache.sh, and by ./build.sh; starts a
# JVM only when a jar there names a signature file (entry names are stored uncompressed, so grep finds them).
set -euo pipefail
cd "$(dirname "$0")/.."
lib=cli/target/lib
[[ -d "$lib" ]] || exit 0
signed=0
for f in "$lib"/*.jar; do
  [[ -f "$f" ]] && LC_ALL=C grep -aqE 'META-INF/[A-Za-z0-9_.-]+\.(SF|RSA|DSA|EC)' "$f" && { signed=1; break; }
done
(( signed )) || exit 0
source scripts/find-jdk.sh
tunctl_find_jdk
"$TUNCTL_JAVA_HOME/bin/java" scripts/UnsignJars.java "$lib"
