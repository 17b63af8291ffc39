/*
 * preprocess_run.h - private to suites/: the preprocess suite's running
 * machinery (preprocess_run.c), apart from its registration and counters
 * (suite_preprocess.c).
 */
#ifndef DA3_PREPROCESS_RUN_H
#define DA3_PREPROCESS_RUN_H

#include "suite_preprocess.h"

/* The running state of one run (the fixture set, loaded once; the case
 * being timed: buffers, the pool), kept by the suite's run. */
typedef struct da3_pprun da3_pprun;
da3_pprun *da3_pprun_new(const char *fixtures); /* --fixtures, or NULL; NULL: no memory */
void da3_pprun_free(da3_pprun *r);

/* Loads the fixture set (once) and prepares case c of group g: buffers,
 * the pool, auto's measured worker count. 0, or -1 with msg set. */
int da3_pprun_setup(da3_pprun *r, da3_pp_case *c, da3_pp_group *g, char *msg, size_t len);
/* One pass over the set (the pool's or the plain decode's); failed images. */
long da3_pprun_once(da3_pprun *r, da3_pp_case *c);
/* side_by_side: decode, full, dct on each image in turn; adds seconds to t. */
long da3_pprun_paired(da3_pprun *r, da3_pp_case *c, double t[3]);
/* Image 0 against the double reference (and dct's PSNR against full), once. */
void da3_pprun_check(const da3_pprun *r, da3_pp_case *c);
/* The first failed image's message. */
const char *da3_pprun_first_error(const da3_pprun *r);
int da3_pprun_images(const da3_pprun *r);   /* images in the set */
double da3_pprun_bytes(const da3_pprun *r); /* their JPEG bytes */

#endif
