// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/kallsyms, read once.  It has 100k lines and more and takes about a
 * second to read on the test machine, so every lookup searches the table:
 * by address with a binary search, by name with a scan.  A module's
 * symbols move when modules come and go, so the table is read again when
 * /proc/modules changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

struct ksym {
	unsigned long long addr;
	size_t line;	/* symbols at one address keep kallsyms' order */
	char type;
	char *name;
};

static struct ksym *syms;
static size_t nsyms;
static unsigned long long loaded_modules;

/*
 * A fingerprint of the loaded modules: a module symbol's address means
 * the same name until a module comes or goes.
 */
static unsigned long long modules_fingerprint(void)
{
	unsigned long long h = 14695981039346656037ULL;	/* FNV-1a */
	FILE *f = fopen("/proc/modules", "r");
	int c;

	if (!f)
		return 0;
	while ((c = getc(f)) != EOF)
		h = (h ^ (unsigned char)c) * 1099511628211ULL;
	fclose(f);
	return h;
}

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static void ksyms_free(void)
{
	size_t i;

	for (i = 0; i < nsyms; i++)
		free(syms[i].name);
	free(syms);
	syms = NULL;
	nsyms = 0;
}

/* The table, (re)read if the modules changed; -1 if it cannot be read. */
static int ksyms_load(void)
{
	unsigned long long modules = modules_fingerprint(), addr;
	size_t cap = 0;
	char type, name[256];
	FILE *f;

	if (syms && modules == loaded_modules)
		return 0;
	ksyms_free();
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, name) == 3) {
		if (nsyms == cap) {
			struct ksym *more;

			cap = cap ? cap * 2 : 65536;
			more = realloc(syms, cap * sizeof(*syms));
			if (!more)
				break;
			syms = more;
		}
		syms[nsyms].addr = addr;
		syms[nsyms].line = nsyms;
		syms[nsyms].type = type;
		syms[nsyms].name = strdup(name);
		if (!syms[nsyms].name)
			break;
		nsyms++;
	}
	fclose(f);
	qsort(syms, nsyms, sizeof(*syms), by_addr);
	loaded_modules = modules;
	return nsyms ? 0 : -1;
}

const char *ksym_name(unsigned long long addr)
{
	size_t lo = 0, hi;

	if (!addr || ksyms_load())
		return NULL;
	hi = nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (syms[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nsyms && syms[lo].addr == addr ? syms[lo].name : NULL;
}

int ksym_range(const char *name, unsigned long long *start, unsigned long long *end)
{
	size_t i, j;

	*start = *end = 0;
	if (ksyms_load())
		return -1;
	for (i = 0; i < nsyms; i++) {
		if ((syms[i].type != 't' && syms[i].type != 'T') || strcmp(syms[i].name, name))
			continue;
		for (j = i + 1; j < nsyms && syms[j].addr == syms[i].addr; j++)
			;
		if (j == nsyms)
			return -1;
		*start = syms[i].addr;
		*end = syms[j].addr;
		return 0;
	}
	return -1;
}
