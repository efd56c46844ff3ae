// libFuzzer target: the Chargebee connector from verification to the normalized webhook. The
// fuzzed bytes are the body, sent with the right Basic credentials (or, after a \x01 byte, a fuzzed
// Authorization header); see fuzz_support.hpp for the input's layout and the invariants.
#include <recoup/connectors/chargebee.hpp>

#include "fuzz_support.hpp"

#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::vector<std::string> secrets{"cb_fuzz_user:cb-fuzz-password"};
    static const std::string authorization = recoup::basic_auth_value("cb_fuzz_user", "cb-fuzz-password");

    const auto in = recoup_fuzz::split(recoup_fuzz::as_text(data, size));
    const auto request = recoup_fuzz::delivery(in, {{"Authorization", authorization}}, recoup::authorization_header);
    recoup::mca_config mca;
    mca.secrets = secrets;
    recoup_fuzz::run_connector(recoup::connectors::chargebee::connector{}, in, request, mca);
    return 0;
}
