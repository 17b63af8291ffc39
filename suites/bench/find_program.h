/*
 * Finding a program the way execvp would: a name with a '/' as given,
 * otherwise the first executable regular file of that name on PATH.
 */
#ifndef DA3_FIND_PROGRAM_H
#define DA3_FIND_PROGRAM_H

#include <stddef.h>

/* The program's path into out; 0, or -1 if there is none to run. An empty
 * PATH entry is the current folder; no PATH is /usr/bin:/bin. */
int da3_find_program(const char *name, char *out, size_t len);

#endif
