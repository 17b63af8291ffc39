/*
 * Finding a program on PATH (find_program.h).
 */
#include "find_program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int da3_find_program(const char *name, char *out, size_t len)
{
    if (strchr(name, '/')) {
        snprintf(out, len, "%s", name);
        return executable(name) ? 0 : -1;
    }
    const char *path = getenv("PATH");
    for (const char *p = path ? path : "/usr/bin:/bin"; p;) {
        const char *colon = strchr(p, ':');
        const int n = colon ? (int)(colon - p) : (int)strlen(p);
        const int w = snprintf(out, len, "%.*s/%s", n ? n : 1, n ? p : ".", name);
        if (w > 0 && (size_t)w < len && executable(out))
            return 0;
        p = colon ? colon + 1 : NULL;
    }
    return -1;
}
