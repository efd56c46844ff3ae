// The test connector without the optional record_back: the host must answer not_supported.
#include <recoup/plugin/export.hpp>

#include "test_connector.hpp"

RECOUP_EXPORT_CONNECTOR(recoup_test::test_connector_no_record_back, "1.2.3")
