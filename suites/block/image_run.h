/*
 * image_run.h - the block suite's whole-image cases (image_run.c).
 */
#ifndef DA3_IMAGE_RUN_H
#define DA3_IMAGE_RUN_H

#include "attention.h"
#include "block.h"
#include "preprocess.h"

/* a configuration of one image: its attention and its JPEG decode */
typedef struct {
    const char *name;
    int impl;              /* da3_attn_impl */
    da3_pp_decode decode;
} da3_image_config;

#define DA3_IMAGE_NCONFIG 4
extern const da3_image_config da3_image_configs[DA3_IMAGE_NCONFIG];

/* What the image cases of one run share (image_run.c): the JPEG, and the
 * block of the last (shape, implementation). */
typedef struct da3_image_state da3_image_state;
da3_image_state *da3_image_state_new(void); /* NULL: no memory */
void da3_image_state_free(da3_image_state *im);

typedef struct {
    da3_block_shape s;     /* one view: 721 tokens */
    int config;            /* index in da3_image_configs */
    int depth;             /* the backbone's blocks */
    int threads;
    const char *fixtures;  /* --fixtures, or NULL */
    da3_image_state *im;   /* the run's */
} da3_image_case;

typedef struct gb_state gb_state;
void da3_image_body(gb_state *st, const da3_image_case *c);

#endif
