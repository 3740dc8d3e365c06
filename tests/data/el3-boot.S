/*
 * tests/data/el3-boot.S - the "firmware" of the matrix's el3-* lines:
 * QEMU -M virt,secure=on -bios el3-boot.bin starts it at address 0 at
 * EL3, secure, with ordo.img put at 0x40080000 by -device loader and the
 * device tree (-dtb, packed, with the -append bootargs) at the start of
 * RAM.  It enters the image as booting.rst says, but at EL3: head.S then
 * owns EL3 (el3_entry).  Built by tests/data/make-dtbs.sh.
 */
	movz	x0, #0x4000, lsl #16	/* x0 = DTB at 0x40000000 */
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	movz	x4, #0x4008, lsl #16	/* the image: 0x40080000 */
	br	x4
