/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcm-fuzz's two halves: pcm-fuzz.c speaks alsa-lib, pcm-fuzz-raw.c the
 * kernel's own structures (<sound/asound.h>), and the two headers cannot
 * share a file.
 */
#ifndef PCM_FUZZ_H
#define PCM_FUZZ_H

#include <stdint.h>

uint64_t rnd(void);
unsigned int pick(unsigned int n);
int chance(unsigned int percent);
void unexpected(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* hw_params or one of its parts refused with -err */
void refused(int err, const char *what);
/* SW_PARAMS: err 0 took, else the errno */
void sw_result(int err);
/*
 * An ioctl returned ret, neither 0 nor -1: the ALSA core handed back a
 * value for an errno; param is the interval parameter (SNDRV_PCM_HW_PARAM_*)
 * of the structure sent that holds it, or -1 for none
 */
void core_return(const char *what, int ret, int param);
/* a mapping: err 0 mapped, else the errno */
void map_result(int err);

/* What HW_PARAMS chose, in alsa-lib's numbering (the kernel's) */
struct raw_config {
	int access, format;
	unsigned int channels, rate;
	unsigned long period, buffer;
};

/*
 * Random HW_REFINE, HW_PARAMS, SW_PARAMS and mappings on the open PCM fd;
 * 1 with *c filled when HW_PARAMS took (the fd is left with hw_params
 * freed), 0 when it was refused.
 */
int raw_ioctls(int fd, int playback, struct raw_config *c);

#endif
