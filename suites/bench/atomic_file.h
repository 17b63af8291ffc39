/*
 * Files written whole or not at all: a temporary file beside the target,
 * every write, fsync and close checked, then renamed over it. The target
 * is never truncated by a full disk, a signal or a crash: it holds the old
 * contents or the new ones.
 */
#ifndef DA3_ATOMIC_FILE_H
#define DA3_ATOMIC_FILE_H

#include <stddef.h>

/* path.partial-PID into tmp (the name the writers use); 0 or -ENAMETOOLONG */
int da3_partial_name(char *tmp, size_t size, const char *path);

/* Removes the path.partial-PID files of processes that no longer run (a
 * SIGKILL or a second SIGINT leaves them); returns how many. */
int da3_clean_stale_partials(const char *path);

/* 1 if path names a stream (a pipe, a terminal, /dev/stdout, a socket): a
 * target that cannot be replaced by a rename, only written in place. */
int da3_is_stream(const char *path);

/* Writes len bytes to path atomically; 0, or -errno (the target untouched).
 * A stream (da3_is_stream) is written in place, every write checked. */
int da3_write_atomic(const char *path, const void *data, size_t len);

/* Reads the whole of fd (from its start); 0 or -errno; *out is malloc'd and
 * NUL-terminated (*len does not count the NUL), so a text can be parsed. */
int da3_read_fd(int fd, char **out, size_t *len);

#endif
