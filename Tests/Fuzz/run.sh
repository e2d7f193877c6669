#!/usr/bin/env bash
# Builds the fuzz target for RequestParser and ChunkedDecoder (libFuzzer + AddressSanitizer) and runs it for
# $FUZZ_SECONDS (default 600) on Tests/Fuzz/corpus, which is seeded from the committed Tests/Fuzz/seeds and kept between runs
# (gitignored). Findings land in Tests/Fuzz/artifacts/. Extra arguments go to libFuzzer.
# -wmo inlines across the parser files as the release build does (without it every byte check is a
# call); -use-ld=lld: the default gold linker prints thousands of harmless "Cannot export local symbol"
# warnings for the ASan runtime.
set -euo pipefail
cd "$(dirname "$0")/../.."

FUZZ_SECONDS="${FUZZ_SECONDS:-600}"
# A failed precondition traps; let libFuzzer report it. The Swift runtime's own backtracer, racing
# with the ASan/libFuzzer handlers, can hang on the crash.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"
mkdir -p .build-fuzz Tests/Fuzz/corpus Tests/Fuzz/artifacts

swiftc -sanitize=fuzzer,address -parse-as-library -O -wmo -use-ld=lld \
    Sources/HTTP1/*.swift Tests/Fuzz/*.swift -o .build-fuzz/parser-fuzz

cp -n Tests/Fuzz/seeds/* Tests/Fuzz/corpus/ 2>/dev/null || true

exec .build-fuzz/parser-fuzz \
    -max_total_time="$FUZZ_SECONDS" \
    -dict=Tests/Fuzz/http.dict \
    -artifact_prefix=Tests/Fuzz/artifacts/ \
    -print_final_stats=1 \
    "$@" \
    Tests/Fuzz/corpus
