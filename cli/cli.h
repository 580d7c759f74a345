/* cli.h - pieces of the cpol command shared between its files. */
#ifndef CPOL_CLI_H
#define CPOL_CLI_H

/* `cpol rules test [DIR...]`: returns the exit code (0 all pass, 1 a failure, 2 usage). */
int rules_test(int argc, const char *const *dirs, int verbose);

#endif
