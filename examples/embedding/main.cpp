// Embedding recoup in a C++ service: headers only, a bundled connector used statically (here
// Paddle Billing, <recoup/connectors/paddle.hpp>, no plugin and no dlopen) and your own store (here
// the in-memory one). After `./dev install PREFIX`, build with pkg-config alone:
//   c++ -std=c++20 examples/embedding/main.cpp -o embedding $(pkg-config --cflags --libs recoup)
#include <recoup/connectors/paddle.hpp>
#include <recoup/recoup.hpp>

#include <iostream>

int main()
{
    recoup::memory_store store; // or your database, through the recovery_store concept
    const recoup::connectors::paddle::connector connector;

    const std::vector<std::string> secrets{"pdl_ntfset_example_secret"};
    recoup::recovery_account account;
    account.profile_id = "pro_demo";
    account.mca_id = "mca_paddle";
    account.config.secrets = secrets;

    // A delivery as your HTTP layer received it: raw body bytes and headers (here signed on the
    // spot with the scheme the connector verifies, as Paddle would have).
    const recoup::fixed_clock clock{recoup::from_unix_seconds(1'700'000'000)};
    recoup::owned_request request;
    request.body = R"({"event_id":"evt_1","event_type":"transaction.payment_failed","data":{)"
                   R"("id":"txn_1","currency_code":"EUR","customer_id":"ctm_1",)"
                   R"("details":{"totals":{"grand_total":"1234"}},)"
                   R"("payments":[{"payment_attempt_id":"pa_1","amount":"1234","status":"error",)"
                   R"("error_code":"declined","payment_method_id":"paymtd_1",)"
                   R"("created_at":"2023-11-14T22:13:20Z"}]}})";
    for (auto& h : recoup::sign_hmac(recoup::paddle_scheme, request.body, secrets[0], clock.now()))
        request.headers.emplace_back(std::move(h.name), std::move(h.value));

    // Paddle needs no sync calls; a connector that does gets them performed by this callable.
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
