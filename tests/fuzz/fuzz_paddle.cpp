// libFuzzer target: the Paddle Billing connector from verification to the normalized webhook.
// The body is signed correctly with the Paddle scheme (or, after a \x01 byte, carries a fuzzed
// Paddle-Signature); see fuzz_support.hpp for the input's layout and the invariants.
#include <recoup/connectors/paddle.hpp>

#include "fuzz_support.hpp"

#include <string>
#include <utility>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::vector<std::string> secrets{"pdl_ntfset_fuzz_secret"};

    const auto in = recoup_fuzz::split(recoup_fuzz::as_text(data, size));
    std::vector<std::pair<std::string, std::string>> headers;
    for (auto& h : recoup::sign_hmac(recoup::paddle_scheme, in.body, secrets[0], recoup_fuzz::fuzz_now))
        headers.emplace_back(std::move(h.name), std::move(h.value));
    const auto request = recoup_fuzz::delivery(in, headers, recoup::paddle_scheme.signature_header);
    recoup::mca_config mca;
    mca.secrets = secrets;
    recoup_fuzz::run_connector(recoup::connectors::paddle::connector{}, in, request, mca);
    return 0;
}
