/*
 * apps/kvlog/kvlog.c - a durable append-only key-value log, a user program
 * for ordo (portable C11 + a small POSIX subset; also builds on Linux).
 *
 * Interface: kvlog [-f PATH] COMMAND...   (default PATH /kvlog.db)
 * Commands run in order, several per invocation:
 *   put KEY VALUE     append a record, fsync, then print "ok put KEY"
 *   get KEY           print "KEY=VALUE", or "kvlog: KEY: not found" (status 1)
 *   del KEY           append a tombstone, fsync, then print "ok del KEY"
 *   scan              every live key sorted, "KEY=VALUE", then "scan: N keys"
 *   fill N PREFIX     put PREFIX-i = value-i for i = 0..N-1, "acked PREFIX-i"
 *                     after each fsync returns (a kill test counts these)
 *   check N PREFIX    "check: N present, M missing" (status 1 if M > 0)
 *   count             "count: N records, M live keys"
 *   compact           write the live set to PATH.tmp, fsync, rename over PATH
 * Keys are 1..255 printable bytes without spaces or '='; values 0..255
 * printable bytes without spaces.  Exit status 0, or 1 if anything failed;
 * a failed call prints "kvlog: <what>: <strerror>" and exits 1 at once.
 *
 * On-disk format: records back to back from offset 0, integers little-endian,
 * encoded byte by byte (never a struct image):
 *
 *   offset  size  field
 *   0       4     magic "KVL1"
 *   4       1     key length k (1..255)
 *   5       1     value length v (0..255; 0 in a tombstone)
 *   6       1     flags: bit 0 = tombstone; the other bits are zero
 *   7       1     zero
 *   8       8     sequence number: 1 for the first record, then +1 each
 *   16      k     key
 *   16+k    v     value
 *   16+k+v  4     CRC-32C (Castagnoli) of bytes 0 .. 16+k+v-1
 *
 * Commit point: the fsync() after a record's write.  "ok" and "acked" are
 * printed only after it returns 0, so a printed line means durable.
 *
 * Recovery on open: records are read in order; the first one that is short,
 * fails its CRC or has a bad header ends the log.  If no valid record starts
 * anywhere after it, the rest is a torn append (a crash mid-write): it is
 * reported once and cut off with ftruncate + fsync.  If a valid record does
 * follow, the damage is in the middle of the log and kvlog refuses to go on
 * rather than drop acknowledged records.
 *
 * compact is crash-safe because rename() replaces PATH atomically: a crash
 * leaves the old log or the new one, never neither.  On ordofs an fsync
 * commits every change to the filesystem, the rename included; on Linux the
 * rename's durability would also need an fsync of the directory, which the
 * ordo call set does not offer.
 *
 * The index is an in-memory hash table (open addressing) built on open.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KV_MAGIC 0x314c564bu /* "KVL1" read as a little-endian u32 */
#define KV_HDR 16
#define KV_CRC 4
#define KV_MAXLEN 255
#define KV_MAXREC (KV_HDR + 2 * KV_MAXLEN + KV_CRC)
#define KV_F_TOMB 0x01
#define KV_WINDOW 65536 /* read-ahead while scanning the log */

struct kv_rec {
	unsigned klen, vlen, flags;
	uint64_t seq;
	const uint8_t *key, *val;
};

/* One key's latest state; val is NULL once the key is deleted. */
struct kv_ent {
	char *key;
	char *val;
};

struct kvlog {
	const char *path;
	int fd;
	uint64_t end;	      /* offset just past the last valid record */
	uint64_t seq;	      /* sequence number of the last record (0: empty log) */
	uint64_t nrec;	      /* records in the log */
	struct kv_ent *slots; /* hash table; key NULL = empty slot */
	size_t cap, used, live;
	int status;
};

/* A read window over the log file, for scanning it front to back. */
struct kv_reader {
	int fd;
	uint64_t base;
	size_t len;
	uint8_t buf[KV_WINDOW];
};

static uint32_t crc_table[256];

static void crc32c_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32c(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--)
		c = crc_table[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* Print "kvlog: WHAT PATH: strerror(errno)" and exit 1. */
static void fail(const char *what, const char *path)
{
	int err = errno;

	fflush(stdout);
	fprintf(stderr, "kvlog: %s %s: %s\n", what, path, strerror(err));
	exit(1);
}

/* Print "kvlog: ABC" (no errno), in order with what stdout already holds. */
static void complain(const char *a, const char *b, const char *c)
{
	fflush(stdout);
	fprintf(stderr, "kvlog: %s%s%s\n", a, b, c);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		errno = ENOMEM;
		fail("allocate", "memory");
	}
	return p;
}

static char *xstrndup(const uint8_t *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Encode a record into buf (KV_MAXREC bytes); returns its length. */
static size_t rec_encode(uint8_t *buf, const char *key, const char *val, uint64_t seq)
{
	size_t k = strlen(key), v = val ? strlen(val) : 0;

	put_le32(buf, KV_MAGIC);
	buf[4] = (uint8_t)k;
	buf[5] = (uint8_t)v;
	buf[6] = val ? 0 : KV_F_TOMB;
	buf[7] = 0;
	put_le64(buf + 8, seq);
	memcpy(buf + KV_HDR, key, k);
	if (v)
		memcpy(buf + KV_HDR + k, val, v);
	put_le32(buf + KV_HDR + k + v, crc32c(buf, KV_HDR + k + v));
	return KV_HDR + k + v + KV_CRC;
}

/* Decode the record at p (avail bytes there); its length, or 0 if it is not valid. */
static size_t rec_decode(const uint8_t *p, size_t avail, struct kv_rec *r)
{
	size_t body;

	if (avail < KV_HDR || get_le32(p) != KV_MAGIC || p[7] != 0 || (p[6] & ~KV_F_TOMB))
		return 0;
	r->klen = p[4];
	r->vlen = p[5];
	r->flags = p[6];
	if (r->klen == 0 || ((r->flags & KV_F_TOMB) && r->vlen))
		return 0;
	body = KV_HDR + r->klen + r->vlen;
	if (avail < body + KV_CRC || get_le32(p + body) != crc32c(p, body))
		return 0;
	r->seq = get_le64(p + 8);
	r->key = p + KV_HDR;
	r->val = p + KV_HDR + r->klen;
	return body + KV_CRC;
}

/*
 * Make the bytes [off, off + want) of the log available, reading ahead.
 * Returns a pointer to them with *avail set (less than want at the end of
 * the file), or NULL with errno set if pread fails.
 */
static const uint8_t *rd_at(struct kv_reader *rd, uint64_t off, size_t want, size_t *avail)
{
	if (off < rd->base || off + want > rd->base + rd->len) {
		rd->base = off;
		rd->len = 0;
		while (rd->len < sizeof(rd->buf)) {
			ssize_t n = pread(rd->fd, rd->buf + rd->len, sizeof(rd->buf) - rd->len,
					  (off_t)(off + rd->len));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return NULL;
			if (n == 0)
				break;
			rd->len += (size_t)n;
		}
	}
	*avail = (size_t)(rd->base + rd->len - off);
	if (*avail > want)
		*avail = want;
	return rd->buf + (off - rd->base);
}

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3u;
	return h;
}

/* The slot for key: its entry, or an empty slot where it would go. */
static struct kv_ent *idx_slot(struct kvlog *kv, const char *key)
{
	size_t i = (size_t)hash(key) & (kv->cap - 1);

	while (kv->slots[i].key && strcmp(kv->slots[i].key, key))
		i = (i + 1) & (kv->cap - 1);
	return &kv->slots[i];
}

static void idx_grow(struct kvlog *kv)
{
	struct kv_ent *old = kv->slots;
	size_t oldcap = kv->cap;

	kv->cap = oldcap ? oldcap * 2 : 64;
	kv->slots = calloc(kv->cap, sizeof(*kv->slots));
	if (!kv->slots) {
		errno = ENOMEM;
		fail("allocate", "index");
	}
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*idx_slot(kv, old[i].key) = old[i];
	free(old);
}

/* Record that key now holds val (NULL: deleted). */
static void idx_set(struct kvlog *kv, const uint8_t *key, size_t klen, const uint8_t *val,
		    size_t vlen, bool tomb)
{
	char *k = xstrndup(key, klen);
	struct kv_ent *e;

	if ((kv->used + 1) * 10 > kv->cap * 7)
		idx_grow(kv);
	e = idx_slot(kv, k);
	if (e->key) {
		free(k);
		if (e->val)
			kv->live--;
		free(e->val);
	} else {
		e->key = k;
		kv->used++;
	}
	e->val = tomb ? NULL : xstrndup(val, vlen);
	if (e->val)
		kv->live++;
}

static const char *idx_get(struct kvlog *kv, const char *key)
{
	return kv->cap ? idx_slot(kv, key)->val : NULL;
}

/* Does a valid record start anywhere in [from, size)? */
static bool valid_record_after(struct kv_reader *rd, uint64_t from, uint64_t size, const char *path)
{
	for (uint64_t off = from; off + KV_HDR + KV_CRC < size; off++) {
		size_t avail;
		struct kv_rec r;
		const uint8_t *p = rd_at(rd, off, KV_MAXREC, &avail);

		if (!p)
			fail("read", path);
		if (p[0] == (KV_MAGIC & 0xff) && rec_decode(p, avail, &r))
			return true;
	}
	return false;
}

/* Open the log, build the index, cut off a torn tail. */
static void kv_open(struct kvlog *kv)
{
	struct kv_reader *rd = xmalloc(sizeof(*rd));
	struct stat st;
	uint64_t off = 0, size;

	kv->fd = open(kv->path, O_RDWR | O_CREAT, 0644);
	if (kv->fd < 0)
		fail("open", kv->path);
	if (fstat(kv->fd, &st))
		fail("fstat", kv->path);
	size = (uint64_t)st.st_size;
	rd->fd = kv->fd;
	rd->base = rd->len = 0;
	while (off < size) {
		size_t avail, n;
		struct kv_rec r;
		const uint8_t *p = rd_at(rd, off, KV_MAXREC, &avail);

		if (!p)
			fail("read", kv->path);
		n = rec_decode(p, avail, &r);
		if (!n)
			break;
		/* A complete, checksummed record out of sequence is not a torn tail. */
		if (r.seq != kv->seq + 1)
			goto corrupt;
		idx_set(kv, r.key, r.klen, r.val, r.vlen, r.flags & KV_F_TOMB);
		kv->seq = r.seq;
		kv->nrec++;
		off += n;
	}
	if (off < size) {
		if (valid_record_after(rd, off + 1, size, kv->path))
			goto corrupt;
		fflush(stdout);
		fprintf(stderr, "kvlog: discarding %" PRIu64 " torn bytes at offset %" PRIu64 "\n",
			size - off, off);
		if (ftruncate(kv->fd, (off_t)off))
			fail("ftruncate", kv->path);
		if (fsync(kv->fd))
			fail("fsync", kv->path);
	}
	kv->end = off;
	free(rd);
	return;
corrupt:
	fflush(stdout);
	fprintf(stderr, "kvlog: corrupt record at offset %" PRIu64 "\n", off);
	exit(1);
}

/* Write all of buf at off; exits on failure (the next open discards a partial record). */
static void write_all(int fd, const uint8_t *buf, size_t len, uint64_t off, const char *path)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			fail("write", path);
		}
		done += (size_t)n;
	}
}

/* Append a put (val) or a tombstone (val NULL) and make it durable. */
static void kv_append(struct kvlog *kv, const char *key, const char *val)
{
	uint8_t buf[KV_MAXREC];
	size_t len = rec_encode(buf, key, val, kv->seq + 1);

	write_all(kv->fd, buf, len, kv->end, kv->path);
	if (fsync(kv->fd))
		fail("fsync", kv->path);
	kv->end += len;
	kv->seq++;
	kv->nrec++;
	idx_set(kv, (const uint8_t *)key, strlen(key), (const uint8_t *)val, val ? strlen(val) : 0,
		!val);
}

/* A key (is_key) or value: printable, no spaces, no '=' in a key, length in range. */
static bool valid_word(struct kvlog *kv, const char *s, bool is_key)
{
	size_t n = strlen(s);
	bool ok = n <= KV_MAXLEN && (n > 0 || !is_key);

	for (const char *c = s; ok && *c; c++)
		ok = isgraph((unsigned char)*c) && !(is_key && *c == '=');
	if (!ok) {
		complain(is_key ? "bad key '" : "bad value '", s,
			 is_key ? "': a key is 1 to 255 printable characters, no spaces or '='"
				: "': a value is 0 to 255 printable characters, no spaces");
		kv->status = 1;
	}
	return ok;
}

static int cmp_ent(const void *a, const void *b)
{
	return strcmp(((const struct kv_ent *)a)->key, ((const struct kv_ent *)b)->key);
}

/* The live entries sorted by key (a copy of the slots; the strings are shared). */
static struct kv_ent *live_sorted(struct kvlog *kv)
{
	struct kv_ent *v = xmalloc((kv->live + 1) * sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < kv->cap; i++)
		if (kv->slots[i].key && kv->slots[i].val)
			v[n++] = kv->slots[i];
	qsort(v, n, sizeof(*v), cmp_ent);
	return v;
}

static void cmd_scan(struct kvlog *kv)
{
	struct kv_ent *v = live_sorted(kv);

	for (size_t i = 0; i < kv->live; i++)
		printf("%s=%s\n", v[i].key, v[i].val);
	printf("scan: %zu keys\n", kv->live);
	free(v);
}

/* Write the live set to PATH.tmp, fsync it, rename it over PATH. */
static void cmd_compact(struct kvlog *kv)
{
	size_t plen = strlen(kv->path);
	char *tmp = xmalloc(plen + 5);
	struct kv_ent *v = live_sorted(kv);
	uint64_t off = 0, oldrec = kv->nrec, oldend = kv->end;
	uint8_t buf[KV_MAXREC];
	int fd;

	memcpy(tmp, kv->path, plen);
	memcpy(tmp + plen, ".tmp", 5);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		fail("open", tmp);
	for (size_t i = 0; i < kv->live; i++) {
		size_t len = rec_encode(buf, v[i].key, v[i].val, i + 1);

		write_all(fd, buf, len, off, tmp);
		off += len;
	}
	if (fsync(fd))
		fail("fsync", tmp);
	if (close(fd))
		fail("close", tmp);
	if (rename(tmp, kv->path))
		fail("rename to", kv->path);
	/* The old descriptor still names the replaced log: switch to the new one. */
	close(kv->fd);
	kv->fd = open(kv->path, O_RDWR);
	if (kv->fd < 0)
		fail("open", kv->path);
	if (fsync(kv->fd))
		fail("fsync", kv->path);
	kv->end = off;
	kv->seq = kv->nrec = kv->live;
	printf("ok compact: %" PRIu64 " records, %" PRIu64 " bytes -> %zu records, %" PRIu64
	       " bytes\n",
	       oldrec, oldend, kv->live, off);
	free(v);
	free(tmp);
}

/* fill (check false) or check (check true) N PREFIX. */
static void cmd_fill_check(struct kvlog *kv, const char *nstr, const char *prefix, bool check)
{
	char key[KV_MAXLEN + 2], val[32], *end;
	unsigned long n, missing = 0;
	bool reported = false;

	errno = 0;
	n = strtoul(nstr, &end, 10);
	if (errno || end == nstr || *end || nstr[0] == '-') {
		complain(check ? "check: '" : "fill: '", nstr, "' is not a count");
		kv->status = 1;
		return;
	}
	for (unsigned long i = 0; i < n; i++) {
		const char *have;

		snprintf(key, sizeof(key), "%s-%lu", prefix, i);
		snprintf(val, sizeof(val), "value-%lu", i);
		if (!valid_word(kv, key, true))
			return;
		if (!check) {
			kv_append(kv, key, val);
			printf("acked %s\n", key);
			fflush(stdout);
			continue;
		}
		have = idx_get(kv, key);
		if (have && !strcmp(have, val))
			continue;
		if (!reported) {
			fflush(stdout);
			fprintf(stderr, "kvlog: check: first missing %s (%s%s%s)\n", key,
				have ? "value " : "not found", have ? have : "",
				have ? ", wrong" : "");
			reported = true;
		}
		missing++;
	}
	if (check) {
		printf("check: %lu present, %lu missing\n", n - missing, missing);
		if (missing)
			kv->status = 1;
	}
}

static void usage(void)
{
	fputs("usage: kvlog [-f PATH] COMMAND...\n"
	      "commands: put KEY VALUE | get KEY | del KEY | scan | fill N PREFIX |\n"
	      "          check N PREFIX | count | compact\n",
	      stderr);
}

/* Does command cmd at argv[i] have its nargs arguments? */
static bool has_args(int argc, int i, int nargs, const char *cmd)
{
	if (i + nargs < argc)
		return true;
	complain(cmd, ": missing arguments", "");
	return false;
}

/* Run the command at argv[i]; returns how many words it used, or 0 on a usage error. */
static int run(struct kvlog *kv, int argc, char **argv, int i)
{
	const char *cmd = argv[i], *v;

	if (!strcmp(cmd, "put") && has_args(argc, i, 2, cmd)) {
		if (valid_word(kv, argv[i + 1], true) && valid_word(kv, argv[i + 2], false)) {
			kv_append(kv, argv[i + 1], argv[i + 2]);
			printf("ok put %s\n", argv[i + 1]);
		}
		return 3;
	}
	if ((!strcmp(cmd, "get") || !strcmp(cmd, "del")) && has_args(argc, i, 1, cmd)) {
		v = idx_get(kv, argv[i + 1]);
		if (!v) {
			complain(argv[i + 1], ": not found", "");
			kv->status = 1;
		} else if (cmd[0] == 'g') {
			printf("%s=%s\n", argv[i + 1], v);
		} else {
			kv_append(kv, argv[i + 1], NULL);
			printf("ok del %s\n", argv[i + 1]);
		}
		return 2;
	}
	if ((!strcmp(cmd, "fill") || !strcmp(cmd, "check")) && has_args(argc, i, 2, cmd)) {
		cmd_fill_check(kv, argv[i + 1], argv[i + 2], cmd[0] == 'c');
		return 3;
	}
	if (!strcmp(cmd, "scan")) {
		cmd_scan(kv);
		return 1;
	}
	if (!strcmp(cmd, "count")) {
		printf("count: %" PRIu64 " records, %zu live keys\n", kv->nrec, kv->live);
		return 1;
	}
	if (!strcmp(cmd, "compact")) {
		cmd_compact(kv);
		return 1;
	}
	if (strcmp(cmd, "put") && strcmp(cmd, "get") && strcmp(cmd, "del") && strcmp(cmd, "fill") &&
	    strcmp(cmd, "check"))
		complain("unknown command '", cmd, "'");
	return 0;
}

int main(int argc, char **argv)
{
	struct kvlog kv = { .path = "/kvlog.db", .fd = -1 };
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "-f")) {
		kv.path = argv[2];
		i = 3;
	}
	if (i >= argc) {
		usage();
		return 1;
	}
	crc32c_init();
	kv_open(&kv);
	while (i < argc) {
		int used = run(&kv, argc, argv, i);

		if (!used) {
			usage();
			kv.status = 1;
			break;
		}
		i += used;
	}
	if (close(kv.fd))
		fail("close", kv.path);
	fflush(stdout);
	return kv.status;
}
