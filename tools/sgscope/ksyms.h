/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's symbols: /proc/kallsyms read once into a table sorted by
 * address, and read again only when a module has come or gone.
 */
#ifndef SGSCOPE_KSYMS_H
#define SGSCOPE_KSYMS_H

/* The name of the symbol at exactly addr, or NULL. */
const char *ksym_name(unsigned long long addr);

/*
 * A kernel function's text: its address, and the next symbol's as its
 * end.  0, or -1 when there is no such function (or no /proc/kallsyms).
 */
int ksym_range(const char *name, unsigned long long *start, unsigned long long *end);

#endif
