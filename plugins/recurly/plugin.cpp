#include <recoup/connectors/recurly.hpp>
#include <recoup/plugin/export.hpp>

RECOUP_EXPORT_CONNECTOR(recoup::connectors::recurly::connector, "1.0.0")
