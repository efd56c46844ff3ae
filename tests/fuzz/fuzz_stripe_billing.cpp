// libFuzzer target: the Stripe Billing connector from verification to the normalized webhook,
// with the charge sync turned on so its answer (the fuzzed body after the first NUL) is parsed
// too. The body is signed correctly (or, after a \x01 byte, carries a fuzzed Stripe-Signature);
// see fuzz_support.hpp for the input's layout and the invariants.
#include <recoup/connectors/stripe_billing.hpp>

#include "fuzz_support.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::vector<std::string> secrets{"whsec_recoup_fuzz_stripe_billing"};
    static const boost::json::object settings{{"charge_sync", true}};

    const auto in = recoup_fuzz::split(recoup_fuzz::as_text(data, size));
    const auto request = recoup_fuzz::delivery(
        in, {{"Stripe-Signature", recoup::sign_stripe(in.body, secrets[0], recoup_fuzz::fuzz_now)}},
        recoup::stripe_signature_header);
    recoup::mca_config mca;
    mca.secrets = secrets;
    mca.api_key = "sk_test_fuzz";
    mca.settings = &settings;
    recoup_fuzz::run_connector(recoup::connectors::stripe_billing::connector{}, in, request, mca);
    return 0;
}
