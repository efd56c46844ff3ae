// The public payloads beside the repository (../shared/fixtures, RECOUP_SHARED_FIXTURES) are
// optional: a clone without them still passes, since the project's own fixtures (tests/fixtures,
// tests/conformance) cover every connector's events, amounts and signatures. A test case that
// reads them takes `* recoup_test::needs_shared_fixtures()` and is skipped when they are absent;
// the binary says so once, in one line. Include after <boost/test/unit_test.hpp>.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

namespace recoup_test {

struct shared_fixtures_present {
    boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const
    {
        const char* dir = std::getenv("RECOUP_SHARED_FIXTURES");
        std::error_code ec;
        if (dir != nullptr && std::filesystem::is_directory(dir, ec)) return true;
        const std::string reason = std::string("the public fixtures, absent here (") +
                                   (dir != nullptr ? dir : "RECOUP_SHARED_FIXTURES is unset") +
                                   "); the project's own fixtures cover the same paths";
        static const bool said = (std::clog << "skipped: every case that reads " << reason << '\n', true);
        (void)said;
        boost::test_tools::assertion_result r(false);
        r.message() << reason;
        return r;
    }
};

inline boost::unit_test::decorator::precondition needs_shared_fixtures()
{
    return boost::unit_test::decorator::precondition(shared_fixtures_present{});
}

} // namespace recoup_test
