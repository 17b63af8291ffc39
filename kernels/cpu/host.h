/*
 * host.h - what only the operating system can tell: one source per system
 * (host_linux.c, host_darwin.c), chosen by meson, so that nothing
 * system-specific hides behind #ifdefs elsewhere. POSIX covers the rest
 * (sysconf, clock_gettime, pthreads, fork).
 */
#ifndef DA3_HOST_H
#define DA3_HOST_H

#include <stddef.h>

/* The CPU's marketing name where the instruction set gives none (x86 has
 * CPUID's brand string; AArch64 Linux has /proc/cpuinfo's part numbers;
 * macOS has machdep.cpu.brand_string). 0 if buf was filled. */
int da3_host_cpu_model(char *buf, size_t len);

/* Performance and efficiency core counts on hybrid CPUs (Apple M: the
 * hw.perflevel sysctls). 0 if known; -1 where the system does not say. */
int da3_host_core_kinds(int *perf, int *eff);

/* Cores this process may run on: its CPU affinity where the system has one
 * (taskset, cgroups' cpusets), else the online cores. */
int da3_host_cpu_count(void);

/* Bytes of physical memory, 0 if unknown. */
size_t da3_host_phys_mem(void);

/* 1 if this process runs under an instruction-set emulator (qemu-user on
 * Linux: a non-x86 build that reads an x86 /proc/cpuinfo; Rosetta 2 on
 * macOS), or if DA3BENCH_EMULATED is set to anything but 0. Times measured
 * there are the emulator's, not the machine's. */
int da3_host_emulated(void);

/* What changes timings beside the CPU itself, as pyperf's `system show`
 * reports it: each field a short word, "unknown" where the system does not
 * say; the load averages are < 0 when unknown. */
typedef struct {
    char governor[32]; /* cpufreq scaling governor of cpu0 ("performance") */
    char driver[32];   /* cpufreq driver ("intel_pstate", "acpi-cpufreq") */
    char turbo[16];    /* "on" / "off" (intel_pstate no_turbo, cpufreq boost) */
    char smt[16];      /* "on" / "off" / "notsupported" */
    char isolated[64]; /* isolcpus list, "none" if empty */
    char aslr[16];     /* "off" / "partial" / "full" */
    double load[3];    /* 1, 5 and 15 minute load averages at start */
} da3_host_tuning;
void da3_host_tuning_read(da3_host_tuning *t);

/* The absolute path of the running executable. 0 on success. */
int da3_host_self_exe(char *buf, size_t len);

#endif
