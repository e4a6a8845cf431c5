#!/usr/bin/env bash
# Fuzzes every file reader a user can point at a file (Sources/motionrnn-fuzz/FuzzTarget.swift)
# with libFuzzer and AddressSanitizer, starting from the seed corpora in Tests/Fuzz/Corpus.
#
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 60 s, every target)
#
# A single allocation above 512 MB counts as a finding (a huge shape in a tiny header must be
# refused before allocating), as does an input that runs longer than 10 s. Findings land in
# .build-fuzz/findings/TARGET/; add each, once fixed, to Tests/Fuzz/Regressions/TARGET/, which
# the test suite replays. The grown corpora stay in .build-fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(npy npz zip safetensors checkpoint-json png idx digit-csv python-literal gzip)
fi
swift build --scratch-path .build-fuzz --product motionrnn-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
binary=.build-fuzz/debug/motionrnn-fuzz
export LSAN_OPTIONS="suppressions=$PWD/Tests/Fuzz/lsan-suppressions.txt"
for target in "${targets[@]}"; do
    corpus=.build-fuzz/corpus/$target findings=.build-fuzz/findings/$target
    mkdir -p "$corpus" "$findings" "Tests/Fuzz/Corpus/$target"
    echo "== $target: $seconds s"
    MOTIONRNN_FUZZ_TARGET="$target" "$binary" "$corpus" "Tests/Fuzz/Corpus/$target" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
        -artifact_prefix="$findings/" -print_final_stats=1 2>&1 | tail -n 12 || true
done
echo "findings: $(find .build-fuzz/findings -type f | wc -l) (in .build-fuzz/findings)"
