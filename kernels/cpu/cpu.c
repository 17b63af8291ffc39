#include "cpu.h"

#include "host.h"
#include "par.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define DA3_X86 1
#endif

static struct {
    int done;
    int rc;
    int has[DA3_ISA_COUNT];
    int bf16; /* AVX512-BF16 (CPUID.(7,1):EAX bit 5) with the avx512 level */
    da3_isa best, sel;
    char err[160];
} cpu;

static const char *const isa_names[DA3_ISA_COUNT] = {"scalar", "avx2", "avx512", "neon"};

const char *da3_isa_name(da3_isa isa)
{
    return (unsigned)isa < DA3_ISA_COUNT ? isa_names[isa] : "?";
}

int da3_isa_parse(const char *name)
{
    for (int i = 0; i < DA3_ISA_COUNT; i++)
        if (name && strcmp(name, isa_names[i]) == 0)
            return i;
    return -1;
}

#ifdef DA3_X86
static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void detect(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx)
        return;
    uint64_t xcr0 = xgetbv0();
    int ymm_os = (xcr0 & 0x6) == 0x6;          /* SSE and AVX state */
    int zmm_os = (xcr0 & 0xe6) == 0xe6;        /* plus opmask, ZMM hi */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return;
    int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1;
    cpu.has[DA3_ISA_AVX2] = ymm_os && avx2 && fma;
    cpu.has[DA3_ISA_AVX512] = cpu.has[DA3_ISA_AVX2] && zmm_os && avx512f;
    if (cpu.has[DA3_ISA_AVX512] && a >= 1 && __get_cpuid_count(7, 1, &a, &b, &c, &d))
        cpu.bf16 = (a >> 5) & 1;
}
#elif defined(__aarch64__) && defined(DA3_HAVE_NEON_ISA)
static void detect(void) { cpu.has[DA3_ISA_NEON] = 1; }
#else
static void detect(void) {}
#endif

int da3_cpu_init(void)
{
    if (cpu.done)
        return cpu.rc;
    cpu.done = 1;
    cpu.has[DA3_ISA_SCALAR] = 1;
    detect();
#ifndef DA3_HAVE_X86_ISAS
    cpu.has[DA3_ISA_AVX2] = cpu.has[DA3_ISA_AVX512] = 0; /* not built */
#endif
    cpu.best = DA3_ISA_SCALAR;
    for (int i = 0; i < DA3_ISA_COUNT; i++)
        if (cpu.has[i])
            cpu.best = (da3_isa)i;
    cpu.sel = cpu.best;
    const char *env = getenv("DA3BENCH_ISA");
    if (env && *env) {
        int want = da3_isa_parse(env);
        if (want < 0) {
            snprintf(cpu.err, sizeof cpu.err,
                     "DA3BENCH_ISA=%s: unknown ISA (scalar, avx2, avx512 or neon)", env);
            return cpu.rc = DA3_EBADNAME;
        }
        if (!cpu.has[want]) {
            snprintf(cpu.err, sizeof cpu.err,
                     "DA3BENCH_ISA=%s: this CPU does not support it (best here: %s)", env,
                     isa_names[cpu.best]);
            return cpu.rc = DA3_EUNAVAIL;
        }
        cpu.sel = (da3_isa)want;
    }
    return cpu.rc = 0;
}

const char *da3_cpu_error(void) { return cpu.err; }

da3_isa da3_cpu_isa(void)
{
    da3_cpu_init();
    return cpu.sel;
}

int da3_cpu_set_isa(da3_isa isa)
{
    da3_cpu_init();
    if ((unsigned)isa >= DA3_ISA_COUNT || !cpu.has[isa])
        return DA3_EUNAVAIL;
    cpu.sel = isa;
    return 0;
}

unsigned da3_isa_mask_upto(da3_isa isa)
{
    da3_cpu_init();
    unsigned m = DA3_ISA_BIT(DA3_ISA_SCALAR);
    if (isa == DA3_ISA_AVX2 || isa == DA3_ISA_AVX512)
        for (int i = DA3_ISA_AVX2; i <= (int)isa; i++)
            m |= cpu.has[i] ? DA3_ISA_BIT(i) : 0;
    if (isa == DA3_ISA_NEON && cpu.has[DA3_ISA_NEON])
        m |= DA3_ISA_BIT(DA3_ISA_NEON);
    return m;
}

unsigned da3_cpu_isa_mask(void) { return da3_isa_mask_upto(da3_cpu_isa()); }

void da3_fma_dsp_init(da3_fma_fns *dsp, unsigned mask)
{
    *dsp = da3_fma_fns_scalar;
#ifdef DA3_HAVE_X86_ISAS
    if (mask & DA3_ISA_BIT(DA3_ISA_AVX2))
        *dsp = da3_fma_fns_avx2;
    if (mask & DA3_ISA_BIT(DA3_ISA_AVX512))
        *dsp = da3_fma_fns_avx512;
#endif
#ifdef DA3_HAVE_NEON_ISA
    if (mask & DA3_ISA_BIT(DA3_ISA_NEON))
        *dsp = da3_fma_fns_neon;
#endif
}

da3_isa da3_cpu_best_isa(void)
{
    da3_cpu_init();
    return cpu.best;
}

int da3_cpu_has(da3_isa isa)
{
    da3_cpu_init();
    return (unsigned)isa < DA3_ISA_COUNT && cpu.has[isa];
}

void da3_cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
#ifdef DA3_X86
    unsigned r[12];
    if (__get_cpuid(0x80000000u, &r[0], &r[1], &r[2], &r[3]) && r[0] >= 0x80000004u) {
        for (unsigned i = 0; i < 3; i++)
            __get_cpuid(0x80000002u + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
        char s[49];
        memcpy(s, r, 48);
        s[48] = 0;
        char *p = s;
        while (*p == ' ')
            p++;
        size_t n = strlen(p);
        while (n && p[n - 1] == ' ')
            p[--n] = 0;
        snprintf(buf, len, "%s", p);
        return;
    }
#endif
    da3_host_cpu_model(buf, len);
}

int da3_cpu_count(void) { return da3_host_cpu_count(); }

size_t da3_cpu_phys_mem(void) { return da3_host_phys_mem(); }

size_t da3_cpu_mem_budget(void)
{
    size_t budget = da3_cpu_phys_mem() / 2;
    struct rlimit rl;
    /* under `ulimit -v`, the address space is the limit that bites first;
     * keep a fifth of it for the program, its libraries and threads */
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (size_t)rl.rlim_cur / 5 * 4 < budget)
        budget = (size_t)rl.rlim_cur / 5 * 4;
    return budget;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef float (*fma_loop_fn)(long, int, double *);
typedef int (*fma_accs_fn)(const int **);

static fma_loop_fn fma_loop_for(da3_isa isa, fma_accs_fn *accs)
{
    da3_fma_fns f;
    da3_fma_dsp_init(&f, da3_isa_mask_upto(isa));
    *accs = f.accs;
    return f.loop;
}

typedef struct {
    fma_loop_fn fn;
    int accs;
    long iters;
    double flops[64];
    volatile float sink[64]; /* one per task: keeps the loop's result alive, no shared write */
} peak_job;

static void peak_task(void *ctx, long task, int tid)
{
    (void)tid;
    peak_job *j = ctx;
    j->sink[task] = j->fn(j->iters, j->accs, &j->flops[task]);
}

/* `iters` rounds of a loop at `accs` accumulators on `threads` threads at
 * once: the flops done, < 0 if the threads could not start */
static double loop_work(fma_loop_fn fn, int accs, int threads, long iters)
{
    peak_job job = {.fn = fn, .accs = accs, .iters = iters};
    if (da3_par_for(threads, threads, peak_task, &job) < 0)
        return -1;
    double fl = 0;
    for (int i = 0; i < threads; i++)
        fl += job.flops[i];
    return fl;
}

/* iterations for about `seconds` on one thread */
static long calibrate(fma_loop_fn fn, int accs, double seconds)
{
    long iters = 1 << 12;
    for (;;) {
        double t0 = now_s();
        loop_work(fn, accs, 1, iters);
        double dt = now_s() - t0;
        if (dt > 0.005 || iters > (1L << 40))
            return (long)((double)iters * seconds / (dt > 0 ? dt : 1e-9)) + 1;
        iters *= 4;
    }
}

/* the fastest of the counts a loop is compiled for: one thread, each count
 * the best of 2 runs of ~5 ms (every run pays this at start-up, about
 * 0.1 s for 6 counts) */
static int sweep(fma_loop_fn fn, const int *accs, int n)
{
    double best = 0;
    int pick = accs[n - 1];
    for (int i = 0; i < n; i++) {
        const long iters = calibrate(fn, accs[i], 0.005);
        for (int t = 0; t < 2; t++) {
            double t0 = now_s();
            double fl = loop_work(fn, accs[i], 1, iters);
            double dt = now_s() - t0;
            if (fl > 0 && dt > 0 && fl / dt > best)
                best = fl / dt, pick = accs[i];
        }
    }
    return pick;
}

/* the best of `trials` runs of about `seconds` on `threads` threads */
static double peak_of(fma_loop_fn fn, int accs, int threads, double seconds, int trials)
{
    const long iters = calibrate(fn, accs, seconds);
    double best = 0;
    for (int t = 0; t < trials; t++) {
        double t0 = now_s();
        double fl = loop_work(fn, accs, threads, iters);
        double dt = now_s() - t0;
        if (fl < 0)
            return -1;
        if (fl / dt > best)
            best = fl / dt;
    }
    return best * 1e-9;
}

static int swept[DA3_ISA_COUNT];

int da3_cpu_peak_accs(da3_isa isa)
{
    if ((int)isa < 0 || isa >= DA3_ISA_COUNT || !da3_cpu_has(isa))
        return -1;
    if (!swept[isa]) {
        fma_accs_fn list;
        const fma_loop_fn fn = fma_loop_for(isa, &list);
        const int *accs;
        const int n = list(&accs);
        swept[isa] = sweep(fn, accs, n);
    }
    return swept[isa];
}

double da3_cpu_fma_work(int threads, long iters)
{
    if (threads < 1 || threads > 64 || iters < 1)
        return -1;
    const da3_isa isa = da3_cpu_best_isa();
    fma_accs_fn list;
    return loop_work(fma_loop_for(isa, &list), da3_cpu_peak_accs(isa), threads, iters);
}

double da3_cpu_peak_gflops_isa(da3_isa isa, int threads, double seconds, int trials)
{
    if (threads < 1 || threads > 64 || seconds <= 0 || trials < 1)
        return -1;
    const int accs = da3_cpu_peak_accs(isa);
    if (accs < 1)
        return -1;
    fma_accs_fn list;
    return peak_of(fma_loop_for(isa, &list), accs, threads, seconds, trials);
}

double da3_cpu_peak_gflops(int threads, double seconds, int trials)
{
    return da3_cpu_peak_gflops_isa(da3_cpu_best_isa(), threads, seconds, trials);
}

/* ---- the bf16 dot-product loop (bf16_loop.c) ---- */

const char *da3_cpu_bf16_missing(void)
{
    da3_cpu_init();
#ifndef DA3_HAVE_BF16_LOOP
    return "built without -mavx512bf16 (an x86-64 compiler that has it)";
#else
    if (!cpu.has[DA3_ISA_AVX512])
        return "no avx512 level on this CPU or OS";
    if (!cpu.bf16)
        return "no AVX512-BF16 on this CPU (CPUID.(7,1):EAX bit 5)";
    if (cpu.sel < DA3_ISA_AVX512)
        return "DA3BENCH_ISA selects a level below avx512";
    return NULL;
#endif
}

#ifdef DA3_HAVE_BF16_LOOP
#define BF16_LOOP da3_bf16_dp_loop
#else
#define BF16_LOOP NULL /* never called: da3_cpu_bf16_missing() says why */
#endif

int da3_cpu_bf16_accs(void)
{
    static int pick;
    if (da3_cpu_bf16_missing())
        return -1;
#ifdef DA3_HAVE_BF16_LOOP
    if (!pick) {
        const int *accs;
        const int n = da3_bf16_dp_accs(&accs);
        pick = sweep(BF16_LOOP, accs, n);
    }
#endif
    return pick;
}

double da3_cpu_bf16_work(int threads, long iters)
{
    const int accs = da3_cpu_bf16_accs();
    if (accs < 1 || threads < 1 || threads > 64 || iters < 1)
        return -1;
    return loop_work(BF16_LOOP, accs, threads, iters);
}

double da3_cpu_bf16_peak_gflops(int threads, double seconds, int trials)
{
    const int accs = da3_cpu_bf16_accs();
    if (accs < 1 || threads < 1 || threads > 64 || seconds <= 0 || trials < 1)
        return -1;
    return peak_of(BF16_LOOP, accs, threads, seconds, trials);
}

struct da3_triad {
    float *a, *b, *c;
    size_t n, chunk;
    int threads;
};

static void triad_task(void *ctx, long task, int tid)
{
    (void)tid;
    da3_triad *j = ctx;
    size_t lo = (size_t)task * j->chunk, hi = lo + j->chunk < j->n ? lo + j->chunk : j->n;
    float *restrict a = j->a;
    const float *restrict b = j->b, *restrict c = j->c;
    for (size_t i = lo; i < hi; i++)
        a[i] = b[i] + 3.0f * c[i];
}

static void triad_init(void *ctx, long task, int tid)
{
    (void)tid;
    da3_triad *j = ctx;
    size_t lo = (size_t)task * j->chunk, hi = lo + j->chunk < j->n ? lo + j->chunk : j->n;
    for (size_t i = lo; i < hi; i++) {
        j->a[i] = 0.0f;
        j->b[i] = 1.0f;
        j->c[i] = 2.0f;
    }
}

da3_triad *da3_triad_new(size_t n, int threads)
{
    if (n == 0 || threads < 1)
        return NULL;
    da3_triad *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->n = n;
    t->threads = threads;
    t->chunk = (n + (size_t)threads - 1) / (size_t)threads;
    t->a = malloc(n * sizeof(float));
    t->b = malloc(n * sizeof(float));
    t->c = malloc(n * sizeof(float));
    if (!t->a || !t->b || !t->c) {
        da3_triad_free(t);
        return NULL;
    }
    da3_par_for(threads, threads, triad_init, t);
    return t;
}

double da3_triad_run(da3_triad *t)
{
    if (da3_par_for(t->threads, t->threads, triad_task, t) < 0)
        return -1;
    return 3.0 * (double)t->n * sizeof(float);
}

void da3_triad_free(da3_triad *t)
{
    if (!t)
        return;
    free(t->a);
    free(t->b);
    free(t->c);
    free(t);
}

double da3_cpu_triad_gbs(int threads, size_t n, int trials)
{
    if (trials < 1)
        return -1;
    da3_triad *t = da3_triad_new(n, threads);
    if (!t)
        return -1;
    double best = -1;
    for (int i = 0; i < trials; i++) {
        double t0 = now_s();
        double bytes = da3_triad_run(t);
        double gbs = bytes / (now_s() - t0) * 1e-9;
        if (bytes > 0 && gbs > best)
            best = gbs;
    }
    da3_triad_free(t);
    return best;
}
