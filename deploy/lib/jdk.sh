# Sourced by ./vertlet and the test runner: sets JAVA to a JDK >= 21, or says in one line there is none.
# Order: $JAVA_HOME, then every JDK under /usr/lib/jvm (newest first), then java on the PATH.
# Footprint-minded JVM defaults (docs/performance.md says what each buys); VERTLET_JAVA_OPTS overrides.
VERTLET_DEFAULT_JAVA_OPTS="-XX:+UseSerialGC -Xmx64m -Xmn8m -XX:TieredStopAtLevel=1 -Xss512k -XX:ReservedCodeCacheSize=32m -XX:-UsePerfData"
vertlet_java_major() { # prints the feature version of the given java binary
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1
}
vertlet_find_jdk() {
  local candidate major
  for candidate in ${JAVA_HOME:+"$JAVA_HOME"} $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV) \
                   "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    candidate=${candidate%/}
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(vertlet_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      JAVA="$candidate/bin/java"
      vertlet_quiet_maven
      return 0
    fi
  done
  echo "vertlet: needs a JDK 21 or newer; none found in \$JAVA_HOME, /usr/lib/jvm or on the PATH (install e.g. openjdk-21-jdk or temurin-21-jdk)" >&2
  return 1
}


# Maven 3.8's bundled Guava warns about sun.misc.Unsafe on JDK 24+; the flag that allows it quietly
# exists only there, so add it only there.
# The same holds for protobuf-java inside vertlet itself, so the agent's defaults get the flag too.
vertlet_quiet_maven() {
  if [ "$(vertlet_java_major "$JAVA")" -ge 24 ] 2>/dev/null; then
    case " ${MAVEN_OPTS:-} " in *sun-misc-unsafe*) ;; *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;; esac
    VERTLET_DEFAULT_JAVA_OPTS="$VERTLET_DEFAULT_JAVA_OPTS --sun-misc-unsafe-memory-access=allow"
  fi
}
