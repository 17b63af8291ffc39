/*
 * suite_list.c - the suites of da3bench, in the order they run and their
 * console blocks print. A new family adds its line here.
 */
#include "suite.h"

#include <string.h>

const da3_suite *const da3_suite_list[] = {
    &da3_attention_suite, &da3_block_suite, &da3_peak_suite, &da3_preprocess_suite,
    &da3_prefetch_suite,  &da3_cuda_suite, &da3_calib_suite,
};
const int da3_suite_count = (int)(sizeof da3_suite_list / sizeof *da3_suite_list);
_Static_assert(sizeof da3_suite_list / sizeof *da3_suite_list <= DA3_SUITE_MAX,
               "raise DA3_SUITE_MAX in suite.h");

const da3_suite *da3_suite_find(const char *name)
{
    for (int i = 0; i < da3_suite_count; i++)
        if (name && !strcmp(da3_suite_list[i]->name, name))
            return da3_suite_list[i];
    return NULL;
}
