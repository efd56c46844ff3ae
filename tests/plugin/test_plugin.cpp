// The test connector as a plugin: built by meson with g++ and, in a second target, by clang++.
#include <recoup/plugin/export.hpp>

#include "test_connector.hpp"

RECOUP_EXPORT_CONNECTOR(recoup_test::test_connector, "1.2.3")
