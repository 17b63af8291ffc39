/* libFuzzer target: the command line's list/range parser and size parser. */
#include "cli.h"
#include "sweep.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    da3_sweep s;
    char err[200];
    if (da3_sweep_parse(text, 0, &s, err, sizeof err) == 0)
        for (int i = 1; i < s.n; i++)
            if (s.v[i] < 0) /* every value is >= min */
                abort();
    size_t bytes;
    da3_parse_bytes(text, &bytes);
    free(text);
    return 0;
}
