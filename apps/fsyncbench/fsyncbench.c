/*
 * apps/fsyncbench/fsyncbench.c - concurrent durable appends: THREADS
 * threads each append SIZE bytes to a file of their own and fsync it,
 * OPS times, all at once; for measuring group commit (concurrent fsyncs
 * sharing one commit and one FLUSH).
 *
 *   fsyncbench THREADS OPS [SIZE]      (SIZE default 4096)
 *
 * Prints "fsyncbench: T threads x N ops: F fsyncs in MS ms, R fsyncs/s",
 * then checks that every file holds exactly what was appended.  Status 0,
 * or 1 with a message on any failed call or a wrong file.
 *
 * Plain POSIX threads and files: it builds and runs on Linux as well.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_THREADS 64

struct worker {
	pthread_t t;
	int id, fd;
	unsigned ops;
	size_t size;
	int err; /* errno of the first failure, 0 */
	const char *what;
};

static double now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0;
}

/* Byte i of worker `id`'s file. */
static unsigned char pattern(int id, size_t i)
{
	return (unsigned char)(id * 31 + i * 7 + (i >> 12));
}

static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned char *buf = malloc(w->size);

	if (!buf) {
		w->err = ENOMEM;
		w->what = "malloc";
		return NULL;
	}
	for (unsigned n = 0; n < w->ops && !w->err; n++) {
		size_t off = (size_t)n * w->size;

		for (size_t i = 0; i < w->size; i++)
			buf[i] = pattern(w->id, off + i);
		if (write(w->fd, buf, w->size) != (ssize_t)w->size) {
			w->err = errno ? errno : EIO;
			w->what = "write";
		} else if (fsync(w->fd)) {
			w->err = errno;
			w->what = "fsync";
		}
	}
	free(buf);
	return NULL;
}

/* The file holds exactly ops * size pattern bytes. */
static int check(const struct worker *w, const char *path)
{
	unsigned char buf[4096];
	size_t total = (size_t)w->ops * w->size, off = 0;
	struct stat st;

	if (fstat(w->fd, &st) || (size_t)st.st_size != total) {
		printf("fsyncbench: %s: size %lld, expected %zu\n", path, (long long)st.st_size,
		       total);
		return 1;
	}
	while (off < total) {
		size_t n = total - off < sizeof(buf) ? total - off : sizeof(buf);

		if (pread(w->fd, buf, n, (off_t)off) != (ssize_t)n) {
			printf("fsyncbench: %s: read at %zu failed\n", path, off);
			return 1;
		}
		for (size_t i = 0; i < n; i++) {
			if (buf[i] != pattern(w->id, off + i)) {
				printf("fsyncbench: %s: wrong byte at %zu\n", path, off + i);
				return 1;
			}
		}
		off += n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct worker w[MAX_THREADS];
	char path[MAX_THREADS][32];
	int threads, bad = 0;
	unsigned ops;
	size_t size = 4096;
	double t0, ms;

	if (argc < 3 || argc > 4 || (threads = atoi(argv[1])) < 1 || threads > MAX_THREADS) {
		fprintf(stderr, "usage: fsyncbench THREADS(1..%d) OPS [SIZE]\n", MAX_THREADS);
		return 1;
	}
	ops = (unsigned)strtoul(argv[2], NULL, 0);
	if (argc == 4)
		size = strtoul(argv[3], NULL, 0);
	if (size == 0 || size > (1u << 20)) {
		fprintf(stderr, "fsyncbench: SIZE must be 1..1048576\n");
		return 1;
	}
	for (int i = 0; i < threads; i++) {
		snprintf(path[i], sizeof(path[i]), "/fsb-%d", i);
		w[i] = (struct worker){ .id = i, .ops = ops, .size = size };
		w[i].fd = open(path[i], O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (w[i].fd < 0) {
			printf("fsyncbench: %s: %s\n", path[i], strerror(errno));
			return 1;
		}
	}
	sync(); /* the files exist durably before the clock starts */
	t0 = now_ms();
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&w[i].t, NULL, work, &w[i])) {
			printf("fsyncbench: cannot create thread %d\n", i);
			return 1;
		}
	}
	for (int i = 0; i < threads; i++)
		pthread_join(w[i].t, NULL);
	ms = now_ms() - t0;
	for (int i = 0; i < threads; i++) {
		if (w[i].err) {
			printf("fsyncbench: thread %d: %s: %s\n", i, w[i].what, strerror(w[i].err));
			bad = 1;
		}
	}
	printf("fsyncbench: %d threads x %u ops: %u fsyncs in %.1f ms, %.0f fsyncs/s\n", threads,
	       ops, threads * ops, ms, ms > 0 ? threads * ops * 1000.0 / ms : 0.0);
	for (int i = 0; i < threads && !bad; i++)
		bad |= check(&w[i], path[i]);
	for (int i = 0; i < threads; i++)
		close(w[i].fd);
	fflush(stdout);
	return bad;
}
