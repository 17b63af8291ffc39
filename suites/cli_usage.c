/*
 * cli_usage.c - the text of `da3bench --help` and of each command's --help.
 */
#include "cli.h"

#include <stdio.h>

void da3_cli_usage(int cmd)
{
    if (cmd == DA3_CMD_ENV) {
        puts("usage: da3bench env\n\n"
             "Prints the environment manifest as one JSON object: da3bench version and git\n"
             "commit, compiler and flags, detected and selected ISA, cores, BLAS, and the\n"
             "measured FMA peak (GFLOP/s) and STREAM triad bandwidth (GB/s). The same keys go\n"
             "into the context of every --json results file.");
        return;
    }
    if (cmd == DA3_CMD_LIST) {
        puts("usage: da3bench list [SUITE...] [flags]\n\n"
             "Prints the name of every benchmark a run with the same suites and flags would\n"
             "execute, one per line, and nothing else. Takes the flags of 'da3bench run'.");
        return;
    }
    puts("usage: da3bench [run] [SUITE...] [flags]\n"
         "       da3bench list [SUITE...] [flags]\n"
         "       da3bench env\n"
         "       da3bench fixtures gen|verify [flags]     (--help for each)\n"
         "       da3bench convert IMAGE.jpg -o TENSOR.npy [flags]\n"
         "       da3bench tune workers [flags]\n"
         "       da3bench report RESULTS.json... --out DIR [--format md|latex]\n"
         "       da3bench compare BASE.json NEW.json [compare.py flags]\n"
         "\n"
         "Suites: attention, peak, preprocess, prefetch, cuda (default: these five), and\n"
         "calib (run only when named: calib/spin/work:W, linear in --work W; --slowdown F\n"
         "multiplies the work under the same name, to calibrate the regression gate).\n"
         "cuda runs the attention (naive, naive_tf32, flash, flash_tf32 at the attention\n"
         "shapes) and the prefetch pipeline (--depth, --io-ms) on the GPU; without one,\n"
         "or in a build without nvcc, its benchmarks are listed as skipped, with why.\n"
         "\n"
         "Sweeps (each a list '256,1024', a geometric range '256..8192:x2' or a linear\n"
         "range '0..20:+5'; given axes replace the preset's):\n"
         "  --seq N          sequence lengths (tokens)\n"
         "  --batch B        batch sizes\n"
         "  --heads H        head counts\n"
         "  --head-dim D     head dimensions (a multiple of 16, 16..256)\n"
         "  --threads T      kernel threads (default: all cores)\n"
         "  --impl LIST      naive,fused,flash,blas (default: all four)\n"
         "  --cuda-impl LIST the cuda suite's: naive,naive_tf32,flash,flash_tf32 (the\n"
         "                   default), and flash_br128,flash_tf32_br128 (128 queries a\n"
         "                   block, for tuning on a GPU)\n"
         "  --shapes FILE    attention shapes, one per line 'B=2 H=8 N=1024 D=64' ('#'\n"
         "                   comments; B=1 H=8 D=64 when omitted), instead of the axes\n"
         "Preprocess sweeps:\n"
         "  --workers LIST   worker counts, 'auto' for the measured choice (1,2,4,8,12,16,auto)\n"
         "  --pool LIST      threads,processes\n"
         "  --decode LIST    full,dct (dct: libjpeg-turbo's scaled IDCT, then area resize)\n"
         "  --res LIST       process_res (longest or shortest side; default 504)\n"
         "  --method LIST    upper_bound_resize, lower_bound_resize, upper_bound_crop,\n"
         "                   lower_bound_crop\n"
         "  --images N, --size WxH, --kind natural|noise   the fixture set\n"
         "  --fixtures DIR   fixture cache folder (default: inside the build folder)\n"
         "Prefetch sweeps:\n"
         "  --depth LIST     batches in flight: 0 sequential, k prefetch (default 0,2)\n"
         "  --io-ms LIST     simulated I/O per batch in ms (default 10)\n"
         "  --loader LIST    sim (sleeps io_ms) or jpeg (DA3's preprocessing of fixtures)\n"
         "  --loader-threads LIST, --batches N, --batch-size B, --compute-threads T\n"
         "Presets:\n"
         "  --preset quick   seq 256,512, batch 1, heads 8, D 64; preprocess: 8 images,\n"
         "                   workers 1,2,4,auto, full; prefetch: 10 batches of 32, io\n"
         "                   5 ms, depth 0 and 2: seconds (default)\n"
         "  --preset seed    the seed's configs: N256 B4, N1024 B2, N2048 B1; H8 D64;\n"
         "                   preprocess: 50 images, workers 4,8,12,auto;\n"
         "                   prefetch: 50 batches of 32, io 10 ms, depth 0 and 2\n"
         "  --preset da3     DA3's shapes: heads 6,12,16,24 (ViT-S/B/L/G), D64, 721 tokens\n"
         "                   per 504x280 view, global attention over 1,2,4,8 views;\n"
         "                   preprocess and prefetch as seed\n"
         "Run control:\n"
         "  --json FILE      write Google Benchmark's JSON (with the environment manifest)\n"
         "  --report DIR     write DIR/results.json, then BENCHMARK_RESULTS.md, the tables\n"
         "                   as CSV and LaTeX and the plots (scripts/report.py) there\n"
         "  --quiet, -q      no progress on stderr (shown by default: a live line on a\n"
         "                   terminal, one line per finished benchmark otherwise)\n"
         "  --mode instructions  count instructions under Valgrind's callgrind instead of\n"
         "                   timing (one iteration per benchmark; repeatable to the\n"
         "                   instruction); the JSON gets an `instructions` counter\n"
         "  --repetitions R  repetitions per benchmark (median and spread are over them)\n"
         "  --min-time S     minimum seconds per repetition\n"
         "  --mem-limit SIZE refuse configurations needing more (default: half the RAM)\n"
         "  --benchmark_*=V  passed to Google Benchmark unchanged\n"
         "Environment: DA3BENCH_ISA=scalar|avx2|avx512|neon forces the kernels' ISA level.\n"
         "\n"
         "Exit status: 0 all ran and passed their checks, 1 a benchmark failed (the\n"
         "others still ran and are reported), 2 usage error (nothing ran).");
}
