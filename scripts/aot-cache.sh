#!/usr/bin/env bash
# aot-cache.sh: (re)makes the JVM's AOT caches for ./tunctl (JDK 25+: classes loaded and linked ahead of time, with
# method profiles): cli/target/tunctl.aot from `tunctl aot-training` (every command with a subcommand: up, validate,
# down, ...) and cli/target/tunctl-short.aot from `tunctl aot-training --short` (--version, --help, usage). The JVM
# relocates and loads the whole cache it is given at every start, so the short commands get a smaller one of their
# own. The caches belong to the jars in cli/target: they are remade when the jars' names, sizes or times differ
# from the ones recorded with them (cli/target/tunctl.aot.jars; a jar copied in with an older time counts too), and
# the launcher ignores a cache older than a jar. Run by the cli module's package phase (so tests after it use fresh
# caches) and by ./build.sh. TUNCTL_AOT=0 skips it. A failed training leaves no cache and says so: tunctl then starts
# without one, slower and larger, never broken.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/find-jdk.sh
[[ "${TUNCTL_AOT:-1}" != 0 && -f cli/target/tunctl.jar ]] || exit 0
TUNCTL_JRE_OK=1 tunctl_find_jdk || exit 0
(( $(tunctl_java_major "$TUNCTL_JAVA_HOME/bin/java") >= 25 )) || exit 0
jars() { local f; for f in cli/target/tunctl.jar cli/target/lib/*.jar cli/target/plugins/*.jar; do [[ -f "$f" ]] && echo "$f"; done; return 0; }
signature() { jars | xargs stat -c '%n %s %Y'; }
sig=cli/target/tunctl.aot.jars
if [[ -f cli/target/tunctl.aot && -f cli/target/tunctl-short.aot && -f "$sig" ]] && [[ "$(signature)" == "$(cat "$sig")" ]]; then
  exit 0
fi
rm -f cli/target/tunctl.aot cli/target/tunctl-short.aot "$sig"
# picocli's Java 5 classes cannot be cached once linked: rewrite them as Java 8 class files (scripts/UpgradeOldClasses.java)
"$TUNCTL_JAVA_HOME/bin/java" scripts/UpgradeOldClasses.java cli/target/lib \
  || echo "aot-cache.sh: old class files left as they are (the cache then lacks them)" >&2
# train NAME ARGS...: records cli/target/NAME from `tunctl aot-training ARGS`, its output in cli/target/NAME-training.log
train() {
  local aot=cli/target/$1; shift
  rm -f "$aot.tmp"
  if TUNCTL_AOT_OUTPUT="$PWD/$aot.tmp" TUNCTL_JAVA_OPTS="" ./tunctl aot-training "$@" >"${aot%.aot}-training.log" 2>&1 \
      && [[ -f "$aot.tmp" ]]; then
    mv "$aot.tmp" "$aot"
  else
    rm -f "$aot.tmp"
    echo "aot-cache.sh: no $aot made (those commands start without one); see ${aot%.aot}-training.log" >&2
  fi
}
train tunctl.aot
train tunctl-short.aot --short
signature >"$sig"
