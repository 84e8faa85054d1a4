#!/bin/sh
# Install osq's build and test dependencies from Debian 12 packages (README "Dependencies").
# Runs apt-get directly as root, through sudo otherwise.
set -eu
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends \
  ca-certificates gcc libc6-dev make cmake pkg-config \
  libgsl-dev libconfig-dev libcriterion-dev librandom123-dev libjansson-dev libcairo2-dev \
  clang-14 libclang-rt-14-dev valgrind \
  texlive-latex-recommended man-db git \
  openmpi-bin libopenmpi-dev   # only for the optional MPI build (-DOSQ_WITH_MPI=ON) and its tests
# texlive-latex-recommended: pdflatex with booktabs and longtable, for the tests that compile the
# LaTeX tables (tests/cli/latex.sh, unit.results); man-db: `man -l docs/osq.1` (tests/cli/manpage.sh);
# git: the commit `osq --version` reports (CMake asks git at configure time).
