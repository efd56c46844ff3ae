/* A shared module that is not a plugin: it exports a function, but not recoup_plugin_entry. */
#include <recoup/plugin/abi.h>

RECOUP_PLUGIN_VISIBLE int recoup_test_not_an_entry(void);
int recoup_test_not_an_entry(void) { return 7; }
