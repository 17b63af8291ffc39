/*
 * check.h - the one assertion of the C and C++ tests: CHECK(cond, fmt, ...)
 * counts a failure and prints file:line and the message, then the test
 * goes on, so one run lists every failure; main() returns failures != 0.
 */
#ifndef DA3_TEST_CHECK_H
#define DA3_TEST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#endif
