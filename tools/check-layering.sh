#!/bin/sh
# tools/check-layering.sh - enforce the layer rules of docs/architecture.md section 1.
#
# 1. Nothing above arch/ includes a file of a particular architecture, or
#    names an architecture in an include or an #if.  The portable stack
#    (lib, drivers, kernel/block, kernel/fs) reaches the system only
#    through "arch/port.h", the port contract; the rest of kernel/ may also
#    include "arch/arch.h" and <asm/io.h> (resolved per arch by the include
#    path) directly, and nothing else of arch/.
# 2. Layers include only downwards: lib/ includes only lib/; drivers/virtio
#    never includes drivers/block or kernel/; drivers/pci no other driver;
#    drivers/ never includes kernel/ except the block-device interface it
#    implements; the block layer (kernel/block) nothing above lib/; the
#    filesystem (kernel/fs) no driver; of kernel/ only the composition root
#    (kernel/main.c) and the driver tests (kernel/ktest) see drivers/.
# Prints each violation; exits 1 if there is any.
set -u
cd "$(dirname "$0")/.." || exit 2
bad=0

for f in $(git ls-files 'lib/*' 'drivers/*' 'kernel/*' | grep -E '\.[ch]$'); do
	grep -nE '^[[:space:]]*#[[:space:]]*include' "$f" | while IFS= read -r line; do
		inc=$(echo "$line" | sed -E 's/.*#[[:space:]]*include[[:space:]]*[<"]([^>"]*)[>"].*/\1/')
		case $f:$inc in
		*:arch/port.h) ;;
		lib/*:arch/* | lib/*:asm/* | drivers/*:arch/* | drivers/*:asm/* | \
			kernel/block/*:arch/* | kernel/block/*:asm/* | kernel/fs/*:arch/* | \
			kernel/fs/*:asm/*)
			echo "$f: includes $inc (the portable stack uses arch/port.h)" ;;
		*:arch/arch.h | *:asm/io.h) ;;
		*:arch/* | *:asm/*) echo "$f: includes $inc" ;;
		esac
		case $f:$inc in
		lib/*:drivers/* | lib/*:kernel/*) echo "$f: lib includes $inc" ;;
		drivers/virtio/*:drivers/block/* | drivers/virtio/*:kernel/*) echo "$f: virtio includes $inc" ;;
		drivers/pci/*:drivers/virtio/* | drivers/pci/*:drivers/block/*) echo "$f: PCI includes $inc" ;;
		drivers/*:kernel/block/blkdev.h) ;;
		drivers/*:kernel/*) echo "$f: driver includes $inc" ;;
		kernel/block/*:kernel/block/*) ;;
		kernel/block/*:drivers/* | kernel/block/*:kernel/*) echo "$f: block layer includes $inc" ;;
		kernel/fs/*:drivers/*) echo "$f: filesystem includes $inc" ;;
		kernel/main.c:drivers/* | kernel/ktest/*:drivers/*) ;;
		kernel/*:drivers/*) echo "$f: application includes $inc" ;;
		esac
	done
	grep -nE '^[[:space:]]*#[[:space:]]*(if|ifdef|ifndef|elif).*(__aarch64__|__riscv|__x86_64__|CONFIG_ARCH|ARCH_)' "$f" |
		sed "s|^|$f: architecture conditional: |"
done >/tmp/ordo-layering.$$
if [ -s /tmp/ordo-layering.$$ ]; then
	sed 's/^/layering: /' /tmp/ordo-layering.$$
	bad=1
fi
rm -f /tmp/ordo-layering.$$
[ "$bad" -eq 0 ] && echo "layering: ok (no architecture header or conditional above arch/, includes only go down)"
exit "$bad"
