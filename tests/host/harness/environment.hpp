// HTTP suites' harness (tests/host/http_harness.hpp): the environment meson passes, the fixtures,
// small string helpers.
#pragma once

#include "../../support/shared_fixtures.hpp"
#include "../../support/test_support.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>

#include <unistd.h>

namespace http_test {

namespace fs = std::filesystem;

inline std::string env_or(const char* name, std::string fallback = {})
{
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}

inline std::string recoupd_path() { return env_or("RECOUPD"); }
inline std::string plugin_dir() { return env_or("RECOUP_TEST_PLUGIN_DIR"); }

using recoup_test::read_file;

inline std::string fixture(const std::string& relative)
{
    return recoup_test::read_fixture("RECOUP_SHARED_FIXTURES", relative);
}

// The project's own payloads (tests/fixtures).
inline std::string own_fixture(const std::string& relative)
{
    return recoup_test::read_fixture("RECOUP_TEST_FIXTURES", relative);
}

inline std::string replace_all(std::string s, const std::string& from, const std::string& to)
{
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

inline std::string random_suffix()
{
    static std::mutex m;
    static std::mt19937_64 rng(std::random_device{}() ^ static_cast<std::uint64_t>(::getpid()));
    std::lock_guard lock(m);
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    for (int i = 0; i < 10; ++i) out += digits[rng() % 36];
    return out;
}

} // namespace http_test
