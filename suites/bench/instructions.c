/*
 * --mode instructions: run the same benchmarks under Valgrind's callgrind
 * and report instructions instead of time. A count is repeatable to the
 * instruction whatever else the machine does, so a gate can see a 1-2%
 * change that wall-clock noise on a shared runner hides.
 *
 * The parent (this process, not under Valgrind) re-executes da3bench under
 * `valgrind --tool=callgrind` with one iteration and
 * one repetition per benchmark; the child zeroes every thread's counters
 * when a benchmark's loop starts and dumps them when it ends (client
 * requests in suites/bench), so set-up, fixture generation and the
 * reference checks are not counted: one count per benchmark.
 * The parent then reads the dumps and writes the child's Google Benchmark
 * JSON with an `instructions` counter (per iteration) in every benchmark.
 * Valgrind does not run AVX-512: its CPUID says AVX2, the dispatch picks
 * that, and the JSON's isa_selected says which ISA was counted.
 */
#include "find_program.h"
#include "host.h"
#include "instructions.h"
#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXB 4096

typedef struct {
    char name[256];
    double count;
} cg_count;

/* Every "Client Request" dump in dir: the benchmark's name and its count. */
static int read_dumps(const char *dir, cg_count *c, int max)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        if (strncmp(e->d_name, "cg.out", 6))
            continue;
        char path[4400], line[1024], name[256] = "";
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        double count = -1;
        while (fgets(line, sizeof line, f)) {
            if (!strncmp(line, "desc: Trigger: Client Request: ", 31)) {
                snprintf(name, sizeof name, "%s", line + 31);
                name[strcspn(name, "\n")] = 0;
            } else if (!strncmp(line, "summary: ", 9) || !strncmp(line, "totals: ", 8)) {
                count = strtod(strchr(line, ' ') + 1, NULL);
            }
        }
        fclose(f);
        if (*name && count >= 0) {
            snprintf(c[n].name, sizeof c[n].name, "%s", name);
            c[n++].count = count;
        }
    }
    closedir(d);
    return n;
}

/* The whole of a file, NUL-terminated; NULL if it cannot be read. */
static char *read_text(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *doc = NULL;
    if (fd >= 0 && da3_read_fd(fd, &doc, len))
        doc = NULL;
    if (fd >= 0)
        close(fd);
    return doc;
}

/* Google Benchmark writes one key per line: after each "run_name" line,
 * insert "instructions": count / iterations of that object. */
static int inject(const char *json, const cg_count *c, int n, FILE *out, int *matched)
{
    const char *p = json;
    *matched = 0;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p + 1) : strlen(p);
        fwrite(p, 1, len, out);
        const char *key = strstr(p, "\"run_name\": \"");
        if (key && key < p + len) {
            const char *s = key + 13, *q = strchr(s, '"');
            const char *it = strstr(p, "\"iterations\": ");
            double iters = it ? strtod(it + 14, NULL) : 1;
            for (int i = 0; q && i < n; i++)
                if (strlen(c[i].name) == (size_t)(q - s) &&
                    !strncmp(c[i].name, s, (size_t)(q - s))) {
                    fprintf(out, "      \"instructions\": %.0f,\n",
                            c[i].count / (iters > 0 ? iters : 1));
                    (*matched)++;
                    break;
                }
        }
        p += len;
    }
    return 0;
}

/* The child under Valgrind, for the parent's handler: a SIGINT or SIGTERM
 * sent to the parent alone is passed on, so the child stops its benchmark
 * and writes what it counted, which the parent then saves. */
static volatile sig_atomic_t counting_child;

static void forward_signal(int sig)
{
    if (counting_child > 0)
        kill((pid_t)counting_child, sig);
}

/* the counting run's folder and the files in it */
static void remove_folder(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            char path[4400];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    if (d)
        closedir(d);
    rmdir(dir);
}

int da3_run_counting(int argc, char **argv, const char *json)
{
    char vg[4200], dir[4200], self[4096];
    const char *tmpdir = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/da3bench-cg-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (da3_find_program("valgrind", vg, sizeof vg)) {
        fprintf(stderr,
                "da3bench: --mode instructions needs Valgrind (sudo apt-get install valgrind)\n");
        return 2;
    }
    if (da3_host_self_exe(self, sizeof self)) {
        fprintf(stderr, "da3bench: --mode instructions: cannot find this program (%s)\n",
                strerror(errno));
        return 1;
    }
    if (!mkdtemp(dir)) {
        fprintf(stderr, "da3bench: --mode instructions: cannot make %s (%s; TMPDIR)\n", dir,
                strerror(errno));
        return 2;
    }
    char outf[4400], childjson[4400];
    snprintf(outf, sizeof outf, "--callgrind-out-file=%s/cg.out", dir);
    snprintf(childjson, sizeof childjson, "%s/child.json", dir);
    char **cargv = calloc((size_t)argc + 12, sizeof *cargv);
    int c = 0;
    cargv[c++] = vg;
    cargv[c++] = "--tool=callgrind";
    cargv[c++] = "--quiet";
    cargv[c++] = outf;
    cargv[c++] = self;
    for (int i = 1; i < argc; i++)
        cargv[c++] = argv[i];
    cargv[c++] = "--json";
    cargv[c++] = childjson;
    cargv[c] = NULL;
    fprintf(stderr,
            "da3bench: counting instructions under callgrind (%s): expect 20-100x the run time\n",
            vg);
    /* the parent outlives a Ctrl-C (the terminal sends it to the child as
     * well) and forwards a signal sent to it alone; no SA_RESTART, so
     * waitpid returns EINTR and waits again */
    struct sigaction fwd, old_int, old_term;
    memset(&fwd, 0, sizeof fwd);
    fwd.sa_handler = forward_signal;
    sigemptyset(&fwd.sa_mask);
    sigaction(SIGINT, &fwd, &old_int);
    sigaction(SIGTERM, &fwd, &old_term);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGINT, SIG_DFL); /* the child's own handlers are set after exec */
        signal(SIGTERM, SIG_DFL);
        /* OpenBLAS's idle workers spin: under Valgrind, which runs one
         * thread at a time, they would eat the run and make the counts
         * depend on scheduling. One BLAS thread: the same work, counted. */
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        execv(vg, cargv);
        _exit(127);
    }
    counting_child = pid;
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    counting_child = 0;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    free(cargv);
    int rc = pid < 0 ? 1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    static cg_count counts[MAXB];
    int n = read_dumps(dir, counts, MAXB);
    size_t len = 0;
    char *doc = read_text(childjson, &len);
    if (!doc || n < 0) {
        fprintf(stderr, "da3bench: the counting run left no results (exit %d)\n", rc);
        free(doc);
        remove_folder(dir);
        return rc ? rc : 1;
    }
    int matched = 0;
    char *out = NULL;
    size_t outlen = 0;
    FILE *mem = open_memstream(&out, &outlen);
    if (mem) {
        inject(doc, counts, n, mem, &matched);
        if (fclose(mem))
            free(out), out = NULL;
    }
    if (json) {
        int e = out ? da3_write_atomic(json, out, outlen) : -ENOMEM;
        if (e) {
            fprintf(stderr, "da3bench: --json %s: %s; %s kept as it was; the counts are in %s\n",
                    json, strerror(-e), json, dir);
            free(out);
            free(doc);
            return 1;
        }
    }
    free(out);
    if (rc > 128 && json) /* the child's own line named its folder, now removed */
        fprintf(stderr, "da3bench: interrupted (signal %d); what was counted is in %s\n",
                rc - 128, json);
    printf("\n%-70s %16s\n", "Benchmark (instructions per iteration, callgrind)", "instructions");
    for (int i = 0; i < n; i++)
        printf("%-70s %16.0f\n", counts[i].name, counts[i].count);
    if (matched < n)
        fprintf(stderr, "da3bench: %d of %d counts matched a benchmark in the JSON\n", matched, n);
    free(doc);
    remove_folder(dir); /* the dumps and the child's JSON are not needed any more */
    return rc;
}
