/*
 * apps/counter/counter.c - the README's example: how many times has this
 * disk been booted?  Keeps the count in /count.txt, replaced atomically
 * (write a new file, fsync it, rename it over the old one), so a crash
 * leaves the old count or the new one, never neither.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *who = argc > 1 ? argv[1] : "world";
	long count = 0;
	FILE *f = fopen("/count.txt", "r");

	if (f) {
		if (fscanf(f, "%ld", &count) != 1)
			count = 0;
		fclose(f);
	}
	count++;

	f = fopen("/count.txt.new", "w");
	if (!f || fprintf(f, "%ld\n", count) < 0 || fflush(f) || fsync(fileno(f))) {
		perror("count.txt.new");
		return 1;
	}
	fclose(f);
	if (rename("/count.txt.new", "/count.txt")) {
		perror("rename");
		return 1;
	}
	printf("hello, %s: this disk has run me %ld time%s\n", who, count, count == 1 ? "" : "s");
	return 0;
}
