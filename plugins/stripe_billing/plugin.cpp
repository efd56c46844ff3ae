#include "stripe_billing/connector.hpp"
#include <recoup/plugin/export.hpp>

RECOUP_EXPORT_CONNECTOR(recoup::connectors::stripe_billing::connector, "stripe_billing", "1.0.0")
