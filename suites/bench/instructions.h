/*
 * instructions.h - da3bench --mode instructions: the same run under
 * Valgrind's callgrind, each benchmark's loop counted (see instructions.c).
 */
#ifndef DA3_INSTRUCTIONS_H
#define DA3_INSTRUCTIONS_H

/* Re-executes this command under callgrind and writes the JSON (to json,
 * if not NULL) with an `instructions` counter per benchmark. Returns the
 * exit status. */
int da3_run_counting(int argc, char **argv, const char *json);

#endif
