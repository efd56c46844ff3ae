// The webhook path's cache of profiles and MCAs (host/account_cache.hpp), end to end on SQLite
// and PostgreSQL: `recoupd serve` keeps serving them from memory, and a change made by another
// process (`recoupd mca rotate-secret`, `mca add`, `profile add`) is seen by the very next webhook,
// through the config_version row each of those writes raises in its own transaction (on
// PostgreSQL, with the NOTIFY the serving host's config listener receives).
#define BOOST_TEST_MODULE http_config_cache
#define BOOST_TEST_NO_MAIN
#include "http_harness.hpp"

#include <chrono>
#include <cstdlib>
#include <thread>

using namespace http_test;

namespace {

// A distinct Stripe invoice.payment_failed: its own event and invoice.
std::string stripe_failure(const std::string& tag)
{
    return replace_all(replace_all(own_fixture("stripe_billing/invoice.payment_failed.basil_payments.json"),
                                   "evt_RcSbFail0001", "evt_" + tag),
                       "in_RcSbInv0001", "in_" + tag);
}

reply deliver_stripe(world& w, const std::string& profile, const std::string& mca, const std::string& secret,
                     const std::string& tag)
{
    const auto body = stripe_failure(tag);
    return w.host->post(webhook_path(profile, mca), stripe_headers(body, secret), body);
}

long long config_version(world& w) { return w.db.count("SELECT version FROM config_version WHERE id = 1"); }

// `recoupd mca rotate-secret`, the new secret given through the environment.
void rotate(world& w, const std::string& mca, const std::string& secret, bool keep_old)
{
    ::setenv("RECOUP_TEST_ROTATED_SECRET", secret.c_str(), 1);
    std::vector<std::string> args{"mca", "rotate-secret", "--profile", "pro_1", "--id", mca,
                                  "--secret-env", "RECOUP_TEST_ROTATED_SECRET"};
    if (keep_old) args.push_back("--keep-old");
    recoupd_cli(w.db, args);
    ::unsetenv("RECOUP_TEST_ROTATED_SECRET");
}

// The listener connections of the serving host `pid` (the name host/store/config_listener.cpp gives them).
std::string listener_condition(pid_t pid)
{
    return "application_name = 'recoupd config listener " + std::to_string(pid) + "'";
}

long long listeners(world& w)
{
    return w.db.count("SELECT COUNT(*) FROM pg_stat_activity WHERE " + listener_condition(w.host->process().pid()));
}

// `recoupd endpoint CMD ...` of profile pro_1's endpoint ep_late (the URL answers nothing: its rows stay).
void endpoint(world& w, const std::vector<std::string>& args)
{
    ::setenv("RECOUP_TEST_ENDPOINT_SECRET", "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", 1);
    recoupd_cli(w.db, args);
    ::unsetenv("RECOUP_TEST_ENDPOINT_SECRET");
}

long long outgoing_of(world& w, const std::string& endpoint_id)
{
    return w.db.count("SELECT COUNT(*) FROM outgoing_webhook WHERE endpoint_id = '" + endpoint_id + "'");
}

// Waits, at most 200 times 50 ms, until the host has its listener connection; true when it has.
bool listener_connected(world& w)
{
    for (int i = 0; i < 200; ++i) {
        if (listeners(w) == 1) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

// The host has heard of the configuration's current version: at once on SQLite (read per
// webhook); on PostgreSQL once its listener has the notification, which /metrics shows
// (recoup_config_version; asked at most 100 times, 50 ms apart).
bool heard(world& w)
{
    if (w.db.kind() != backend::postgresql) return true;
    const auto line = "\nrecoup_config_version " + std::to_string(config_version(w)) + "\n";
    for (int i = 0; i < 100; ++i) {
        if (w.host->get("/metrics").body.find(line) != std::string::npos) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

// A notification is handled on the listener's thread a moment after the commit: delivers with
// `secret` (at most 100 times, 50 ms apart) until the host refuses it. A rotation the host never
// hears of is never refused: the cached copy does not expire by itself.
bool refused_soon(world& w, const std::string& secret, const std::string& tag)
{
    for (int i = 0; i < 100; ++i) {
        if (deliver_stripe(w, "pro_1", "mca_stripe", secret, tag + "_" + std::to_string(i)).status == 401) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_rotation_by_another_process_takes_effect_on_the_next_webhook)
{
    world w(backend_from_args());
    const std::string old_secret = world::stripe_secret, new_secret = "whsec_rotated_while_serving";
    // Served, and so cached, with the old secret.
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", old_secret, "before1").status == 200);
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", old_secret, "before2").status == 200);
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", new_secret, "before3").status == 401);

    const auto version = config_version(w);
    rotate(w, "mca_stripe", new_secret, false);
    BOOST_TEST(config_version(w) == version + 1);
    BOOST_TEST(heard(w));
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", old_secret, "after1").status == 401);
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", new_secret, "after2").status == 200);

    // With --keep-old both verify: the cached entry holds the list the rotation wrote.
    rotate(w, "mca_stripe", "whsec_third", true);
    BOOST_TEST(heard(w));
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", new_secret, "kept1").status == 200);
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", "whsec_third", "kept2").status == 200);
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", old_secret, "kept3").status == 401);
    BOOST_TEST(w.rows("webhook_event") == 5); // the 200s; a 401 writes nothing
}

BOOST_AUTO_TEST_CASE(profiles_and_mcas_added_while_serving_are_found_at_once)
{
    world w(backend_from_args());
    // Unknown ids are answered 404 and not remembered as unknown.
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_late", "whsec_late", "l0").status == 404);
    BOOST_TEST(deliver_stripe(w, "pro_late", "mca_late", "whsec_late", "l1").status == 404);

    add_mca(w.db, "pro_1", {"mca_late", "stripe_billing", {"whsec_late"}, "", "", {}});
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_late", "whsec_late", "l2").status == 200);

    recoupd_cli(w.db, {"profile", "add", "--id", "pro_late"});
    BOOST_TEST(deliver_stripe(w, "pro_late", "mca_late", "whsec_late", "l3").status == 404); // another's MCA
    add_mca(w.db, "pro_late", {"mca_late2", "stripe_billing", {"whsec_late2"}, "", "", {}});
    BOOST_TEST(deliver_stripe(w, "pro_late", "mca_late2", "whsec_late2", "l4").status == 200);
    // The MCAs served before the changes still verify as they did.
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", world::stripe_secret, "l5").status == 200);
    BOOST_TEST(w.rows("webhook_event") == 3);
}

// The profile's enabled endpoints are cached with its MCAs: the webhook path emits to them without
// reading merchant_endpoint, and an endpoint added, disabled or enabled by another process is
// taken at the next webhook (each of those raises the version).
BOOST_AUTO_TEST_CASE(endpoints_changed_while_serving_are_taken_at_the_next_webhook)
{
    world w(backend_from_args());
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", world::stripe_secret, "n0").status == 200); // cached, no endpoint
    BOOST_TEST(w.rows("outgoing_webhook") == 0);

    const auto version = config_version(w);
    endpoint(w, {"endpoint", "add", "--profile", "pro_1", "--id", "ep_late", "--url", "http://127.0.0.1:9/hooks",
                 "--secret-env", "RECOUP_TEST_ENDPOINT_SECRET"});
    BOOST_TEST(config_version(w) == version + 1);
    BOOST_TEST(heard(w));
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", world::stripe_secret, "n1").status == 200);
    const auto after_add = outgoing_of(w, "ep_late");
    BOOST_TEST(after_add > 0); // the failure armed a task: recovery.started and recovery.retry_scheduled

    endpoint(w, {"endpoint", "disable", "ep_late"});
    BOOST_TEST(config_version(w) == version + 2);
    BOOST_TEST(heard(w));
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", world::stripe_secret, "n2").status == 200);
    BOOST_TEST(outgoing_of(w, "ep_late") == after_add);

    endpoint(w, {"endpoint", "enable", "ep_late"});
    BOOST_TEST(config_version(w) == version + 3);
    BOOST_TEST(heard(w));
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", world::stripe_secret, "n3").status == 200);
    BOOST_TEST(outgoing_of(w, "ep_late") == 2 * after_add);
    BOOST_TEST(w.rows("webhook_event") == 4);
}

BOOST_AUTO_TEST_CASE(a_refused_cli_write_leaves_the_version_as_it_was)
{
    world w(backend_from_args());
    const auto version = config_version(w);
    // The profile exists: `profile add` fails and its transaction, version bump included, is undone.
    std::vector<std::string> args{recoupd_path(), "profile", "add", "--id", "pro_1", "--database", w.db.url()};
    BOOST_TEST(run_command(args).status != 0);
    BOOST_TEST(config_version(w) == version);
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", world::stripe_secret, "r1").status == 200);
}

// PostgreSQL: the host hears of changes through LISTEN on a connection of its own. When that
// connection is killed, the host reads the version per webhook until it has reconnected, and
// reads it again on reconnecting; either way no rotation is missed (the old secret is refused).
BOOST_AUTO_TEST_CASE(a_rotation_after_the_listener_connection_is_killed_is_seen,
                     *boost::unit_test::precondition(on_postgresql()))
{
    world w(backend_from_args());
    BOOST_REQUIRE(listener_connected(w));
    const std::string first = world::stripe_secret, second = "whsec_after_the_kill", third = "whsec_after_reconnect";
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", first, "k1").status == 200); // cached

    BOOST_TEST(w.db.count("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE " +
                          listener_condition(w.host->process().pid())) == 1);
    rotate(w, "mca_stripe", second, false);
    BOOST_TEST(refused_soon(w, first, "k2"));
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", second, "k3").status == 200);

    // Reconnected: the next rotation arrives as a notification again.
    BOOST_REQUIRE(listener_connected(w));
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", second, "k4").status == 200);
    rotate(w, "mca_stripe", third, false);
    BOOST_TEST(refused_soon(w, second, "k5"));
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", third, "k6").status == 200);
}

HTTP_TEST_MAIN()
