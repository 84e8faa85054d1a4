/*
 * test_membership.c: the membership invariant (docs/model.md section 2.1) -- on every day each
 * state belongs to at most one quota holder in force -- as the pure check in models/treaty.c and
 * as the scenario loader enforces it.
 *
 * The property test writes thousands of random participation sequences (withdrawals,
 * readmissions, quota overrides, Belarus leaving as the Russia-Belarus group returns) over the
 * shipped treaty as scenario text and loads them with osq_scenario_load(). An independent
 * day-by-day replay of the documented rules says what each sequence must give: the loader
 * refuses exactly the sequences the rules refuse, naming the first bad change, and for every
 * sequence it accepts, each party's days in force and quota are the replay's, every simulated
 * day has each state in at most one holder, and the passive quotas in force add up to the sum
 * over those holders.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/errors.h"
#include "models/treaty.h"
#include "sim/input/scenario.h"

/* ------------------------------------------------------------------------------------------ */
/* The pure check                                                                              */
/* ------------------------------------------------------------------------------------------ */

static osq_day_t ymd(int y, int m, int d) { return osq_date_from_ymd(y, m, d); }

static void add_holder(osq_treaty_t *t, const char *code, const char *m1, const char *m2, osq_day_t from,
                       osq_day_t until) {
  osq_party_t *p = &t->parties[t->n_parties++];
  memset(p, 0, sizeof *p);
  snprintf(p->code, sizeof p->code, "%s", code);
  snprintf(p->members[p->n_members++], 3, "%s", m1);
  if (m2) snprintf(p->members[p->n_members++], 3, "%s", m2);
  p->passive_quota = 6;
  p->n_terms = 1;
  p->terms[0].from = from;
  p->terms[0].until = until;
}

Test(membership, adjacent_terms_do_not_overlap) {
  osq_treaty_t t = {0};
  add_holder(&t, "RUBY", "RU", "BY", ymd(2002, 1, 1), ymd(2021, 12, 18));
  add_holder(&t, "BY", "BY", NULL, ymd(2021, 12, 18), OSQ_DAY_NEVER);
  add_holder(&t, "DE", "DE", NULL, ymd(2002, 1, 1), OSQ_DAY_NEVER);
  osq_membership_conflict_t k = {{0}, -1, -1, -1, -1, 0};
  cr_assert_eq(osq_treaty_check_membership(&t, &k), OSQ_OK);
  cr_assert_eq(k.holder_a, -1, "no conflict: *first untouched");
}

Test(membership, first_conflict_names_state_holders_and_day) {
  osq_treaty_t t = {0};
  add_holder(&t, "RUBY", "RU", "BY", ymd(2002, 1, 1), ymd(2021, 12, 18));
  add_holder(&t, "BY", "BY", NULL, ymd(2021, 12, 18), OSQ_DAY_NEVER);
  add_holder(&t, "BNLX", "BE", "NL", ymd(2002, 1, 1), OSQ_DAY_NEVER);
  add_holder(&t, "NL", "NL", NULL, ymd(2030, 1, 1), OSQ_DAY_NEVER);
  /* RUBY back from 2023 (a second term): Belarus in both from that day; the Netherlands in two
   * holders from 2030 is later, so not the first. */
  t.parties[0].terms[1].from = ymd(2023, 1, 1);
  t.parties[0].terms[1].until = OSQ_DAY_NEVER;
  t.parties[0].n_terms = 2;
  osq_membership_conflict_t k;
  cr_assert_eq(osq_treaty_check_membership(&t, &k), OSQ_EINVAL);
  cr_assert_str_eq(k.state, "BY");
  cr_assert_eq(k.holder_a, 0);
  cr_assert_eq(k.holder_b, 1);
  cr_assert_eq(k.term_a, 1);
  cr_assert_eq(k.term_b, 0);
  cr_assert_eq(k.day, ymd(2023, 1, 1));
  /* Without RUBY's return the Netherlands' conflict is the first. */
  t.parties[0].n_terms = 1;
  cr_assert_eq(osq_treaty_check_membership(&t, &k), OSQ_EINVAL);
  cr_assert_str_eq(k.state, "NL");
  cr_assert_eq(k.holder_a, 2);
  cr_assert_eq(k.holder_b, 3);
  cr_assert_eq(k.day, ymd(2030, 1, 1));
  /* Ended the day before the member's own membership began: no conflict. */
  t.parties[2].terms[0].until = ymd(2030, 1, 1);
  cr_assert_eq(osq_treaty_check_membership(&t, &k), OSQ_OK);
}

Test(membership, a_state_listed_twice_in_one_holder) {
  osq_treaty_t t = {0};
  add_holder(&t, "XX", "DE", "DE", ymd(2005, 3, 1), OSQ_DAY_NEVER);
  osq_membership_conflict_t k;
  cr_assert_eq(osq_treaty_check_membership(&t, &k), OSQ_EINVAL);
  cr_assert_str_eq(k.state, "DE");
  cr_assert_eq(k.holder_a, 0);
  cr_assert_eq(k.holder_b, 0);
  cr_assert_eq(k.day, ymd(2005, 3, 1));
}

/* ------------------------------------------------------------------------------------------ */
/* Loading scenario text over the shipped treaty                                               */
/* ------------------------------------------------------------------------------------------ */

static char g_dir[32];

static void make_dir(void) {
  snprintf(g_dir, sizeof g_dir, "/tmp/osq_memb_XXXXXX");
  cr_assert_not_null(mkdtemp(g_dir));
  char cmd[1400];
  snprintf(cmd, sizeof cmd, "cp '%s/scenarios/treaty.cfg' '%s/treaty.cfg'", OSQ_SOURCE_DIR, g_dir);
  cr_assert_eq(system(cmd), 0);
}

static void remove_dir(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
  cr_assert_eq(system(cmd), 0);
}

/* Write the scenario's text to s.cfg in g_dir and load it. @return the loader's code. */
static int load_text(const char *text, osq_scenario_t *sc, osq_error_t *err) {
  char path[64];
  snprintf(path, sizeof path, "%s/s.cfg", g_dir);
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  cr_assert_eq(fclose(f), 0);
  osq_error_clear(err);
  return osq_scenario_load(path, sc, err);
}

Test(membership, russia_returns_only_with_belarus_leaving_on_that_day, .init = make_dir, .fini = remove_dir) {
  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t *err = malloc(sizeof *err);
  const char *head = "@include \"treaty.cfg\"\nsimulation = { first_year = 2023; };\n";
  char text[512];
  snprintf(text, sizeof text, "%sparticipation = ( { party = \"RUBY\"; readmit = \"2023-01-01\"; } );\n", head);
  cr_assert_eq(load_text(text, sc, err), OSQ_ECONFIG);
  cr_assert_eq(err->n, 1);
  cr_assert(strstr(err->msg[0], "s.cfg:3: participation[0]: re-admitting RUBY on 2023-01-01 would count state BY twice"),
            "%s", err->msg[0]);
  cr_assert(strstr(err->msg[0], "add { party = \"BY\"; withdraw = \"2023-01-01\"; }"), "%s", err->msg[0]);
  /* The fix the message proposes, written after the readmission: the order of entries does not matter. */
  snprintf(text, sizeof text,
           "%sparticipation = ( { party = \"RUBY\"; readmit = \"2023-01-01\"; },\n"
           "                  { party = \"BY\"; withdraw = \"2023-01-01\"; } );\n",
           head);
  cr_assert_eq(load_text(text, sc, err), OSQ_OK, "%s", err->n ? err->msg[0] : "");
  const osq_treaty_t *t = &sc->treaty;
  const osq_party_t *ruby = &t->parties[osq_treaty_find(t, "RUBY")], *by = &t->parties[osq_treaty_find(t, "BY")];
  cr_assert(osq_party_in_force(by, ymd(2022, 12, 31)));
  cr_assert(!osq_party_in_force(ruby, ymd(2022, 12, 31)));
  cr_assert(osq_party_in_force(ruby, ymd(2023, 1, 1)));
  cr_assert(!osq_party_in_force(by, ymd(2023, 1, 1)));
  /* Belarus's quota counts once: the 2022 total (BY's 6 in) minus 6 plus the group's 42. */
  cr_assert_eq(osq_treaty_passive_total(t, ymd(2023, 6, 1)), osq_treaty_passive_total(t, ymd(2022, 6, 1)) - 6 + 42);
  free(err);
  free(sc);
}

/* ------------------------------------------------------------------------------------------ */
/* The property test                                                                           */
/* ------------------------------------------------------------------------------------------ */

#define H_FIRST_YEAR 2000
#define H_DAYS 14610 /* 2000-01-01 to 2039-12-31: every date drawn, with years to spare */
#define MAX_ENTRIES 8
#define CASES 4000

static uint64_t g_rng = UINT64_C(0x4f53512d6d656d62);

static uint64_t next_u64(void) { /* splitmix64: a fixed stream, so a failing case can be rerun */
  uint64_t z = (g_rng += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static int below(int n) { return (int)(next_u64() % (uint64_t)n); }

typedef struct {
  int party;
  bool has_w, has_r, has_q;
  osq_day_t w, r;
  int q;
} entry_t;

/* What the rules make of a sequence, replayed day by day without the loader's term lists. */
typedef enum { V_OK, V_APPLY, V_CONFLICT, V_QUOTA } verdict_t;

typedef struct {
  bool in[OSQ_PARTIES_MAX][H_DAYS];
  int quota[OSQ_PARTIES_MAX];
  osq_day_t scen_withdrawal[OSQ_PARTIES_MAX]; /* the withdrawal of this scenario that ends its membership */
  osq_day_t readmit_day[OSQ_PARTIES_MAX][MAX_ENTRIES]; /* readmissions still in effect */
  int n_readmit[OSQ_PARTIES_MAX];
  verdict_t verdict;
  int bad_entry;                                       /* V_APPLY, V_QUOTA: the first refused entry */
} replay_t;

static osq_day_t g_h0; /* the first day of the replay's horizon, H_FIRST_YEAR-01-01 */
static osq_day_t h0(void) { return g_h0; }
static bool in_at(const replay_t *x, int p, osq_day_t d) { return x->in[p][d - h0()]; }

static int runs_between(const replay_t *x, int p, osq_day_t from, osq_day_t until) {
  int n = 0;
  for (osq_day_t d = from; d < until; d++)
    if (in_at(x, p, d) && (d == from || !in_at(x, p, d - 1))) n++;
  return n;
}

static bool replay_withdraw(replay_t *x, int p, osq_day_t d) {
  /* A withdrawal takes effect inside a membership, not on its first day ... */
  if (!in_at(x, p, d) || !in_at(x, p, d - 1)) return false;
  /* ... nor on the day a readmission of the same scenario takes effect. */
  for (int k = 0; k < x->n_readmit[p]; k++)
    if (x->readmit_day[p][k] == d) return false;
  for (int i = d - h0(); i < H_DAYS; i++) x->in[p][i] = false;
  int kept = 0;
  for (int k = 0; k < x->n_readmit[p]; k++)
    if (x->readmit_day[p][k] < d) x->readmit_day[p][kept++] = x->readmit_day[p][k];
  x->n_readmit[p] = kept;
  x->scen_withdrawal[p] = d;
  return true;
}

static bool replay_readmit(replay_t *x, int p, osq_day_t d) {
  if (in_at(x, p, h0() + H_DAYS - 1)) return false;             /* it has not withdrawn */
  osq_day_t last = h0();                                        /* the day its withdrawal took effect */
  for (osq_day_t e = h0(); e < h0() + H_DAYS; e++)
    if (in_at(x, p, e)) last = e + 1;
  if (d < last) return false;                                   /* still in force then */
  if (d == last && x->scen_withdrawal[p] == d) return false;    /* withdrawn that day by this scenario */
  if (d > last && runs_between(x, p, h0(), h0() + H_DAYS) == OSQ_TERMS_MAX) return false;
  for (int i = d - h0(); i < H_DAYS; i++) x->in[p][i] = true;
  x->readmit_day[p][x->n_readmit[p]++] = d;
  x->scen_withdrawal[p] = OSQ_DAY_NEVER;
  return true;
}

static void replay(const osq_treaty_t *file, const entry_t *e, int n, int y0, int y1, replay_t *x) {
  memset(x, 0, sizeof *x);
  for (int p = 0; p < file->n_parties; p++) {
    x->quota[p] = file->parties[p].passive_quota;
    x->scen_withdrawal[p] = OSQ_DAY_NEVER;
    const osq_term_t *tm = &file->parties[p].terms[0]; /* the treaty file gives one term each */
    for (int i = 0; i < H_DAYS; i++) x->in[p][i] = h0() + i >= tm->from && h0() + i < tm->until;
  }
  x->verdict = V_OK;
  x->bad_entry = -1;
  for (int i = 0; i < n; i++) {
    bool ok = true;
    if (e[i].has_w && e[i].has_r && e[i].w == e[i].r) ok = false;
    else {
      if (e[i].has_w) ok = replay_withdraw(x, e[i].party, e[i].w) && ok;
      if (e[i].has_r) ok = replay_readmit(x, e[i].party, e[i].r) && ok;
    }
    if (e[i].has_q) x->quota[e[i].party] = e[i].q;
    if (!ok && x->verdict == V_OK) {
      x->verdict = V_APPLY;
      x->bad_entry = i;
    }
  }
  if (x->verdict != V_OK) return;
  for (int p = 0; p < file->n_parties; p++)
    for (int q = p + 1; q < file->n_parties; q++)
      for (int m = 0; m < file->parties[p].n_members; m++)
        for (int o = 0; o < file->parties[q].n_members; o++) {
          if (strcmp(file->parties[p].members[m], file->parties[q].members[o]) != 0) continue;
          for (int d = 0; d < H_DAYS; d++)
            if (x->in[p][d] && x->in[q][d]) x->verdict = V_CONFLICT;
        }
  if (x->verdict != V_OK) return;
  for (int i = 0; i < n; i++)
    if (e[i].has_q && runs_between(x, e[i].party, ymd(y0, 1, 1), ymd(y1 + 1, 1, 1)) > 1) {
      x->verdict = V_QUOTA;
      x->bad_entry = i;
      return;
    }
}

/* A date near the ones that matter: the withdrawals of the treaty file, dates used already, any day. */
static osq_day_t draw_day(const entry_t *e, int n) {
  const int pick = below(10);
  if (pick == 0) return ymd(2020, 11, 22);
  if (pick == 1) return ymd(2021, 12, 18);
  if (pick <= 4 && n > 0) {
    const entry_t *o = &e[below(n)];
    if (o->has_w || o->has_r) return (o->has_w && (!o->has_r || below(2))) ? o->w : o->r;
  }
  if (pick == 5) return ymd(2019 + below(12), 1, 1);
  return ymd(2018, 1, 1) + below(14 * 365);
}

static int draw_party(const osq_treaty_t *t) {
  static const char *const hot[] = {"RUBY", "BY", "US", "RUBY", "BY"};
  if (below(4)) return osq_treaty_find(t, hot[below(5)]);
  return below(t->n_parties);
}

/*
 * What the generator believes of each party, to draw changes that are mostly valid: in force at
 * the end (open), else the day its last withdrawal took effect; the first day of its last term.
 * It is not the replay: the replay alone decides what the rules accept.
 */
typedef struct {
  bool open[OSQ_PARTIES_MAX];
  osq_day_t last[OSQ_PARTIES_MAX], start[OSQ_PARTIES_MAX];
} belief_t;

static osq_day_t later_than(osq_day_t d) { /* d, or a day up to four years after it (not before 2018) */
  const osq_day_t lo = d > ymd(2018, 1, 1) ? d : ymd(2018, 1, 1);
  return below(4) == 0 ? lo : lo + below(4 * 365);
}

static void draw_plausible(const belief_t *b, int p, entry_t *x) {
  if (b->open[p]) {
    x->has_w = true;
    x->w = later_than(b->start[p] + 1);
  } else {
    x->has_r = true;
    x->r = later_than(b->last[p]);
  }
}

static void believe(belief_t *b, const entry_t *x) {
  const int p = x->party;
  if (x->has_w && b->open[p] && x->w > b->start[p]) {
    b->open[p] = false;
    b->last[p] = x->w;
  }
  if (x->has_r && !b->open[p] && x->r >= b->last[p]) {
    b->open[p] = true;
    if (x->r > b->last[p]) b->start[p] = x->r;
  }
}

static int draw_entries(const osq_treaty_t *t, entry_t *e) {
  belief_t b;
  for (int p = 0; p < t->n_parties; p++) {
    b.open[p] = t->parties[p].terms[0].until == OSQ_DAY_NEVER;
    b.last[p] = t->parties[p].terms[0].until;
    b.start[p] = t->parties[p].terms[0].from;
  }
  const int ruby = osq_treaty_find(t, "RUBY"), by = osq_treaty_find(t, "BY");
  const int want = 1 + below(6);
  int n = 0;
  while (n < want) {
    entry_t *x = &e[n];
    memset(x, 0, sizeof *x);
    const int kind = below(20);
    if (kind < 3 && n + 2 <= MAX_ENTRIES) { /* the Russia-Belarus group returns as Belarus leaves, either order */
      osq_day_t d = b.open[ruby] ? draw_day(e, n) : later_than(b.last[ruby]);
      if (b.open[by] && d <= b.start[by] && below(4)) d = b.start[by] + 1 + below(400);
      const int first = below(2);
      e[n + first] = (entry_t){.party = ruby, .has_r = true, .r = d};
      e[n + 1 - first] = (entry_t){.party = by, .has_w = true, .w = d};
      believe(&b, &e[n + first]);
      believe(&b, &e[n + 1 - first]);
      n += 2;
      continue;
    }
    x->party = draw_party(t);
    if (kind < 11) {
      draw_plausible(&b, x->party, x);
    } else if (kind < 14) {
      x->has_w = true;
      x->w = draw_day(e, n);
    } else if (kind < 16) {
      x->has_r = true;
      x->r = draw_day(e, n);
    } else if (kind < 18) {
      x->has_w = x->has_r = true;
      x->w = draw_day(e, n);
      x->r = below(3) ? x->w + below(800) : x->w;
    } else if (n > 0 && below(4)) {
      x->party = e[below(n)].party; /* a quota for a party this sequence moves: two memberships, maybe */
    }
    if (kind >= 18 || below(6) == 0) {
      x->has_q = true;
      x->q = below(50);
    }
    believe(&b, x);
    n++;
  }
  return n;
}

static void entries_text(const osq_treaty_t *t, const entry_t *e, int n, int y0, int y1, char *out, size_t size) {
  size_t len = (size_t)snprintf(out, size,
                                "@include \"treaty.cfg\"\nsimulation = { trials = 10; first_year = %d; last_year = %d; "
                                "};\nparticipation = (\n",
                                y0, y1);
  for (int i = 0; i < n; i++) {
    char w[11], r[11];
    osq_date_format(e[i].w, w);
    osq_date_format(e[i].r, r);
    len += (size_t)snprintf(out + len, size - len, "  { party = \"%s\";", t->parties[e[i].party].code);
    if (e[i].has_w) len += (size_t)snprintf(out + len, size - len, " withdraw = \"%s\";", w);
    if (e[i].has_r) len += (size_t)snprintf(out + len, size - len, " readmit = \"%s\";", r);
    if (e[i].has_q) len += (size_t)snprintf(out + len, size - len, " passive_quota = %d;", e[i].q);
    len += (size_t)snprintf(out + len, size - len, " }%s\n", i + 1 < n ? "," : "");
  }
  snprintf(out + len, size - len, ");\n");
}

/* The first "participation[N]" of a message: the change it names first. */
static int named_entry(const char *msg) {
  const char *s = strstr(msg, "participation[");
  return s ? atoi(s + strlen("participation[")) : -1;
}

static void check_refusal(const replay_t *x, const osq_error_t *err, const char *text) {
  cr_assert_gt(err->n, 0, "refused without a message:\n%s", text);
  for (int i = 0; i < err->n; i++) {
    const char *m = err->msg[i];
    cr_assert(strncmp(m, g_dir, strlen(g_dir)) == 0 && strstr(m, "/s.cfg:") && strstr(m, "expected "),
              "not a FILE:LINE: ... expected ... message: %s\n%s", m, text);
  }
  const char *m = err->msg[0];
  switch (x->verdict) {
    case V_APPLY:
      cr_assert_eq(named_entry(m), x->bad_entry, "the first message names another change: %s\n%s", m, text);
      break;
    case V_CONFLICT:
      cr_assert(strstr(m, "would count state BY twice") && strstr(m, "re-admitting"), "%s\n%s", m, text);
      break;
    case V_QUOTA:
      cr_assert(strstr(m, "one passive quota") && named_entry(m) == x->bad_entry, "%s\n%s", m, text);
      break;
    case V_OK: cr_assert_fail("refused a sequence the rules accept: %s\n%s", m, text);
  }
}

static void check_accepted(const replay_t *x, const osq_scenario_t *sc, const char *text) {
  const osq_treaty_t *t = &sc->treaty;
  osq_membership_conflict_t k;
  cr_assert_eq(osq_treaty_check_membership(t, &k), OSQ_OK, "accepted, but %s counted twice\n%s", k.state, text);
  for (int p = 0; p < t->n_parties; p++) {
    cr_assert_eq(t->parties[p].passive_quota, x->quota[p], "%s quota\n%s", t->parties[p].code, text);
    for (int i = 0; i < H_DAYS; i++)
      if (osq_party_in_force(&t->parties[p], h0() + i) != x->in[p][i]) {
        char ds[11];
        osq_date_format(h0() + i, ds);
        cr_assert_fail("%s in force on %s: loader %d, rules %d\n%s", t->parties[p].code, ds, !x->in[p][i], x->in[p][i],
                       text);
      }
  }
  /* Every simulated day: each state under at most one holder, and the quotas in force add up. */
  for (osq_day_t d = ymd(sc->first_year, 1, 1); d < ymd(sc->last_year + 1, 1, 1); d++) {
    int count[26 * 26] = {0}, total = 0;
    for (int p = 0; p < t->n_parties; p++) {
      if (!osq_party_in_force(&t->parties[p], d)) continue;
      total += x->quota[p];
      for (int m = 0; m < t->parties[p].n_members; m++) {
        const char *s = t->parties[p].members[m];
        if (++count[(s[0] - 'A') * 26 + (s[1] - 'A')] > 1) cr_assert_fail("state %s twice\n%s", s, text);
      }
    }
    if (osq_treaty_passive_total(t, d) != total)
      cr_assert_fail("passive total %d, rules %d\n%s", osq_treaty_passive_total(t, d), total, text);
  }
}

Test(membership, random_sequences_are_refused_or_count_each_state_once, .init = make_dir, .fini = remove_dir,
     .timeout = 300) {
  osq_scenario_t *sc = malloc(sizeof *sc);
  osq_error_t *err = malloc(sizeof *err);
  replay_t *x = malloc(sizeof *x);
  char text[4096];
  g_h0 = ymd(H_FIRST_YEAR, 1, 1);
  /* The shipped treaty without changes: the replay's starting point. */
  cr_assert_eq(load_text("@include \"treaty.cfg\"\n", sc, err), OSQ_OK, "%s", err->n ? err->msg[0] : "");
  osq_treaty_t *file = malloc(sizeof *file);
  *file = sc->treaty;
  int seen[4] = {0}, group_returns = 0;
  for (int c = 0; c < CASES; c++) {
    entry_t e[MAX_ENTRIES];
    const int n = draw_entries(file, e);
    const int y0 = below(3) ? 2019 + below(12) : 2019 + below(3), y1 = y0 + below(7);
    entries_text(file, e, n, y0, y1, text, sizeof text);
    replay(file, e, n, y0, y1, x);
    const int rc = load_text(text, sc, err);
    seen[x->verdict]++;
    if (x->verdict == V_OK) {
      cr_assert_eq(rc, OSQ_OK, "refused a sequence the rules accept: %s\n%s", err->n ? err->msg[0] : "", text);
      check_accepted(x, sc, text);
      const osq_party_t *ruby = &sc->treaty.parties[osq_treaty_find(&sc->treaty, "RUBY")];
      group_returns += ruby->n_terms > 1 || osq_party_last_day(ruby) == OSQ_DAY_NEVER;
    } else {
      cr_assert_eq(rc, OSQ_ECONFIG, "accepted a sequence the rules refuse (verdict %d)\n%s", x->verdict, text);
      check_refusal(x, err, text);
    }
  }
  /* The draws must reach every outcome, or the test would pass on too easy a sample. */
  cr_log_info("%d cases: %d accepted (%d with the group back), %d bad changes, %d states counted twice, %d quota "
              "overrides over two memberships",
              CASES, seen[V_OK], group_returns, seen[V_APPLY], seen[V_CONFLICT], seen[V_QUOTA]);
  cr_assert_gt(seen[V_OK], CASES / 10);
  cr_assert_gt(group_returns, CASES / 100);
  cr_assert_gt(seen[V_APPLY], CASES / 10);
  cr_assert_gt(seen[V_CONFLICT], CASES / 100);
  cr_assert_gt(seen[V_QUOTA], CASES / 200);
  free(file);
  free(x);
  free(err);
  free(sc);
}
