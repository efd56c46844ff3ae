// The whole plugin: one line turns the class into the C entry point recoupd loads.
#include "acme.hpp"

#include <recoup/plugin/export.hpp>

RECOUP_EXPORT_CONNECTOR(acme::connector, "0.1.0")
