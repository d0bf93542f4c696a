#!/usr/bin/env bash
# Builds the bare-metal payloads for two boards into bin/ (or $OUT), reproducibly:
#   <name>-virt.elf     QEMU -M virt  (RAM 0x4000_0000, PL011 0x0900_0000, GICv3 0x0800_0000 / 0x080A_0000)
#   <name>-vmapple.elf  vmapple       (RAM 0x7000_0000, PL011 0x2001_0000, GICv3 0x1000_0000 / 0x1001_0000)
# for tests, bench (integer only) and fpbench (FP and AdvSIMD).
# Needs gcc-aarch64-linux-gnu (run scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-aarch64-linux-gnu-gcc}
command -v "$CC" >/dev/null || { echo "missing $CC: run scripts/install-deps.sh (apt-get install gcc-aarch64-linux-gnu)" >&2; exit 1; }
CFLAGS=(-O2 -g0 -ffreestanding -nostdlib -static -no-pie -fno-pie -mgeneral-regs-only -mstrict-align
        -fno-stack-protector -fno-asynchronous-unwind-tables -Wall -Wextra -Iruntime -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-z,max-page-size=4096)
OUT=${OUT:-bin}
mkdir -p "$OUT"
# Assemble the runtime entry to a named object, so no temporary file name ends up in the symbol table
# (the binaries are then reproducible byte for byte).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build() { # name board ram uart gicd gicr sources...
  local name=$1 board=$2 ram=$3 uart=$4 gicd=$5 gicr=$6; shift 6
  "$CC" "${CFLAGS[@]}" -c -o "$tmp/start.o" runtime/start.S
  "$CC" "${CFLAGS[@]}" -DUART_BASE="$uart" -DGICD_BASE="$gicd" -DGICR_BASE="$gicr" \
    -T runtime/link.ld -Wl,--defsym=RAM_BASE="$ram" -o "$OUT/$name-$board.elf" "$tmp/start.o" runtime/rt.c "$@"
}
for pair in "tests src/tests.c" "bench src/bench.c"; do
  set -- $pair
  build "$1" virt 0x40200000 0x09000000UL 0x08000000UL 0x080A0000UL "$2"
  build "$1" vmapple 0x70200000 0x20010000UL 0x10000000UL 0x10010000UL "$2"
done
# fpbench uses FP/AdvSIMD itself: its C file is compiled without -mgeneral-regs-only (sqrt inline, no
# memset calls from loop idioms), the runtime keeps general registers only. Its iteration word is
# bench_param, named fpbench_param too.
FPCFLAGS=()
for f in "${CFLAGS[@]}"; do [ "$f" = -mgeneral-regs-only ] || FPCFLAGS+=("$f"); done
FPCFLAGS+=(-fno-math-errno -fno-tree-loop-distribute-patterns)
"$CC" "${FPCFLAGS[@]}" -c -o "$tmp/fpbench.o" src/fpbench.c
build fpbench virt 0x40200000 0x09000000UL 0x08000000UL 0x080A0000UL "$tmp/fpbench.o" -Wl,--defsym=fpbench_param=bench_param
build fpbench vmapple 0x70200000 0x20010000UL 0x10000000UL 0x10010000UL "$tmp/fpbench.o" -Wl,--defsym=fpbench_param=bench_param
ls -l "$OUT"
