/*
 * What the benchmark programs (and the unit test that bounds the snapshot
 * index's memory) measure with: the clock in fractions of a millisecond,
 * the process's resident and peak memory from /proc, and a median, so a
 * figure is taken the same way everywhere it is printed.
 */
#ifndef DPD_BENCHLIB_H
#define DPD_BENCHLIB_H

/* CLOCK_MONOTONIC in ms, with its fraction. */
double bench_now_ms(void);
/* Resident set (statm) and peak (VmHWM) in KB, or -1. */
long bench_rss_kb(void);
long bench_peak_kb(void);
/* The median of v[0..n) (sorts v). */
double bench_median(double *v, int n);

#endif
