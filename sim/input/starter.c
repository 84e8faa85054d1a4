/*
 * starter.c owns the starter scenario of `osq init` (see starter.h): its text, and writing it
 * whole (results/' atomic file) without replacing a file the user has unless asked to.
 */
#include "sim/input/starter.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "results/table.h"

static const char STARTER[] =
    "# scenario.cfg: a starter scenario, written by `osq init`. As it stands it is the Treaty on\n"
    "# Open Skies in 2019, before any withdrawal (osq's scenarios/baseline.cfg). From this folder:\n"
    "#\n"
    "#   osq check scenario.cfg     # validate; parties, quotas and airfields per year\n"
    "#   osq run scenario.cfg       # the trials; summary on stdout, files in out/scenario/\n"
    "#\n"
    "# Every key with its type, range and default: osq --help-scenario. The model, its parameters\n"
    "# and their sources: docs/model.md (installed in share/doc/osq/docs/); the command line: man osq.\n"
    "\n"
    "# The treaty data: the 32 quota holders that were ever States Parties, with their quotas, dates\n"
    "# and airfields, each number with its source. osq looks for treaty.cfg in this folder, then in\n"
    "# the folders of $OSQ_PATH, then in the scenarios installed with osq: copy it here to edit it.\n"
    "@include \"treaty.cfg\"\n"
    "\n"
    "simulation = {\n"
    "  trials = 10000;            # Monte Carlo trials\n"
    "  seed = 20190101;           # the same seed gives the same results, on any number of threads\n"
    "  first_year = 2019;\n"
    "  last_year = 2019;          # several years: a timeline (and its charts)\n"
    "};\n"
    "\n"
    "# Changes to the treaty's membership and quotas, in date order; none here. Each state may be\n"
    "# under one quota holder a day (Belarus alone, BY, or in the group with Russia, RUBY).\n"
    "participation = (\n"
    "  # { party = \"US\"; withdraw = \"2019-03-01\"; },     # a party leaves\n"
    "  # { party = \"US\"; readmit = \"2019-09-01\"; },      # ... and comes back\n"
    "  # { party = \"DE\"; passive_quota = 10; }            # a quota override\n"
    ");\n"
    "\n"
    "# Model parameters: the defaults are fitted to the recorded flights (osq check lists them).\n"
    "model = {\n"
    "  # completion = 0.9;        # chance that a scheduled flight is completed\n"
    "  # parties = ( { party = \"US\"; completion = 0.65; } );\n"
    "};\n"
    "\n"
    "# Geography (routes, imaging, coverage) costs far more than the quota model: the coverage rows\n"
    "# come from 1,000 of the trials (their n column says so), the flight counts from all of them.\n"
    "geo = {\n"
    "  trials = 1000;\n"
    "  # enabled = false;         # the quota model only\n"
    "  # Kaliningrad: at most 500 km of a flight over Russia inside the region, 2017-2020 (Russian\n"
    "  # MFA, 2017; the end date is an estimate): see baseline.cfg and docs/geography.md.\n"
    "  sublimits = ( { party = \"RUBY\"; lat_min = 54.3; lat_max = 55.35; lon_min = 19.6; lon_max = 22.95;\n"
    "                  max_km = 500.0; from = \"2017-01-01\"; until = \"2021-01-01\"; } );\n"
    "};\n"
    "\n"
    "output = {\n"
    "  formats = [ \"csv\", \"json\", \"md\" ];   # also \"tex\": tables for a paper\n"
    "  # dir = \"out/mine\";        # default: out/ and the scenario's name, from where osq runs\n"
    "};\n";

const char *osq_starter_text(void) { return STARTER; }

/* mkdir -p: every missing folder of dir. */
static int make_dirs(const char *dir, osq_error_t *err) {
  char p[4096];
  if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "folder name too long: %.80s...", dir);
  for (char *s = p + 1;; s++) {
    const char c = *s;
    if (c != '/' && c != '\0') continue;
    *s = '\0';
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
      return osq_error_add(err, OSQ_EIO, p, 0, "cannot create the folder: %s", strerror(errno));
    *s = c;
    if (!c) break;
  }
  struct stat st;
  if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
    return osq_error_add(err, OSQ_EIO, p, 0, "not a folder (expected a folder to write %s in)", OSQ_STARTER_NAME);
  return OSQ_OK;
}

int osq_starter_write(const char *dir, bool force, char *path, size_t n, osq_error_t *err) {
  if (!dir || !dir[0]) dir = ".";
  if (snprintf(path, n, "%s/%s", dir, OSQ_STARTER_NAME) >= (int)n)
    return osq_error_add(err, OSQ_EINVAL, NULL, 0, "folder name too long: %.80s...", dir);
  struct stat st;
  if (!force && lstat(path, &st) == 0)
    return osq_error_add(err, OSQ_EEXIST, path, 0, "already exists; not overwritten (use --force to replace it)");
  int rc = make_dirs(dir, err);
  if (rc) return rc;
  osq_atomic_file_t *f;
  rc = osq_atomic_open(path, &f, err);
  if (rc) return rc;
  fputs(STARTER, osq_atomic_stream(f));
  return osq_atomic_commit(f, err);
}
