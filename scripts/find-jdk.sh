# Sourced by ./build.sh and ./tunctl: sets TUNCTL_JAVA_HOME to a JDK >= 22 (TUNCTL_JAVA_MAJOR to its major version),
# or fails with one clear line. Order: $JAVA_HOME, then the newest usable JDK under /usr/lib/jvm (by the major version its
# release file names), then the java on PATH.
# Each step runs only if the ones before it failed, and without forks where bash can do it: every
# process started here is paid by every ./tunctl launch (5-10 ms each on a 2-CPU VM, more when it is busy).

# java binary -> major version number in TUNCTL_MAJOR, or 0
_tunctl_major() {
  local line home=${1%/*}
  TUNCTL_MAJOR=""
  # the JDK's release file names its version without starting a JVM (a start costs ~60 ms of every launch)
  if [[ -f "${home%/*}/release" ]]; then
    while IFS= read -r line; do
      [[ "$line" =~ ^JAVA_VERSION=\"([0-9]+) ]] && { TUNCTL_MAJOR=${BASH_REMATCH[1]}; break; }
    done <"${home%/*}/release"
  fi
  [[ -n "$TUNCTL_MAJOR" ]] \
    || TUNCTL_MAJOR=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1) \
    || true
  [[ "$TUNCTL_MAJOR" =~ ^[0-9]+$ ]] || TUNCTL_MAJOR=0
}
tunctl_java_major() { # java binary -> major version number, or 0, on stdout
  _tunctl_major "$1"
  echo "$TUNCTL_MAJOR"
}
# candidate JDK home -> success (and TUNCTL_JAVA_HOME, TUNCTL_JAVA_MAJOR set) if it is one tunctl can use
_tunctl_try_jdk() {
  local c=$1
  if [[ -x "$c/bin/java" && -x "$c/bin/javac" || -x "$c/bin/java" && "${TUNCTL_JRE_OK:-}" == 1 ]]; then
    _tunctl_major "$c/bin/java"
    if (( TUNCTL_MAJOR >= 22 )); then TUNCTL_JAVA_HOME=$c; TUNCTL_JAVA_MAJOR=$TUNCTL_MAJOR; return 0; fi
  fi
  return 1
}
tunctl_find_jdk() {
  local c java
  [[ -n "${JAVA_HOME:-}" ]] && _tunctl_try_jdk "$JAVA_HOME" && return 0
  # the newest usable one under /usr/lib/jvm, by the major version its release file names (a glob and reads, no ls/sort)
  local best="" best_major=0 saved=${TUNCTL_JAVA_HOME:-} saved_major=${TUNCTL_JAVA_MAJOR:-}
  for c in /usr/lib/jvm/*/; do
    if _tunctl_try_jdk "${c%/}" && (( TUNCTL_JAVA_MAJOR > best_major )); then
      best=$TUNCTL_JAVA_HOME; best_major=$TUNCTL_JAVA_MAJOR
    fi
  done
  if [[ -n "$best" ]]; then TUNCTL_JAVA_HOME=$best; TUNCTL_JAVA_MAJOR=$best_major; return 0; fi
  TUNCTL_JAVA_HOME=$saved; TUNCTL_JAVA_MAJOR=$saved_major
  if java=$(command -v java); then
    java=$(readlink -f "$java")
    java=${java%/*}
    _tunctl_try_jdk "${java%/*}" && return 0
  fi
  echo "tunctl: no JDK 22 or newer found (looked at \$JAVA_HOME, /usr/lib/jvm/*, PATH); install one, e.g. apt-get install openjdk-25-jdk-headless, or set JAVA_HOME" >&2
  return 1
}
