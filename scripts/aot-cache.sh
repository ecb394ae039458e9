#!/usr/bin/env bash
# aot-cache.sh: (re)makes cli/target/tunctl.aot, the JVM's AOT cache for ./tunctl (JDK 25+: classes loaded and
# linked ahead of time, with method profiles), by running `tunctl aot-training` once. The cache belongs to the jars
# in cli/target: it is remade when any is newer, and the launcher ignores a stale one. Run by the cli module's
# package phase (so tests after it use a fresh cache) and by ./build.sh. TUNCTL_AOT=0 skips it. A failed training
# leaves no cache and says so: tunctl then starts without one, slower and larger, never broken.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-jdk.sh
[[ "${TUNCTL_AOT:-1}" != 0 && -f cli/target/tunctl.jar ]] || exit 0
TUNCTL_JRE_OK=1 tunctl_find_jdk || exit 0
(( $(tunctl_java_major "$TUNCTL_JAVA_HOME/bin/java") >= 25 )) || exit 0
aot=cli/target/tunctl.aot
if [[ -f "$aot" ]]; then
  stale=0
  for f in cli/target/tunctl.jar cli/target/lib/*.jar cli/target/plugins/*.jar; do
    [[ -f "$f" && "$f" -nt "$aot" ]] && { stale=1; break; }
  done
  (( stale )) || exit 0
fi
rm -f "$aot" "$aot.tmp"
# picocli's Java 5 classes cannot be cached once linked: rewrite them as Java 8 class files (scripts/UpgradeOldClasses.java)
"$TUNCTL_JAVA_HOME/bin/java" scripts/UpgradeOldClasses.java cli/target/lib \
  || echo "aot-cache.sh: old class files left as they are (the cache then lacks them)" >&2
if TUNCTL_AOT_OUTPUT="$PWD/$aot.tmp" TUNCTL_JAVA_OPTS="" ./tunctl aot-training >cli/target/aot-training.log 2>&1 \
    && [[ -f "$aot.tmp" ]]; then
  mv "$aot.tmp" "$aot"
else
  rm -f "$aot.tmp"
  echo "aot-cache.sh: no AOT cache made (tunctl starts without one); see cli/target/aot-training.log" >&2
fi
