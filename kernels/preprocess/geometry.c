/* The sizes of each step, as upstream computes them. */
#include "preprocess.h"

#include <math.h>
#include <string.h>

static const char *const method_names[DA3_PP_NMETHOD] = {
    "upper_bound_resize", "lower_bound_resize", "upper_bound_crop", "lower_bound_crop"};

const char *da3_pp_method_name(da3_pp_method m)
{
    return (unsigned)m < DA3_PP_NMETHOD ? method_names[m] : "?";
}

int da3_pp_method_parse(const char *s)
{
    for (int i = 0; i < DA3_PP_NMETHOD; i++)
        if (s && !strcmp(s, method_names[i]))
            return i;
    return -1;
}

long da3_pp_round_half_even(double x)
{
    /* nearbyint rounds in the current mode, which is to nearest-even */
    return (long)nearbyint(x);
}

int da3_pp_nearest_multiple(int x, int p)
{
    const int down = (x / p) * p, up = down + p;
    const int m = (up - x <= x - down) ? up : down;
    return m < p ? p : m;
}

int da3_pp_geometry(int w, int h, const da3_pp_params *p, da3_pp_geom *g)
{
    if (w < 1 || h < 1 || w > 65535 || h > 65535 || !p || p->res < DA3_PP_PATCH ||
        p->res > 16384 || (unsigned)p->method >= DA3_PP_NMETHOD)
        return DA3_EARG;
    memset(g, 0, sizeof *g);
    g->src_w = g->dec_w = w;
    g->src_h = g->dec_h = h;
    g->scale_num = g->scale_den = 1;
    const int upper =
        p->method == DA3_PP_UPPER_BOUND_RESIZE || p->method == DA3_PP_UPPER_BOUND_CROP;
    const int side = upper ? (w > h ? w : h) : (w < h ? w : h);
    if (side == p->res) {
        g->rs_w = w, g->rs_h = h;
    } else {
        const double s = (double)p->res / side;
        long rw = da3_pp_round_half_even(w * s), rh = da3_pp_round_half_even(h * s);
        g->rs_w = (int)(rw < 1 ? 1 : rw);
        g->rs_h = (int)(rh < 1 ? 1 : rh);
        g->first_cubic = s > 1.0;
    }
    if (p->method == DA3_PP_UPPER_BOUND_RESIZE || p->method == DA3_PP_LOWER_BOUND_RESIZE) {
        g->out_w = da3_pp_nearest_multiple(g->rs_w, DA3_PP_PATCH);
        g->out_h = da3_pp_nearest_multiple(g->rs_h, DA3_PP_PATCH);
        g->second_cubic = g->out_w > g->rs_w || g->out_h > g->rs_h;
    } else {
        g->out_w = (g->rs_w / DA3_PP_PATCH) * DA3_PP_PATCH;
        g->out_h = (g->rs_h / DA3_PP_PATCH) * DA3_PP_PATCH;
        if (g->out_w < DA3_PP_PATCH)
            g->out_w = DA3_PP_PATCH;
        if (g->out_h < DA3_PP_PATCH)
            g->out_h = DA3_PP_PATCH;
        /* a side shorter than 14 cannot be cropped: it is left at its size
         * and the resampler replicates its edge (crop offset 0) */
        g->crop_x = g->rs_w > g->out_w ? (g->rs_w - g->out_w) / 2 : 0;
        g->crop_y = g->rs_h > g->out_h ? (g->rs_h - g->out_h) / 2 : 0;
    }
    return 0;
}
