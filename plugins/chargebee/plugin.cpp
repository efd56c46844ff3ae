#include <recoup/connectors/chargebee.hpp>
#include <recoup/plugin/export.hpp>

RECOUP_EXPORT_CONNECTOR(recoup::connectors::chargebee::connector, "1.0.0")
