// The webhook path's cache of profiles and MCAs (host/account_cache.hpp), end to end on SQLite
// and PostgreSQL: `recoupd serve` keeps serving them from memory, and a change made by another
// process (`recoupd mca rotate-secret`, `mca add`, `profile add`) is seen by the very next webhook,
// through the config_version row each of those writes raises in its own transaction.
#define BOOST_TEST_MODULE http_config_cache
#define BOOST_TEST_NO_MAIN
#include "http_harness.hpp"

#include <cstdlib>

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
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", old_secret, "after1").status == 401);
    BOOST_TEST(deliver_stripe(w, "pro_1", "mca_stripe", new_secret, "after2").status == 200);

    // With --keep-old both verify: the cached entry holds the list the rotation wrote.
    rotate(w, "mca_stripe", "whsec_third", true);
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

HTTP_TEST_MAIN()
