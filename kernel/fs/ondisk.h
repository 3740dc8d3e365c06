/*
 * kernel/fs/ondisk.h - the ordofs on-disk format, version 1.
 *
 * docs/ondisk-format.md describes it field by field; this header is its
 * executable form.  Every field is little-endian through the checked le
 * types, every size is asserted, and every metadata block and journal
 * record carries a CRC-32C (lib/crc32c.h).
 *
 * Layout, in 4096-byte filesystem blocks (a device's logical block size
 * must divide 4096):
 *
 *   0                 superblock
 *   1 .. J            journal (internal), or none with an external journal
 *   bitmap_start      allocation bitmap, one bit per filesystem block
 *   inode_start       inode table
 *   data_start ..     directory, indirect and file data blocks
 *
 * Journal (internal or on its own device), in journal blocks:
 *
 *   0                 journal superblock: where replay starts (tail)
 *   1 .. nblocks-1    a circular log of transactions:
 *                     header(s) | block images ... | [commit record]
 */
#ifndef ORDO_FS_ONDISK_H
#define ORDO_FS_ONDISK_H

#include "lib/le.h"

#define OFS_BLOCK_SIZE 4096u
#define OFS_BLOCK_SHIFT 12
#define OFS_VERSION 2u
#define OFS_UUID_BYTES 16

/*
 * The GPT partition type GUID of an ordofs partition (docs/ondisk-format.md,
 * "Partitions"): the kernel looks for the first partition of this type.
 */
#define OFS_GPT_TYPE "e3782515-0da5-48d2-8e3c-68e70f5247ca"

/* ---- superblock (block 0) ------------------------------------------- */

#define OFS_SUPER_MAGIC 0x313053464f44524full /* "ORDOFS01" */

/* Feature flags (incompatible: a reader that does not know one refuses). */
#define OFS_FEAT_EXTERNAL_JOURNAL 0x1u
#define OFS_FEAT_KNOWN (OFS_FEAT_EXTERNAL_JOURNAL)

struct ofs_super {
	le64 magic;
	le32 version;
	le32 block_size;	 /* OFS_BLOCK_SIZE */
	le64 nblocks;		 /* filesystem size in blocks */
	u8 uuid[OFS_UUID_BYTES]; /* this format: the journal must match */
	le32 features;		 /* OFS_FEAT_* */
	le32 journal_blocks;	 /* journal length, its superblock included */
	le64 journal_start;	 /* first block (internal); 0 if external */
	le64 bitmap_start;
	le32 bitmap_blocks;
	le32 inode_blocks;
	le64 inode_start;
	le32 ninodes;  /* inode numbers 1 .. ninodes-1; 0 is "none" */
	le32 root_ino; /* OFS_ROOT_INO */
	le64 data_start;
	u8 reserved[4096 - 100];
	le32 crc; /* crc32c of the block with this field 0 */
};
_Static_assert(sizeof(struct ofs_super) == OFS_BLOCK_SIZE, "superblock is one block");
_Static_assert(offsetof(struct ofs_super, crc) == OFS_BLOCK_SIZE - 4, "crc last");

/* ---- metadata blocks ------------------------------------------------ */

/*
 * Every bitmap, inode-table, directory and indirect block ends with this
 * tail.  `blockno` makes a block written to the wrong place detectable.
 */
#define OFS_MAGIC_BITMAP 0x504d5442u   /* "BTMP" */
#define OFS_MAGIC_INODES 0x45444e49u   /* "INDE" */
#define OFS_MAGIC_DIR 0x20524944u      /* "DIR " */
#define OFS_MAGIC_INDIRECT 0x54444e49u /* "INDT" */

struct ofs_tail {
	le32 magic;
	le32 crc; /* crc32c of the block with this field 0 */
	le64 blockno;
};
_Static_assert(sizeof(struct ofs_tail) == 16, "tail size");

#define OFS_PAYLOAD (OFS_BLOCK_SIZE - sizeof(struct ofs_tail))

/* crc32c of a metadata block with its tail's crc field read as 0 (ondisk.c). */
u32 ofs_tail_crc(const void *block);
/* Recompute the tail's crc in place; magic and blockno are left as they are. */
void ofs_tail_restamp(void *block);
#define OFS_BITS_PER_BITMAP (OFS_PAYLOAD * 8)

/* ---- inodes ---------------------------------------------------------- */

#define OFS_ROOT_INO 1u
#define OFS_NDIRECT 12
#define OFS_PTRS_PER_BLOCK (OFS_PAYLOAD / sizeof(le32)) /* 1020 */

#define OFS_TYPE_FREE 0
#define OFS_TYPE_FILE 1
#define OFS_TYPE_DIR 2

struct ofs_inode {
	le16 type; /* OFS_TYPE_* */
	le16 nlink;
	le32 generation;	  /* bumped each time the number is reused */
	le64 size;		  /* bytes */
	le64 mtime_seq;		  /* transaction that last changed it */
	le32 direct[OFS_NDIRECT]; /* block numbers; 0 = hole */
	le32 indirect;		  /* block of OFS_PTRS_PER_BLOCK pointers */
	le32 dindirect;		  /* block of pointers to indirect blocks */
	le32 blocks;		  /* data and pointer blocks it maps */
	u8 reserved[128 - 84];
};
_Static_assert(sizeof(struct ofs_inode) == 128, "inode size");
#define OFS_INODES_PER_BLOCK (OFS_PAYLOAD / sizeof(struct ofs_inode)) /* 31 */

/* ---- directories ----------------------------------------------------- */

#define OFS_NAME_MAX 56

struct ofs_dirent {
	le32 ino;    /* 0: free slot */
	u8 name_len; /* 1 .. OFS_NAME_MAX */
	u8 type;     /* OFS_TYPE_FILE or OFS_TYPE_DIR */
	le16 reserved;
	char name[OFS_NAME_MAX]; /* not NUL-terminated */
};
_Static_assert(sizeof(struct ofs_dirent) == 64, "dirent size");
#define OFS_DIRENTS_PER_BLOCK (OFS_PAYLOAD / sizeof(struct ofs_dirent)) /* 63 */

/* ---- journal --------------------------------------------------------- */

#define OFS_JSUPER_MAGIC 0x4c4e524a4f44524full /* "ORDOJRNL" */
#define OFS_JCOMMIT_MAGIC 0x54494d4d4f43ull    /* "COMMIT" */

/*
 * Journal superblock: replay starts at `tail` with sequence `tail_seq`.
 *
 * It is the one journal block rewritten in place, and a crash may tear a
 * write at 512-byte sectors (docs/ondisk-format.md).  So it holds two
 * copies, each a self-contained 512-byte sector with its own crc, and a
 * write changes only one of them: the one not holding the newest state,
 * chosen by `generation`.  Whatever a crash leaves of the block, the copy
 * that was not being written is intact, and the valid copy with the
 * highest generation is the tail.
 */
#define OFS_JSUPER_COPY_BYTES 512u

struct ofs_jsuper_copy {
	le64 magic;
	le32 version;
	le32 nblocks;		 /* journal length, its superblock included */
	u8 uuid[OFS_UUID_BYTES]; /* the filesystem's */
	le64 generation;	 /* +1 on every write of either copy */
	le64 tail_seq;		 /* sequence of the first live transaction */
	le32 tail;		 /* its first header block (>= 1) */
	u8 reserved[OFS_JSUPER_COPY_BYTES - 52 - 4];
	le32 crc; /* crc32c of this copy with this field 0 */
};
_Static_assert(sizeof(struct ofs_jsuper_copy) == OFS_JSUPER_COPY_BYTES, "one sector");
_Static_assert(offsetof(struct ofs_jsuper_copy, tail) == 48, "journal superblock layout");

struct ofs_jsuper {
	struct ofs_jsuper_copy copy[2];
	u8 reserved[OFS_BLOCK_SIZE - 2 * OFS_JSUPER_COPY_BYTES];
};
_Static_assert(sizeof(struct ofs_jsuper) == OFS_BLOCK_SIZE, "journal superblock size");

/*
 * Transaction header (format version 2).  A transaction occupies, in log
 * order (wrapping from the last journal block to block 1):
 *
 *   header blocks (hdr_blocks) | images (nimages) | [commit record]
 *
 * The header area is hdr_blocks * 4096 bytes laid end to end: this struct,
 * then `nentries` entries (struct ofs_jent, each followed by its payload),
 * hdr_bytes in all; bytes past hdr_bytes are not covered and not read.
 * Each IMAGE entry takes the next image in log order.
 *
 * Checksummed commit (flag CSUM): no commit record; hdr_crc covers the
 * header and data_crc the images, so recovery can tell a transaction that
 * reached the disk whole from one that did not.  Classic commit: a commit
 * record (struct ofs_jcommit, count = nimages) after the images, written
 * only once everything before it is durable.
 */
#define OFS_JHDR_MAGIC 0x3258544a4f44524full /* "ORDOJTX2" */
#define OFS_JHDR_MAX_BLOCKS 16u		     /* header blocks per transaction */
#define OFS_JTXN_MAX_IMAGES 500u

struct ofs_jhdr {
	le64 magic;
	le64 seq;
	u8 uuid[OFS_UUID_BYTES];
	le32 flags;	/* OFS_JHDR_F_* */
	le32 hdr_bytes; /* this struct + the entries, <= hdr_blocks * 4096 */
	le32 nentries;
	le32 nimages;  /* images after the header blocks, 0 .. 500 */
	le32 data_crc; /* CSUM: crc32c of the images in log order (0 if none) */
	le32 hdr_crc;  /* crc32c of hdr_bytes bytes, this field read as 0 */
	u8 reserved[64 - 56];
};
_Static_assert(sizeof(struct ofs_jhdr) == 64, "transaction header size");

#define OFS_JHDR_F_CSUM 0x1u /* checksummed commit: no commit record */
#define OFS_JHDR_F_KNOWN OFS_JHDR_F_CSUM

/*
 * One change to one home block.  Entries are 8-byte aligned: a DELTA's
 * payload follows its entry, padded with zeros to a multiple of 8.
 */
struct ofs_jent {
	le32 home; /* filesystem block number */
	u8 kind;   /* OFS_JENT_* */
	u8 flags;  /* OFS_JENT_F_* */
	le16 len;  /* DELTA: payload bytes, 1 .. 4096 - off; else 0 */
	le16 off;  /* DELTA: byte offset in the block; else 0 */
	le16 reserved;
	le32 crc; /* DATA: crc32c of the block's 4096 bytes at home */
};
_Static_assert(sizeof(struct ofs_jent) == 16, "journal entry size");

#define OFS_JENT_IMAGE 1 /* the whole block is the next image */
#define OFS_JENT_DELTA 2 /* bytes [off, off + len) are the payload */
#define OFS_JENT_DATA 3	 /* data=ordered: written home, not logged; crc */

/* A metadata block: after replaying a DELTA, recompute its tail's crc. */
#define OFS_JENT_F_META 0x1u
#define OFS_JENT_F_KNOWN OFS_JENT_F_META

/*
 * Commit record of a classic commit, right after the last image.
 * `data_crc` is filled in as for a checksummed commit but recovery relies
 * on ordering here, not on it.
 */
struct ofs_jcommit {
	le64 magic;
	le64 seq;
	u8 uuid[OFS_UUID_BYTES];
	le32 count; /* nimages */
	le32 data_crc;
	u8 reserved[4096 - 44];
	le32 crc; /* crc32c of the commit block, this field 0 */
};
_Static_assert(sizeof(struct ofs_jcommit) == OFS_BLOCK_SIZE, "commit size");

#endif
