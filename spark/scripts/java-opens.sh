#!/usr/bin/env bash
# Prints the JVM flags Spark 4 needs on Java 17 (the --add-opens list of Spark's own launcher), as the module's pom
# gives them to its tests.
root="$(cd "$(dirname "$0")/../.." && pwd)"
sed -n 's|.*<spark.java.opens>\(.*\)</spark.java.opens>.*|\1|p' "$root/spark/pom.xml"
