/*
 * Files written whole or not at all (atomic_file.h).
 */
#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int da3_partial_name(char *tmp, size_t size, const char *path)
{
    int n = snprintf(tmp, size, "%s.partial-%ld", path, (long)getpid());
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int da3_clean_stale_partials(const char *path)
{
    char dir[4096], prefix[1024];
    const char *slash = strrchr(path, '/');
    if (slash) {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) ? (int)(slash - path) : 1, path);
        snprintf(prefix, sizeof prefix, "%s.partial-", slash + 1);
    } else {
        snprintf(dir, sizeof dir, ".");
        snprintf(prefix, sizeof prefix, "%s.partial-", path);
    }
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int removed = 0;
    const size_t pl = strlen(prefix);
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, prefix, pl))
            continue;
        char *end;
        long pid = strtol(e->d_name + pl, &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* still running (or not ours to know): leave it */
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        removed += unlink(full) == 0;
    }
    closedir(d);
    return removed;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t k = write(fd, p, len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -errno;
        if (k == 0)
            return -EIO;
        p += k, len -= (size_t)k;
    }
    return 0;
}

int da3_is_stream(const char *path)
{
    struct stat st;
    return !stat(path, &st) && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) ||
                                S_ISSOCK(st.st_mode));
}

int da3_write_atomic(const char *path, const void *data, size_t len)
{
    if (da3_is_stream(path)) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
            return -errno;
        int e = write_all(fd, data, len);
        if (close(fd) && !e)
            e = -errno;
        return e;
    }
    char tmp[4200];
    if (da3_partial_name(tmp, sizeof tmp, path))
        return -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    int e = write_all(fd, data, len);
    if (!e && fsync(fd) && errno != EINVAL && errno != EROFS)
        e = -errno; /* EINVAL: a file (a pipe, /dev/null) that cannot be synced */
    if (close(fd) && !e)
        e = -errno;
    if (!e && rename(tmp, path))
        e = -errno;
    if (e)
        unlink(tmp);
    return e;
}

int da3_read_fd(int fd, char **out, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return -ENOMEM;
    if (lseek(fd, 0, SEEK_SET) < 0) {
        free(buf);
        return -errno;
    }
    for (;;) {
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                return -ENOMEM;
            }
            buf = nb;
        }
        ssize_t k = read(fd, buf + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int e = errno;
            free(buf);
            return -e;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    if (n == cap) { /* room for the terminating NUL */
        char *nb = realloc(buf, cap + 1);
        if (!nb) {
            free(buf);
            return -ENOMEM;
        }
        buf = nb;
    }
    buf[n] = 0;
    *out = buf, *len = n;
    return 0;
}
