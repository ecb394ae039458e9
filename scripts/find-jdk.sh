# Sourced by ./build.sh and ./tunctl: sets TUNCTL_JAVA_HOME to a JDK >= 22, or fails with one clear line.
# Order: $JAVA_HOME, then every /usr/lib/jvm/* (newest first), then the java on PATH.
tunctl_java_major() { # java binary -> major version number, or 0
  local v="" line release
  # the JDK's release file names its version without starting a JVM (a start costs ~60 ms of every launch)
  release=$(dirname "$(dirname "$1")")/release
  if [[ -f "$release" ]]; then
    while IFS= read -r line; do
      [[ "$line" =~ ^JAVA_VERSION=\"([0-9]+) ]] && { v=${BASH_REMATCH[1]}; break; }
    done <"$release"
  fi
  [[ -n "$v" ]] || v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1)
  [[ "$v" =~ ^[0-9]+$ ]] && echo "$v" || echo 0
}
tunctl_find_jdk() {
  local c candidates=()
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  for c in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do candidates+=("${c%/}"); done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in "${candidates[@]}"; do
    if [[ -x "$c/bin/java" && -x "$c/bin/javac" || -x "$c/bin/java" && "${TUNCTL_JRE_OK:-}" == 1 ]]; then
      if (( $(tunctl_java_major "$c/bin/java") >= 22 )); then TUNCTL_JAVA_HOME=$c; return 0; fi
    fi
  done
  echo "tunctl: no JDK 22 or newer found (looked at \$JAVA_HOME, /usr/lib/jvm/*, PATH); install one, e.g. apt-get install openjdk-25-jdk-headless, or set JAVA_HOME" >&2
  return 1
}
