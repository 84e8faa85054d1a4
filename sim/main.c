/* main.c owns the command line: it is the only place that prints errors and exits. */
#include <stdio.h>
int main(void) { puts("osq " OSQ_VERSION); return 0; }
