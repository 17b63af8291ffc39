/* host.h on Linux (and other POSIX systems with /proc): see host.h */
#include "host.h"

#ifdef __linux__
#include <sched.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A few AArch64 parts by (implementer, part), as the kernel reports them;
 * anything else is printed by number. */
static const struct {
    unsigned impl, part;
    const char *name;
} arm_parts[] = {
    {0x41, 0xd03, "Arm Cortex-A53"},   {0x41, 0xd07, "Arm Cortex-A57"},
    {0x41, 0xd08, "Arm Cortex-A72"},   {0x41, 0xd0b, "Arm Cortex-A76"},
    {0x41, 0xd0c, "Arm Neoverse N1"},  {0x41, 0xd40, "Arm Neoverse V1"},
    {0x41, 0xd49, "Arm Neoverse N2"},  {0x41, 0xd4f, "Arm Neoverse V2"},
    {0x41, 0xd8e, "Arm Neoverse N3"},  {0x61, 0x022, "Apple M1"},
    {0xc0, 0xac3, "Ampere-1"},         {0x48, 0xd01, "HiSilicon Kunpeng 920"},
};

int da3_host_cpu_model(char *buf, size_t len)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return -1;
    char line[256];
    unsigned impl = 0, part = 0;
    int have_impl = 0, have_part = 0, rc = -1;
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        if (!strncmp(line, "model name", 10) && rc) { /* other architectures' name */
            char *v = colon + 1;
            v += strspn(v, " \t");
            v[strcspn(v, "\n")] = 0;
            snprintf(buf, len, "%s", v);
            rc = 0;
        } else if (!strncmp(line, "CPU implementer", 15) && !have_impl)
            impl = (unsigned)strtoul(colon + 1, NULL, 0), have_impl = 1;
        else if (!strncmp(line, "CPU part", 8) && !have_part)
            part = (unsigned)strtoul(colon + 1, NULL, 0), have_part = 1;
    }
    fclose(f);
    if (rc && have_impl && have_part) {
        snprintf(buf, len, "AArch64 implementer 0x%02x part 0x%03x", impl, part);
        for (size_t i = 0; i < sizeof arm_parts / sizeof *arm_parts; i++)
            if (arm_parts[i].impl == impl && arm_parts[i].part == part)
                snprintf(buf, len, "%s", arm_parts[i].name);
        rc = 0;
    }
    return rc;
}

int da3_host_core_kinds(int *perf, int *eff)
{
    *perf = *eff = -1;
    return -1;
}

int da3_host_cpu_count(void)
{
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

size_t da3_host_phys_mem(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? (size_t)pages * (size_t)page : 0;
}

int da3_host_emulated(void)
{
    const char *e = getenv("DA3BENCH_EMULATED");
    if (e && *e)
        return strcmp(e, "0") != 0;
#if !defined(__x86_64__) && !defined(__i386__)
    /* qemu-user passes the host's /proc/cpuinfo through: x86 fields in a
     * non-x86 process mean emulation */
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    int x86 = 0;
    while (f && !x86 && fgets(line, sizeof line, f))
        x86 = !strncmp(line, "vendor_id", 9);
    if (f)
        fclose(f);
    return x86;
#else
    return 0;
#endif
}

int da3_host_self_exe(char *buf, size_t len)
{
    ssize_t k = readlink("/proc/self/exe", buf, len - 1);
    if (k <= 0)
        return -1;
    buf[k] = 0;
    return 0;
}

/* the first line of a small sysfs/procfs file, without its newline */
static int first_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    const int ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

static void fact(char *dst, size_t len, const char *path)
{
    if (first_line(path, dst, len) || !*dst)
        snprintf(dst, len, "unknown");
}

void da3_host_tuning_read(da3_host_tuning *t)
{
    const char *cf = "/sys/devices/system/cpu/cpu0/cpufreq/";
    char path[128], v[64];
    snprintf(path, sizeof path, "%sscaling_governor", cf);
    fact(t->governor, sizeof t->governor, path);
    snprintf(path, sizeof path, "%sscaling_driver", cf);
    fact(t->driver, sizeof t->driver, path);
    if (!first_line("/sys/devices/system/cpu/intel_pstate/no_turbo", v, sizeof v))
        snprintf(t->turbo, sizeof t->turbo, "%s", !strcmp(v, "0") ? "on" : "off");
    else if (!first_line("/sys/devices/system/cpu/cpufreq/boost", v, sizeof v))
        snprintf(t->turbo, sizeof t->turbo, "%s", !strcmp(v, "1") ? "on" : "off");
    else
        snprintf(t->turbo, sizeof t->turbo, "unknown");
    if (!first_line("/sys/devices/system/cpu/smt/control", v, sizeof v) &&
        (!strcmp(v, "notsupported") || !strcmp(v, "notimplemented")))
        snprintf(t->smt, sizeof t->smt, "notsupported");
    else if (!first_line("/sys/devices/system/cpu/smt/active", v, sizeof v))
        snprintf(t->smt, sizeof t->smt, "%s", !strcmp(v, "1") ? "on" : "off");
    else
        snprintf(t->smt, sizeof t->smt, "unknown");
    if (!first_line("/sys/devices/system/cpu/isolated", v, sizeof v))
        snprintf(t->isolated, sizeof t->isolated, "%s", *v ? v : "none");
    else
        snprintf(t->isolated, sizeof t->isolated, "unknown");
    static const char *const aslr[] = {"off", "partial", "full"};
    if (!first_line("/proc/sys/kernel/randomize_va_space", v, sizeof v) && v[0] >= '0' &&
        v[0] <= '2' && !v[1])
        snprintf(t->aslr, sizeof t->aslr, "%s", aslr[v[0] - '0']);
    else
        snprintf(t->aslr, sizeof t->aslr, "unknown");
    if (getloadavg(t->load, 3) != 3)
        t->load[0] = t->load[1] = t->load[2] = -1;
}
