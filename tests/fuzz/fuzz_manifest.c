/* libFuzzer target: the fixture manifest parser. */
#include "fixtures.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_entry(void *ctx, const da3_fix_entry *e)
{
    (void)ctx;
    /* what the parser accepts is a plain file name and two hashes */
    if (strchr(e->name, '/') || e->name[0] == '.' || strlen(e->file_sha) != 64)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    da3_fix_params p;
    char err[300];
    da3_fix_manifest_parse(text, &p, check_entry, NULL, err, sizeof err);
    free(text);
    return 0;
}
