// A connector plugin's answer is checked before anything is stored, over real HTTP to `recoupd
// serve`: the echo connector of tests/plugin (really dlopened from a second --plugin-dir) writes
// the webhook body back as its normalized webhook, so each case hands the host one bad answer.
// Run with "sqlite" or "postgresql" after "--".
#define BOOST_TEST_MODULE http_plugin_answers
#define BOOST_TEST_NO_MAIN
#include "http_harness.hpp"

using namespace http_test;

namespace {

// A directory holding only the echo connector, as recoup_echo_connector.so (the CLI finds a
// connector by its file name).
struct echo_dir {
    fs::path dir = fs::temp_directory_path() / ("recoup-echo-" + random_suffix());

    echo_dir()
    {
        const auto built = env_or("RECOUP_TEST_PLUGIN_ECHO_CONNECTOR");
        BOOST_REQUIRE_MESSAGE(!built.empty(), "RECOUP_TEST_PLUGIN_ECHO_CONNECTOR is not set: run through meson test");
        fs::create_directories(dir);
        fs::copy_file(built, dir / "recoup_echo_connector.so");
    }
    ~echo_dir()
    {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

// The usual world, its server also loading the echo connector, and an MCA mca_echo using it.
struct echo_world {
    echo_dir plugins;
    world w{backend_from_args(), {}, {"--plugin-dir", plugins.dir.string()}};

    echo_world()
    {
        recoupd_cli(w.db, {"mca", "add", "--profile", "pro_1", "--id", "mca_echo", "--connector", "echo_connector",
                           "--secret", "unused", "--plugin-dir", plugin_dir(), "--plugin-dir", plugins.dir.string()});
    }

    reply deliver(const std::string& answer)
    {
        return w.host->post(webhook_path("pro_1", "mca_echo"), {{"Content-Type", "application/json"}}, answer);
    }
};

std::string webhook(const std::string& invoice_amount, const std::string& attempt_amount = "1",
                    const std::string& status = "failure")
{
    return R"({"event_type":"RecoveryPaymentFailure","event_id":"ev_1","object_reference_id":"inv_1",)"
           R"("invoice":{"merchant_reference_id":"inv_1","amount":)" +
           invoice_amount + R"(,"currency":"USD"},"attempt":{"amount":)" + attempt_amount +
           R"(,"currency":"USD","merchant_reference_id":"inv_1","connector_transaction_id":"t_1","status":")" + status +
           "\"}}";
}

// A plugin fault: 500 HE_00 with the fixed text, the cause in the log line, and not one row written.
void expect_refused(echo_world& e, const std::string& answer, const std::string& part)
{
    BOOST_TEST_CONTEXT(answer.substr(0, 200))
    {
        const auto r = e.deliver(answer);
        BOOST_TEST(r.status == 500);
        BOOST_TEST(error_code_of(r.body) == "HE_00", "body: " << r.body);
        BOOST_TEST(r.body.find(part) == std::string::npos, "body: " << r.body);
        const auto line = log_line_of(*e.w.host, r);
        BOOST_TEST(line.find(part) != std::string::npos, "log: " << line);
        BOOST_TEST(e.w.written() == 0);
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(out_of_range_amounts_are_refused_and_nothing_is_stored)
{
    echo_world e;
    expect_refused(e, webhook("-1"), "amount out of range");
    expect_refused(e, webhook("1", "-9223372036854775808"), "amount out of range");
    expect_refused(e, webhook("9223372036854775808"), "invoice.amount");
    expect_refused(e, webhook("12.5"), "invoice.amount");
}

BOOST_AUTO_TEST_CASE(out_of_range_statuses_are_refused_and_nothing_is_stored)
{
    echo_world e;
    expect_refused(e, webhook("1", "1", "refunded"), "attempt.status");
    expect_refused(e, R"({"event_type":"RecoveryEverything"})", "event_type");
    for (const std::string status : {"0", "99", "302", "404", "999"})
        expect_refused(e, R"({"event_type":"EventNotSupported","api_response":{"status":)" + status + "}}",
                       "api_response.status");
}

BOOST_AUTO_TEST_CASE(output_past_the_cap_is_refused_and_nothing_is_stored)
{
    echo_world e;
    expect_refused(e, "flood", "plugin output is too large");
    expect_refused(e, "flood_ignore", "plugin output is too large");
}

// The same connector, answering in range, is served: the refusals above are the checks, not the setup.
BOOST_AUTO_TEST_CASE(an_answer_in_range_is_taken)
{
    echo_world e;
    const auto r = e.deliver(R"({"event_type":"EventNotSupported","event_id":"ev_ok","api_response":{"status":202,"body":"{}"}})");
    BOOST_TEST(r.status == 202);
    BOOST_TEST(r.body == "{}");
    BOOST_TEST(e.w.rows("webhook_event") == 1);
}

HTTP_TEST_MAIN()
