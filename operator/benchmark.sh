#!/usr/bin/env bash
# Creates 1,000 EraVMs at once on the embedded API server and times how long the operator takes to
# schedule them all; runs in a 256 MiB heap. Prints one BENCHMARK line (also in
# operator/target/benchmark.txt). Usage: operator/benchmark.sh [number of VMs]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Dstyle.color=never -pl operator -am verify \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dit.test=SchedulingBenchmark -Dera.bench.vms="${1:-1000}" -DargLine=-Xmx256m \
  -Dquarkus.log.level=WARN
cat operator/target/benchmark.txt
