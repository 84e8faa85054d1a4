/*
 * chart.h owns the per-year charts of a multi-year run (timeline_flights.png,
 * timeline_coverage.png): the means of a few key rows of the summary table with their 95 % CI.
 */
#ifndef OSQ_RESULTS_CHART_H
#define OSQ_RESULTS_CHART_H

#include "models/errors.h"
#include "results/table.h"

/**
 * Write DIR/timeline_flights.png (flights; flights over RUBY and over the US) and, when the table
 * has coverage rows, DIR/timeline_coverage.png (coverage of ALL, RUBY, US, EUR; coverage_fixed).
 * Years without a row (a party not in force) are gaps. Each file is written whole or not at all.
 */
int osq_chart_timeline(const char *dir, const osq_table_t *t, const char *subtitle, osq_error_t *err);

#endif
