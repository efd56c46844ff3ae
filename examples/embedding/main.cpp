// Embedding recoup in a C++ service: headers only, your own connector (here the Acme example),
// your own store (here the in-memory one). Build by hand with:
//   g++ -std=c++20 -I include -I examples examples/embedding/main.cpp -lboost_json -lcrypto
#include "connector-plugin/acme.hpp"

#include <recoup/recoup.hpp>

#include <iostream>

int main()
{
    recoup::memory_store store; // or your database, through the recovery_store concept
    const acme::connector connector;

    const std::vector<std::string> secrets{"whsec_YWNtZS1leGFtcGxlLXNlY3JldC1rZXktMzItYnl0ZXM="};
    recoup::recovery_account account;
    account.profile_id = "pro_demo";
    account.mca_id = "mca_acme";
    account.config.secrets = secrets;

    // A delivery as your HTTP layer received it: raw body bytes and headers.
    const recoup::fixed_clock clock{recoup::from_unix_seconds(1'700'000'000)};
    recoup::owned_request request;
    request.body = R"({"id":"evt_1","type":"invoice.payment_failed","data":{"invoice_id":"inv_1",)"
                   R"("amount_due":1234,"currency":"eur","transaction":{"id":"tx_1","amount":1234,"status":"failed"}}})";
    request.headers = {{"webhook-id", "msg_1"},
                       {"webhook-timestamp", "1700000000"},
                       {"webhook-signature",
                        recoup::sign_standard_webhook("msg_1", 1'700'000'000, request.body, secrets[0])}};

    // Acme needs no sync calls; a connector that does gets them performed by this callable.
    auto no_sync = [](const recoup::outbound_request& r) -> recoup::result<recoup::http_response> {
        return recoup::fail(recoup::error::sync_response_failed, r.path, "this service performs no sync");
    };

    auto outcome = recoup::recover(store, connector, request.view(), account, no_sync, clock);
    if (!outcome) {
        const auto answer = recoup::error_response(outcome.error());
        std::cerr << answer.status << ' ' << answer.body << '\n';
        return 1;
    }
    std::cout << "answer " << outcome->http_status << ' ' << outcome->body << ", action "
              << recoup::to_string(outcome->action) << ", " << recoup::outcome_text(*outcome) << '\n';

    const auto state = store.snapshot();
    const bool ok = state.intents.size() == 1 && state.tasks.size() == 1 &&
                    outcome->action == recoup::recovery_action::schedule_failed_payment;
    return ok ? 0 : 1;
}
