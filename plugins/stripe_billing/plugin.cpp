#include <recoup/connectors/stripe_billing.hpp>
#include <recoup/plugin/export.hpp>

RECOUP_EXPORT_CONNECTOR(recoup::connectors::stripe_billing::connector, "1.0.0")
