// Configuration and trust boundaries of the host, end to end on SQLite and PostgreSQL: `mca add`
// refuses configuration that weakens security (exit 2, one line, no row); secrets and API keys
// come from a file, standard input or the environment and then verify real deliveries; a 5xx body
// says only its fixed text while the log line has the cause; the admin token and the admin
// route's reads.
#define BOOST_TEST_MODULE http_config
#define BOOST_TEST_NO_MAIN
#include "http_harness.hpp"

#include <boost/json.hpp>

#include <cstdlib>
#include <fstream>

using namespace http_test;

namespace {

const std::string stripe_secret_b = "whsec_from_a_file";

// The flags every command here takes: the database, and for `mca add` the plugins.
std::vector<std::string> common_flags(const test_database& db, const std::vector<std::string>& args)
{
    std::vector<std::string> out{"--database", db.url()};
    if (args.size() > 1 && args[0] == "mca" && args[1] == "add") out.insert(out.end(), {"--plugin-dir", plugin_dir()});
    return out;
}

// recoupd CLI against the test database; the status is the caller's to check.
command_result cli(const test_database& db, std::vector<std::string> args)
{
    const auto common = common_flags(db, args);
    args.insert(args.begin(), recoupd_path());
    args.insert(args.end(), common.begin(), common.end());
    return run_command(args);
}

// The same with standard input read from `input_file`.
command_result cli_with_stdin(const test_database& db, std::vector<std::string> args, const fs::path& input_file)
{
    std::vector<std::string> sh{"/bin/sh", "-c", "exec \"$0\" \"$@\" < \"$RECOUP_TEST_STDIN\"", recoupd_path()};
    sh.insert(sh.end(), args.begin(), args.end());
    const auto common = common_flags(db, args);
    sh.insert(sh.end(), common.begin(), common.end());
    ::setenv("RECOUP_TEST_STDIN", input_file.c_str(), 1);
    auto r = run_command(sh);
    ::unsetenv("RECOUP_TEST_STDIN");
    return r;
}

fs::path write_file(const fs::path& dir, const std::string& name, const std::string& content)
{
    const auto path = dir / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
}

long long mca_rows(test_database& db, const std::string& id)
{
    return db.count("SELECT COUNT(*) FROM merchant_connector_account WHERE id = '" + id + "'");
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A distinct Stripe invoice.payment_failed: its own event and invoice.
std::string stripe_failure(const std::string& tag)
{
    return replace_all(replace_all(own_fixture("stripe_billing/invoice.payment_failed.basil_payments.json"),
                                   "evt_RcSbFail0001", "evt_" + tag),
                       "in_RcSbInv0001", "in_" + tag);
}

reply deliver_stripe(world& w, const std::string& mca, const std::string& secret, const std::string& tag)
{
    const auto body = stripe_failure(tag);
    return w.host->post(webhook_path("pro_1", mca), stripe_headers(body, secret), body);
}

std::string message_of(const std::string& body)
{
    return std::string(boost::json::parse(body).at("error").at("message").as_string());
}

} // namespace

// ---- mca add: configuration that weakens security -----------------------------------------------

BOOST_AUTO_TEST_CASE(unsafe_configuration_is_refused_with_one_line_and_nothing_written)
{
    set_master_key();
    test_database db(backend_from_args());
    recoupd_cli(db, {"migrate", "up"});
    recoupd_cli(db, {"profile", "add", "--id", "pro_1"});
    struct bad {
        std::vector<std::string> flags;
        std::string message;
    };
    const std::vector<bad> cases{
        {{"--setting", "signature_tolerance_seconds=0"}, "signature_tolerance_seconds must be a whole number of seconds above 0, not 0"},
        {{"--setting", "signature_tolerance_seconds=-60"}, "not -60"},
        {{"--setting", "signature_tolerance_seconds=soon"}, "not \"soon\""},
        {{"--api-key", "rk_key", "--base-url", "http://v3.recurly.com"}, "would send the API key in clear text"},
        {{"--api-key", "rk_key", "--base-url", "http://10.0.0.8:8080/api"}, "would send the API key in clear text"},
        {{"--base-url", "http://169.254.169.254/latest/meta-data"}, "link-local or cloud metadata address (169.254.169.254)"},
        {{"--base-url", "https://169.254.170.2"}, "link-local or cloud metadata address"},
        {{"--base-url", "http://2852039166/"}, "link-local or cloud metadata address"},
        {{"--base-url", "http://[fd00:ec2::254]/"}, "link-local or cloud metadata address (fd00:ec2::254)"},
        {{"--base-url", "http://[fe80::1]:8080"}, "link-local or cloud metadata address"},
        {{"--base-url", "https://metadata.google.internal/computeMetadata/v1"}, "(metadata.google.internal)"},
        {{"--base-url", "https://METADATA.GOOGLE.INTERNAL./x"}, "link-local or cloud metadata address"},
        {{"--base-url", "ftp://v3.recurly.com"}, "not an http:// or https:// URL"},
    };
    for (const auto& c : cases) {
        std::vector<std::string> args{"mca", "add", "--profile", "pro_1", "--id", "mca_bad", "--connector", "recurly",
                                      "--secret", "s3cr3t"};
        args.insert(args.end(), c.flags.begin(), c.flags.end());
        const auto r = cli(db, args);
        BOOST_TEST_CONTEXT(c.flags.back())
        {
            BOOST_TEST(r.status == 2);
            BOOST_TEST(contains(r.output, c.message), r.output);
            BOOST_TEST(contains(r.output, "recoupd: error: mca add: "), r.output);
            BOOST_TEST(mca_rows(db, "mca_bad") == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(safe_configuration_is_accepted)
{
    set_master_key();
    test_database db(backend_from_args());
    recoupd_cli(db, {"migrate", "up"});
    recoupd_cli(db, {"profile", "add", "--id", "pro_1"});
    const std::vector<std::vector<std::string>> cases{
        {"--api-key", "k", "--base-url", "http://127.0.0.1:8081/api"},
        {"--api-key", "k", "--base-url", "http://127.3.4.5"},
        {"--api-key", "k", "--base-url", "http://[::1]:9000"},
        {"--api-key", "k", "--base-url", "http://localhost:8080"},
        {"--api-key", "k", "--base-url", "https://v3.recurly.com"},
        {"--base-url", "http://sandbox.example.com"}, // no API key to leak
        {"--setting", "signature_tolerance_seconds=600"},
    };
    int n = 0;
    for (const auto& flags : cases) {
        const auto id = "mca_ok_" + std::to_string(n++);
        std::vector<std::string> args{"mca", "add", "--profile", "pro_1", "--id", id, "--connector", "recurly",
                                      "--secret", "s3cr3t"};
        args.insert(args.end(), flags.begin(), flags.end());
        const auto r = cli(db, args);
        BOOST_TEST_CONTEXT(flags[1] + " " + flags.back())
        {
            BOOST_TEST(r.status == 0, r.output);
            BOOST_TEST(mca_rows(db, id) == 1);
        }
    }
}

// ---- secrets off the command line ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(secrets_from_a_file_stdin_and_the_environment_verify_webhooks)
{
    world w(backend_from_args());
    const auto dir = w.db.dir();
    const auto file = write_file(dir, "b.secret", stripe_secret_b + "\n"); // one newline is dropped
    auto r = cli(w.db, {"mca", "add", "--profile", "pro_1", "--id", "mca_file", "--connector", "stripe_billing",
                        "--secret-file", file.string()});
    BOOST_TEST_REQUIRE(r.status == 0, r.output);
    BOOST_TEST(!contains(r.output, "warning"), r.output);

    const auto piped = write_file(dir, "c.secret", "whsec_from_stdin\r\n");
    r = cli_with_stdin(w.db, {"mca", "add", "--profile", "pro_1", "--id", "mca_stdin", "--connector", "stripe_billing",
                              "--secret-stdin"},
                       piped);
    BOOST_TEST_REQUIRE(r.status == 0, r.output);

    ::setenv("RECOUP_TEST_WHSEC", "whsec_from_env", 1);
    r = cli(w.db, {"mca", "add", "--profile", "pro_1", "--id", "mca_env", "--connector", "stripe_billing",
                   "--secret-env", "RECOUP_TEST_WHSEC", "--secret-file", file.string()});
    ::unsetenv("RECOUP_TEST_WHSEC");
    BOOST_TEST_REQUIRE(r.status == 0, r.output);
    BOOST_TEST(contains(r.output, "2 secrets"), r.output);

    // An API key from a file, beside a secret from standard input.
    const auto key = write_file(dir, "api.key", "rk_from_a_file\n");
    r = cli_with_stdin(w.db, {"mca", "add", "--profile", "pro_1", "--id", "mca_key", "--connector", "recurly",
                              "--secret-stdin", "--api-key-file", key.string(), "--base-url", "https://v3.recurly.com"},
                       piped);
    BOOST_TEST_REQUIRE(r.status == 0, r.output);
    BOOST_TEST(contains(r.output, "API key"), r.output);

    BOOST_TEST(deliver_stripe(w, "mca_file", stripe_secret_b, "file1").status == 200);
    BOOST_TEST(deliver_stripe(w, "mca_stdin", "whsec_from_stdin", "stdin1").status == 200);
    BOOST_TEST(deliver_stripe(w, "mca_env", "whsec_from_env", "env1").status == 200);
    BOOST_TEST(deliver_stripe(w, "mca_env", stripe_secret_b, "env2").status == 200);
    // The newline and the \r were dropped: a secret with them does not verify.
    BOOST_TEST(deliver_stripe(w, "mca_file", stripe_secret_b + "\n", "file2").status == 401);
    BOOST_TEST(deliver_stripe(w, "mca_stdin", "whsec_from_stdin\r", "stdin2").status == 401);
}

BOOST_AUTO_TEST_CASE(the_argv_form_still_works_and_warns)
{
    world w(backend_from_args());
    const auto r = cli(w.db, {"mca", "add", "--profile", "pro_1", "--id", "mca_argv", "--connector", "recurly",
                              "--secret", "whsec_on_argv", "--api-key", "rk_on_argv", "--base-url", "https://v3.recurly.com"});
    BOOST_TEST_REQUIRE(r.status == 0, r.output);
    BOOST_TEST(contains(r.output, "recoupd: warning: --secret puts the value on the command line"), r.output);
    BOOST_TEST(contains(r.output, "recoupd: warning: --api-key puts the value on the command line"), r.output);
    BOOST_TEST(!contains(r.output, "whsec_on_argv"), r.output);
    BOOST_TEST(mca_rows(w.db, "mca_argv") == 1);
}

BOOST_AUTO_TEST_CASE(unusable_secret_input_is_refused_and_nothing_written)
{
    world w(backend_from_args());
    const auto dir = w.db.dir();
    const auto empty = write_file(dir, "empty", "\n");
    const auto two = write_file(dir, "two", "first\nsecond\n");
    const auto one = write_file(dir, "one", "whsec_x\n");
    ::unsetenv("RECOUP_TEST_UNSET");
    struct bad {
        std::vector<std::string> flags;
        std::string message;
    };
    const std::vector<bad> cases{
        {{"--secret-file", empty.string()}, "is empty: a secret cannot be empty"},
        {{"--secret-file", (dir / "missing").string()}, "cannot read --secret-file"},
        {{"--secret-file", two.string()}, "holds more than one line"},
        {{"--secret-env", "RECOUP_TEST_UNSET"}, "environment variable RECOUP_TEST_UNSET is not set"},
        {{"--secret", ""}, "--secret is empty"},
        {{"--secret-file", one.string(), "--api-key", "k", "--api-key-file", one.string()}, "give one of --api-key"},
        {{"--secret-stdin", "--api-key-stdin"}, "standard input is already read"},
        {{}, "--secret is required"},
    };
    for (const auto& c : cases) {
        std::vector<std::string> args{"mca", "add", "--profile", "pro_1", "--id", "mca_bad", "--connector", "stripe_billing"};
        args.insert(args.end(), c.flags.begin(), c.flags.end());
        const auto r = cli_with_stdin(w.db, args, one);
        BOOST_TEST_CONTEXT(c.message)
        {
            BOOST_TEST(r.status == 2);
            BOOST_TEST(contains(r.output, c.message), r.output);
            BOOST_TEST(mca_rows(w.db, "mca_bad") == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(rotate_secret_takes_the_new_secret_from_a_file_stdin_or_the_environment)
{
    world w(backend_from_args());
    const auto dir = w.db.dir();
    const auto stored = [&] { return w.db.text("SELECT secrets FROM merchant_connector_account WHERE id = 'mca_stripe'"); };

    auto r = cli(w.db, {"mca", "rotate-secret", "--profile", "pro_1", "--id", "mca_stripe", "--secret-file",
                        write_file(dir, "n1", "whsec_rotated_1\n").string()});
    BOOST_TEST_REQUIRE(r.status == 0, r.output);
    BOOST_TEST(deliver_stripe(w, "mca_stripe", "whsec_rotated_1", "rot1").status == 200);
    BOOST_TEST(deliver_stripe(w, "mca_stripe", world::stripe_secret, "rot2").status == 401);

    r = cli_with_stdin(w.db, {"mca", "rotate-secret", "--profile", "pro_1", "--id", "mca_stripe", "--secret-stdin"},
                       write_file(dir, "n2", "whsec_rotated_2"));
    BOOST_TEST_REQUIRE(r.status == 0, r.output);
    BOOST_TEST(deliver_stripe(w, "mca_stripe", "whsec_rotated_2", "rot3").status == 200);

    ::setenv("RECOUP_TEST_ROTATED", "whsec_rotated_3", 1);
    r = cli(w.db, {"mca", "rotate-secret", "--profile", "pro_1", "--id", "mca_stripe", "--secret-env", "RECOUP_TEST_ROTATED",
                   "--keep-old"});
    ::unsetenv("RECOUP_TEST_ROTATED");
    BOOST_TEST_REQUIRE(r.status == 0, r.output);
    BOOST_TEST(deliver_stripe(w, "mca_stripe", "whsec_rotated_3", "rot4").status == 200);
    BOOST_TEST(deliver_stripe(w, "mca_stripe", "whsec_rotated_2", "rot5").status == 200); // kept

    // Refused: nothing changes.
    const auto before = stored();
    r = cli(w.db, {"mca", "rotate-secret", "--profile", "pro_1", "--id", "mca_stripe", "--secret-file",
                   write_file(dir, "n4", "").string()});
    BOOST_TEST(r.status == 2);
    BOOST_TEST(contains(r.output, "is empty"), r.output);
    r = cli(w.db, {"mca", "rotate-secret", "--profile", "pro_1", "--id", "mca_stripe", "--secret", "a", "--secret-env", "X"});
    BOOST_TEST(r.status == 2);
    BOOST_TEST(contains(r.output, "give one of --secret"), r.output);
    r = cli(w.db, {"mca", "rotate-secret", "--profile", "pro_1", "--id", "mca_stripe"});
    BOOST_TEST(r.status == 2);
    BOOST_TEST(contains(r.output, "--secret is required"), r.output);
    BOOST_TEST(stored() == before);
    r = cli(w.db, {"mca", "rotate-secret", "--profile", "pro_1", "--id", "mca_stripe", "--secret", "whsec_rotated_4"});
    BOOST_TEST(r.status == 0);
    BOOST_TEST(contains(r.output, "recoupd: warning: --secret puts the value on the command line"), r.output);
}

// ---- 5xx bodies ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_storage_503_says_nothing_of_the_database_and_the_log_has_it)
{
    world w(backend_from_args());
    // The table the handler reads first is gone: the database's own error text ("no such table",
    // "relation ... does not exist") is what could leak.
    w.db.sql() << "ALTER TABLE business_profile RENAME TO business_profile_away";
    const auto r = deliver_stripe(w, "mca_stripe", world::stripe_secret, "db1");
    w.db.sql() << "ALTER TABLE business_profile_away RENAME TO business_profile";
    BOOST_TEST(r.status == 503);
    BOOST_TEST(error_code_of(r.body) == "HE_03", r.body);
    BOOST_TEST(message_of(r.body) == "storage unavailable, retry later");
    BOOST_TEST(!contains(r.body, "business_profile"), r.body);
    BOOST_TEST(!r.header("Retry-After").empty());
    const auto line = log_line_of(*w.host, r);
    BOOST_TEST(contains(line, "\"detail\":"), line);
    BOOST_TEST(contains(line, "business_profile"), line);
    BOOST_TEST(w.written() == 0);
    BOOST_TEST(deliver_stripe(w, "mca_stripe", world::stripe_secret, "db2").status == 200); // and back
}

BOOST_AUTO_TEST_CASE(a_sync_503_names_no_host_or_stage_and_the_log_has_them)
{
    unsigned short closed_port = 0;
    {
        // A port that was free a moment ago: nothing listens there.
        boost::asio::io_context ioc;
        tcp::acceptor probe(ioc, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
        closed_port = probe.local_endpoint().port();
    }
    const std::string secret = "recurly_config_secret";
    world w(backend_from_args(), {{"mca_recurly", "recurly", {secret}, "rk_test_key",
                                   "http://127.0.0.1:" + std::to_string(closed_port) + "/base", {}}},
            {"--sync-timeout", "1", "--sync-connect-timeout", "1"});
    const auto body = own_fixture("recurly/notification_payment_failed.json");
    const auto r = w.host->post(webhook_path("pro_1", "mca_recurly"), recurly_headers(body, secret), body);
    BOOST_TEST(r.status == 503);
    BOOST_TEST(error_code_of(r.body) == "WE_03", r.body);
    BOOST_TEST(message_of(r.body) == "the billing platform's API could not be used, retry later");
    BOOST_TEST(!contains(r.body, "127.0.0.1"), r.body);
    BOOST_TEST(!contains(r.body, std::to_string(closed_port)), r.body);
    BOOST_TEST(!contains(r.body, "GET"), r.body);
    const auto line = log_line_of(*w.host, r);
    BOOST_TEST(contains(line, "\"detail\":\"field \\\"GET /"), line);
    BOOST_TEST(w.written() == 0);
}

// ---- the admin route ----------------------------------------------------------------------------

namespace {

const std::string admin_token = "admin-token-of-32-characters-xyz";
const std::string workflow = "/v2/process_tracker/revenue_recovery_workflow/";

// A world with the admin token set and one payment, whose id is returned.
std::string payment_in(world& w)
{
    BOOST_REQUIRE(deliver_stripe(w, "mca_stripe", world::stripe_secret, "adm1").status == 200);
    return w.db.text("SELECT id FROM payment_intent");
}

reply admin_get(world& w, const std::string& payment, const std::string& authorization)
{
    return send(w.host->port(), "GET", workflow + payment, {{"Authorization", authorization}});
}

struct admin_token_env {
    admin_token_env() { ::setenv("RECOUP_ADMIN_TOKEN", admin_token.c_str(), 1); }
    ~admin_token_env() { ::unsetenv("RECOUP_ADMIN_TOKEN"); }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_wrong_admin_token_of_any_length_is_401_and_the_right_one_200)
{
    admin_token_env env;
    world w(backend_from_args());
    const auto payment = payment_in(w);
    const std::string right = "Bearer " + admin_token;
    std::string same_length = right;
    same_length.back() = 'X';
    for (const auto& wrong : {right.substr(0, right.size() - 1), same_length, right + "z", std::string("Bearer "),
                              std::string("Basic ") + admin_token, admin_token}) {
        const auto r = admin_get(w, payment, wrong);
        BOOST_TEST_CONTEXT(wrong.size())
        {
            BOOST_TEST(r.status == 401);
            BOOST_TEST(error_code_of(r.body) == "IR_01", r.body);
        }
    }
    BOOST_TEST(send(w.host->port(), "GET", workflow + payment).status == 401); // no header
    const auto r = admin_get(w, payment, right);
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    BOOST_TEST(boost::json::parse(r.body).at("payment_id").as_string() == payment);
}

BOOST_AUTO_TEST_CASE(admin_reads_take_no_row_locks)
{
    admin_token_env env;
    world w(backend_from_args());
    const auto payment = payment_in(w);
    // Another writer holds the intent: FOR UPDATE on PostgreSQL, the write lock on SQLite. A read
    // that locked would wait for it (lock_timeout / busy_timeout) and answer 503.
    if (w.db.kind() == backend::postgresql) {
        w.db.sql() << "BEGIN";
        std::string id;
        w.db.sql() << "SELECT id FROM payment_intent WHERE id = :id FOR UPDATE", soci::use(payment), soci::into(id);
        BOOST_REQUIRE(id == payment);
    } else {
        w.db.sql() << "BEGIN IMMEDIATE";
        w.db.sql() << "UPDATE payment_intent SET modified_at = modified_at WHERE id = :id", soci::use(payment);
    }
    const auto r = admin_get(w, payment, "Bearer " + admin_token);
    w.db.sql() << "ROLLBACK";
    BOOST_TEST(r.status == 200, r.body);
    BOOST_TEST(contains(r.body, "\"intent\":{"), r.body);
}

BOOST_AUTO_TEST_CASE(an_admin_503_says_nothing_of_the_database_and_the_log_has_it)
{
    admin_token_env env;
    world w(backend_from_args());
    const auto payment = payment_in(w);
    w.db.sql() << "ALTER TABLE payment_attempt RENAME TO payment_attempt_away";
    const auto r = admin_get(w, payment, "Bearer " + admin_token);
    w.db.sql() << "ALTER TABLE payment_attempt_away RENAME TO payment_attempt";
    BOOST_TEST(r.status == 503);
    BOOST_TEST(error_code_of(r.body) == "HE_03", r.body);
    BOOST_TEST(message_of(r.body) == "storage unavailable, retry later");
    BOOST_TEST(!contains(r.body, "payment_attempt"), r.body);
    const auto line = w.host->process().wait_for_line("{\"route\":\"workflow\"");
    BOOST_TEST_REQUIRE(line.has_value());
    BOOST_TEST(contains(*line, "payment_attempt"), *line);
    BOOST_TEST(admin_get(w, payment, "Bearer " + admin_token).status == 200); // and back
}

HTTP_TEST_MAIN()
