/* The --shapes file parser: see shapes.h */
#include "shapes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_line(char *line, da3_attn_shape *s, char *why, size_t wlen)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = 0;
    *s = (da3_attn_shape){1, 8, 0, 64};
    int seen[4] = {0}, any = 0;
    for (char *save, *t = strtok_r(line, " \t\r\n", &save); t;
         t = strtok_r(NULL, " \t\r\n", &save)) {
        any = 1;
        static const char keys[] = "BHND";
        const char *k = t[0] && t[1] == '=' ? strchr(keys, t[0]) : NULL;
        if (!k || !t[0]) {
            snprintf(why, wlen, "'%s': expected KEY=VALUE with KEY one of B, H, N, D", t);
            return -1;
        }
        const int idx = (int)(k - keys);
        char *end;
        errno = 0;
        long v = strtol(t + 2, &end, 10);
        if (!t[2] || *end || errno || v < 1 || v > (1L << 20)) {
            snprintf(why, wlen, "'%s': %c must be an integer in 1..1048576", t, t[0]);
            return -1;
        }
        if (seen[idx]++) {
            snprintf(why, wlen, "%c given twice", t[0]);
            return -1;
        }
        int *f[4] = {&s->b, &s->h, &s->n, &s->d};
        *f[idx] = (int)v;
    }
    if (!any)
        return 1; /* blank or comment */
    if (!seen[2]) {
        snprintf(why, wlen, "no N (sequence length)");
        return -1;
    }
    int rc = da3_attn_check_shape(s);
    if (rc) {
        snprintf(why, wlen, "B=%d H=%d N=%d D=%d: %s", s->b, s->h, s->n, s->d,
                 da3_strerror(rc));
        return -1;
    }
    return 0;
}

int da3_shapes_read(const char *path, da3_attn_shape *out, int max, int *n, char *err,
                    size_t errlen)
{
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "da3bench: --shapes %s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024], why[200];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(err, errlen, "da3bench: --shapes %s:%d: line too long", path, lineno);
            rc = -1;
            break;
        }
        da3_attn_shape s;
        int r = parse_line(line, &s, why, sizeof why);
        if (r < 0) {
            snprintf(err, errlen, "da3bench: --shapes %s:%d: %s", path, lineno, why);
            rc = -1;
            break;
        }
        if (r == 0) {
            if (*n == max) {
                snprintf(err, errlen, "da3bench: --shapes %s:%d: more than %d shapes", path, lineno,
                         max);
                rc = -1;
                break;
            }
            out[(*n)++] = s;
        }
    }
    if (!rc && ferror(f)) {
        snprintf(err, errlen, "da3bench: --shapes %s: read error", path);
        rc = -1;
    }
    fclose(f);
    if (!rc && !*n) {
        snprintf(err, errlen, "da3bench: --shapes %s: no shape in the file", path);
        rc = -1;
    }
    return rc;
}
