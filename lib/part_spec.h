/*
 * lib/part_spec.h - the on-disk partition table structures the parsers in
 * lib/part.c and lib/disksig.c read.
 *
 * Mirrors UEFI 2.10 section 5.2.1 (Legacy MBR, Table 5-1 and 5-2) and
 * section 5.3 (GUID Partition Table: header Table 5-5, entry Table 5-6),
 * with the spec's field names in lower case.  The extended boot record
 * (EBR) that chains MBR logical partitions is not in UEFI; it reuses the
 * MBR layout (entry 0: the logical partition, relative to this EBR; entry
 * 1: the next EBR, relative to the extended partition's start).
 * All integers little-endian; all LBAs in logical blocks of the disk.
 */
#ifndef ORDO_LIB_PART_SPEC_H
#define ORDO_LIB_PART_SPEC_H

#include "lib/le.h"

/* 5.2.1 Legacy MBR */
#define MBR_SIGNATURE 0xaa55
#define MBR_NPART 4
#define MBR_TYPE_EXTENDED_CHS 0x05
#define MBR_TYPE_EXTENDED_LBA 0x0f
#define MBR_TYPE_EXTENDED_LINUX 0x85
#define MBR_TYPE_GPT_PROTECTIVE 0xee /* 5.2.3 Protective MBR */

struct mbr_part_record {
	u8 boot_indicator; /* 0x80 bootable, 0x00 not; anything else is not an MBR */
	u8 starting_chs[3];
	u8 os_type; /* 0: unused */
	u8 ending_chs[3];
	le32 starting_lba;
	le32 size_in_lba;
} __packed;
_Static_assert(sizeof(struct mbr_part_record) == 16, "MBR partition record");

struct mbr {
	u8 boot_code[440];
	le32 unique_mbr_disk_signature;
	u8 unknown[2];
	struct mbr_part_record partition_record[MBR_NPART];
	le16 signature; /* MBR_SIGNATURE */
} __packed;
_Static_assert(sizeof(struct mbr) == 512, "MBR is one 512-byte sector");
_Static_assert(offsetof(struct mbr, partition_record) == 446, "MBR records at 446");

/* 5.3.2 GPT Header */
#define GPT_HEADER_SIGNATURE "EFI PART" /* 8 bytes, no NUL */
#define GPT_REVISION_MAJOR 1		/* revision 1.0 is 0x00010000 */
#define GPT_HEADER_MIN_SIZE 92
#define GPT_ENTRY_MIN_SIZE 128 /* SizeOfPartitionEntry: 128 * 2^n */

struct gpt_header {
	u8 signature[8];
	le32 revision;
	le32 header_size;
	le32 header_crc32; /* CRC-32 of header_size bytes with this field 0 */
	le32 reserved;
	le64 my_lba;
	le64 alternate_lba;
	le64 first_usable_lba;
	le64 last_usable_lba;
	u8 disk_guid[16];
	le64 partition_entry_lba;
	le32 number_of_partition_entries;
	le32 size_of_partition_entry;
	le32 partition_entry_array_crc32;
} __packed; /* 92 bytes: no tail padding after the last le32 */
_Static_assert(sizeof(struct gpt_header) == GPT_HEADER_MIN_SIZE, "GPT header size");
_Static_assert(offsetof(struct gpt_header, header_crc32) == 16, "GPT header CRC at 16");

/* 5.3.3 GPT Partition Entry Array */
#define GPT_NAME_UNITS 36 /* UTF-16LE code units */

struct gpt_entry {
	u8 partition_type_guid[16]; /* all zero: unused entry */
	u8 unique_partition_guid[16];
	le64 starting_lba;
	le64 ending_lba; /* inclusive */
	le64 attributes;
	le16 partition_name[GPT_NAME_UNITS];
};
_Static_assert(sizeof(struct gpt_entry) == GPT_ENTRY_MIN_SIZE, "GPT entry size");
_Static_assert(offsetof(struct gpt_entry, partition_name) == 56, "GPT name at 56");

#endif
