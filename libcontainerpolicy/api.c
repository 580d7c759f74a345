#include "containerpolicy.h"
const char *cpol_version(void) { return CPOL_VERSION_STRING; }
