# Sourced by bin/cohort, cohort-bench/run and .ci/run: find a Java 21+ runtime.
# find_java prints the path of the first java binary of version 21 or newer among JAVA_HOME,
# the java on PATH, and the JDKs in the usual directories; it returns 1 if there is none.

java_major() { # prints the major version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -1
}

find_java() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for d in /usr/lib/jvm/* /opt/java/* /usr/local/lib/jvm/* "$HOME"/.sdkman/candidates/java/*; do
    [ -x "$d/bin/java" ] && candidates+=("$d/bin/java")
  done
  local j v
  for j in "${candidates[@]}"; do
    v="$(java_major "$j")"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then
      echo "$j"
      return 0
    fi
  done
  return 1
}
