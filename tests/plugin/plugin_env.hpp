// The plugin suites' access to the test plugins meson built: tests/plugin/meson.build passes each
// as RECOUP_TEST_PLUGIN_<NAME>=<full path>. Plus the two checks every suite uses.
#pragma once

#include <recoup/error.hpp>
#include <recoup/result.hpp>

#include <boost/test/unit_test.hpp>

#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace plugin_test {

inline std::optional<std::string> plugin_path(std::string_view name)
{
    std::string var = "RECOUP_TEST_PLUGIN_";
    for (char c : name) var += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const char* value = std::getenv(var.c_str());
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}

inline std::string require_path(std::string_view name)
{
    auto p = plugin_path(name);
    BOOST_TEST_REQUIRE(p.has_value(), "RECOUP_TEST_PLUGIN_" << name << " is not set: run through meson test");
    return *p;
}

inline bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

template <class T>
void expect_failure(const recoup::result<T>& r, recoup::error code)
{
    if (r) {
        BOOST_ERROR("expected " << recoup::to_string(code) << ", got a value");
        return;
    }
    BOOST_TEST(recoup::to_string(r.error().code) == recoup::to_string(code), r.error().what());
}

} // namespace plugin_test
