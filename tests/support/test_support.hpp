// Support every Boost.Test suite shares: failure/success assertions on recoup::result and reading
// fixture files from the directories tests/meson.build passes in the environment.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

// The exact code (and, when given, the exact field), with the failure's text on mismatch so a
// wrong branch is easy to spot: EXPECT_FAILURE(r, error::missing_field) or (r, code, "amount").
#define EXPECT_FAILURE(expr, expected_code, ...)                                                  \
    do {                                                                                          \
        const auto r_ = (expr);                                                                   \
        BOOST_TEST_REQUIRE(r_.has_error());                                                       \
        BOOST_TEST((r_.error().code == (expected_code)), "got: " << r_.error().what());           \
        __VA_OPT__(BOOST_TEST(r_.error().field == (__VA_ARGS__));)                                \
    } while (0)

#define EXPECT_OK(expr)                                                                           \
    do {                                                                                          \
        const auto r_ = (expr);                                                                   \
        BOOST_TEST(!r_.has_error(), (r_.has_error() ? r_.error().what() : std::string()));        \
    } while (0)

namespace recoup_test {

// A directory named by an environment variable (RECOUP_SHARED_FIXTURES, RECOUP_TEST_FIXTURES...).
inline std::filesystem::path env_dir(const char* name)
{
    const char* dir = std::getenv(name);
    if (dir == nullptr) throw std::runtime_error(std::string(name) + " is not set: run through meson test");
    return dir;
}

// The whole file, bytes as they are (signatures are computed over them).
inline std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A fixture below the directory `env` names: shared payloads are read in place, never copied.
inline std::string read_fixture(const char* env, const std::string& relative)
{
    return read_file(env_dir(env) / relative);
}

// A bundled plugin as meson built it: RECOUP_TEST_PLUGIN_DIR/recoup_<name>.so.
inline std::filesystem::path bundled_plugin(std::string_view name)
{
    return env_dir("RECOUP_TEST_PLUGIN_DIR") / ("recoup_" + std::string(name) + ".so");
}

} // namespace recoup_test
