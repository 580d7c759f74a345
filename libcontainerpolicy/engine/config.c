/* config.c - .cpol.yaml configuration (placeholder until the config loader lands). */
#include "engine.h"

int cpol_engine_load_config(cpol_engine *e, const char *path)
{
    if (!e || !path)
        return CPOL_EINVAL;
    engine_set_error(e, "%s: configuration files are not supported yet", path);
    return CPOL_ECONFIG;
}
