/* The sweep syntax of the command line: lists, geometric and linear ranges. */
#include "sweep.h"

#include <stdio.h>
#include <string.h>

static int failures;

typedef struct {
    const char *text;
    int64_t min;
    int ok;
    int n;
    int64_t v[8];
} sweep_case;

static const sweep_case cases[] = {
    {"256,1024,2048", 1, 1, 3, {256, 1024, 2048}},
    {"256..8192:x2", 1, 1, 6, {256, 512, 1024, 2048, 4096, 8192}},
    {"256..1000:x2", 1, 1, 2, {256, 512}},
    {"0..20:+5", 0, 1, 5, {0, 5, 10, 15, 20}},
    {"7", 1, 1, 1, {7}},
    {"8,8,16", 1, 1, 2, {8, 16}},
    {"1,4..16:x2", 1, 1, 4, {1, 4, 8, 16}},
    {"0..20:+5", 1, 0, 0, {0}},  /* below the minimum */
    {"abc", 1, 0, 0, {0}},
    {"", 1, 0, 0, {0}},
    {"0", 1, 0, 0, {0}},
    {"-4", 1, 0, 0, {0}},
    {"1,,2", 1, 0, 0, {0}},
    {"1,", 1, 0, 0, {0}},
    {"4..2:x2", 1, 0, 0, {0}},
    {"1..8:x1", 1, 0, 0, {0}},
    {"1..8:+0", 1, 0, 0, {0}},
    {"1..8", 1, 0, 0, {0}},
    {"1..8:y2", 1, 0, 0, {0}},
    {"12abc", 1, 0, 0, {0}},
    {"99999999999999999999", 1, 0, 0, {0}},
    {"1..1000000:+1", 1, 0, 0, {0}}, /* too many values */
};

int main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const sweep_case *c = &cases[i];
        da3_sweep s;
        char err[160] = "";
        int rc = da3_sweep_parse(c->text, c->min, &s, err, sizeof err);
        if ((rc == 0) != c->ok) {
            fprintf(stderr, "FAIL '%s': rc %d (%s)\n", c->text, rc, err);
            failures++;
            continue;
        }
        if (!c->ok) {
            if (!*err) {
                fprintf(stderr, "FAIL '%s': rejected without a reason\n", c->text);
                failures++;
            }
            continue;
        }
        if (s.n != c->n || memcmp(s.v, c->v, sizeof(int64_t) * (size_t)c->n)) {
            fprintf(stderr, "FAIL '%s': got %d values\n", c->text, s.n);
            failures++;
        }
    }
    printf("sweep: %zu cases, %d failures\n", sizeof cases / sizeof *cases, failures);
    return failures != 0;
}
