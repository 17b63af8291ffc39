/*
 * stats.h - the median and spread the console blocks and suites report:
 * the median of n values and their sample standard deviation (0 for one).
 */
#ifndef DA3_STATS_H
#define DA3_STATS_H

void da3_median_sd(const double *v, int n, double *median, double *sd);
double da3_median(const double *v, int n);

#endif
