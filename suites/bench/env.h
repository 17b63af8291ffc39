/*
 * env.h - the environment manifest: what a result needs to be read
 * honestly (version, commit, compiler, ISA, cores, BLAS, measured peaks).
 * Kept as ordered key/value strings: printed as JSON by `da3bench env` and
 * added to Google Benchmark's JSON context by `da3bench run`.
 */
#ifndef DA3_ENV_H
#define DA3_ENV_H

#define DA3_ENV_MAX 48

typedef struct {
    int n;
    char key[DA3_ENV_MAX][40];
    char val[DA3_ENV_MAX][512];
} da3_env;

/* Fills the static facts; measures the FMA peak at each thread count in
 * `threads` (and all cores) unless nthreads < 0 (then "not measured"),
 * and, if `full` (da3bench env), the STREAM triad bandwidth and the peak
 * of every ISA level beside the best one. */
void da3_env_collect(da3_env *e, const int *threads, int nthreads, int full);
void da3_env_set(da3_env *e, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *da3_env_get(const da3_env *e, const char *key);
void da3_env_print_json(const da3_env *e);

/* The measured peak for `threads` threads, as collected (0 if not). */
double da3_env_peak(const da3_env *e, int threads);

/* "0.1.0 (commit 1f0903fffbe7, release)": what --version prints */
const char *da3_version_string(void);

#endif
