#!/bin/bash
# The command that wrote scenarios/fitted.cfg (docs/model.md section 6), and the check that it
# still does, byte for byte. Usage: tools/calibrate.sh [BUILD_DIR]   (default: build)
# About 1,750 model evaluations of 500 trials: 2 min 35 s on the 2-core VM (2026-12-06).
set -euo pipefail
cd "$(dirname "$0")/.."
osq=${1:-build}/osq
rm -rf out/calibrate
"$osq" calibrate scenarios/timeline.cfg --targets data/history.csv --free model.demand=0.3:1,model.share_prob=0.1:0.8,model.interest.nato_ruby=0.3:10,model.years.2002.demand_factor=0.2:2,model.years.2003.demand_factor=0.2:2,model.years.2004.demand_factor=0.2:2,model.years.2005.demand_factor=0.5:2,model.years.2005.completion=0.4:1,model.parties.UA.demand=0.2:1,model.parties.SE.demand=0.2:1,model.pairs.RUBY.US.interest=0.05:2,model.pairs.RUBY.CA.interest=0.2:2 --trials 500 --max-evals 3000
cmp out/calibrate/fitted.cfg scenarios/fitted.cfg
echo "out/calibrate/fitted.cfg equals scenarios/fitted.cfg"
