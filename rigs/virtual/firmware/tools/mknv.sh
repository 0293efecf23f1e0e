#!/usr/bin/env bash
# Make a 16 MiB NV image (the board's flash: all 0xff) and place files in it.
#   tools/mknv.sh nv.img build/bootloader.bin@0x21000000 build/factory.img@0x21800000 ...
# Addresses are board addresses (NV base 0x21000000); an existing nv.img is kept and patched
# unless -n (new) is given first.
set -euo pipefail
new=0
if [[ "${1:-}" == -n ]]; then new=1; shift; fi
out=${1:?usage: mknv.sh [-n] nv.img file@0xADDR...}
shift
NV_BASE=$((0x21000000)) NV_SIZE=$((0x1000000))
if [[ $new == 1 || ! -f "$out" ]]; then
  head -c $NV_SIZE /dev/zero | tr '\0' '\377' > "$out"
fi
for spec in "$@"; do
  file=${spec%@*} addr=$((${spec##*@}))
  size=$(stat -c %s "$file")
  off=$((addr - NV_BASE))
  if (( off < 0 || off + size > NV_SIZE )); then echo "mknv: $file does not fit at $spec" >&2; exit 2; fi
  dd if="$file" of="$out" bs=4096 oflag=seek_bytes seek=$off conv=notrunc status=none
done
