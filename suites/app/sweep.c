#include "sweep.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int da3_sweep_add(da3_sweep *s, int64_t v)
{
    for (int i = 0; i < s->n; i++)
        if (s->v[i] == v)
            return 0;
    if (s->n >= DA3_SWEEP_MAX)
        return -1;
    s->v[s->n++] = v;
    return 0;
}

/* A whole decimal integer in [p, end); no sign, no spaces, no overflow. */
static int parse_int(const char *p, const char *end, int64_t *out)
{
    if (p == end || *p < '0' || *p > '9')
        return -1;
    errno = 0;
    char *stop;
    long long v = strtoll(p, &stop, 10);
    if (errno || stop != end)
        return -1;
    *out = v;
    return 0;
}

static int parse_item(const char *p, const char *end, int64_t min_value, da3_sweep *out,
                      char *err, int errlen)
{
    const char *dots = NULL;
    for (const char *c = p; c + 1 < end; c++)
        if (c[0] == '.' && c[1] == '.') {
            dots = c;
            break;
        }
    int64_t lo, hi, step = 0;
    int geometric = 0;
    if (!dots) {
        if (parse_int(p, end, &lo)) {
            snprintf(err, (size_t)errlen, "'%.*s' is not a whole number", (int)(end - p), p);
            return -1;
        }
        if (lo < min_value) {
            snprintf(err, (size_t)errlen, "%lld is below the minimum %lld", (long long)lo,
                     (long long)min_value);
            return -1;
        }
        if (da3_sweep_add(out, lo)) {
            snprintf(err, (size_t)errlen, "more than %d values", DA3_SWEEP_MAX);
            return -1;
        }
        return 0;
    }
    const char *colon = memchr(dots, ':', (size_t)(end - dots));
    if (!colon || colon + 2 > end || (colon[1] != 'x' && colon[1] != '+') ||
        parse_int(p, dots, &lo) || parse_int(dots + 2, colon, &hi) ||
        parse_int(colon + 2, end, &step)) {
        snprintf(err, (size_t)errlen, "'%.*s' is not a range: use LO..HI:xF or LO..HI:+S",
                 (int)(end - p), p);
        return -1;
    }
    geometric = colon[1] == 'x';
    if (lo < min_value) {
        snprintf(err, (size_t)errlen, "%lld is below the minimum %lld", (long long)lo,
                 (long long)min_value);
        return -1;
    }
    if (hi < lo) {
        snprintf(err, (size_t)errlen, "range %lld..%lld is empty", (long long)lo,
                 (long long)hi);
        return -1;
    }
    if (geometric ? step < 2 : step < 1) {
        snprintf(err, (size_t)errlen, "range step %c%lld never advances", colon[1],
                 (long long)step);
        return -1;
    }
    if (geometric && lo == 0) {
        snprintf(err, (size_t)errlen, "a geometric range cannot start at 0");
        return -1;
    }
    for (int64_t x = lo; x <= hi;) {
        if (da3_sweep_add(out, x)) {
            snprintf(err, (size_t)errlen, "more than %d values", DA3_SWEEP_MAX);
            return -1;
        }
        if (geometric ? x > INT64_MAX / step : x > INT64_MAX - step)
            break;
        x = geometric ? x * step : x + step;
    }
    return 0;
}

int da3_sweep_parse(const char *text, int64_t min_value, da3_sweep *out, char *err, int errlen)
{
    out->n = 0;
    if (!text || !*text) {
        snprintf(err, (size_t)errlen, "empty value");
        return -1;
    }
    const char *p = text;
    for (;;) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        if (end == p) {
            snprintf(err, (size_t)errlen, "empty item in '%s'", text);
            return -1;
        }
        if (parse_item(p, end, min_value, out, err, errlen))
            return -1;
        if (!*end)
            return 0;
        p = end + 1;
    }
}
