// `recoupd events replay ID --reprocess` end to end: a real Chargebee delivery through `recoupd
// serve`, then the CLI against the same database, checked by SQL and through the recovery API's
// timeline. Run with "sqlite" or "postgresql" after "--".
#define BOOST_TEST_MODULE cli_events_reprocess
#define BOOST_TEST_NO_MAIN
#include "recovery_world.hpp"

using namespace http_test;
using namespace recovery_test;
namespace json = boost::json;

namespace {

command_result replay(api_world& a, const std::vector<std::string>& extra)
{
    std::vector<std::string> args{recoupd_path(), "events", "replay"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"--database", a.w.db.url()});
    return run_command(args);
}

// The JSON object on the last line of a command's output.
json::value last_json_line(const std::string& output)
{
    auto text = output;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return json::parse(text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1));
}

} // namespace

BOOST_AUTO_TEST_CASE(reprocess_applies_a_stored_delivery_again_under_a_new_dedup_key)
{
    api_world a;
    a.deliver_chargebee("inv_r1", false);
    const auto event = a.w.db.text("SELECT id FROM webhook_event WHERE connector_event_id = 'ev_f_inv_r1'");
    const auto payment = a.payment_of("inv_r1");

    // Without --reprocess: the stored event, printed as before (no plugin needed).
    const auto plain = replay(a, {event});
    BOOST_REQUIRE_MESSAGE(plain.status == 0, plain.output);
    const auto shown = last_json_line(plain.output);
    BOOST_TEST(shown.at("id").as_string() == event);
    BOOST_TEST(shown.at("dedup_key").as_string() == "ev_f_inv_r1");
    BOOST_TEST(shown.at("body").as_string().find("inv_r1") != std::string::npos);
    BOOST_TEST(a.w.rows("webhook_event") == 1);

    // The retry task is gone (say, removed by hand): reprocessing arms it again.
    a.exec("DELETE FROM process_tracker WHERE payment_id = '" + payment + "'");
    const auto first = replay(a, {event, "--reprocess", "--plugin-dir", plugin_dir()});
    BOOST_REQUIRE_MESSAGE(first.status == 0, first.output);
    const auto effects = last_json_line(first.output);
    BOOST_TEST(effects.at("replayed").as_string() == event);
    BOOST_TEST(effects.at("dedup_key").as_string() == "replay:ev_f_inv_r1:1");
    BOOST_TEST(effects.at("payment_id").as_string() == payment);
    BOOST_TEST(effects.at("event_type").as_string() == "RecoveryPaymentFailure");
    BOOST_TEST(effects.at("outcome").as_string() ==
               a.w.db.text("SELECT outcome FROM webhook_event WHERE dedup_key = 'replay:ev_f_inv_r1:1'"));
    BOOST_TEST(effects.at("outcome").as_string() == "task armed");
    BOOST_TEST(effects.at("intent_status").at("after").as_string() == "failed");
    const auto& changes = effects.at("task_changes").as_array();
    BOOST_REQUIRE(changes.size() == 1u);
    BOOST_TEST(changes[0].at("name").as_string() == "EXECUTE_WORKFLOW");
    BOOST_TEST(changes[0].at("before").is_null());
    BOOST_TEST(changes[0].at("after").at("status").as_string() == "new");
    BOOST_TEST(number(changes[0].at("after"), "schedule_time") ==
               a.w.db.count("SELECT schedule_time FROM process_tracker WHERE payment_id = '" + payment + "'"));
    BOOST_TEST(a.w.rows("webhook_event") == 2);
    BOOST_TEST(a.w.db.count("SELECT COUNT(*) FROM webhook_delivery WHERE dedup_key = 'replay:ev_f_inv_r1:1'") == 1);
    BOOST_TEST(a.w.rows("payment_intent") == 1); // the same invoice, not another

    // Again: the next number, and nothing more to change.
    const auto second = replay(a, {event, "--reprocess", "--plugin-dir", plugin_dir()});
    BOOST_REQUIRE_MESSAGE(second.status == 0, second.output);
    const auto again = last_json_line(second.output);
    BOOST_TEST(again.at("dedup_key").as_string() == "replay:ev_f_inv_r1:2");
    BOOST_TEST(again.at("outcome").as_string() == "task already armed");
    BOOST_TEST(again.at("task_changes").as_array().empty());
    BOOST_TEST(number(again.at("attempts"), "before") == number(again.at("attempts"), "after"));
    BOOST_TEST(a.w.rows("webhook_event") == 3);

    // The replay shows in the invoice's timeline like any delivery.
    BOOST_TEST(a.get_json("/v2/recovery/invoices/" + payment).at("webhooks").as_array().size() == 3u);
}

BOOST_AUTO_TEST_CASE(reprocess_refuses_what_it_cannot_replay)
{
    api_world a;
    a.deliver_chargebee("inv_r2", false);
    const auto event = a.w.db.text("SELECT id FROM webhook_event WHERE connector_event_id = 'ev_f_inv_r2'");

    const auto unknown = replay(a, {"evt_nope", "--reprocess", "--plugin-dir", plugin_dir()});
    BOOST_TEST(unknown.status == 1);
    BOOST_TEST(unknown.output.find("unknown event \"evt_nope\"") != std::string::npos, unknown.output);

    // Stored under --no-raw-body: nothing to run.
    a.exec("UPDATE webhook_event SET body = NULL WHERE id = '" + event + "'");
    const auto no_body = replay(a, {event, "--reprocess", "--plugin-dir", plugin_dir()});
    BOOST_TEST(no_body.status == 1);
    BOOST_TEST(no_body.output.find("its body was not stored (the host ran with --no-raw-body)") != std::string::npos, no_body.output);
    BOOST_TEST(a.w.rows("webhook_event") == 1);
    BOOST_TEST(a.w.rows("webhook_delivery") == 1);
}

HTTP_TEST_MAIN()
