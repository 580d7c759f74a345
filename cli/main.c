#include <stdio.h>
#include "containerpolicy.h"
int main(void) { printf("%s\n", cpol_version()); return 0; }
