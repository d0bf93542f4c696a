#!/usr/bin/env bash
# Fetches Debian's arm64 Linux kernel, its modules and busybox-static with apt
# into a cache folder, and builds an initramfs around our own /init.
#   usage: fetch-debian-guest.sh [CACHE_DIR]   (default: <repo>/.cache/debian-guest)
# Produces CACHE_DIR/Image (raw arm64 Image), CACHE_DIR/initramfs.cpio.gz and
# CACHE_DIR/kernel-version. Needs root (dpkg --add-architecture, apt-get).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cache=${1:-$repo/.cache/debian-guest}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
for tool in cpio gzip dpkg-deb apt-get; do
  command -v "$tool" >/dev/null || { echo "fetch-debian-guest: $tool missing: apt-get install cpio dpkg apt" >&2; exit 1; }
done

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
  $SUDO apt-get update -qq
fi
# The kernel package name changes with Debian updates: resolve it from the meta package.
kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
if [ -z "$kpkg" ]; then
  $SUDO apt-get update -qq
  kpkg=$(apt-cache depends linux-image-arm64:arm64 | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
fi
kpkg=${kpkg%:arm64}
[ -n "$kpkg" ] || { echo "fetch-debian-guest: cannot resolve the arm64 kernel package" >&2; exit 1; }

if [ ! -f "$cache/Image" ] || [ "$(cat "$cache/kernel-package" 2>/dev/null)" != "$kpkg" ] || [ ! -f "$cache/modules/evdev.ko" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download -qq "$kpkg:arm64" busybox-static:arm64)
  mkdir -p "$work/kernel" "$work/busybox"
  dpkg-deb -x "$work"/linux-image-*_arm64.deb "$work/kernel"
  dpkg-deb -x "$work"/busybox-static_*_arm64.deb "$work/busybox"
  kver=$(ls "$work/kernel/lib/modules" | head -n 1)
  cp "$work/kernel/boot/vmlinuz-$kver" "$cache/Image"
  rm -rf "$cache/modules" && mkdir -p "$cache/modules"
  # Only the modules the e2e tests load (virtio-blk + ext4, xhci + HID, gpio-keys), with their dependencies.
  kmod="$work/kernel/lib/modules/$kver/kernel"
  for m in drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko drivers/virtio/virtio_pci_modern_dev.ko \
           drivers/virtio/virtio_pci_legacy_dev.ko drivers/virtio/virtio_pci.ko drivers/block/virtio_blk.ko \
           fs/mbcache.ko lib/crc16.ko fs/jbd2/jbd2.ko crypto/crc32c_generic.ko fs/ext4/ext4.ko \
           drivers/usb/common/usb-common.ko drivers/usb/core/usbcore.ko drivers/usb/host/xhci-hcd.ko \
           drivers/usb/host/xhci-pci.ko drivers/hid/hid.ko drivers/hid/hid-generic.ko drivers/hid/usbhid/usbhid.ko drivers/input/evdev.ko drivers/input/keyboard/gpio_keys.ko; do
    for f in "$kmod/$m" "$kmod/$m.xz"; do [ -f "$f" ] && cp "$f" "$cache/modules/"; done
  done
  cp "$work/busybox/bin/busybox" "$cache/busybox"
  echo "$kver" > "$cache/kernel-version"
  echo "$kpkg" > "$cache/kernel-package"
fi

# initramfs: busybox, our /init, the modules, and /dev/console + /dev/null as nodes
# (the kernel does not mount devtmpfs by itself with this config).
root=$(mktemp -d)
mkdir -p "$root"/{bin,dev,proc,sys,mnt,tmp,lib/modules}
cp "$cache/busybox" "$root/bin/busybox"
cp "$here/init" "$root/init"
chmod +x "$root/init" "$root/bin/busybox"
cp "$cache"/modules/* "$root/lib/modules/" 2>/dev/null || true
(cd "$root" && $SUDO mknod -m 600 dev/console c 5 1 && $SUDO mknod -m 666 dev/null c 1 3)
(cd "$root" && find . | cpio -o -H newc --owner=0:0 --quiet | gzip -9 > "$cache/initramfs.cpio.gz")
rm -rf "$root"
echo "kernel $(cat "$cache/kernel-version"): $cache/Image"
echo "initramfs: $cache/initramfs.cpio.gz"
