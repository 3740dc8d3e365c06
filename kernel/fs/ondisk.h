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
 *                     descriptor | block images ... | commit record
 */
#ifndef ORDO_FS_ONDISK_H
#define ORDO_FS_ONDISK_H

#include "lib/le.h"

#define OFS_BLOCK_SIZE 4096u
#define OFS_BLOCK_SHIFT 12
#define OFS_VERSION 1u
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
	u8 reserved[128 - 80];
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
#define OFS_JDESC_MAGIC 0x435345444aull	       /* "JDESC" */
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
	le32 tail;		 /* its descriptor's journal block (>= 1) */
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
 * Descriptor: the home block numbers of the `count` images that follow it
 * in the log (wrapping from the last journal block to block 1).
 */
#define OFS_JDESC_MAX 500u

struct ofs_jdesc {
	le64 magic;
	le64 seq;
	u8 uuid[OFS_UUID_BYTES];
	le32 count; /* 1 .. OFS_JDESC_MAX */
	le32 flags; /* OFS_JDESC_F_* */
	le64 home[OFS_JDESC_MAX];
	u8 reserved[4096 - 40 - 8 * OFS_JDESC_MAX - 4];
	le32 crc; /* crc32c of the descriptor, this field 0 */
};
_Static_assert(sizeof(struct ofs_jdesc) == OFS_BLOCK_SIZE, "descriptor size");

/* The commit record was written together with the blocks (one FLUSH). */
#define OFS_JDESC_F_CSUM_COMMIT 0x1u

/*
 * Commit record, right after the last image.  `data_crc` is the crc32c of
 * the descriptor block followed by every image, in log order: replay
 * accepts the transaction only if all of them are exactly what was written.
 */
struct ofs_jcommit {
	le64 magic;
	le64 seq;
	u8 uuid[OFS_UUID_BYTES];
	le32 count;
	le32 data_crc;
	u8 reserved[4096 - 44];
	le32 crc; /* crc32c of the commit block, this field 0 */
};
_Static_assert(sizeof(struct ofs_jcommit) == OFS_BLOCK_SIZE, "commit size");

#endif
