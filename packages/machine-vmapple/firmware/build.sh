#!/usr/bin/env bash
# Builds the bundled demo firmware. The result, vmapple-demo.bin, is committed
# so a fresh machine needs no cross compiler to run it.
# Needs: apt-get install gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-aarch64-linux-gnu-gcc}
OBJCOPY=${OBJCOPY:-aarch64-linux-gnu-objcopy}
command -v "$CC" >/dev/null || { echo "build.sh: $CC missing: apt-get install gcc-aarch64-linux-gnu" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$CC" -O2 -ffreestanding -nostdlib -nostartfiles -static -no-pie -fno-pie -mgeneral-regs-only -mstrict-align \
  -fno-builtin -fno-stack-protector -Wall -Wextra -Werror -Wl,--no-warn-rwx-segments -Wl,--build-id=none -T link.ld -o "$tmp/demo.elf" start.S demo.c
"$OBJCOPY" -O binary "$tmp/demo.elf" vmapple-demo.bin
# A tiny root disk for the demo: sector 0 holds a greeting the firmware prints.
python3 - <<'PY'
data = bytearray(4096)
msg = b"Hello from the root disk, read through the vmapple backdoor."
data[:len(msg)] = msg
open("demo-root.img", "wb").write(bytes(data))
PY
ls -l vmapple-demo.bin demo-root.img
