#include <recoup/connectors/paddle.hpp>
#include <recoup/plugin/export.hpp>

RECOUP_EXPORT_CONNECTOR(recoup::connectors::paddle::connector, "1.0.0")
