/* A descriptor whose name or version the host must not trust. BAD_NAME_CASE (set by meson.build):
 * 1: a name of 65 bytes with no NUL after it (the array holds exactly the letters);
 * 2: a name with a newline in it;
 * 3: a version of 33 bytes. */
#include <recoup/plugin/abi.h>

#if BAD_NAME_CASE == 1
/* 65 letters in a char[65]: C drops the terminating NUL. What follows is other data. */
static const char name[65] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char version[] = "0.0.1";
#elif BAD_NAME_CASE == 2
static const char name[] = "bad\nname";
static const char version[] = "0.0.1";
#else
static const char name[] = "long_version";
static const char version[] = "1.2.3-aaaaaaaaaaaaaaaaaaaaaaaaaaa"; /* 33 bytes */
#endif

static const recoup_plugin_descriptor descriptor = {
    .struct_size = sizeof(recoup_plugin_descriptor),
    .abi_major = RECOUP_ABI_VERSION_MAJOR,
    .abi_minor = RECOUP_ABI_VERSION_MINOR,
    .name = name,
    .version = version,
    .kind = RECOUP_PLUGIN_KIND_PAYMENT_PROCESSOR,
};

const recoup_plugin_descriptor* recoup_plugin_entry(void) { return &descriptor; }
