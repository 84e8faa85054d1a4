/*
 * date.h owns calendar arithmetic: dates are day numbers (days since 1970-01-01, proleptic
 * Gregorian), so comparisons are integer comparisons and a 96-hour window is 4 days.
 */
#ifndef OSQ_DATE_H
#define OSQ_DATE_H

#include <stdbool.h>
#include <stdint.h>

typedef int32_t osq_day_t;

/** A day later than any simulated date: "never withdrawn". */
#define OSQ_DAY_NEVER INT32_MAX

/** @return the day number of y-m-d (no validation: use osq_date_valid first). */
osq_day_t osq_date_from_ymd(int y, int m, int d);
/** Split a day number into year, month (1-12) and day (1-31). */
void osq_date_to_ymd(osq_day_t day, int *y, int *m, int *d);
/** @return true if y-m-d is a real calendar date with 1900 <= y <= 2200. */
bool osq_date_valid(int y, int m, int d);
/**
 * Parse "YYYY-MM-DD" (exactly that form).
 * @return 0 and *out on success, OSQ_EINVAL if the text is not a real date.
 */
int osq_date_parse(const char *s, osq_day_t *out);
/** Format as "YYYY-MM-DD" into buf (at least 11 bytes); OSQ_DAY_NEVER gives "never". */
void osq_date_format(osq_day_t day, char buf[static 11]);
/** @return the number of days in year y (365 or 366). */
int osq_date_year_days(int y);
/** @return the year of a day number. */
int osq_date_year(osq_day_t day);

#endif
