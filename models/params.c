/* params.c owns the default model parameters (PROVISIONAL: the fitted values come with issue 3). */
#include "models/params.h"

void osq_model_params_default(osq_model_params_t *p) {
  p->plan_fail_prob = 1.0 / 17.0;
  p->phase_in_last_year = 2005;
  p->phase_in_factor = 0.75;
  p->demand = 0.5;
  p->size_exponent = 1.0;
  p->proximity_km = 0.0;
  p->share_prob = 0.1;
  for (int a = 0; a < OSQ_BLOC_COUNT; a++)
    for (int b = 0; b < OSQ_BLOC_COUNT; b++) p->interest[a][b] = 1.0;
  for (int i = 0; i < OSQ_PARTIES_MAX; i++) {
    p->demand_by[i] = -1.0;
    p->interest_by[i] = -1.0;
    p->completion_by[i] = -1.0;
    p->accepts_by[i] = true;
  }
  p->season_first_doy = 1;
  p->season_last_doy = 365;
  p->window_days = 4;
  p->quarter_max = 16;
  p->completion = 0.9;
}
