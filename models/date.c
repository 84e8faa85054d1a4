/* date.c owns the civil-calendar conversions (Howard Hinnant's days_from_civil algorithm). */
#include "models/date.h"

#include <stdio.h>
#include <string.h>

#include "models/errors.h"

osq_day_t osq_date_from_ymd(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (osq_day_t)(era * 146097 + doe - 719468);
}

void osq_date_to_ymd(osq_day_t day, int *y, int *m, int *d) {
  const int z = day + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int osq_date_year_days(int y) { return is_leap(y) ? 366 : 365; }

bool osq_date_valid(int y, int m, int d) {
  static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  int lim = mdays[m - 1] + (m == 2 && is_leap(y));
  return d <= lim;
}

int osq_date_parse(const char *s, osq_day_t *out) {
  if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return OSQ_EINVAL;
  for (int i = 0; i < 10; i++) {
    if (i == 4 || i == 7) continue;
    if (s[i] < '0' || s[i] > '9') return OSQ_EINVAL;
  }
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0');
  int d = (s[8] - '0') * 10 + (s[9] - '0');
  if (!osq_date_valid(y, m, d)) return OSQ_EINVAL;
  *out = osq_date_from_ymd(y, m, d);
  return OSQ_OK;
}

void osq_date_format(osq_day_t day, char buf[static 11]) {
  if (day == OSQ_DAY_NEVER) {
    memcpy(buf, "never", 6);
    return;
  }
  int y, m, d;
  osq_date_to_ymd(day, &y, &m, &d);
  /* Values are clamped so the compiler can prove the output fits 10 characters. */
  unsigned yy = (unsigned)y % 10000u, mm = (unsigned)m % 100u, dd = (unsigned)d % 100u;
  snprintf(buf, 11, "%04u-%02u-%02u", yy, mm, dd);
}

int osq_date_year(osq_day_t day) {
  int y, m, d;
  osq_date_to_ymd(day, &y, &m, &d);
  return y;
}
