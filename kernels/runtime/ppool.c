/*
 * The process pool: forked workers, a job pipe and a result pipe each.
 * The parent hands a job id to a worker when it is free, and reads back
 * {job, rc} and the job's out_bytes into the job's slot.
 */
#include "pool.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    pid_t pid;
    int job_fd, res_fd; /* parent's ends */
    long busy;          /* job in flight, or -1 */
    int dead;
} ppworker;

struct da3_ppool {
    int n;
    size_t out_bytes;
    ppworker *w;
};

typedef struct {
    int64_t job;
    int32_t rc;
    int32_t pad;
} ppheader;

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t k = write(fd, p, len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k, len -= (size_t)k;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len) {
        ssize_t k = read(fd, p, len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k, len -= (size_t)k;
    }
    return 0;
}

static void child_loop(int job_fd, int res_fd, int id, da3_ppool_fn fn, void *ctx,
                       size_t out_bytes)
{
    void *buf = malloc(out_bytes ? out_bytes : 1);
    int64_t job;
    while (buf && read_all(job_fd, &job, sizeof job) == 0) {
        ppheader h = {job, fn(ctx, (long)job, id, buf), 0};
        if (write_all(res_fd, &h, sizeof h) || write_all(res_fd, buf, out_bytes))
            break;
    }
    _exit(0);
}

da3_ppool *da3_ppool_new(int workers, da3_ppool_fn fn, void *ctx, size_t out_bytes)
{
    if (workers < 1 || workers > 1024)
        return NULL;
    da3_ppool *p = calloc(1, sizeof *p);
    if (!p || !(p->w = calloc((size_t)workers, sizeof *p->w))) {
        free(p);
        return NULL;
    }
    p->out_bytes = out_bytes;
    for (int i = 0; i < workers; i++) {
        int jp[2], rp[2];
        if (pipe(jp))
            break;
        if (pipe(rp)) {
            close(jp[0]), close(jp[1]);
            break;
        }
        pid_t pid = fork();
        if (pid < 0) {
            close(jp[0]), close(jp[1]), close(rp[0]), close(rp[1]);
            break;
        }
        if (pid == 0) {
            /* the child keeps its own ends only; earlier workers' pipes
             * were opened in the parent and are closed here too */
            close(jp[1]), close(rp[0]);
            for (int k = 0; k < i; k++)
                close(p->w[k].job_fd), close(p->w[k].res_fd);
            child_loop(jp[0], rp[1], i, fn, ctx, out_bytes);
        }
        close(jp[0]), close(rp[1]);
        p->w[i] = (ppworker){pid, jp[1], rp[0], -1, 0};
        p->n++;
    }
    if (!p->n) {
        free(p->w), free(p);
        return NULL;
    }
    /* a worker that dies must not kill the parent on its next write */
    signal(SIGPIPE, SIG_IGN);
    return p;
}

static int hand_out(da3_ppool *p, int k, long *next, long n)
{
    if (*next >= n)
        return 0;
    int64_t job = *next;
    if (write_all(p->w[k].job_fd, &job, sizeof job)) {
        p->w[k].dead = 1;
        return -1;
    }
    p->w[k].busy = (*next)++;
    return 1;
}

long da3_ppool_map(da3_ppool *p, long n, void *out, int *rc)
{
    long next = 0, done = 0, failed = 0;
    struct pollfd *fds = calloc((size_t)p->n, sizeof *fds);
    int *who = calloc((size_t)p->n, sizeof *who);
    if (!fds || !who) {
        free(fds), free(who);
        return DA3_ENOMEM;
    }
    for (int k = 0; k < p->n; k++)
        if (!p->w[k].dead)
            hand_out(p, k, &next, n);
    while (done < n) {
        int nf = 0;
        for (int k = 0; k < p->n; k++)
            if (!p->w[k].dead && p->w[k].busy >= 0)
                fds[nf] = (struct pollfd){p->w[k].res_fd, POLLIN, 0}, who[nf++] = k;
        if (nf == 0) {
            /* every worker is dead: the remaining jobs cannot run */
            for (long j = next; j < n; j++, done++, failed++)
                if (rc)
                    rc[j] = DA3_EWORKER;
            break;
        }
        if (poll(fds, (nfds_t)nf, -1) < 0 && errno != EINTR)
            break;
        for (int f = 0; f < nf; f++) {
            if (!fds[f].revents)
                continue;
            ppworker *w = &p->w[who[f]];
            ppheader h;
            const long job = w->busy;
            if (read_all(w->res_fd, &h, sizeof h) || h.job != job ||
                read_all(w->res_fd, (char *)out + (size_t)job * p->out_bytes, p->out_bytes)) {
                w->dead = 1;
                h.rc = DA3_EWORKER;
            }
            if (rc)
                rc[job] = h.rc;
            failed += h.rc != 0;
            done++;
            w->busy = -1;
            if (!w->dead && hand_out(p, who[f], &next, n) < 0) {
                /* could not hand the job to this worker: try another later */
            }
        }
        /* jobs left while some workers are free but not handed out (a
         * write failed): give them to any live idle worker */
        for (int k = 0; k < p->n && next < n; k++)
            if (!p->w[k].dead && p->w[k].busy < 0)
                hand_out(p, k, &next, n);
    }
    free(fds), free(who);
    return failed;
}

void da3_ppool_free(da3_ppool *p)
{
    if (!p)
        return;
    for (int k = 0; k < p->n; k++) {
        close(p->w[k].job_fd); /* EOF: the worker exits */
        close(p->w[k].res_fd);
    }
    for (int k = 0; k < p->n; k++)
        waitpid(p->w[k].pid, NULL, 0);
    free(p->w);
    free(p);
}
