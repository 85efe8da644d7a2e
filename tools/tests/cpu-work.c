// SPDX-License-Identifier: GPL-2.0
/*
 * cpu-work: the two workloads that price a tracer of the scheduler, on
 * the CPU it runs on.
 *
 * usage: cpu-work pingpong ROUNDS
 *        cpu-work spin MS
 *        cpu-work hog PRIORITY MS EVERY COUNT
 *        cpu-work irqsoff FILE US EVERY COUNT
 *        cpu-work preempt NAME PRIORITY MS COUNT
 *   pingpong  two processes on this CPU pass a byte back and forth over
 *             pipes ROUNDS times: each round is two wake-ups and two
 *             context switches.  Prints "switches N" and "ns N", the
 *             CLOCK_MONOTONIC time of all the rounds.
 *   spin      a SCHED_IDLE loop on this CPU for MS ms: it runs only when
 *             nothing else wants the CPU, so its count of iterations is
 *             what everything else left over.  Prints "iterations N".
 *   hog       COUNT times: sleep EVERY ms, then spin MS ms as a SCHED_FIFO
 *             task of PRIORITY on this CPU, starving whatever else runs
 *             there (an audio server's threads run at SCHED_FIFO too).
 *   irqsoff   COUNT times: sleep EVERY ms, then write US to FILE, a knob
 *             that holds this CPU's interrupts off for US microseconds
 *             (snd-sgscope's debugfs inject_irqs_off_us).
 *   preempt   COUNT times, 100 ms apart: wait for the next interrupt on
 *             the line /proc/interrupts names NAME, 2 ms more, then spin
 *             MS ms as a SCHED_FIFO task of PRIORITY on this CPU.  Above
 *             the handler threads of PREEMPT_RT (50), on their CPU, it
 *             takes the CPU from a handler that runs longer than 2 ms: a
 *             timer alone would land wherever the interrupts' rhythm,
 *             which icount makes exact, put it.
 * Under QEMU icount both are instruction counts: time is instructions.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int pin_here(void)
{
	cpu_set_t cpu;

	CPU_ZERO(&cpu);
	CPU_SET(sched_getcpu(), &cpu);
	return sched_setaffinity(0, sizeof(cpu), &cpu);
}

static int fail(const char *what)
{
	fprintf(stderr, "cpu-work: %s: %s\n", what, strerror(errno));
	return 1;
}

static int pingpong(long rounds)
{
	int there[2], back[2], status;
	unsigned long long start;
	char byte = 0;
	pid_t child;
	long i;

	if (pin_here() || pipe(there) || pipe(back))
		return fail("setup");
	child = fork();
	if (child < 0)
		return fail("fork");
	if (!child) {
		for (i = 0; i < rounds; i++)
			if (read(there[0], &byte, 1) != 1 || write(back[1], &byte, 1) != 1)
				_exit(1);
		_exit(0);
	}
	start = now_ns();
	for (i = 0; i < rounds; i++)
		if (write(there[1], &byte, 1) != 1 || read(back[0], &byte, 1) != 1)
			return fail("ping");
	printf("switches %ld\nns %llu\n", 2 * rounds, now_ns() - start);
	waitpid(child, &status, 0);
	return !WIFEXITED(status) || WEXITSTATUS(status);
}

static int spin(long ms)
{
	struct sched_param none = { 0 };
	unsigned long long until, n = 0;

	if (pin_here() || sched_setscheduler(0, SCHED_IDLE, &none))
		return fail("setup");
	until = now_ns() + ms * 1000000ULL;
	while (now_ns() < until)
		n++;
	printf("iterations %llu\n", n);
	return 0;
}

static int hog(char **argv)
{
	struct sched_param prio = { .sched_priority = atoi(argv[2]) };
	long ms = atol(argv[3]), every = atol(argv[4]), count = atol(argv[5]);
	struct timespec pause = { every / 1000, every % 1000 * 1000000L };
	unsigned long long until;

	if (pin_here() || sched_setscheduler(0, SCHED_FIFO, &prio))
		return fail("setup");
	while (count-- > 0) {
		nanosleep(&pause, NULL);
		until = now_ns() + ms * 1000000ULL;
		while (now_ns() < until)
			;
	}
	return 0;
}

/* the interrupts /proc/interrupts counts on the line NAME, -1: none */
static long long irq_count(const char *name)
{
	FILE *f = fopen("/proc/interrupts", "r");
	long long n = -1, v;
	char line[1024], *p, *end;

	while (f && n < 0 && fgets(line, sizeof(line), f)) {
		p = strchr(line, ':');
		if (!p || !strstr(p, name))
			continue;
		for (n = 0, p++; (v = strtoll(p, &end, 10)) >= 0 && end != p; p = end)
			n += v;
	}
	if (f)
		fclose(f);
	return n;
}

static int preempt(char **argv)
{
	struct sched_param prio = { .sched_priority = atoi(argv[3]) };
	long ms = atol(argv[4]), count = atol(argv[5]);
	struct timespec poll = { 0, 1000000L }, lead = { 0, 2000000L }, gap = { 0, 100000000L };
	unsigned long long until;
	long long seen;

	if (pin_here() || sched_setscheduler(0, SCHED_FIFO, &prio))
		return fail("setup");
	while (count-- > 0) {
		nanosleep(&gap, NULL);
		seen = irq_count(argv[2]);
		if (seen < 0)
			return fail(argv[2]);
		while (irq_count(argv[2]) == seen)
			nanosleep(&poll, NULL);
		nanosleep(&lead, NULL);
		until = now_ns() + ms * 1000000ULL;
		while (now_ns() < until)
			;
	}
	return 0;
}

static int irqsoff(char **argv)
{
	long every = atol(argv[4]), count = atol(argv[5]);
	struct timespec pause = { every / 1000, every % 1000 * 1000000L };
	size_t len = strlen(argv[3]);
	FILE *f;

	if (pin_here())
		return fail("setup");
	while (count-- > 0) {
		nanosleep(&pause, NULL);
		f = fopen(argv[2], "w");
		if (!f || fwrite(argv[3], 1, len, f) != len || fclose(f))
			return fail(argv[2]);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc == 3 ? atol(argv[2]) : 0;

	if (n > 0 && !strcmp(argv[1], "pingpong"))
		return pingpong(n);
	if (n > 0 && !strcmp(argv[1], "spin"))
		return spin(n);
	if (argc == 6 && !strcmp(argv[1], "hog") && atoi(argv[2]) > 0 && atol(argv[3]) > 0 &&
	    atol(argv[4]) >= 0 && atol(argv[5]) > 0)
		return hog(argv);
	if (argc == 6 && !strcmp(argv[1], "irqsoff") && atol(argv[3]) > 0 &&
	    atol(argv[4]) >= 0 && atol(argv[5]) > 0)
		return irqsoff(argv);
	if (argc == 6 && !strcmp(argv[1], "preempt") && atoi(argv[3]) > 0 &&
	    atol(argv[4]) > 0 && atol(argv[5]) > 0)
		return preempt(argv);
	fprintf(stderr, "usage: cpu-work pingpong ROUNDS | cpu-work spin MS | "
		"cpu-work hog PRIORITY MS EVERY COUNT | cpu-work irqsoff FILE US EVERY COUNT | "
		"cpu-work preempt NAME PRIORITY MS COUNT\n");
	return 2;
}
