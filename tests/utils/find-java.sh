#!/usr/bin/env bash
# Print a JAVA_HOME with Java 17 or newer (ansible-rulebook's Drools engine needs it): JAVA_HOME
# if it qualifies, else `java` on PATH, else /usr/lib/jvm/*; as a last resort install Debian's
# openjdk-17-jre-headless (needs root and apt). Messages go to stderr, the path to stdout.
set -euo pipefail

major() {  # the major version of the java binary $1, or 0
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | cut -d. -f1 || echo 0
}

candidates() {
    [ -n "${JAVA_HOME:-}" ] && echo "$JAVA_HOME/bin/java"
    command -v java 2>/dev/null && true
    for java in /usr/lib/jvm/*/bin/java; do [ -x "$java" ] && echo "$java"; done
}

for java in $(candidates); do
    java=$(readlink -f "$java" 2>/dev/null || echo "$java")
    if [ -x "$java" ] && [ "$(major "$java")" -ge 17 ] 2>/dev/null; then
        dirname "$(dirname "$java")"
        exit 0
    fi
done

if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "find-java: no Java 17+; installing openjdk-17-jre-headless" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >&2
    for java in /usr/lib/jvm/*17*/bin/java; do
        dirname "$(dirname "$(readlink -f "$java")")"
        exit 0
    done
fi
echo "find-java: ansible-rulebook needs Java 17 or newer: install it (e.g. openjdk-17-jre-headless) or set JAVA_HOME" >&2
exit 1
