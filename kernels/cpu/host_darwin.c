/* host.h on macOS: sysctl and dyld. Checked only by the macos-14 CI job
 * (these machines cannot run macOS). */
#include "host.h"

#include <mach-o/dyld.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sysctl.h>
#include <sys/types.h>
#include <unistd.h>

int da3_host_cpu_model(char *buf, size_t len)
{
    size_t n = len;
    return sysctlbyname("machdep.cpu.brand_string", buf, &n, NULL, 0) == 0 && n > 0 ? 0 : -1;
}

static int sysctl_int(const char *name)
{
    int v = 0;
    size_t n = sizeof v;
    return sysctlbyname(name, &v, &n, NULL, 0) == 0 ? v : -1;
}

int da3_host_core_kinds(int *perf, int *eff)
{
    /* perflevel0 is the fastest kind; Intel Macs have no perflevels */
    *perf = sysctl_int("hw.perflevel0.physicalcpu");
    *eff = sysctl_int("hw.perflevel1.physicalcpu");
    if (*perf < 0)
        return -1;
    if (*eff < 0)
        *eff = 0;
    return 0;
}

int da3_host_cpu_count(void) /* macOS has no affinity to restrict it */
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

size_t da3_host_phys_mem(void)
{
    uint64_t bytes = 0;
    size_t n = sizeof bytes;
    return sysctlbyname("hw.memsize", &bytes, &n, NULL, 0) == 0 ? (size_t)bytes : 0;
}

int da3_host_emulated(void)
{
    const char *e = getenv("DA3BENCH_EMULATED");
    if (e && *e)
        return e[0] != '0';
    return sysctl_int("sysctl.proc_translated") == 1; /* Rosetta 2 */
}

int da3_host_self_exe(char *buf, size_t len)
{
    uint32_t n = (uint32_t)len;
    char raw[4096];
    uint32_t rn = sizeof raw;
    if (_NSGetExecutablePath(raw, &rn) != 0)
        return -1;
    (void)n;
    return realpath(raw, buf) ? 0 : -1; /* buf holds PATH_MAX: callers pass 4096 */
}

void da3_host_tuning_read(da3_host_tuning *t)
{
    /* macOS has no cpufreq governor, turbo switch or isolcpus to read;
     * ASLR is always on for 64-bit executables */
    snprintf(t->governor, sizeof t->governor, "unknown");
    snprintf(t->driver, sizeof t->driver, "unknown");
    snprintf(t->turbo, sizeof t->turbo, "unknown");
    snprintf(t->smt, sizeof t->smt, "unknown");
    snprintf(t->isolated, sizeof t->isolated, "unknown");
    snprintf(t->aslr, sizeof t->aslr, "full");
    if (getloadavg(t->load, 3) != 3)
        t->load[0] = t->load[1] = t->load[2] = -1;
}
