// libFuzzer target: the Recurly connector from verification to the normalized webhook, through
// both sync rounds (transaction, then invoice) answered with the fuzzed bodies after each NUL.
// The body is signed correctly (or, after a \x01 byte, carries a fuzzed recurly-signature); see
// fuzz_support.hpp for the input's layout and the invariants.
#include <recoup/connectors/recurly.hpp>

#include "fuzz_support.hpp"

#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::vector<std::string> secrets{"rq_whsec_fuzz_5b2d8e1f0a9c"};

    const auto in = recoup_fuzz::split(recoup_fuzz::as_text(data, size));
    const auto request = recoup_fuzz::delivery(
        in, {{"recurly-signature", recoup::sign_recurly(in.body, secrets[0], recoup_fuzz::fuzz_now)}},
        recoup::recurly_signature_header);
    recoup::mca_config mca;
    mca.secrets = secrets;
    mca.api_key = "rq_fuzz_api_key";
    recoup_fuzz::run_connector(recoup::connectors::recurly::connector{}, in, request, mca);
    return 0;
}
