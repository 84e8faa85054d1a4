/*
 * cli.h owns the small parsing helpers that the command-line front ends (sim/main.c, sim/bench.c)
 * share, so that an option means the same thing in every command.
 */
#ifndef OSQ_CLI_H
#define OSQ_CLI_H

#include <stdbool.h>

/** Parse a whole decimal integer in [lo, hi] (no sign games, no trailing text). @return false otherwise. */
bool osq_cli_parse_i64(const char *s, long long lo, long long hi, long long *out);

#endif
