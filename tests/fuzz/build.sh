#!/bin/sh
# Builds the libFuzzer targets with clang, independent of the main build,
# and runs each for SECONDS (default 60) on a copy of the kept corpus.
# New interesting inputs stay in OUT/corpus-*; copy the small ones worth
# keeping into tests/fuzz/corpus/.
#
#   tests/fuzz/build.sh [OUT [SECONDS]]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/build-fuzz}
secs=${2:-60}
cc=${CC:-clang}
mkdir -p "$out"
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
  -D_GNU_SOURCE -DSENTRY_VERSION=\"fuzz\" -I$root/src $(pkg-config --cflags jansson)"
libs="$(pkg-config --libs jansson)"
$cc $flags "$here/fuzz_proto.c" "$root/src/debugger/proto.c" -o "$out/fuzz_proto" $libs
$cc $flags "$here/fuzz_cmdline.c" "$root/src/debugger/client_parse.c" "$root/src/kernel/signames.c" -o "$out/fuzz_cmdline" $libs
for t in proto cmdline; do
  mkdir -p "$out/corpus-$t"
  cp "$here/corpus/$t/"* "$out/corpus-$t/"
  "$out/fuzz_$t" "$out/corpus-$t" -max_total_time="$secs" -max_len=8192 \
    -print_final_stats=1
done
